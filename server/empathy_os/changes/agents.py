"""Model proposers: code_reviewer (findings ruff cannot fix), security_auditor (triage, fix or `# nosec`),
documentation_writer (docstrings in the project's style), refactoring_specialist (lower complexity).

Each proposal is one tool call whose JSON schema the SDK enforces. The model sees the code it is asked to
change (the enclosing function, numbered; for security also its callers' lines). The project context
(file list, docstring examples) is a cached system block shared by every call. Tiers go CHEAP → CAPABLE →
PREMIUM, moving up only after a rejection, and the next prompt carries the rejected diff and the measured
reasons. Every call goes through the run's one `Budget` (llm/budgeted.py): its worst case is reserved
against `max_cost` before it is sent.
"""

from __future__ import annotations

from typing import Any

from empathy_os.analyzers.contract import Finding, ProjectContext
from empathy_os.analyzers.project import parse_file, rel, source_files
from empathy_os.changes import code_context as cc
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind, Region, Verdict
from empathy_os.changes.patch import make_diff
from empathy_os.changes.workflow import Attempt, ChangeResult
from empathy_os.llm import (
    Budget,
    ModelClient,
    ModelError,
    OverBudget,
    Tier,
    budgeted_tool_call,
    load_tier_table,
)

_DIFF = {"type": "string", "description": "A unified diff in git format (---/+++ with a/ and b/ prefixes, "
         "paths relative to the project root) against the file exactly as shown. Change nothing else."}
PROPOSE_TOOL = {
    "name": "propose_change",
    "description": "Propose one change to the project's code.",
    "input_schema": {"type": "object", "properties": {
        "explanation": {"type": "string", "description": "One or two sentences: what the change does."},
        "diff": _DIFF}, "required": ["explanation", "diff"]},
}
TRIAGE_TOOL = {
    "name": "triage_finding",
    "description": "Decide whether a security finding is real, and fix it if it is.",
    "input_schema": {"type": "object", "properties": {
        "verdict": {"type": "string", "enum": ["confirmed", "false_positive"]},
        "reason": {"type": "string", "description": "Why, referring to the code shown (one sentence)."},
        "diff": {**_DIFF, "description": "For a confirmed finding: the fix. " + _DIFF["description"]}},
        "required": ["verdict", "reason"]},
}
DOCSTRING_TOOL = {
    "name": "write_docstring",
    "description": "Write the docstring for one function, method, class or module.",
    "input_schema": {"type": "object", "properties": {
        "docstring": {"type": "string", "description": "The docstring text only, without quotes or indentation."}},
        "required": ["docstring"]},
}
SYSTEM = {
    "code_reviewer": "You fix one static-analysis finding in existing Python code with the smallest correct "
                     "change. Keep behaviour; the project's test suite must still pass.",
    "security_auditor": "You triage one bandit security finding. Read the function and how it is called. "
                        "Confirmed: propose the smallest fix that removes the risk and keeps the tests "
                        "passing. False positive: say why, precisely; it will be marked `# nosec` with your "
                        "reason for a reviewer to see.",
    "documentation_writer": "You write one docstring for existing Python code, in the style of the "
                            "project's existing docstrings. Describe what the code does, not how.",
    "refactoring_specialist": "You refactor one overly complex Python function to lower its cyclomatic "
                              "complexity. Keep its signature and behaviour; helpers may be added right "
                              "after it. The project's tests must still pass.",
    "test_generator": "You repair one failing test of the project by editing that test function only: the "
                      "code under test, the other tests and conftest files stay as they are. Make it check the "
                      "code's intended behaviour correctly. Never weaken it: keep every assertion (correct "
                      "the expected values instead), add no skip/xfail, no constant assert, no try/except "
                      "that swallows a failure, no early return. It is verified: it must pass on the "
                      "unchanged code and still fail when the code it exercises is mutated. If the test is "
                      "right and the code under test is wrong, change nothing: give an empty diff and say why.",
}


class BadReply(Exception):
    """The reply cannot become a change (no tool call, empty field): a rejection fed back like any other."""


class Declined(Exception):
    """The model says the failing test is right and the code is wrong: no repair is proposed (reported)."""


