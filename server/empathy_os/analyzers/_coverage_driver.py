"""The program `coverage` runs in the PROJECT's interpreter (passed with `python -c`, so it needs nothing
of ours installed there): checks coverage and pytest are importable, measures pytest with coverage's API,
and writes coverage's JSON report. One process instead of three (probe, `coverage run`, `coverage json`):
interpreter start-up is a large share of a small project's test run.

Argument: JSON {"data_file", "json_file", "source": [...]|null, "omit": [...]|null, "pytest_args": [...]}.
Last stdout line: "EMPATHY-COVERAGE-DRIVER " + JSON {"coverage": version|null, "pytest": version|null, "pytest_exit": int|null,
"report_error": str|null}.
"""

DRIVER = r'''
import json, sys
spec = json.loads(sys.argv[1])
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
if out["coverage"] and out["pytest"]:
    sys.argv = ["pytest"]
    cov = coverage.Coverage(data_file=spec["data_file"], source=spec["source"], omit=spec["omit"],
                            config_file=True)
    cov.start()
    try:
        out["pytest_exit"] = int(pytest.main(spec["pytest_args"]))
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
