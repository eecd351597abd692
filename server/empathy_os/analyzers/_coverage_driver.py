"""The program `coverage` runs in the PROJECT's interpreter (passed with `python -c`, so it needs nothing
of ours installed there): checks coverage and pytest are importable, measures pytest with coverage's API,
and writes coverage's JSON report. One process instead of three (probe, `coverage run`, `coverage json`):
interpreter start-up is a large share of a small project's test run.

Argument: JSON {"data_file", "json_file", "debug_file", "source": [...]|null, "omit": [...]|null,
"extra_omit": [...], "pytest_args": [...], "parallel": null | {"workers": N|null, "reason": str, "auto": bool}}
(parallel_tests.py: xdist workers measured through coverage's `patch = subprocess`; with per-test mode a
plugin written next to the data file switches each worker's context per test).

Read-only: coverage's data, debug and report files go where the spec says (our temp folder) whatever the
project's coverage config names; pytest's own outputs, and pytest-cov's (`--no-cov`), are turned away by
the options every project test run gets (_pytest.neutral_args). Isolation: `python -c` puts the
working folder (the project) first on sys.path; it is taken off while coverage and pytest are imported,
so a project folder named `coverage` or `pytest` cannot stand in for them, then put back for the tests.
Per-test mode (`"per_test": {"out": path, "plan": null | {...}}`, used by coverage_map): every test runs in
its own coverage context (its node id; "" is collection, import time), the outcomes and the lines (and arcs)
of each context are written to `out`, with a fingerprint of the interpreter's installed distributions. A
`plan` re-runs a selection: `paths` (what pytest collects), `select` (node ids kept) and `run_files` (whose
tests all run), `imports` (changed modules imported after collection), `base` (a JSON file of what the
tests not re-run measured before, added to the data before the report, so the report is the merged one),
`env` (when the installed distributions differ, the plan is dropped and every test runs).
`env` (optional): variables set before the tests (early_tests.py starts this interpreter before they are known).
`pycache_prefix` (optional): a folder outside the project where bytecode is written and read (Python's own
`sys.pycache_prefix`, which pytest's assertion rewriting follows too).
Last stdout line: "EMPATHY-COVERAGE-DRIVER " + JSON {"coverage": version|null, "pytest": version|null, "pytest_exit": int|null,
"report_error": str|null}.
"""