class ModelProposer:
    def __init__(self, ctx: ProjectContext, client: ModelClient, max_cost: float | None,
                 attempts_per_tier: int = 1, owns_client: bool = True):
        self.ctx, self.client = ctx, client
        self.budget = Budget(max_cost)
        self.attempts_per_tier = attempts_per_tier
        self._owns = owns_client
        self.errors: list[str] = []
        self._context: str | None = None

    @classmethod
    def create(cls, ctx: ProjectContext, client: ModelClient | None, max_cost: float | None,
               attempts_per_tier: int = 1) -> ModelProposer | None:
        """None when no model is configured (no ANTHROPIC_API_KEY): offline, only ruff's fixes are made."""
        made = client or ModelClient(load_tier_table(ctx.settings))
        if not made.configured:
            return None
        return cls(ctx, made, max_cost, attempts_per_tier, owns_client=client is None)

    async def aclose(self) -> None:
        if self._owns:
            await self.client.aclose()

    def context(self, verifier: Verifier) -> str:
        """The shared project context (a cached system block): the same bytes for every call."""
        if self._context is None:
            files = source_files(verifier.copy_ctx)
            names = [rel(verifier.copy_ctx, p) for p in files]
            examples = cc.docstring_examples(files)
            parts = [f"Project: {self.ctx.root.name}", "Source files:\n" + "\n".join(names[:300])]
            if examples:
                parts.append("Docstrings as this project writes them:\n" + "\n---\n".join(examples))
            self._context = "\n\n".join(parts)
        return self._context

    async def propose(self, verifier: Verifier, agent: str, finding: Finding) -> ChangeResult | None:
        job = _Job(verifier, agent, finding)
        if job.unusable:
            self.errors.append(f"{finding.rule} {finding.path}:{finding.line}: {job.unusable}")
            return None
        attempts: list[Attempt] = []
        previous: Attempt | None = None
        context = self.context(verifier)
        for tier in Tier:
            for _ in range(self.attempts_per_tier):
                prompt = job.prompt(previous)
                try:
                    reply = await budgeted_tool_call(
                        self.client, self.budget, tier, SYSTEM[agent], context, prompt, job.tool,
                        what=f"call for {finding.rule} {finding.path}:{finding.line}")
                except OverBudget:
                    return _result(attempts)  # budget.stopped says why
                except ModelError as exc:  # no answer (transport, refusal, 400): not a reason to escalate
                    self.errors.append(f"{tier.value}: {exc.reason}")
                    return _result(attempts)
                try:
                    change = job.change(reply.input, tier, reply.model, reply.cost_usd, len(attempts) + 1)
                    verdict = await verifier.verify(change)
                except BadReply as exc:
                    change = job.empty_change(tier, reply.model, reply.cost_usd, len(attempts) + 1)
                    verdict = Verdict(change_id=change.id, verified=False, bad_input=str(exc))
                except Declined as exc:
                    self.errors.append(f"{finding.rule} {finding.path}:{finding.line}: not repaired, the test "
                                       f"looks right and the code wrong ({tier.value}): {exc}")
                    return _result(attempts)
                attempt = Attempt(change=change, verdict=verdict)
                if verdict.verified:
                    return ChangeResult(change=change, verdict=verdict, attempts=attempts)
                attempts.append(attempt)
                previous = attempt
        return _result(attempts)


def _result(attempts: list[Attempt]) -> ChangeResult | None:
    if not attempts:
        return None
    last = attempts[-1]
    return ChangeResult(change=last.change, verdict=last.verdict, attempts=attempts[:-1])


