"""Quality gates of a composed plan, over what its agents measured.

A plan's gates are its templates' `quality_gates` overlaid with the caller's (`context["quality_gates"]`).
A gate is `min_<metric>` (the metric must be at least the threshold) or `max_<metric>` (at most). The metric
is any measured analyzer metric of that name (`coverage_percent`, `critical_issues`, a registered
analyzer's own metric...), with the release gates' short names accepted (`min_coverage` →
`coverage_percent`, `min_doc_coverage` → `doc_coverage_percent`, `min_quality_score` → the agents' mean
0-10 score). A metric nobody measured fails its gate and says so.
"""

from __future__ import annotations

from typing import Any

ALIASES = {"coverage": "coverage_percent", "doc_coverage": "doc_coverage_percent"}


def merged_gates(templates: list[Any], overrides: dict[str, Any] | None) -> dict[str, float]:
    gates: dict[str, float] = {}
    for template in templates:
        gates.update(template.quality_gates)
    gates.update(overrides or {})
    for name, value in gates.items():
        if not name.startswith(("min_", "max_")) or len(name) < 5:
            raise ValueError(f"quality gate {name!r} must be min_<metric> or max_<metric>")
        try:
            gates[name] = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"quality gate {name} must be a number, got {value!r}") from None
    return gates


def measured(outputs: list[Any]) -> dict[str, float]:
    """Every metric the agents' analyzers measured (the first agent to measure a name wins), plus
    `quality_score`: the mean of the agents' 0-10 scores."""
    metrics: dict[str, float] = {}
    for out in outputs:
        for result in out.analyzers:
            if not result.ran:
                continue
            for key, value in result.metrics.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    metrics.setdefault(key, float(value))
    scores = [o.quality_score for o in outputs if o.quality_score is not None]
    if scores:
        metrics["quality_score"] = sum(scores) / len(scores)
    return metrics


def evaluate(gates: dict[str, float], metrics: dict[str, float]) -> list[dict[str, Any]]:
    rows = []
    for name, threshold in gates.items():
        kind, metric = name[:3], name[4:]
        key = ALIASES.get(metric, metric)
        actual = metrics.get(key)
        if actual is None:
            rows.append({"name": name, "threshold": threshold, "actual": None, "passed": False,
                         "message": f"{key}: not measured by any agent of the plan"})
            continue
        passed = actual >= threshold if kind == "min" else actual <= threshold
        sign = ("≥" if kind == "min" else "≤") if passed else ("<" if kind == "min" else ">")
        rows.append({"name": name, "threshold": threshold, "actual": round(actual, 2), "passed": passed,
                     "message": f"{key}: {actual:g} ({sign} {threshold:g})"})
    return rows
