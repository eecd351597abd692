"""The coverage analyzer's test run, in the PROJECT's interpreter (`launch.py coverage_driver SPEC`): checks
coverage and pytest are importable, measures pytest with coverage's API, and writes coverage's JSON report.
One process instead of three (probe, `coverage run`, `coverage json`): interpreter start-up is a large share
of a small project's test run.

SPEC: JSON {"data_file", "json_file", "debug_file", "source": [...]|null, "omit": [...]|null,
"extra_omit": [...], "pytest_args": [...], "parallel": null | {"workers": N|null, "reason": str, "auto": bool}}
(parallel_tests.py: xdist workers measured through coverage's `patch = subprocess`; with per-test mode the
plugin xdist_contexts.py switches each worker's context per test). SPEC `-`: the spec is the first line of
stdin (early_tests.py starts this interpreter, coverage and pytest imported, before the spec is known;
nothing on stdin: nothing runs).

Read-only: coverage's data, debug and report files go where the spec says (our temp folder) whatever the
project's coverage config names; pytest's own outputs, and pytest-cov's (`--no-cov`), are turned away by
the options every project test run gets (_pytest.neutral_args). Isolation: coverage and pytest are
imported (by launch.py) before the project folder is on sys.path.
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
Last stdout line: COVERAGE_MARK + JSON {"coverage": version|null, "pytest": version|null, "pytest_exit":
int|null, "report_error": str|null, ...}.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import sqlite3
import sys

from . import COVERAGE_MARK

# Imported by launch.py before the project is on sys.path; missing or broken, the answer says so.
try:
    import coverage
except Exception:  # noqa: BLE001 - any failure to import means "not usable here"
    coverage = None
try:
    import pytest
except Exception:  # noqa: BLE001
    pytest = None

WORKER_PLUGIN = "_empathy_coverage_contexts"


def env_fingerprint():
    """The interpreter and its installed distributions: the names of the `*.dist-info`/`*.egg-info` entries on
    sys.path (name and version are in the name, so an install, removal or upgrade changes it). Listing the
    folders takes a millisecond; reading every distribution's metadata took 0.1-0.3 s before the tests."""
    names = []
    for entry in sys.path:
        try:
            names += [n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return hashlib.sha256((sys.version + "\n" + "\n".join(sorted(names))).encode()).hexdigest()


class Selection:
    """A partial run's plan: only the selected tests, and the changed modules imported once collection is
    done (still outside any test, as a full run's collection would import them)."""

    def __init__(self, plan):
        self.plan, self.import_errors = plan, {}

    def pytest_collection_modifyitems(self, session, config, items):
        wanted, files = set(self.plan["select"]), set(self.plan["run_files"])
        keep, drop = [], []
        for item in items:
            (keep if item.nodeid in wanted or item.nodeid.split("::")[0] in files else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def pytest_collection_finish(self, session):
        for name in self.plan.get("imports", []):
            try:
                importlib.import_module(name)
            except BaseException as exc:  # noqa: BLE001 - a module exiting or interrupting is a reason too
                self.import_errors[name] = f"{type(exc).__name__}: {exc}"


def per_context(data_file, branch):
    """{context: {path: [lines, arcs]}} read from coverage's SQLite data (schema documented by coverage.py:
    one query instead of one per context and file)."""
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
                found.setdefault(ctx, {}).setdefault(path, [[], []])[1].append([a, b])
            for entry in (e for files in found.values() for e in files.values() if not e[0]):
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


class Run:
    """One measured pytest session as the spec asks; `out` is the answer printed at the end."""

    def __init__(self, spec, out):
        self.spec, self.out = spec, out
        self.args = list(spec["pytest_args"])
        self.per_test = spec.get("per_test")
        self.par = spec.get("parallel")
        self.rcfile = True
        self.recorder = self.selection = None
        self.in_memory = False

    def parallel_refusal(self):
        """Why the asked-for xdist run cannot be measured here, or None."""
        if importlib.util.find_spec("xdist") is None:
            return "pytest-xdist is not installed in this interpreter"
        if tuple(coverage.version_info[:2]) < (7, 10):
            return f"coverage {coverage.__version__} cannot measure xdist's workers (7.10 or newer can)"
        return None

    def check_parallel(self):
        why_not = self.parallel_refusal() if self.par is not None else None
        if why_not is not None:
            if not self.par.get("auto"):  # asked for and refused: said; only installed-and-usable: nothing to say
                self.out["parallel_refused"] = why_not
            if self.par["workers"] is None and importlib.util.find_spec("xdist") is not None:
                self.args += ["-n", "0"]  # the project's own -n, run in this process so it is measured
            self.par = None
        elif self.par is not None and coverage.Coverage(config_file=True).config.config_file is None:
            # patch = subprocess hands the workers a config file's settings: with none, an empty one.
            self.rcfile = os.path.join(os.path.dirname(self.spec["data_file"]), "empty.coveragerc")
            open(self.rcfile, "w").close()

    def new_coverage(self, data_file):
        spec = self.spec
        made = coverage.Coverage(data_file=data_file, source=spec["source"], omit=spec["omit"],
                                 config_file=self.rcfile)
        made.set_option("run:debug_file", spec["debug_file"])
        if spec.get("extra_omit"):  # added to the project's own omit patterns, not replacing them
            made.set_option("run:omit", list(made.get_option("run:omit") or []) + spec["extra_omit"])
        return made

    def measuring(self):
        """The session's Coverage. Per-test contexts in memory (serial runs): on disk, coverage reconnects to
        its SQLite file at every context switch (~1 ms each: 1.1 s of CPU for more-itertools' 1,300
        switches, 0.1-0.3 s in memory). Not when the project's config is parallel (`parallel`, `patch =
        subprocess`, multiprocessing): coverage then renames its data file to a suffixed name on save (7.18
        fails on an in-memory one), and the data of the project's subprocesses is only in files to combine."""
        cov = self.new_coverage(self.spec["data_file"])
        self.in_memory = (self.per_test is not None and self.par is None
                          and tuple(coverage.version_info[:2]) >= (6, 0)
                          and not cov.get_option("run:parallel")
                          and "multiprocessing" not in (cov.get_option("run:concurrency") or ()))
        return self.new_coverage(None) if self.in_memory else cov

    def go_parallel(self, cov):
        cov.set_option("run:parallel", True)
        cov.set_option("run:patch", list(cov.get_option("run:patch") or []) + ["subprocess"])
        if self.par["workers"]:
            self.args += ["-n", str(self.par["workers"])]
        self.out["parallel"] = self.par["reason"]
        if self.spec.get("pycache_prefix"):  # xdist's workers are new processes: the same bytecode cache
            os.environ["PYTHONPYCACHEPREFIX"] = self.spec["pycache_prefix"]
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        if self.per_test is not None:  # each test's context is switched in the worker that runs it
            here = os.path.dirname(self.spec["data_file"])
            shutil.copyfile(os.path.join(os.path.dirname(__file__), "xdist_contexts.py"),
                            os.path.join(here, WORKER_PLUGIN + ".py"))
            os.environ["PYTHONPATH"] = os.pathsep.join([here] + [p for p in [os.environ.get("PYTHONPATH")] if p])
            sys.path.append(here)
            self.args += ["-p", WORKER_PLUGIN]

    def record_per_test(self, cov):
        """The per-test plugins (and a partial run's plan, unless the installed packages changed)."""
        from .recorder import Recorder

        cov.set_option("run:dynamic_context", None)  # ours: the test's node id
        self.out["env"] = env_fingerprint()
        plan = self.per_test.get("plan")
        if plan is not None and plan.get("env") != self.out["env"]:
            self.out["env_changed"] = True  # installed packages or Python changed: every test runs
            plan = None
        self.out["partial"] = plan is not None
        self.recorder = Recorder(cov)
        plugins = [self.recorder]
        if plan is not None:
            self.args += plan["paths"]
            self.selection = Selection(plan)
            plugins.append(self.selection)
        return plugins

    def session(self, cov, plugins):
        cov.start()
        try:
            if self.selection is not None and not self.selection.plan["paths"]:
                self.selection.pytest_collection_finish(None)
                self.out["pytest_exit"] = 0
            else:
                self.out["pytest_exit"] = int(pytest.main(self.args, plugins=plugins))
        finally:
            cov.stop()
            cov.save()

    def per_test_report(self, cov):
        """The per-test file, and the JSON report over the union of every context (and the plan's base)."""
        spec = self.spec
        branch = bool(cov.get_option("run:branch"))
        data = cov.get_data()
        if self.in_memory:
            from coverage.data import CoverageData

            disk = CoverageData(basename=spec["data_file"])
            disk.update(data)
            disk.write()
        # A parallel run's combined data is saved under a suffixed name: ask coverage which file it is.
        contexts = per_context(spec["data_file"] if self.in_memory else data.data_filename(), branch)
        errors = self.selection.import_errors if self.selection is not None else {}
        with open(self.per_test["out"], "w", encoding="utf-8") as fh:
            json.dump({"branch": branch, "contexts": contexts, "outcomes": self.recorder.verdicts(),
                       "import_errors": errors}, fh)
        base = {}
        plan = self.selection.plan if self.selection is not None else None
        if plan is not None and plan.get("base"):  # what the tests not re-run measured before
            with open(plan["base"], encoding="utf-8") as fh:
                base = json.load(fh)
        report = self.new_coverage(flat_data(data, contexts, base, branch, spec["data_file"] + "-flat"))
        report.load()
        report.json_report(outfile=spec["json_file"], ignore_errors=True)

    def report(self, cov):
        try:
            if cov.get_option("run:parallel"):
                cov.combine()
                cov.save()
            if self.per_test is None:
                cov.json_report(outfile=self.spec["json_file"], ignore_errors=True)
            else:
                self.per_test_report(cov)
        except Exception as exc:  # noqa: BLE001 - said in the answer, as the analyzer reports it
            self.out["report_error"] = f"{type(exc).__name__}: {exc}"

    def run(self):
        sys.argv = ["pytest"]
        self.check_parallel()
        cov = self.measuring()
        if self.par is not None:
            self.go_parallel(cov)
        plugins = self.record_per_test(cov) if self.per_test is not None else []
        self.session(cov, plugins)
        self.report(cov)


def read_spec(arg):
    """The spec from the argument, or from stdin's first line when it is `-` (None: nothing was sent)."""
    if arg != "-":
        return json.loads(arg)
    line = sys.stdin.readline()
    return json.loads(line) if line.strip() else None


def main(args):
    spec = read_spec(args[0])
    if spec is None:
        return 0
    os.environ.update(spec.get("env") or {})  # also given to the process; early_tests started it before it was known
    out = {"coverage": getattr(coverage, "__version__", None), "pytest": getattr(pytest, "__version__", None),
           "pytest_exit": None, "report_error": None}
    if spec.get("pycache_prefix"):
        # Bytecode, and pytest's rewritten test modules, cached outside the project (which stays read-only):
        # without it every run compiled and rewrote every test module again (half of toolz's suite time).
        # Set after coverage and pytest are imported: they keep reading their own installed .pyc files.
        sys.pycache_prefix = spec["pycache_prefix"]
        sys.dont_write_bytecode = False
    if out["coverage"] and out["pytest"]:
        Run(spec, out).run()
    sys.stdout.flush()
    print("\n" + COVERAGE_MARK + json.dumps(out))
    return 0
