"""The program `coverage` runs in the PROJECT's interpreter (passed with `python -c`, so it needs nothing
of ours installed there): checks coverage and pytest are importable, measures pytest with coverage's API,
and writes coverage's JSON report. One process instead of three (probe, `coverage run`, `coverage json`):
interpreter start-up is a large share of a small project's test run.

Argument: JSON {"data_file", "json_file", "debug_file", "source": [...]|null, "omit": [...]|null,
"extra_omit": [...], "pytest_args": [...]}.

Read-only: coverage's data, debug and report files go where the spec says (our temp folder) whatever the
project's coverage config names; pytest-cov, if the project's interpreter has it, is told `--no-cov` so
an `addopts = --cov` cannot write `.coverage`/`htmlcov` into the project. Isolation: `python -c` puts the
working folder (the project) first on sys.path; it is taken off while coverage and pytest are imported,
so a project folder named `coverage` or `pytest` cannot stand in for them, then put back for the tests.
Last stdout line: "EMPATHY-COVERAGE-DRIVER " + JSON {"coverage": version|null, "pytest": version|null, "pytest_exit": int|null,
"report_error": str|null}.
"""

DRIVER = r'''
import json, os, sys
spec = json.loads(sys.argv[1])
_cwd_entry = sys.path.pop(0) if sys.path and sys.path[0] in ("", os.getcwd()) else None
out = {"coverage": None, "pytest": None, "pytest_exit": None, "report_error": None}
try:
    import coverage
    out["coverage"] = coverage.__version__
except Exception:
    pass
try:
    import pytest
    out["pytest"] = pytest.__version__
except Exception:
    pass
if _cwd_entry is not None:
    sys.path.insert(0, _cwd_entry)
if out["coverage"] and out["pytest"]:
    import importlib.util
    args = list(spec["pytest_args"])
    if importlib.util.find_spec("pytest_cov") is not None:
        args.append("--no-cov")
    sys.argv = ["pytest"]
    cov = coverage.Coverage(data_file=spec["data_file"], source=spec["source"], omit=spec["omit"],
                            config_file=True)
    cov.set_option("run:debug_file", spec["debug_file"])
    if spec.get("extra_omit"):  # added to the project's own omit patterns, not replacing them
        cov.set_option("run:omit", list(cov.get_option("run:omit") or []) + spec["extra_omit"])
    cov.start()
    try:
        out["pytest_exit"] = int(pytest.main(args))
    finally:
        cov.stop()
        cov.save()
    try:
        if cov.get_option("run:parallel"):
            cov.combine()
            cov.save()
        cov.json_report(outfile=spec["json_file"], ignore_errors=True)
    except Exception as exc:
        out["report_error"] = "%s: %s" % (type(exc).__name__, exc)
sys.stdout.flush()
print("\nEMPATHY-COVERAGE-DRIVER " + json.dumps(out))
'''
