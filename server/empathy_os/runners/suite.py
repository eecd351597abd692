"""The verification engine's run of the project's suite in its private copy (changes/suite.py):
`launch.py suite OUT INCLUDE PYTEST_ARG...`. Every test's outcome (the shared recorder; a test module that
fails to import counts as a failing "test" `collect:<its id>`) and the statements and missing lines of each
file of INCLUDE (a JSON list of paths), written to OUT as JSON {"rc", "outcomes", "files", "error"}."""

from __future__ import annotations

import json

try:
    import coverage
    import pytest
except Exception as exc:  # noqa: BLE001 - any failure to import means "not usable here"
    coverage = pytest = None
    MISSING = f"coverage/pytest not importable: {exc}"
else:
    MISSING = None


def measured(cov, include):
    """path -> {"statements": n, "missing": [lines]} for each file of `include` coverage knows."""
    files = {}
    for name in include:
        try:
            _, statements, _, missing, _ = cov.analysis2(name)
        except Exception:  # noqa: BLE001, S112 - not measured (never imported): left out, as coverage leaves it
            continue
        files[name] = {"statements": len(statements), "missing": sorted(missing)}
    return files


def main(args):
    out, include, pytest_args = args[0], json.loads(args[1]), args[2:]
    result = {"rc": None, "outcomes": {}, "files": {}, "error": MISSING}
    if MISSING is None:
        from .recorder import Recorder

        recorder = Recorder()
        cov = coverage.Coverage(data_file=None, include=include or None, config_file=False)
        cov.start()
        try:
            result["rc"] = int(pytest.main(pytest_args, plugins=[recorder]))
        finally:
            cov.stop()
        result["outcomes"] = recorder.runs()
        for node in recorder.collect_errors:
            result["outcomes"]["collect:" + (node or ".")] = ["failed"]
        result["files"] = measured(cov, include)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0
