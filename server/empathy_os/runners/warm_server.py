"""The boost's warm interpreter (testgen/warm.py): `launch.py warm_server`, one per sandbox, started inside the
same bubblewrap sandbox as a cold run would be. It imports pytest, its plugins, coverage, Hypothesis and the
other runners of this package once (never project code: live_worker.preload), then forks a fresh child per
run with the run's working folder, environment, argv and `sys.path[0]` exactly as `python -c CODE ...`,
`python -m MODULE ...` or `python FILE ...` would (live_worker's fork server and protocol), its output in
files of the sandbox. A forked child starts from the server's memory, so project modules a run imports are
gone for the next run: each run is as fresh as a new process, except for the pre-imported tools.

Per child, before the run: the sandbox guard (if loaded) reads the run's own log and whether its effects are
recorded (the server itself is never armed), and the run's bytecode folder (EMPATHY_SANDBOX_PYCACHE,
Sandbox.share_bytecode) is used; the server itself wrote none.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings

from .live_worker import preload, quiet_rewrite_warning, serve

RUNNERS = ("recorder", "no_shrink", "batch", "mutants", "suite", "coverage_driver")


def hypothesis_tables():
    """Hypothesis builds its Unicode tables (~2.5 s) the first time a text strategy draws, and caches them in
    its home folder, which is new in every sandbox (seeded by unicode_cache.py when Empathy has them): load
    or build them here once, in memory every child inherits."""
    try:
        from hypothesis.configuration import set_hypothesis_home_dir
        from hypothesis.internal import charmap

        set_hypothesis_home_dir(os.environ["EMPATHY_SANDBOX_HYPOTHESIS"])
        charmap.charmap()
        charmap.intervals_from_codec("utf-8")
    except Exception:  # noqa: BLE001, S110 - no (usable) Hypothesis: a child that needs it says so
        pass


def local_constants():
    """Hypothesis scans every module in sys.modules for "local" constants before its first example, and
    remembers which it has seen: scanned once here, a child only scans what it imports itself."""
    try:
        from hypothesis.internal.conjecture.providers import _get_local_constants

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _get_local_constants()
    except Exception:  # noqa: BLE001, S110 - another Hypothesis: children scan for themselves
        pass


def prepare(req):
    guard = sys.modules.get("_empathy_sandbox_guard")
    if guard is not None:  # this run's log, and whether its effects are recorded (never the server's)
        guard.configure()
    prefix = req["env"].get("EMPATHY_SANDBOX_PYCACHE")
    if prefix:
        sys.pycache_prefix = prefix
        sys.dont_write_bytecode = False


def main(args):
    # launch.py put the working folder (the project copy) first: not while the tools are imported, so a
    # project folder named `pytest` or `coverage` cannot stand in for them; each child puts it back.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path.pop(0)
    preload(os.getcwd(), ["hypothesis"])
    for name in RUNNERS:
        importlib.import_module(f"{__package__}.{name}")
    hypothesis_tables()
    local_constants()
    quiet_rewrite_warning(set(sys.modules))
    serve({}, prepare=prepare)
    return 0