class _Job:
    """One finding for one agent: what the model is shown, and how its reply becomes a `Change`."""

    def __init__(self, verifier: Verifier, agent: str, finding: Finding):
        self.agent, self.finding = agent, finding
        self.root = verifier.sandbox.copy
        self.unusable: str | None = None
        source, tree, why = parse_file(self.root / finding.path)
        if tree is None:
            self.unusable = f"cannot parse {finding.path}: {why}"
            return
        self.source = source
        self.lines = source.splitlines()
        self.tool = {"security_auditor": TRIAGE_TOOL, "documentation_writer": DOCSTRING_TOOL}.get(
            agent, PROPOSE_TOOL)
        self.kind = {"documentation_writer": ChangeKind.DOCSTRING, "refactoring_specialist": ChangeKind.REFACTOR,
                     "test_generator": ChangeKind.REPAIR}.get(agent, ChangeKind.FIX)
        if self.kind == ChangeKind.REPAIR and not finding.symbol:
            self.unusable = f"{finding.message}: not a test function a repair can claim"
            return
        if agent in ("documentation_writer", "refactoring_specialist", "test_generator") and finding.symbol:
            span = cc.find_symbol(tree, finding.symbol)
        else:
            span = cc.enclosing(tree, finding.line)
        if span is None:
            span = cc.Span(max(1, finding.line - 10), min(len(self.lines), finding.line + 10), None)
        self.span = span
        head = cc.header_end(tree)
        self.regions = [Region(path=finding.path, start=span.start, end=span.end)]
        if self.kind in (ChangeKind.FIX, ChangeKind.REPAIR) and head:
            self.regions.append(Region(path=finding.path, start=1, end=head))  # room for an import
        self.called = cc.called_code(self.root, tree, span.node) if self.kind == ChangeKind.REPAIR and span.node \
            else []
        self.callers = cc.callers(self.root, source_files(verifier.copy_ctx), span.name,
                                  (finding.path, span.start, span.end)) if agent == "security_auditor" \
            and span.name else []

    def prompt(self, previous: Attempt | None) -> str:
        f = self.finding
        where = f"`{self.span.name}` in `{f.path}`" if self.span.name else f"`{f.path}`"
        parts = [f"Finding: {f.tool} {f.rule} at {f.path}:{f.line}: {f.message}",
                 f"Code of {where} (line numbers are the file's; >> marks the finding):\n"
                 + cc.numbered(self.lines, self.span.start, self.span.end, {f.line})]
        head = [ln for ln in self.lines[:self.span.start - 1] if ln.startswith(("import ", "from "))]
        if head:
            parts.append("The module's imports:\n" + "\n".join(head))
        if self.callers:
            parts.append("Where it is called:\n" + "\n".join(self.callers))
        if self.kind == ChangeKind.REPAIR:
            parts += [f"How it fails on the unchanged code (pytest, {f.extra.get('nodeid')}):\n{f.extra.get('failure') or '(not recorded)'}"]
            parts += ["The code under test it calls (this change may not edit it):\n" + "\n\n".join(
                self.called)] if self.called else []
        if self.agent == "refactoring_specialist" and f.extra.get("complexity"):
            parts.append(f"radon cyclomatic complexity now: {f.extra['complexity']}; make it lower.")
        parts.append(f"Change only lines {self.span.start}-{self.span.end} of {f.path}"
                     + (" (and its import block)" if len(self.regions) > 1 else "") + ".")
        if previous is not None:
            v = previous.verdict
            parts.append(f"A previous attempt ({previous.change.tier}) was rejected after verification in a "
                         f"copy of the project. Measured reasons:\n- " + "\n- ".join(v.reasons)
                         + (f"\nIts diff:\n{previous.change.diff.strip()}" if previous.change.diff.strip() else ""))
        return "\n\n".join(parts)

    def _base(self, tier: Tier, model: str, cost: float, n: int, **kw: Any) -> Change:
        f = self.finding
        return Change(id=f"{self.agent}:{f.rule}:{f.path}:{f.line}:{n}", agent=self.agent, findings=[f],
                      files=[f.path], regions=self.regions, tier=tier.value, model=model, cost_usd=cost,
                      symbol=self.span.name, **kw)

    def empty_change(self, tier: Tier, model: str, cost: float, n: int) -> Change:
        return self._base(tier, model, cost, n, kind=self.kind, diff="", description="(no usable reply)")

    def change(self, args: dict[str, Any] | None, tier: Tier, model: str, cost: float, n: int) -> Change:
        if args is None:
            raise BadReply(f"the reply held no {self.tool['name']} tool call")
        source = f"model {model} ({tier.value})"
        if self.agent == "documentation_writer":
            doc = str(args.get("docstring") or "")
            new = cc.insert_docstring(self.source, self.finding.symbol, doc)
            if new is None:
                raise BadReply("the docstring was empty, or there is nowhere to put it")
            return self._base(tier, model, cost, n, kind=ChangeKind.DOCSTRING, source=source,
                              diff=make_diff(self.finding.path, self.source, new),
                              description=f"docstring for {self.finding.symbol or self.finding.path}")
        if self.agent == "security_auditor" and args.get("verdict") == "false_positive":
            return self._nosec(str(args.get("reason") or "").strip(), tier, model, cost, n, source)
        diff = str(args.get("diff") or "")
        if self.kind == ChangeKind.REPAIR and not diff.strip() and str(args.get("explanation") or "").strip():
            raise Declined(" ".join(str(args["explanation"]).split())[:300])
        if not diff.strip():
            raise BadReply("the reply held no diff" + (" for a confirmed finding"
                                                        if self.agent == "security_auditor" else ""))
        what = str(args.get("explanation") or args.get("reason") or "").strip()
        return self._base(tier, model, cost, n, kind=self.kind, diff=diff, source=source,
                          description=f"{self.finding.rule} at {self.finding.path}:{self.finding.line}: {what}"[:300])

    def _nosec(self, reason: str, tier: Tier, model: str, cost: float, n: int, source: str) -> Change:
        if not reason:
            raise BadReply("a false-positive verdict needs a reason")
        f = self.finding
        line = self.lines[f.line - 1]
        reason = " ".join(reason.split())[:200]
        new_lines = list(self.lines)
        new_lines[f.line - 1] = f"{line}  # nosec {f.rule} # false positive: {reason}"
        new = "\n".join(new_lines) + ("\n" if self.source.endswith("\n") else "")
        change = self._base(tier, model, cost, n, kind=ChangeKind.NOSEC, source=source,
                            diff=make_diff(f.path, self.source, new),
                            description=f"{f.rule} at {f.path}:{f.line} is a false positive: {reason}")
        change.regions = [Region(path=f.path, start=f.line, end=f.line)]
        return change

