"""The verification engine's run of the project's suite in its private copy (changes/suite.py):
`launch.py suite OUT INCLUDE PYTEST_ARG...`. Every test's outcome (the shared recorder; a test module that
fails to import counts as a failing "test" `collect:<its id>`), the end of each failure's text, and the
statements and missing lines of each file of INCLUDE (a JSON list of paths; `null`: no coverage at all, the
failing-tests analyzer's plain run), written to OUT as JSON {"rc", "outcomes", "failures", "files", "error"}."""

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

TAIL = 4000  # characters kept of a failure's text: its end holds the `E ...` lines and the location


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
    result = {"rc": None, "outcomes": {}, "failures": {}, "files": {}, "error": MISSING}
    if MISSING is None:
        from .recorder import Recorder

        recorder = Recorder(failures=True)
        cov = None if include is None else coverage.Coverage(data_file=None, include=include or None,
                                                              config_file=False)
        if cov is not None:
            cov.start()
        try:
            result["rc"] = int(pytest.main(pytest_args, plugins=[recorder]))
        finally:
            if cov is not None:
                cov.stop()
        result["outcomes"] = recorder.runs()
        result["failures"] = {node: text[-TAIL:] for node, text in recorder.failures.items()}
        for node, text in recorder.collect_errors.items():
            result["outcomes"]["collect:" + (node or ".")] = ["failed"]
            result["failures"]["collect:" + (node or ".")] = text[-TAIL:]
        result["files"] = measured(cov, include) if cov is not None else {}
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0
