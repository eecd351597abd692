"""`launch.py probe`: prints JSON {"coverage": version|null, "pytest": version|null}, the test tools of this
interpreter (imported by launch.py before the project is on sys.path: a project folder named `pytest`
cannot answer for it)."""

from __future__ import annotations

import importlib
import json

VERSIONS = {}
for _name in ("coverage", "pytest"):
    try:
        VERSIONS[_name] = importlib.import_module(_name).__version__
    except Exception:  # noqa: BLE001 - any failure to import means "not usable here"
        VERSIONS[_name] = None


def main(args):
    print(json.dumps(VERSIONS))
    return 0