DRIVER = r'''
import json, os, sys
spec = json.loads(sys.argv[1])
os.environ.update(spec.get("env") or {})  # also given to the process; early_tests started it before it was known
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
if spec.get("pycache_prefix"):
    # Bytecode, and pytest's rewritten test modules, cached outside the project (which stays read-only):
    # without it every run compiled and rewrote every test module again (half of toolz's suite time).
    # Set after coverage and pytest are imported: they keep reading their own installed .pyc files.
    sys.pycache_prefix = spec["pycache_prefix"]
    sys.dont_write_bytecode = False
per_test = spec.get("per_test")


WORKER_PLUGIN = "_empathy_coverage_contexts"
WORKER_PLUGIN_SOURCE = """
import coverage, pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cov = coverage.Coverage.current()  # the worker's own, started by coverage's patch = subprocess
    if cov is not None:
        cov.switch_context(item.nodeid)
    yield
    if cov is not None:
        cov.switch_context("")
"""


def env_fingerprint():
    """The interpreter and its installed distributions: the names of the `*.dist-info`/`*.egg-info` entries on
    sys.path (name and version are in the name, so an install, removal or upgrade changes it). Listing the
    folders takes a millisecond; reading every distribution's metadata took 0.1-0.3 s before the tests."""
    import hashlib
    names = []
    for entry in sys.path:
        try:
            names += [n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return hashlib.sha256(("%s\n%s" % (sys.version, "\n".join(sorted(names)))).encode()).hexdigest()


class Recorder:
    """Per-test coverage contexts (the node id), outcomes, an optional selection, imports of changed
    modules once collection is done (still outside any test, as a full run's collection would)."""

    def __init__(self, cov, plan):
        self.cov, self.plan, self.outcomes, self.import_errors = cov, plan, {}, {}

    def pytest_collection_modifyitems(self, session, config, items):
        if self.plan is None:
            return
        wanted, files = set(self.plan["select"]), set(self.plan["run_files"])
        keep, drop = [], []
        for item in items:
            (keep if item.nodeid in wanted or item.nodeid.split("::")[0] in files else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def pytest_collection_finish(self, session):
        import importlib
        for name in (self.plan or {}).get("imports", []):
            try:
                importlib.import_module(name)
            except BaseException as exc:
                self.import_errors[name] = "%s: %s" % (type(exc).__name__, exc)

    def pytest_runtest_protocol(self, item, nextitem):  # a hook wrapper (marked once pytest is imported)
        self.cov.switch_context(item.nodeid)
        yield
        self.cov.switch_context("")

    def pytest_runtest_logreport(self, report):
        seen = self.outcomes.get(report.nodeid)
        if report.when == "call":
            outcome = report.outcome
        elif report.failed:
            outcome = "error"
        elif report.skipped:
            outcome = "skipped"
        else:
            outcome = seen or "passed"
        if seen not in ("failed", "error"):
            self.outcomes[report.nodeid] = outcome


def per_context(data_file, branch):
    """{context: {path: [lines, arcs]}} read from coverage's SQLite data (schema documented by coverage.py:
    one query instead of one per context and file)."""
    import sqlite3
    from coverage.numbits import numbits_to_nums
    found = {}
    con = sqlite3.connect(data_file)
    try:
        rows = con.execute("select c.context, f.path, l.numbits from line_bits l join context c on "
                           "c.id = l.context_id join file f on f.id = l.file_id").fetchall()
        for ctx, path, bits in rows:
            found.setdefault(ctx, {}).setdefault(path, [[], []])[0] = sorted(numbits_to_nums(bits))
        if branch:
            rows = con.execute("select c.context, f.path, a.fromno, a.tono from arc a join context c on "
                               "c.id = a.context_id join file f on f.id = a.file_id").fetchall()
            for ctx, path, a, b in rows:
                entry = found.setdefault(ctx, {}).setdefault(path, [[], []])
                entry[1].append([a, b])
            for ctx in found.values():
                for entry in ctx.values():
                    if not entry[0]:
                        entry[0] = sorted({n for arc in entry[1] for n in arc if n > 0})
    finally:
        con.close()
    return found


def flat_data(data, contexts, base, branch, path):
    """The measured data without contexts, plus `base`, written to `path` for the report: a report over
    per-test contexts unions every context's lines per file again (0.3-0.6 s on more-itertools)."""
    from coverage.data import CoverageData
    union = {}
    for files in [base, *contexts.values()]:
        for name, (lines, arcs) in files.items():
            entry = union.setdefault(name, (set(), set()))
            entry[0].update(lines)
            entry[1].update(tuple(a) for a in arcs)
    flat = CoverageData(basename=path)
    if branch:
        flat.add_arcs({name: arcs for name, (_, arcs) in union.items()})
    else:
        flat.add_lines({name: lines for name, (lines, _) in union.items()})
    tracers = {}
    for name in data.measured_files():  # source files no test ran are in the data, without lines
        tracers.setdefault(data.file_tracer(name) or "", []).append(name)
    for plugin, names in tracers.items():
        flat.touch_files(names, plugin)
    flat.write()
    return path


if out["coverage"] and out["pytest"]:
    import importlib.util
    args = list(spec["pytest_args"])
    sys.argv = ["pytest"]
    par = spec.get("parallel")
    rcfile = True
    if par is not None:
        why_not = None
        if importlib.util.find_spec("xdist") is None:
            why_not = "pytest-xdist is not installed in this interpreter"
        elif tuple(coverage.version_info[:2]) < (7, 10):
            why_not = "coverage %s cannot measure xdist's workers (7.10 or newer can)" % coverage.__version__
        if why_not is not None:
            if not par.get("auto"):  # asked for and refused: said; only installed-and-usable: nothing to say
                out["parallel_refused"] = why_not
            if par["workers"] is None and importlib.util.find_spec("xdist") is not None:
                args += ["-n", "0"]  # the project's own -n, run in this process so it is measured
            par = None
        elif coverage.Coverage(config_file=True).config.config_file is None:
            # patch = subprocess hands the workers a config file's settings: with none, an empty one.
            rcfile = os.path.join(os.path.dirname(spec["data_file"]), "empty.coveragerc")
            open(rcfile, "w").close()

    def new_coverage(data_file):
        made = coverage.Coverage(data_file=data_file, source=spec["source"], omit=spec["omit"], config_file=rcfile)
        made.set_option("run:debug_file", spec["debug_file"])
        if spec.get("extra_omit"):  # added to the project's own omit patterns, not replacing them
            made.set_option("run:omit", list(made.get_option("run:omit") or []) + spec["extra_omit"])
        return made

    # Per-test contexts in memory (serial runs): on disk, coverage reconnects to its SQLite file at every
    # context switch (~1 ms each: 1.1 s of CPU for more-itertools' 1,300 switches, 0.1-0.3 s in memory).
    # Not when the project's config is parallel (`parallel`, `patch = subprocess`, multiprocessing): coverage
    # then renames its data file to a suffixed name on save (7.18 fails on an in-memory one), and the data of
    # the project's subprocesses is only in files to combine.
    cov = new_coverage(spec["data_file"])
    in_memory = (per_test is not None and par is None and tuple(coverage.version_info[:2]) >= (6, 0)
                 and not cov.get_option("run:parallel")
                 and "multiprocessing" not in (cov.get_option("run:concurrency") or ()))
    if in_memory:
        cov = new_coverage(None)
    if par is not None:
        cov.set_option("run:parallel", True)
        cov.set_option("run:patch", list(cov.get_option("run:patch") or []) + ["subprocess"])
        if par["workers"]:
            args += ["-n", str(par["workers"])]
        out["parallel"] = par["reason"]
        if spec.get("pycache_prefix"):  # xdist's workers are new processes: the same bytecode cache for them
            os.environ["PYTHONPYCACHEPREFIX"] = spec["pycache_prefix"]
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        if per_test is not None:  # each test's context is switched in the worker that runs it
            here = os.path.dirname(spec["data_file"])
            with open(os.path.join(here, WORKER_PLUGIN + ".py"), "w", encoding="utf-8") as fh:
                fh.write(WORKER_PLUGIN_SOURCE)
            os.environ["PYTHONPATH"] = os.pathsep.join([here] + [p for p in [os.environ.get("PYTHONPATH")] if p])
            sys.path.append(here)
            args += ["-p", WORKER_PLUGIN]
    plugins, plan = [], None
    if per_test is not None:
        cov.set_option("run:dynamic_context", None)  # ours: the test's node id
        out["env"] = env_fingerprint()
        plan = per_test.get("plan")
        if plan is not None and plan.get("env") != out["env"]:
            out["env_changed"] = True  # installed packages or Python changed: every test runs
            plan = None
        out["partial"] = plan is not None
        if plan is not None:
            args += plan["paths"]
        Recorder.pytest_runtest_protocol = pytest.hookimpl(hookwrapper=True)(Recorder.pytest_runtest_protocol)
        recorder = Recorder(cov, plan)
        plugins.append(recorder)
    cov.start()
    try:
        if plan is not None and not plan["paths"]:
            recorder.pytest_collection_finish(None)
            out["pytest_exit"] = 0
        else:
            out["pytest_exit"] = int(pytest.main(args, plugins=plugins))
    finally:
        cov.stop()
        cov.save()
    try:
        if cov.get_option("run:parallel"):
            cov.combine()
            cov.save()
        if per_test is None:
            cov.json_report(outfile=spec["json_file"], ignore_errors=True)
        else:
            branch = bool(cov.get_option("run:branch"))
            data = cov.get_data()
            if in_memory:
                from coverage.data import CoverageData
                disk = CoverageData(basename=spec["data_file"])
                disk.update(data)
                disk.write()
            # A parallel run's combined data is saved under a suffixed name: ask coverage which file it is.
            contexts = per_context(spec["data_file"] if in_memory else data.data_filename(), branch)
            with open(per_test["out"], "w", encoding="utf-8") as fh:
                json.dump({"branch": branch, "contexts": contexts, "outcomes": recorder.outcomes,
                           "import_errors": recorder.import_errors}, fh)
            base = {}
            if plan is not None and plan.get("base"):  # what the tests not re-run measured before
                with open(plan["base"], encoding="utf-8") as fh:
                    base = json.load(fh)
            flat = flat_data(data, contexts, base, branch, spec["data_file"] + "-flat")
            report = new_coverage(flat)
            report.load()
            report.json_report(outfile=spec["json_file"], ignore_errors=True)
    except Exception as exc:
        out["report_error"] = "%s: %s" % (type(exc).__name__, exc)
sys.stdout.flush()
print("\nEMPATHY-COVERAGE-DRIVER " + json.dumps(out))
'''
