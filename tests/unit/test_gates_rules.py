"""The release gates' rules, table by table (the end-to-end tests check the measurements under them)."""

from __future__ import annotations

import pytest
from empathy_os.gates import (
    DEFAULT_GATES,
    GATE_SPECS,
    GateResult,
    evaluate,
    gate_name,
    gates_from,
    validate_gates,
    verdict,
)

GOOD = {"coverage_percent": 85.0, "quality_score": 8.0, "critical_issues": 0, "doc_coverage_percent": 100.0,
        "tests_failed": 0, "tests_passed": 12}


def by_name(results: list[GateResult]) -> dict[str, GateResult]:
    return {g.name: g for g in results}


def run(metrics=None, missing=None, gates=None):
    results = evaluate(validate_gates(gates), {**GOOD, **(metrics or {})}, missing or {})
    return by_name(results), verdict(results)


def test_everything_measured_and_passing_is_high_confidence():
    gates, (approved, confidence) = run()
    assert approved and confidence == "high"
    assert all(g.passed for g in gates.values()) and set(gates) == {*DEFAULT_GATES, "tests_passing"}
    assert gates["min_coverage"].critical and not gates["min_doc_coverage"].critical


@pytest.mark.parametrize(("metrics", "gate", "approved", "confidence"), [
    ({"coverage_percent": 79.99}, "min_coverage", False, "high"),
    ({"coverage_percent": 80.0}, "min_coverage", True, "high"),          # the threshold itself passes
    ({"quality_score": 6.99}, "min_quality_score", False, "high"),
    ({"quality_score": 7.0}, "min_quality_score", True, "high"),
    ({"critical_issues": 1}, "max_critical_issues", False, "high"),
    ({"critical_issues": 0}, "max_critical_issues", True, "high"),
    ({"doc_coverage_percent": 99.0}, "min_doc_coverage", True, "medium"),  # a warning, not a block
    ({"tests_failed": 1}, "tests_passing", False, "high"),
])
def test_each_threshold(metrics, gate, approved, confidence):
    gates, got = run(metrics)
    assert got == (approved, confidence)
    if gate == "min_doc_coverage":
        assert not gates[gate].passed and not gates[gate].critical
    else:
        assert gates[gate].passed is approved and gates[gate].critical


@pytest.mark.parametrize("metric,gate,label", [
    ("coverage_percent", "min_coverage", "Test coverage"),
    ("quality_score", "min_quality_score", "Code quality"),
    ("critical_issues", "max_critical_issues", "Security"),
])
def test_a_critical_metric_not_measured_fails_with_the_reason(metric, gate, label):
    gates, (approved, confidence) = run({metric: None}, {metric: "bandit crashed"})
    assert not gates[gate].passed and gates[gate].actual is None
    assert gates[gate].message == f"{label}: not measured (bandit crashed)"
    assert not approved and confidence == "low"


def test_unmeasured_docs_are_medium_confidence_and_still_approved():
    gates, (approved, confidence) = run({"doc_coverage_percent": None})
    assert approved and confidence == "medium" and "not measured (no result)" in gates["min_doc_coverage"].message


def test_failing_tests_block_the_release_even_with_good_numbers():
    gates, (approved, _) = run({"tests_failed": 2, "tests_passed": 10})
    assert not approved
    assert gates["tests_passing"].critical and gates["tests_passing"].actual == 2
    assert gates["tests_passing"].message == "Tests: 2 failing, 10 passing"


def test_no_tests_collected_is_not_measured():
    gates, (approved, confidence) = run({"tests_failed": 0, "tests_passed": 0})
    assert not gates["tests_passing"].passed and gates["tests_passing"].actual is None
    assert not approved and confidence == "low"


def test_tests_gate_absent_when_tests_did_not_run():
    gates, (approved, confidence) = run({"tests_failed": None, "tests_passed": None})
    assert "tests_passing" not in gates and approved and confidence == "high"


def test_all_passing_message():
    gates, _ = run()
    assert gates["tests_passing"].message == "Tests: all 12 passing"
    assert gates["max_critical_issues"].message == "Security: 0 critical issue(s) (allowed: 0)"
    assert gates["min_coverage"].message == "Test coverage: 85.0% (≥ target 80%)"


def test_custom_limits_apply():
    gates, (approved, _) = run({"critical_issues": 1, "coverage_percent": 71}, gates={"max_critical_issues": 1,
                                                                                       "min_coverage": 70})
    assert approved and gates["max_critical_issues"].threshold == 1 and gates["min_coverage"].threshold == 70


@pytest.mark.parametrize(("gates", "match"), [
    ({"min_cov": 1}, "unknown quality gate 'min_cov'"),
    ({"min_coverage": 101}, "between 0 and 100"),
    ({"min_coverage": -1}, "between 0 and 100"),
    ({"min_quality_score": 10.5}, "between 0 and 10"),
    ({"max_critical_issues": 1.5}, "whole number"),
    ({"min_coverage": "high"}, "must be a number"),
    ({"min_coverage": float("nan")}, "between"),
    ([("min_coverage", 1)], "must be a dict"),
])
def test_bad_gates_are_refused(gates, match):
    with pytest.raises(ValueError, match=match):
        validate_gates(gates)


def test_boundaries_are_accepted():
    assert validate_gates({"min_coverage": 0, "min_quality_score": 10, "max_critical_issues": 3}) == {
        **DEFAULT_GATES, "min_coverage": 0.0, "min_quality_score": 10.0, "max_critical_issues": 3.0}


def test_one_table_names_every_gate():
    assert [g.name for g in GATE_SPECS] == list(DEFAULT_GATES)
    assert gate_name("minDocCoverage") == "min_doc_coverage" and gate_name("min_coverage") == "min_coverage"
    assert gates_from({"minCoverage": 90, "maxCriticalIssues": None}) == {"min_coverage": 90}


def test_only_the_critical_issue_count_is_a_whole_number():
    assert {g.name for g in GATE_SPECS if g.whole} == {"max_critical_issues"}
    assert validate_gates({"max_critical_issues": 0})["max_critical_issues"] == 0
    assert {g.name: (g.low, g.high) for g in GATE_SPECS} == {
        "min_coverage": (0, 100), "min_quality_score": (0, 10), "max_critical_issues": (0, 1e9),
        "min_doc_coverage": (0, 100)}
