"""The one gate evaluator: release prep and composed plans judge a run by the same rows.

The release gates are the GateSpec table (empathy_os.gate_specs): coverage ≥ 80 %, quality ≥ 7.0/10,
critical security issues ≤ 0 (critical gates), documentation ≥ 100 % (non-critical: a warning). A plan's
templates may name other gates, `min_<metric>` or `max_<metric>` over any metric an analyzer of the team
measures (the tutorial's `min_improvement`); each becomes a critical row made the same way. When tests ran,
failing tests fail the run (critical). A gate whose metric could not be measured fails, and says why.

Confidence (documented rule): high = every gate measured and no warning; medium = every critical gate
measured, with warnings or a non-critical gate unmeasured; low = a critical gate could not be measured.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel
from pydantic.alias_generators import to_snake

from empathy_os.gate_specs import GATE_SPECS, SCORE, GateSpec

if TYPE_CHECKING:
    from empathy_os.analyzers.contract import AnalyzerResult

SPECS: dict[str, GateSpec] = {spec.name: spec for spec in GATE_SPECS}
DEFAULT_GATES: dict[str, float] = {spec.name: spec.default for spec in GATE_SPECS}
CRITICAL_ISSUES = "critical_issues"  # the metric analyzers count in by their spec (counts_critical)


class AgentMeasurements(Protocol):
    """What the evaluator reads of one agent's run (orchestration.runtime.AgentResult)."""

    agent_id: str
    quality_score: float | None
    basis: str
    error: str | None
    analyzers: list[AnalyzerResult]


class GateResult(BaseModel):
    name: str
    threshold: float | None
    actual: float | None
    passed: bool
    critical: bool
    message: str
    model_view: str | None = None  # a model's opinion shown beside a measured gate; never decides it


@dataclass
class Measured:
    """The gates' metrics as measured by a team: values, where each came from, why others are missing."""

    values: dict[str, float | int | None] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


def gate_name(key: str) -> str:
    """`minCoverage` (editor setting) or `min_coverage` → `min_coverage`; unknown names pass through so
    `validate_gates` can reject them with the list of known ones."""
    return to_snake(key)


