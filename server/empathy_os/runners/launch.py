"""`python launch.py NAME ARG...`: runs the module NAME of this folder in the project's interpreter.

See __init__.py: this folder becomes the package `_empathy_runners`, NAME is imported with neither this
folder nor the project on sys.path, then the working folder goes first on sys.path (as `python -c` puts
it) and `NAME.main(args)` runs; its return value is the exit code.
"""

import importlib
import importlib.util
import os
import sys

PACKAGE = "_empathy_runners"


def package(here):
    """This folder as the package PACKAGE (its __init__ run once; a warm server's children reuse it)."""
    if PACKAGE in sys.modules:
        return sys.modules[PACKAGE]
    spec = importlib.util.spec_from_file_location(PACKAGE, os.path.join(here, "__init__.py"),
                                                  submodule_search_locations=[here])
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)
    return module


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == here:
        del sys.path[0]  # `python launch.py` put this folder first: our module names stay ours
    package(here)
    name, args = sys.argv[1], sys.argv[2:]
    runner = importlib.import_module(PACKAGE + "." + name)
    sys.path.insert(0, "")  # the working folder first, as `python -c` would have put it
    sys.argv = [sys.argv[0], *args]
    return runner.main(args)


if __name__ == "__main__":
    sys.exit(main())
