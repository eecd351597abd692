"""Programs that run in the PROJECT's interpreter: the modules of this package, each run by path.

The project's interpreter has nothing of Empathy installed, so its test runs are started as
`python <this folder>/launch.py NAME ARG...` (`command()` builds that). launch.py makes this folder the
package `_empathy_runners` in that interpreter (so these modules import each other relatively, and no name
of ours can shadow a project module or be shadowed by one), imports `_empathy_runners.NAME` while neither
the project nor this folder is on sys.path (a project folder named `pytest` or `coverage` cannot stand in
for the real one), then puts the working folder first on sys.path, as `python -c` and `python -m pytest`
do, and calls `NAME.main(args)`. Under the boost's warm server (warm_server.py) a run forks from a process
that has done the imports already; in the bubblewrap sandbox this folder is readable like the rest of the
file system.

Rules for the modules here: only the standard library, pytest, coverage, hypothesis (where installed) and
each other; the project's Python may be 3.8, so ruff checks this folder with `target-version = "py38"`.
This file is loaded in both interpreters (Empathy's imports it as `empathy_os.runners`).
"""

from __future__ import annotations

import os

LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "launch.py")
# The coverage driver's last stdout line starts with this (its answer follows as JSON).
COVERAGE_MARK = "EMPATHY-COVERAGE-DRIVER "


def command(python: str, runner: str, *args: str) -> list[str]:
    """The argv that runs `runner` (a module of this package) in the interpreter `python`."""
    return [python, LAUNCHER, runner, *args]
