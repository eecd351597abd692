"""`launch.py pytest_main ARG...`: what `python -m pytest ARG...` does, except that pytest is imported (by
launch.py) before the project is on sys.path, so a project folder named `pytest` cannot stand in for it
(test_durations and a shard's run of its tests)."""

from __future__ import annotations

import sys

import pytest


def main(args):
    sys.argv = ["pytest"]
    return int(pytest.main(args))
