"""Agreement between independent agent positions, measured from what their tools found.

Two signals, each in [0, 1]:
- files: mean pairwise Jaccard similarity of the sets of files each agent flagged (two agents that both
  flag nothing agree fully);
- verdict: share of agents that agree with the majority verdict, where an agent's verdict is
  "needs work" when its quality score is below the threshold or it reported critical/high findings.
confidence = mean of the two. Agents that produced no result are counted as abstaining.

Veto (documented rule): a confirmed critical security finding cannot be outvoted. "Confirmed" means a
security tool's finding rated critical by the project's rule (bandit: severity ≥ `critical_min_severity`
and confidence ≥ `critical_min_confidence`, default HIGH/MEDIUM — the same rule as the release gate). When
any agent reports one, the verdict is "needs work" whatever the votes, and `veto` names the findings.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from pydantic import BaseModel

from empathy_os.analyzer_spec import Kind
from empathy_os.analyzers.contract import Severity


class Agreement(BaseModel):
    consensus: str
    verdict: str = "no verdict"  # acceptable | needs work | no verdict
    confidence: float
    file_agreement: float
    verdict_agreement: float
    verdicts: dict[str, str]
    files_flagged_by_majority: list[str]
    abstained: list[str]
    veto: str | None = None


def agreement(outputs: list, threshold: float) -> Agreement:
    voters = [o for o in outputs if o.success]
    abstained = [o.agent_id for o in outputs if not o.success]
    if not voters:
        return Agreement(consensus="no agent produced a position", confidence=0.0, file_agreement=0.0,
                         verdict_agreement=0.0, verdicts={}, files_flagged_by_majority=[], abstained=abstained)
    flagged = [{f.path for f in o.findings} for o in voters]
    file_agreement = _file_agreement(flagged)
    verdicts = {o.agent_id: _verdict(o, threshold) for o in voters}
    majority, votes = Counter(verdicts.values()).most_common(1)[0]
    verdict_agreement = votes / len(voters)
    majority_files = _majority_files(flagged)
    where = f"; flagged by a majority: {', '.join(majority_files)}" if majority_files else ""
    consensus = f"{votes}/{len(voters)} agents judge the code {majority}{where}"
    veto = _veto(voters)
    if veto is not None:
        if majority != "needs work":
            consensus = f"needs work (veto; the vote was {consensus})"
        majority = "needs work"
    return Agreement(
        consensus=consensus, verdict=majority, veto=veto,
        confidence=round((file_agreement + verdict_agreement) / 2, 3),
        file_agreement=round(file_agreement, 3),
        verdict_agreement=round(verdict_agreement, 3),
        verdicts=verdicts,
        files_flagged_by_majority=majority_files,
        abstained=abstained,
    )


def _file_agreement(flagged: list[set[str]]) -> float:
    """Mean pairwise Jaccard similarity of the flagged files (one voter agrees with itself)."""
    pairs = list(combinations(flagged, 2))
    return (sum(_jaccard(a, b) for a, b in pairs) / len(pairs)) if pairs else 1.0


def _majority_files(flagged: list[set[str]]) -> list[str]:
    counts = Counter(path for paths in flagged for path in paths)
    return sorted(p for p, n in counts.items() if n > len(flagged) / 2)


def _veto(voters: list) -> str | None:
    """Why the vote cannot stand (the confirmed critical security findings), or None."""
    from empathy_os.analyzers.specs import of_kind  # the security analyzers: bandit, plug-ins

    security = of_kind(Kind.SECURITY)
    vetoed = sorted({f"{f.rule} {f.path}:{f.line}" for o in voters for f in o.findings
                     if f.severity is Severity.CRITICAL and f.tool in security})
    if not vetoed:
        return None
    return (f"{len(vetoed)} confirmed critical security finding(s) cannot be outvoted: "
            + ", ".join(vetoed[:5]) + (" …" if len(vetoed) > 5 else ""))


def _jaccard(a: set[str], b: set[str]) -> float:
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def _verdict(output, threshold: float) -> str:
    serious = any(f.severity in (Severity.CRITICAL, Severity.HIGH) for f in output.findings)
    low = output.quality_score is not None and output.quality_score < threshold
    return "needs work" if serious or low else "acceptable"
