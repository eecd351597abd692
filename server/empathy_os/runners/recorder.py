"""The pytest plugin every runner records its tests with: outcomes per test, collection errors, and
(optionally) each test in its own coverage context and the text of each failure.

One outcome check for all (`counted`): a test's outcome is decided by its call, by a failure in any phase
(setup, call, teardown) and by a skip at setup; a setup or teardown that passed says nothing. Each counted
report is kept, in order, so a test run several times (`--keep-duplicates`) shows every run:
`runs()` in pytest's own words (passed, failed, skipped), `verdicts()` one word per test as JUnit counts it
(a failing setup or teardown is an "error"; the first failure or error stands).
"""

from __future__ import annotations

import pytest


def counted(report) -> bool:
    """Whether a test report decides the test's outcome."""
    return report.when == "call" or report.failed or (report.when == "setup" and report.skipped)


def verdict(reports) -> str:
    """One outcome from a test's counted (phase, outcome) reports: the first failure or error, else the
    last outcome; "passed" when only phases that say nothing were seen."""
    words = ["error" if when != "call" and outcome == "failed" else outcome for when, outcome in reports]
    bad = [w for w in words if w in ("failed", "error")]
    return bad[0] if bad else (words[-1] if words else "passed")


class Recorder:
    """`cov`: a started coverage.Coverage whose context is switched to each test's node id while it runs
    ("" outside tests). `failures`: keep the text of each failing report (it costs a formatting each)."""

    def __init__(self, cov=None, failures=False):
        self.cov = cov
        self.reports = {}  # node id -> [(phase, outcome)] of its counted reports
        self.collect_errors = {}  # collector node id -> its error text
        self.failures = {} if failures else None  # node id -> text of its last failing report

    def enter(self, item):
        """Called before each test runs (a subclass adds its own watch)."""

    def leave(self, item):
        """Called after each test ran."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item):
        if self.cov is not None:
            self.cov.switch_context(item.nodeid)
        self.enter(item)
        yield
        self.leave(item)
        if self.cov is not None:
            self.cov.switch_context("")

    def pytest_runtest_logreport(self, report):
        reports = self.reports.setdefault(report.nodeid, [])
        if counted(report):
            reports.append((report.when, report.outcome))
            if report.failed and self.failures is not None:
                self.failures[report.nodeid] = str(report.longrepr)

    def pytest_collectreport(self, report):
        if report.failed:  # an import error in a test module
            self.collect_errors[report.nodeid] = str(report.longrepr)

    def runs(self):
        """node id -> the outcome of each counted report (one per run of the test)."""
        return {node: [outcome for _, outcome in reports] for node, reports in self.reports.items() if reports}

    def verdicts(self):
        """node id -> passed, failed, error or skipped."""
        return {node: verdict(reports) for node, reports in self.reports.items()}
