"""The configuration model's rules, as a table: what is refused, how tiers and counts are normalised, ranking."""

from __future__ import annotations

import math

import pytest
from empathy_os.store.models import AgentConfiguration, check_quality, rank_key, wilson_lower_bound
from pydantic import ValidationError

AGENTS = [{"role": "security_auditor", "tier": "PREMIUM"}]


def config(**over):
    return AgentConfiguration(**{"id": "c1", "task_pattern": "audit", "agents": AGENTS, "strategy": "parallel",
                                 **over})


@pytest.mark.parametrize("field", ["id", "task_pattern", "strategy"])
@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_blank_names_are_refused(field, blank):
    with pytest.raises(ValidationError):
        config(**{field: blank})


def test_names_are_stripped_and_strategy_lowercased():
    c = config(id=" c1 ", task_pattern=" audit ", strategy=" Parallel ")
    assert (c.id, c.task_pattern, c.strategy) == ("c1", "audit", "parallel")


def test_generated_ids_are_unique_and_prefixed():
    a, b = (AgentConfiguration(task_pattern="t", agents=AGENTS, strategy="s") for _ in range(2))
    assert a.id != b.id and a.id.startswith("cfg_") and len(a.id) == 16


@pytest.mark.parametrize(("agents", "ok"), [
    ([{"role": "x", "tier": "cheap"}], True),
    ([{"role": " x ", "tier": " Premium "}], True),
    ([{"role": "x", "tier": "GOLD"}], False),
    ([{"role": "", "tier": "CHEAP"}], False),
    ([{"tier": "CHEAP"}], False),
    (["security_auditor"], False),
    ([], False),
])
def test_agents_table(agents, ok):
    if ok:
        got = config(agents=agents).agents[0]
        assert got["role"] == "x" and got["tier"] in ("CHEAP", "PREMIUM")
    else:
        with pytest.raises(ValidationError):
            config(agents=agents)


@pytest.mark.parametrize(("counts", "ok"), [
    ({"usage_count": 2, "success_count": 2}, True),
    ({"usage_count": 2, "success_count": 3}, False),
    ({"usage_count": 2, "quality_score_count": 3}, False),
    ({"usage_count": 2, "quality_score_count": 2}, True),
    ({"usage_count": -1}, False),
])
def test_counts_table(counts, ok):
    if ok:
        config(**counts)
    else:
        with pytest.raises(ValidationError):
            config(**counts)


@pytest.mark.parametrize(("score", "ok"), [(0, True), (100, True), (87.5, True), (None, True), (-0.1, False),
                                           (100.1, False), (math.nan, False), (math.inf, False)])
def test_quality_bounds(score, ok):
    if ok:
        assert check_quality(score) == (None if score is None else float(score))
    else:
        with pytest.raises(ValueError, match="0-100"):
            check_quality(score)


def test_record_outcome_counts_and_derives():
    c = config()
    c.record_outcome(success=True, quality_score=80)
    c.record_outcome(success=False)
    c.record_outcome(success=True, quality_score=90)
    assert (c.usage_count, c.success_count, c.failure_count, c.quality_score_count) == (3, 2, 1, 2)
    assert c.success_rate == pytest.approx(2 / 3) and c.avg_quality_score == 85.0
    assert c.last_used is not None
    assert "success_rate" not in c.to_document() and c.to_document()["usage_count"] == 3


def test_empty_record_derives_zero():
    c = config()
    assert (c.success_rate, c.avg_quality_score, c.failure_count) == (0.0, 0.0, 0)


@pytest.mark.parametrize(("successes", "runs", "expected"), [
    (1, 1, 0.21), (9, 10, 0.60), (30, 30, 0.89), (2, 2, 0.34), (0, 5, 0.0), (0, 0, 0.0)])
def test_wilson_table(successes, runs, expected):
    assert wilson_lower_bound(successes, runs) == pytest.approx(expected, abs=0.01)


def test_ranking_prefers_proven_then_quality_then_runs_then_recent():
    def doc(s, n, q_sum=0.0, q_n=0, last=""):
        return {"success_count": s, "usage_count": n, "quality_score_sum": q_sum, "quality_score_count": q_n,
                "last_used": last}
    assert rank_key(doc(9, 10)) > rank_key(doc(1, 1))
    assert rank_key(doc(2, 2, 180, 2)) > rank_key(doc(2, 2, 100, 2))
    assert rank_key(doc(0, 3)) > rank_key(doc(0, 2))
    assert rank_key(doc(1, 1, last="2026-02")) > rank_key(doc(1, 1, last="2026-01"))
    assert rank_key(doc(1, 1, 50, 1))[1] == 50.0 and rank_key(doc(1, 1))[1] == 0.0


@pytest.mark.parametrize(("score", "scale", "stored"), [
    (87.5, None, 87.5), (0, None, 0.0), (10.5, None, 10.5), (8.7, 10, 87.0), (5, 100, 5.0), (10, 10, 100.0)])
def test_scales(score, scale, stored):
    assert check_quality(score, scale) == pytest.approx(stored)


@pytest.mark.parametrize("score", [8.7, 10, 0.5, 7])
def test_a_0_10_looking_score_is_refused_with_a_clear_error(score):
    c = config()
    with pytest.raises(ValueError, match="looks like a 0-10 score") as info:
        c.record_outcome(success=True, quality_score=score)
    assert "\n" not in str(info.value) and c.usage_count == 0  # nothing averaged in


def test_the_store_refuses_it_too_and_keeps_the_record(tmp_path):
    from empathy_os.store.configurations import ConfigurationStore

    store = ConfigurationStore(tmp_path / "store.json")
    store.save(config())
    with pytest.raises(ValueError, match="looks like a 0-10 score"):
        store.record_outcome("c1", True, 9.1)
    assert store.get("c1").usage_count == 0
    assert store.record_outcome("c1", True, 9.1, scale=10).avg_quality_score == pytest.approx(91.0)
