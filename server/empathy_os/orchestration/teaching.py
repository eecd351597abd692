"""Teaching over an artifact: the junior does the task, its artifact is measured, and only when it scores
below `quality_threshold` (or the verification engine rejects it) does the expert redo that artifact,
shown the junior's attempt and the measured reasons.

The task is the junior's template's: a documentation writer documents the content (a docstring change:
the code's AST must not change), any other agent improves it (a patch: nothing may get worse). The
content is the context's `content`, else the source of the file the run names (`module_path`). For a file
of the project the revision is a change verified by the engine in changes/ (a private copy; the project's
tests, the findings, the AST for docstrings) — a rejected change scores 0 and its reasons are the
expert's brief. Content with no project is measured by the tools only (artifacts.measure). Offline the
junior's work is what tools can do (ruff's safe fixes and formatter) and the expert, having no model,
cannot redo anything: the result says so instead of pretending. Nothing is written to the project: the
final content is returned in `final_output["content"]`.
"""

from __future__ import annotations

import contextlib
from typing import Any

from empathy_os.llm import Tier
from empathy_os.orchestration import artifacts as art
from empathy_os.orchestration.agent_templates import AgentTemplate
from empathy_os.orchestration.run_context import RunContext
from empathy_os.orchestration.runtime import AgentResult

ASK = {
    "documentation_writer": "Add or improve the docstrings (module, classes, public functions) in the style "
                            "of the content. Change no code, only docstrings.",
}
DEFAULT_ASK = "Improve this content so it measures better: fix the findings. Keep its behaviour."


async def teach(team: list[tuple[AgentTemplate, Tier]], run: RunContext, content: str, client: Any,
                done) -> tuple[list[AgentResult], dict[str, Any]]:
    (junior, j_tier), (expert, e_tier) = team[0], team[-1]
    writer = art.ModelWriter(client, run.budget, run.use_model)
    threshold = run.quality_threshold
    task = junior.id
    async with _engine(run) as verifier:
        first = await _attempt(writer, verifier, run, (junior, j_tier), task, content, None, "junior")
        outputs = [_result(first, junior, j_tier)]
        done(outputs[0])
        passed = first.score is not None and first.score >= threshold and first.note != "rejected"
        final: dict[str, Any] = {"junior_score": first.score, "junior_cost_usd": round(first.cost_usd, 6),
                                 "task": task, "threshold": threshold}
        if passed:
            return outputs, {**final, "completed_by": junior.id, "expert_needed": False,
                             "reason": f"the junior's artifact scored {first.score} ≥ threshold {threshold}",
                             "content": first.content, "artifacts": [first.summary()],
                             "model_assisted": {"junior": first.model_assisted}}
        why = (f"the junior's artifact was rejected: {'; '.join(first.items)}" if first.note == "rejected"
               else f"the junior's artifact scored {first.score} < threshold {threshold}")
        if not writer.enabled:
            # Nothing reached the threshold and nobody can redo it: no artifact is kept (completed_by None).
            return outputs, {**final, "completed_by": None, "expert_needed": True, "expert_ran": False,
                             "reason": f"{why}; the expert needs a model to redo it ({writer.note}), so no "
                                       "artifact is kept", "content": content, "rejected_content": first.content,
                             "artifacts": [first.summary()], "model_assisted": {"junior": False}}
        second = await _attempt(writer, verifier, run, (expert, e_tier), task, content, first, "expert")
    outputs.append(_result(second, expert, e_tier))
    done(outputs[1])
    kept = _kept(first, second)
    note = ({} if kept is second else {"note": "the expert's artifact was not better: the junior's stands"}
            if kept is first else {"note": "both artifacts were rejected: none is kept"})
    return outputs, {**final, "completed_by": expert.id if kept is second else junior.id if kept is first else None,
                     "expert_needed": True, "expert_ran": True, "reason": why, "expert_score": second.score,
                     "expert_cost_usd": round(second.cost_usd, 6),
                     "content": kept.content if kept is not None else content,
                     "artifacts": [first.summary(), second.summary()],
                     "model_assisted": {"junior": first.model_assisted, "expert": second.model_assisted}, **note}


