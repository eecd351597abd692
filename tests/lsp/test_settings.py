"""Settings parsing in process (no server): the three payload shapes, bad values, and trust failing closed."""

from __future__ import annotations

import pytest
from empathy_os.lsp.settings import Settings, apply_model_env, parse_settings, trust_of


@pytest.mark.parametrize("payload", [
    {"gates": {"minCoverage": 55}, "coverage": {"target": 70}, "project": {"python": "py3"}},
    {"gates.minCoverage": 55, "coverage.target": 70, "project.python": "py3"},
    {"empathy": {"gates": {"minCoverage": 55}, "coverage.target": 70, "project": {"python": "py3"}}},
    {"empathy.gates.minCoverage": 55, "empathy.coverage.target": 70, "empathy.project.python": "py3",
     "python.analysis": {"other": "tool"}},
])
def test_nested_flat_and_wrapped_payloads_mean_the_same(payload):
    settings = parse_settings(payload)
    assert settings.gates.quality_gates() == {"min_coverage": 55}
    assert settings.coverage_target == 70 and settings.python == "py3"


def test_defaults_and_unknown_keys():
    settings = parse_settings({"someFutureKey": 1, "gates": {"newGate": 3}})
    assert settings == Settings()
    assert settings.coverage_target == 80.0 and settings.gates.quality_gates() == {}
    assert parse_settings(None) == Settings() and parse_settings("text") == Settings()


@pytest.mark.parametrize(("payload", "fragment"), [
    ({"gates": {"minCoverage": "lots"}}, "empathy.gates.minCoverage"),
    ({"maxCostUsd": -1}, "empathy.maxCostUsd"),
    ({"coverage": {"target": 101}}, "empathy.coverage.target"),
    ({"gates": 3, "gates.minCoverage": 5}, "conflicts with a plain value"),
])
def test_a_bad_value_is_one_line_naming_the_key(payload, fragment):
    with pytest.raises(ValueError, match=fragment) as err:
        parse_settings(payload)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("payload", "trusted"), [
    ({"trusted": True}, True),
    ({"empathy": {"trusted": True}}, True),
    ({"empathy.trusted": True, "empathy.maxCostUsd": -1}, True),  # applied even beside a bad value
    ({"trusted": True, "gates": {"minCoverage": "lots"}}, True),
    ({"trusted": False}, False),
    ({"trusted": None}, False),
    ({"trusted": "true"}, False),
    ({"trusted": 1}, False),
    ({"trusted": [True]}, False),
    ({}, False),
    ({"gates": {"minCoverage": 50}}, False),
    (None, False),
    ({"trusted": True, "gates": 3, "gates.x": 1}, False),  # cannot be read reliably: untrusted
])
def test_trust_is_only_an_explicit_true(payload, trusted):
    assert trust_of(payload) is trusted
    try:
        parsed = parse_settings(payload)
    except ValueError:
        return
    assert parsed.trusted is trusted


def test_the_daemon_starts_untrusted():
    assert Settings().trusted is False


def test_model_ids_reach_the_environment_and_clearing_restores_it(monkeypatch):
    from empathy_os.lsp import settings as module

    monkeypatch.setattr(module, "_ENV_BEFORE", {})  # what "the user's own environment" was: this dict's
    env = {"EMPATHY_MODEL_CHEAP": "users-own"}
    apply_model_env(parse_settings({"models": {"cheap": "m-cheap", "premium": "m-premium"}}), env)
    assert env == {"EMPATHY_MODEL_CHEAP": "m-cheap", "EMPATHY_MODEL_PREMIUM": "m-premium"}
    apply_model_env(parse_settings({}), env)
    assert env == {"EMPATHY_MODEL_CHEAP": "users-own"}
