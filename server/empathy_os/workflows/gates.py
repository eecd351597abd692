"""Quality gates of release preparation.

Defaults: coverage ≥ 80 %, quality ≥ 7.0/10, critical security issues ≤ 0 (critical gates), documentation
≥ 100 % (non-critical: a warning), and no failing tests (critical; only when tests ran). A gate whose metric
could not be measured fails, and says why. Confidence (documented rule): high = every gate measured and no
warning; medium = every critical gate measured, with warnings or a non-critical gate unmeasured;
low = a critical gate could not be measured.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.alias_generators import to_snake

# The table lives in a module of its own (standard library only) so the CLI can build its flags without
# importing the workflows; re-exported here, where the gates are evaluated.
from empathy_os.gate_specs import GATE_SPECS, GateSpec

DEFAULT_GATES: dict[str, float] = {spec.name: spec.default for spec in GATE_SPECS}
BOUNDS = {spec.name: (spec.low, spec.high) for spec in GATE_SPECS}


def gate_name(key: str) -> str:
    """`minCoverage` (editor setting) or `min_coverage` → `min_coverage`; unknown names pass through so
    `validate_gates` can reject them with the list of known ones."""
    return to_snake(key)


def gates_from(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """The thresholds a user actually set (None = not set, the default applies), under canonical names."""
    return {gate_name(str(k)): v for k, v in (values or {}).items() if v is not None}


class GateResult(BaseModel):
    name: str
    threshold: float | None
    actual: float | None
    passed: bool
    critical: bool
    message: str
    model_view: str | None = None  # a model's opinion shown beside a measured gate; never decides it


def validate_gates(gates: dict[str, Any] | None) -> dict[str, float]:
    """Defaults overlaid with the caller's gates; unknown names and out-of-range values → ValueError."""
    if gates is not None and not isinstance(gates, dict):
        raise ValueError("quality_gates must be a dict like {'min_coverage': 80}")
    merged = dict(DEFAULT_GATES)
    for name, value in (gates or {}).items():
        if name not in BOUNDS:
            raise ValueError(f"unknown quality gate {name!r}; known gates: {', '.join(BOUNDS)}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"quality gate {name} must be a number, got {value!r}") from None
        low, high = BOUNDS[name]
        if math.isnan(number) or not low <= number <= high:
            raise ValueError(f"quality gate {name} must be between {low:g} and {high:g}, got {value!r}")
        if name == "max_critical_issues" and number != int(number):
            raise ValueError(f"max_critical_issues must be a whole number, got {value!r}")
        merged[name] = number
    return merged


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


def evaluate(gates: dict[str, float], metrics: dict[str, Any], missing: dict[str, str]) -> list[GateResult]:
    """One row per gate of the table, then the tests-passing gate (only when tests ran)."""
    out = [_row(spec, metrics.get(spec.metric), gates[spec.name], missing.get(spec.metric))
           for spec in GATE_SPECS]
    failed, passed = metrics.get("tests_failed"), metrics.get("tests_passed") or 0
    if failed is not None and failed + passed == 0:
        out.append(GateResult(name="tests_passing", threshold=0, actual=None, passed=False, critical=True,
                              message="Tests: not measured (no tests were collected)"))
    elif failed is not None:
        out.append(GateResult(name="tests_passing", threshold=0, actual=failed, passed=failed == 0,
                              critical=True, message=f"Tests: {failed} failing, {passed} passing" if failed
                              else f"Tests: all {passed} passing"))
    return out


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
