"""`AgentConfiguration` (a composition plus its measured track record) and the ranking rule.

Quality scores are stored on the tutorial's 0-100 scale (`record_outcome(success=True, quality_score=87.5)`,
`search(min_quality_score=75.0)`). Callers holding a 0-10 agent score convert it (`learning.record_run`
takes `quality_scale=10`); a score outside 0-100 is rejected rather than guessed at, because a mean over
mixed scales would be meaningless.

`avg_quality_score` is the plain mean of every recorded score (a sum and a count are stored), and
`success_rate` is successes / runs, both over the configuration's whole history.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import uuid4

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    computed_field,
    field_validator,
    model_validator,
)

TIERS = ("CHEAP", "CAPABLE", "PREMIUM")
QUALITY_MAX = 100.0
# 95 % two-sided normal quantile for the Wilson bound used by `rank_key`.
WILSON_Z = 1.96
# Not stored: derived from the counters on every load.
DERIVED_FIELDS = frozenset({"success_rate", "avg_quality_score", "failure_count"})


def _now() -> datetime:
    return datetime.now(UTC)


def tier_name(tier: Any) -> str:
    if isinstance(tier, Enum):
        tier = tier.name
    if not isinstance(tier, str) or tier.strip().upper() not in TIERS:
        raise ValueError(f"tier {tier!r} is not one of {', '.join(TIERS)}")
    return tier.strip().upper()


# A score in (0, 10] on the 0-100 scale is almost always a 0-10 score passed by mistake (8.7 meaning 87):
# averaging it in would drag the mean down silently, so it is refused unless the caller names the scale.
LOOKS_LIKE_0_10 = 10.0


def check_quality(quality_score: float | None, scale: float | None = None) -> float | None:
    """The score on 0-100. `scale=None`: the tutorial's 0-100, and a 0-10-looking value is refused;
    `scale=10` (or 100, said explicitly): converted from 0-`scale` without that guard."""
    if quality_score is None:
        return None
    if isinstance(quality_score, bool):
        raise ValueError(f"quality_score must be a number, got {quality_score!r}")  # noqa: TRY004 - bad input
    try:
        score = float(quality_score)
    except (TypeError, ValueError):
        raise ValueError(f"quality_score must be a number, got {quality_score!r}") from None
    top = QUALITY_MAX if scale is None else float(scale)
    if not math.isfinite(top) or top <= 0:
        raise ValueError(f"quality scale {scale!r} must be a positive number")
    if not math.isfinite(score) or not 0.0 <= score <= top:
        raise ValueError(f"quality_score {quality_score!r} is outside 0-{top:g}")
    if scale is None and 0.0 < score <= LOOKS_LIKE_0_10:
        raise ValueError(f"quality_score {quality_score!r} looks like a 0-10 score, but quality_score is 0-100 "
                         f"(e.g. 87.5); multiply by 10, or pass scale=10 (scale=100 if you mean it)")
    return score * QUALITY_MAX / top


class AgentConfiguration(BaseModel):
    """One composition (task pattern, agents with tiers, strategy, gates) and its outcomes so far.

    `agents` is a list of `{"role": <template id>, "tier": "CHEAP"|"CAPABLE"|"PREMIUM"}` dicts, as in the
    tutorial; other keys are kept as given.
    """

    model_config = ConfigDict(extra="ignore")

    id: str = Field(default_factory=lambda: f"cfg_{uuid4().hex[:12]}", min_length=1)
    task_pattern: str = Field(min_length=1)
    agents: list[dict[str, Any]] = Field(min_length=1)
    strategy: str = Field(min_length=1)
    quality_gates: dict[str, Any] = Field(default_factory=dict)
    usage_count: int = Field(default=0, ge=0)
    success_count: int = Field(default=0, ge=0)
    quality_score_sum: float = Field(default=0.0, ge=0.0)
    quality_score_count: int = Field(default=0, ge=0)
    created_at: datetime = Field(default_factory=_now)
    last_used: datetime | None = None

    # Outcomes recorded on this object since it was last loaded or saved: `store.save` adds exactly these
    # to the stored counters under the lock, so two processes saving the same id never lose a run.
    _pending: list[float] = PrivateAttr(default_factory=lambda: [0, 0, 0.0, 0])

    @field_validator("id", "task_pattern", "strategy")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("strategy")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("agents", mode="before")
    @classmethod
    def _agents(cls, agents: Any) -> Any:
        if not isinstance(agents, list | tuple):
            return agents
        out = []
        for agent in agents:
            if not isinstance(agent, dict):
                raise ValueError(f"agent {agent!r} must be a dict with 'role' and 'tier'")  # noqa: TRY004 (pydantic)
            role = agent.get("role")
            if not isinstance(role, str) or not role.strip():
                raise ValueError(f"agent {agent!r} has no 'role'")
            out.append({**agent, "role": role.strip(), "tier": tier_name(agent.get("tier"))})
        return out

    @model_validator(mode="after")
    def _counts(self) -> AgentConfiguration:
        if self.success_count > self.usage_count:
            raise ValueError("success_count cannot exceed usage_count")
        if self.quality_score_count > self.usage_count:
            raise ValueError("quality_score_count cannot exceed usage_count")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def success_rate(self) -> float:
        return self.success_count / self.usage_count if self.usage_count else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def avg_quality_score(self) -> float:
        """Mean of all recorded quality scores (0-100); 0.0 before the first one."""
        return self.quality_score_sum / self.quality_score_count if self.quality_score_count else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def failure_count(self) -> int:
        return self.usage_count - self.success_count

    def record_outcome(self, success: bool, quality_score: float | None = None, *,
                       scale: float | None = None) -> None:
        """Count one run on this object; `store.save(config)` persists it (merged, not overwritten).

        `quality_score` is 0-100 (see `check_quality` for `scale` and the 0-10 guard)."""
        score = check_quality(quality_score, scale)
        delta = [1, 1 if success else 0, score or 0.0, 0 if score is None else 1]
        self._apply(delta)
        self._pending = [a + b for a, b in zip(self._pending, delta, strict=True)]

    @property
    def pending(self) -> tuple[float, ...]:
        """The outcomes recorded since the last load or save (runs, successes, score sum, scores), which
        `store.save` adds to the stored counters."""
        return tuple(self._pending)

    def mark_saved(self) -> None:
        """The store holds every outcome recorded so far: nothing is pending."""
        self._pending = [0, 0, 0.0, 0]

    def _apply(self, delta: list[float]) -> None:
        self.usage_count += int(delta[0])
        self.success_count += int(delta[1])
        self.quality_score_sum += float(delta[2])
        self.quality_score_count += int(delta[3])
        self.last_used = _now()

    def to_document(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude=set(DERIVED_FIELDS))


def wilson_lower_bound(successes: int, runs: int, z: float = WILSON_Z) -> float:
    """Lower end of the Wilson score interval: 1/1 → 0.21, 9/10 → 0.60, 30/30 → 0.89."""
    if runs <= 0:
        return 0.0
    p = successes / runs
    denom = 1 + z * z / runs
    centre = p + z * z / (2 * runs)
    margin = z * math.sqrt(p * (1 - p) / runs + z * z / (4 * runs * runs))
    return max(0.0, (centre - margin) / denom)


def rank_key(doc: dict[str, Any]) -> tuple[float, float, int, str]:
    """Sort key (higher is better) over a stored document.

    Rule: the 95 % Wilson lower bound of the success rate first, so a configuration proven over many runs
    beats a single lucky run (30/30 → 0.89 beats 1/1 → 0.21, and 9/10 → 0.60 beats 2/2 → 0.34); then the
    mean quality; then more runs; then the most recently used.
    """
    runs = int(doc.get("usage_count", 0))
    q_count = int(doc.get("quality_score_count", 0))
    mean_q = float(doc.get("quality_score_sum", 0.0)) / q_count if q_count else 0.0
    return (wilson_lower_bound(int(doc.get("success_count", 0)), runs), mean_q, runs,
            str(doc.get("last_used") or ""))