def gates_from(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """The thresholds a user actually set (None = not set, the default applies), under canonical names."""
    return {gate_name(str(k)): v for k, v in (values or {}).items() if v is not None}


def spec_of(name: str) -> GateSpec:
    """The table's row for `name`, else a critical row for a plan's `min_<metric>` / `max_<metric>`."""
    if name in SPECS:
        return SPECS[name]
    direction, _, metric = name.partition("_")
    if direction not in ("min", "max") or not metric:
        raise ValueError(f"quality gate {name!r} must be min_<metric> or max_<metric> "
                         f"(release gates: {', '.join(SPECS)})")
    return GateSpec(name, metric, metric, "", direction, True, 0.0, -math.inf, math.inf, False, "", "", ())


def _threshold(spec: GateSpec, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"quality gate {spec.name} must be a number, got {value!r}") from None
    if math.isnan(number) or not spec.low <= number <= spec.high:
        raise ValueError(f"quality gate {spec.name} must be between {spec.low:g} and {spec.high:g}, got {value!r}")
    if spec.whole and number != int(number):
        raise ValueError(f"{spec.name} must be a whole number, got {value!r}")
    return number


def merge_gates(base: Mapping[str, float], *layers: Mapping[str, Any] | None, known_only: bool = False
                ) -> dict[str, float]:
    """`base` overlaid with each layer in turn, every threshold checked against its row (ValueError)."""
    merged = dict(base)
    for layer in layers:
        if layer is not None and not isinstance(layer, Mapping):
            raise ValueError("quality_gates must be a dict like {'min_coverage': 80}")
        for name, value in (layer or {}).items():
            if known_only and name not in SPECS:
                raise ValueError(f"unknown quality gate {name!r}; known gates: {', '.join(SPECS)}")
            merged[name] = _threshold(spec_of(name), value)
    return merged


def validate_gates(gates: Mapping[str, Any] | None) -> dict[str, float]:
    """The release gates: defaults overlaid with the caller's; unknown names and bad values → ValueError."""
    return merge_gates(DEFAULT_GATES, gates, known_only=True)


def plan_gates(domains: Sequence[str], template_gates: Iterable[Mapping[str, Any]],
               overrides: Mapping[str, Any] | None) -> dict[str, float]:
    """A composed plan's gates: the release gates when it prepares a release (so it is judged as release prep
    is), overlaid with its templates' `quality_gates` and then the caller's."""
    return merge_gates(DEFAULT_GATES if "release" in domains else {}, *template_gates, overrides)


def _first_score(spec: GateSpec, by_id: Mapping[str, AgentMeasurements], into: Measured) -> None:
    agent = next((by_id[a] for a in spec.agents if a in by_id), None)
    if agent is None:
        into.missing[spec.metric] = f"no {' or '.join(spec.agents)} in the team"
    elif agent.quality_score is None:
        into.missing[spec.metric] = agent.error or "no score"
    else:
        into.values[spec.metric] = agent.quality_score
        into.sources[spec.metric] = f"{agent.agent_id} ({agent.basis}: " + ", ".join(
            r.tool for r in agent.analyzers if r.ran) + ")"


def _from_analyzers(spec: GateSpec, team: Sequence[AgentMeasurements], into: Measured) -> None:
    ran = [(o, r) for o in team for r in o.analyzers if spec.analyzer in (None, r.analyzer)]
    found = next(((o, r) for o, r in ran if r.ran and r.metrics.get(spec.metric) is not None), None)
    if found is not None:
        result = found[1]
        into.values[spec.metric] = result.metrics[spec.metric]
        into.sources[spec.metric] = result.tool + (f" ({result.scope})" if result.scope else "")
    elif ran:
        agent, result = ran[0]
        into.missing[spec.metric] = result.error or agent.error or "not measured"
    else:
        into.missing[spec.metric] = (f"no agent of the team runs {spec.analyzer}" if spec.analyzer
                                     else "not measured by any agent of the team")


def measured_by(spec: GateSpec) -> frozenset[str]:
    """The analyzers whose results a gate reads: for the critical issues every analyzer whose spec
    `counts_critical`, else the one its row names (none for a score or a plan's open row)."""
    if spec.metric == CRITICAL_ISSUES:
        from empathy_os.analyzers.specs import critical_counters

        return critical_counters()
    return frozenset({spec.analyzer} - {SCORE, None})


def _summed(spec: GateSpec, team: Sequence[AgentMeasurements], into: Measured) -> bool:
    """The critical-issues gate counts the CRITICAL findings of every analyzer of the team whose spec says
    `counts_critical` (bandit, a security plug-in); one that could not run leaves it unmeasured (fail
    closed). False when the gate is another one, or the team runs none of them."""
    if spec.metric != CRITICAL_ISSUES:
        return False
    counters = measured_by(spec)
    results = list({r.analyzer: r for o in team for r in o.analyzers if r.analyzer in counters}.values())
    if not results:
        return False
    if failed := [r for r in results if not r.ran]:
        into.missing[spec.metric] = "; ".join(f"{r.analyzer}: {r.error or 'not measured'}" for r in failed)
        return True
    into.values[spec.metric] = sum(str(f.severity) == "critical" for r in results for f in r.findings)
    into.sources[spec.metric] = ", ".join(r.tool + (f" ({r.scope})" if r.scope else "") for r in results)
    return True


def _tests(team: Sequence[AgentMeasurements], into: Measured) -> None:
    """Failed + errored tests and passed tests, from the coverage run (the one that runs the tests)."""
    cov = next((r for o in team for r in o.analyzers if r.analyzer == "coverage" and r.ran), None)
    if cov is not None and cov.metrics.get("tests_failed") is not None:
        into.values["tests_failed"] = int(cov.metrics["tests_failed"] or 0) + int(cov.metrics.get("tests_errors") or 0)
        into.values["tests_passed"] = cov.metrics.get("tests_passed")


def measure(names: Iterable[str], team: Sequence[AgentMeasurements]) -> Measured:
    """The metrics of the gates `names` as the team measured them (and the tests' outcome, when run)."""
    by_id = {o.agent_id: o for o in team}
    out = Measured()
    for spec in map(spec_of, names):
        if spec.analyzer == SCORE:
            _first_score(spec, by_id, out)
        elif not _summed(spec, team, out):
            ordered = [by_id[a] for a in spec.agents if a in by_id] + [o for o in team if o.agent_id not in spec.agents]
            _from_analyzers(spec, ordered, out)
    _tests(team, out)
    return out


def _row(spec: GateSpec, actual: float | None, threshold: float, why_missing: str | None) -> GateResult:
    if spec.whole:
        threshold = int(threshold)
    if actual is None:
        return GateResult(name=spec.name, threshold=threshold, actual=None, passed=False, critical=spec.critical,
                          message=f"{spec.label}: not measured ({why_missing or 'no result'})")
    if spec.direction == "max":
        passed = actual <= threshold
        shown = f"{actual:g}{spec.unit} (allowed: {threshold:g})"
    else:
        passed = actual >= threshold
        shown = f"{actual:.1f}{spec.unit} ({'≥' if passed else '<'} target {threshold:g}{spec.unit})"
    return GateResult(name=spec.name, threshold=threshold, actual=actual if spec.whole else round(actual, 2),
                      passed=passed, critical=spec.critical, message=f"{spec.label}: {shown}")


def _tests_row(metrics: Mapping[str, Any]) -> GateResult | None:
    failed, passed = metrics.get("tests_failed"), metrics.get("tests_passed") or 0
    if failed is None:
        return None
    if failed + passed == 0:
        return GateResult(name="tests_passing", threshold=0, actual=None, passed=False, critical=True,
                          message="Tests: not measured (no tests were collected)")
    return GateResult(name="tests_passing", threshold=0, actual=failed, passed=failed == 0, critical=True,
                      message=f"Tests: {failed} failing, {passed} passing" if failed else f"Tests: all {passed} passing")


def evaluate(gates: Mapping[str, float], metrics: Mapping[str, Any], missing: Mapping[str, str]
             ) -> list[GateResult]:
    """One row per gate of `gates` (in its order), then the tests-passing gate (only when tests ran)."""
    specs = [spec_of(name) for name in gates]
    out = [_row(spec, metrics.get(spec.metric), gates[spec.name], missing.get(spec.metric)) for spec in specs]
    tests = _tests_row(metrics)
    return out if tests is None else [*out, tests]


def verdict(results: list[GateResult]) -> tuple[bool, str]:
    approved = all(g.passed for g in results if g.critical)
    critical_unmeasured = any(g.actual is None for g in results if g.critical)
    warnings = any(not g.passed for g in results if not g.critical)
    if critical_unmeasured:
        confidence = "low"
    elif warnings or any(g.actual is None for g in results):
        confidence = "medium"
    else:
        confidence = "high"
    return approved, confidence


def judge(gates: Mapping[str, float], team: Sequence[AgentMeasurements], ran: bool, threshold: float
          ) -> tuple[list[GateResult], bool, float | None]:
    """A plan run's gate rows, whether it succeeded, and the agents' mean 0-10 score (recorded with the
    outcome). Success is measured: every critical gate passed; with no gate, every agent ran (`ran`),
    measured something, and the mean tool score reached `threshold`."""
    scores = [o.quality_score for o in team if o.quality_score is not None]
    mean = sum(scores) / len(scores) if scores else None
    if not gates:
        return [], ran and mean is not None and mean >= threshold, mean
    found = measure(gates, team)
    rows = evaluate(gates, found.values, found.missing)
    return rows, verdict(rows)[0], mean