def _kept(first: art.Artifact, second: art.Artifact) -> art.Artifact | None:
    """The expert's artifact unless it was rejected or measured worse than a junior's that was not."""
    usable = [a for a in (second, first) if a.note != "rejected"]
    return max(usable, key=lambda a: a.score if a.score is not None else -1.0, default=None)


@contextlib.asynccontextmanager
async def _engine(run: RunContext):
    """The verification engine for a file of the project; None for free-standing content."""
    if run.content or run.target is None:
        yield None
        return
    from empathy_os.changes.engine import Verifier

    async with Verifier.for_project(run.project_root, python=run.python, trusted=run.trusted) as verifier:
        yield verifier


async def _attempt(writer: art.ModelWriter, verifier: Any, run: RunContext, member: tuple[AgentTemplate, Tier],
                   task: str, content: str, previous: art.Artifact | None, stage: str) -> art.Artifact:
    template, tier = member
    prompt = ASK.get(task, DEFAULT_ASK) + "\n\nContent:\n" + content
    if previous is not None:
        prompt += ("\n\nA first attempt (below) was not good enough. Measured reasons:\n"
                   + "\n".join(f"- {r}" for r in previous.items or ["scored " + str(previous.score)])
                   + "\n\nThe first attempt:\n" + previous.content)
    answer, reply = await writer.call(tier, template.role, prompt, art.WRITE_TOOL)
    text = answer.get("content") if isinstance(answer, dict) else None
    assisted = isinstance(text, str) and bool(text.strip())
    if not assisted:
        text = await art.tool_edit(content)
    score, basis, findings = await art.measure(text)
    artifact = art.Artifact(stage=stage, agent_id=template.id, tier=tier, kind="content", content=text,
                            score=score, basis=basis, findings=findings, model_assisted=assisted,
                            model=getattr(reply, "model", None), cost_usd=getattr(reply, "cost_usd", 0.0),
                            items=art.findings_as_items(findings))
    if verifier is not None and text != content:
        verdict = await _verify(verifier, run, template, task, content, text, stage)
        artifact.basis += f"; verification engine: {'verified' if verdict.verified else 'rejected'}"
        if not verdict.verified:
            artifact.note, artifact.items, artifact.score = "rejected", verdict.reasons, 0.0
    return artifact


async def _verify(verifier: Any, run: RunContext, template: AgentTemplate, task: str, before: str, after: str,
                  stage: str):
    from empathy_os.changes.model import Change, ChangeKind
    from empathy_os.changes.patch import make_diff

    rel = run.target.relative_to(run.project_root).as_posix()
    kind = ChangeKind.DOCSTRING if task == "documentation_writer" else ChangeKind.PATCH
    return await verifier.verify(Change(id=f"teaching-{stage}", agent=template.id, kind=kind, files=[rel],
                                        diff=make_diff(rel, before, after),
                                        description=f"{stage} ({template.id}) revision of {rel}"))


def _result(artifact: art.Artifact, template: AgentTemplate, tier: Tier) -> AgentResult:
    return AgentResult(
        agent_id=template.id, role=template.role, tier=tier, success=artifact.note != "rejected",
        quality_score=artifact.score, confidence=1.0 if artifact.score is not None else 0.0, basis="artifact",
        findings=artifact.findings, cost_usd=artifact.cost_usd, model=artifact.model,
        model_note=None if artifact.model_assisted else "offline: ruff's fixes and formatter, no model",
        output={"summary": f"{artifact.stage}: scored {artifact.score} ({artifact.basis})", "stage": artifact.stage,
                "content": artifact.content, "reasons": artifact.items, "model_assisted": artifact.model_assisted},
    )
