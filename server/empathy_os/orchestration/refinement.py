"""Refinement over a content artifact: drafter → reviewer(s) → editor, each stage's artifact measured.

The content is the context's `content`, else the source of the file the run names (`module_path`); it is
never written back: the refined text is returned in `final_output["content"]`. The drafter writes a
draft (offline: the given content is the draft), each reviewer lists concrete critique items (offline:
the measured findings), the editor revises the draft with those items (offline: ruff's safe fixes and
formatter). Every text is measured the same way (artifacts.measure), so `progression` is the artifact's
own scores. At `target_quality` the run stops: the stages left are reported as skipped, with the score
of the artifact as it stands. An edit that measures worse than the draft is reported, and the better
text is the result.
"""

from __future__ import annotations

from typing import Any

from empathy_os.llm import Tier
from empathy_os.orchestration import artifacts as art
from empathy_os.orchestration.agent_templates import AgentTemplate
from empathy_os.orchestration.run_context import RunContext
from empathy_os.orchestration.runtime import AgentResult


def content_of(run: RunContext) -> str | None:
    if run.content:
        return run.content
    if run.target is not None and run.target.suffix == ".py":
        return run.target.read_text(encoding="utf-8", errors="replace")
    return None


async def refine(team: list[tuple[AgentTemplate, Tier]], run: RunContext, content: str, client: Any,
                 done) -> tuple[list[AgentResult], dict[str, Any]]:
    """(one AgentResult per stage, final_output) — `done(result)` is called as each stage ends."""
    writer = art.ModelWriter(client, run.budget, run.use_model)
    target = run.target_quality
    drafter, reviewers = team[0], team[1:-1] or team[1:2]
    editor = team[-1] if len(team) > 2 else team[0]
    outputs: list[AgentResult] = []
    progression: list[float | None] = []
    stopped: str | None = None

    def stage(result: AgentResult) -> None:
        outputs.append(result)
        done(result)

    draft = await _write(writer, drafter, "draft", content, [], "Improve this content so it measures better. "
                         "Keep its meaning.")
    stage(_result(draft, drafter))
    progression.append(draft.score)
    best = draft
    if _reached(draft, target):
        stopped = f"target quality {target:g} reached by the draft ({draft.score:g})"
    else:
        items: list[str] = []
        for template, tier in reviewers:
            review = await _critique(writer, (template, tier), draft)
            items += review.items
            stage(_result(review, (template, tier)))
        edit = await _write(writer, editor, "edit", draft.content, items,
                            "Revise the content: address every critique item. Keep its meaning.")
        stage(_result(edit, editor))
        progression.append(edit.score)
        if edit.score is not None and (best.score is None or edit.score >= best.score):
            best = edit
        if _reached(edit, target):
            stopped = f"target quality {target:g} reached by the edit ({edit.score:g})"
    if stopped and len(outputs) < len(team):
        for template, tier in team[len(outputs):]:
            stage(_skipped(template, tier, best, stopped))
    final = {
        "content": best.content,
        "final_stage": best.stage,
        "completed_by": best.agent_id,  # the stage whose artifact is kept
        "progression": progression,
        "target_quality": target,
        "stopped": stopped,
        "model_assisted": {r.output["stage"]: r.output.get("model_assisted", False) for r in outputs
                           if not r.output.get("skipped")},
        "model_note": writer.note,
        "measured_by": best.basis,
    }
    if best.stage == "draft" and len(progression) > 1:
        final["note"] = f"the edit measured {progression[-1]} < draft {progression[0]}: the draft is kept"
    return outputs, final


def _reached(artifact: art.Artifact, target: float | None) -> bool:
    return target is not None and artifact.score is not None and artifact.score >= target


async def _write(writer: art.ModelWriter, member: tuple[AgentTemplate, Tier], stage: str, content: str,
                 items: list[str], ask: str) -> art.Artifact:
    template, tier = member
    prompt = ask + "\n\nContent:\n" + content + ("\n\nCritique items:\n" + "\n".join(f"- {i}" for i in items)
                                                 if items else "")
    answer, reply = await writer.call(tier, template.role, prompt, art.WRITE_TOOL)
    text = answer.get("content") if isinstance(answer, dict) else None
    assisted = isinstance(text, str) and bool(text.strip())
    if not assisted:
        text = content if stage == "draft" else await art.tool_edit(content)
    score, basis, findings = await art.measure(text)
    how = "model" if assisted else ("given content" if stage == "draft" else "ruff --fix and ruff format")
    return art.Artifact(stage=stage, agent_id=template.id, tier=tier, kind="content", content=text, score=score,
                        basis=basis, findings=findings, model_assisted=assisted,
                        model=getattr(reply, "model", None), cost_usd=getattr(reply, "cost_usd", 0.0),
                        note=f"written by: {how}" + ("" if assisted or not writer.note else f" ({writer.note})"))


async def _critique(writer: art.ModelWriter, member: tuple[AgentTemplate, Tier], draft: art.Artifact) -> art.Artifact:
    template, tier = member
    measured = art.findings_as_items(draft.findings)
    prompt = ("List concrete problems of this content (each: where, and what to change).\n\nContent:\n"
              + draft.content + ("\n\nMeasured findings:\n" + "\n".join(measured) if measured else ""))
    answer, reply = await writer.call(tier, template.role, prompt, art.CRITIQUE_TOOL)
    items = [str(i) for i in (answer or {}).get("items") or [] if str(i).strip()]
    assisted = bool(items)
    return art.Artifact(stage="review", agent_id=template.id, tier=tier, kind="critique", content=draft.content,
                        items=(items + [m for m in measured if m not in items]) if assisted else measured,
                        score=draft.score, basis=f"the draft it reviews: {draft.basis}", findings=draft.findings,
                        model_assisted=assisted, model=getattr(reply, "model", None),
                        cost_usd=getattr(reply, "cost_usd", 0.0),
                        note="critique: model items and the measured findings" if assisted
                        else "critique: the measured findings (offline)")


def _result(artifact: art.Artifact, member: tuple[AgentTemplate, Tier]) -> AgentResult:
    template, tier = member
    return AgentResult(
        agent_id=template.id, role=template.role, tier=tier, success=artifact.score is not None,
        quality_score=artifact.score, confidence=1.0 if artifact.score is not None else 0.0, basis="artifact",
        findings=artifact.findings, cost_usd=artifact.cost_usd, model=artifact.model,
        model_note=None if artifact.model_assisted else artifact.note,
        output={"summary": f"{artifact.stage}: {artifact.note}; scored {artifact.score}", "stage": artifact.stage,
                "content": artifact.content, "items": artifact.items, "measured": artifact.basis,
                "model_assisted": artifact.model_assisted},
    )


def _skipped(template: AgentTemplate, tier: Tier, best: art.Artifact, why: str) -> AgentResult:
    return AgentResult(
        agent_id=template.id, role=template.role, tier=tier, success=True, quality_score=best.score,
        confidence=1.0 if best.score is not None else 0.0, basis="skipped",
        output={"summary": f"not run: {why}; the artifact stands at {best.score}", "stage": "skipped",
                "skipped": True, "content": best.content, "measured": best.basis},
    )
