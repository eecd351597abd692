"""Artifacts: what an agent's work produces, with a score measured by tools, never stated by the agent.

A content artifact is a text (a module's source, a docstring, a paragraph of documentation). It is measured
the same way at every stage, so scores can be compared: the text is written into a private one-file
project (`artifact.py`; prose that is not Python becomes that module's docstring) and measured there by
ruff (pycodestyle, pyflakes, bugbear, pyupgrade and pydocstyle rules: 10 minus one point per finding,
floored at 0 — ruff's per-100-lines project score would floor any short text at the first finding) and,
for code, interrogate's docstring coverage (its 0-10 score); the score is their mean. Nothing of the
user's project is read or written.

The work itself:
- with a model, one structured tool call per stage (write the content / list concrete critique items),
  through the run's one budget (llm/budgeted.py);
- offline, the tools do what they can: the critique is the measured findings, and the edit is ruff's own
  safe fixes and formatter applied to the private copy. `model_assisted` says which stages used a model.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, Field

from empathy_os.analyzers.contract import Finding
from empathy_os.llm import Budget, ModelClient, ModelError, OverBudget, Tier, budgeted_tool_call
from empathy_os.proc import run_tool, tool_bin

RUFF_CONFIG = ('[tool.ruff]\nline-length = 100\n[tool.ruff.lint]\nselect = ["E", "W", "F", "B", "UP", "D"]\n'
               'ignore = ["D203", "D213"]\n')
CRITIQUE_ITEMS = 8

WRITE_TOOL = {
    "name": "write_content",
    "description": "Return the full revised content.",
    "input_schema": {"type": "object", "properties": {
        "content": {"type": "string", "description": "The whole content, revised; nothing else."},
        "summary": {"type": "string", "description": "One sentence: what changed."}},
        "required": ["content"]},
}
CRITIQUE_TOOL = {
    "name": "critique_content",
    "description": "List concrete, actionable problems of the content.",
    "input_schema": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                  "description": "Each item names one place and what to change there."}},
        "required": ["items"]},
}
RUBRIC = ("The content is measured by tools after each stage: ruff (pycodestyle, pyflakes, bugbear, pyupgrade, "
          "pydocstyle) and, for Python code, interrogate's docstring coverage; fewer findings and more "
          "documented functions score higher.")


class Artifact(BaseModel):
    stage: str  # "draft" | "review" | "edit" | "junior" | "expert"
    agent_id: str
    tier: Tier
    kind: str  # "content" | "critique" | "changes"
    content: str = ""
    items: list[str] = Field(default_factory=list)  # a critique's items, or a rejection's measured reasons
    score: float | None = None  # 0-10, measured
    basis: str = ""
    findings: list[Finding] = Field(default_factory=list)
    model_assisted: bool = False
    model: str | None = None
    cost_usd: float = 0.0
    note: str | None = None

    def summary(self) -> dict[str, Any]:
        return {"stage": self.stage, "agent": self.agent_id, "tier": self.tier.value, "kind": self.kind,
                "score": self.score, "basis": self.basis, "model_assisted": self.model_assisted,
                "items": self.items, "cost_usd": round(self.cost_usd, 6), "note": self.note}


class _Copy:
    """A private one-file project holding the content (removed on exit)."""

    def __init__(self, content: str):
        self.content = content
        self.is_code = _parses(content)

    def __enter__(self) -> Self:
        self.root = Path(tempfile.mkdtemp(prefix="empathy-artifact-"))
        (self.root / "pyproject.toml").write_text(RUFF_CONFIG, encoding="utf-8")
        text = self.content if self.is_code else _as_docstring(self.content)
        self.file = self.root / "artifact.py"
        self.file.write_text(text, encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def text(self) -> str:
        text = self.file.read_text(encoding="utf-8")
        return text if self.is_code else _from_docstring(text, self.content)


def _parses(content: str) -> bool:
    if not content.strip():
        return False
    try:
        tree = ast.parse(content)
    except SyntaxError:
        return False
    # One bare expression (a sentence that happens to parse, e.g. "Stock keeping") is prose, not code.
    return not (len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr))


def _as_docstring(prose: str) -> str:
    text = prose.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'"""{text}"""\n' if "\n" not in text else f'"""{text}\n"""\n'


def _from_docstring(text: str, original: str) -> str:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return original
    return (ast.get_docstring(tree, clean=False) or original).strip()


async def measure(content: str) -> tuple[float | None, str, list[Finding]]:
    """(score 0-10 or None, how it was measured, the findings) of `content`."""
    with _Copy(content) as copy:
        return await _measure_copy(copy)


async def _measure_copy(copy: _Copy) -> tuple[float | None, str, list[Finding]]:
    from empathy_os.analyzers import load_project, run_analyzer

    ctx = load_project(copy.root, trusted=False)
    ctx.use_cache = False
    names = ["ruff", "docstrings"] if copy.is_code else ["ruff"]
    results = [await run_analyzer(name, ctx) for name in names]
    ran = [r for r in results if r.ran and r.score is not None]
    if not ran:
        why = "; ".join(f"{r.analyzer}: {r.error}" for r in results)
        return None, f"not measured ({why})", []
    parts = {r.analyzer: float(max(0, 10 - len(r.findings))) if r.analyzer == "ruff" else r.score for r in ran}
    score = round(sum(parts.values()) / len(parts), 2)
    what = "Python code" if copy.is_code else "prose, measured as a module docstring"
    named = ", ".join(f"{name} {value:g}" for name, value in parts.items())
    basis = f"mean of {named} on the content ({what}; ruff: 10 - 1 per finding)"
    return score, basis, [f for r in ran for f in r.findings]


async def tool_edit(content: str) -> str:
    """Offline edit: ruff's safe fixes and formatter applied to a private copy; the revised text."""
    with _Copy(content) as copy:
        ruff = tool_bin("ruff")
        await run_tool([ruff, "check", "--fix", "--exit-zero", "--no-cache", "--quiet", "artifact.py"], copy.root,
                       timeout=60)
        await run_tool([ruff, "format", "--no-cache", "--quiet", "artifact.py"], copy.root, timeout=60)
        return copy.text()


def findings_as_items(findings: list[Finding]) -> list[str]:
    return [f"line {f.line}: {f.rule} {f.message}" for f in findings[:CRITIQUE_ITEMS]]


class ModelWriter:
    """One structured call per stage under the run's budget; None answers mean "no model step" (and why)."""

    def __init__(self, client: ModelClient | None, budget: Budget | None, use_model: bool = True):
        self.client = client or ModelClient()
        self.budget = budget
        self.enabled = use_model and self.client.configured
        self.note = None if self.enabled else "offline (no ANTHROPIC_API_KEY): tools only"

    async def call(self, tier: Tier, role: str, prompt: str, tool: dict[str, Any]) -> tuple[dict | None, Any]:
        if not self.enabled:
            return None, None
        try:
            reply = await budgeted_tool_call(self.client, self.budget, tier, f"You are the {role}.", RUBRIC,
                                             prompt, tool, what=f"{role}'s {tool['name']} call")
        except (OverBudget, ModelError) as exc:
            self.note = f"model step skipped: {exc.reason}"
            return None, None
        return reply.input, reply
