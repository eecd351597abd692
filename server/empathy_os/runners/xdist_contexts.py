"""Loaded in each pytest-xdist worker of a per-test coverage run (`-p _empathy_coverage_contexts`): the
worker's own coverage (started by coverage's `patch = subprocess`) records each test in the context of its
node id. Workers are new processes that import plugins by name, so the coverage driver copies this file
under that unique name into its data folder and puts the folder on their PYTHONPATH; it imports nothing of
ours."""

import coverage
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item):
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(item.nodeid)
    yield
    if cov is not None:
        cov.switch_context("")
