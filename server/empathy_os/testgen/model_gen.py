"""Stage 2 with a model: CHEAP → CAPABLE → PREMIUM, escalating only after a failure or no gain.

Each next prompt carries what went wrong before (the failure output, or the lines still missing), which
is where most of the later gain comes from. The budget is checked before every call with the tier's
price and the call's worst case, so `max_cost` is never exceeded by a call we chose to make.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from empathy_os.llm import Budget, ModelClient, ModelError, OverBudget, Tier, budgeted_complete
from empathy_os.testgen.candidates import Candidate, Reason, Verdict
from empathy_os.testgen.gaps import Gap

SYSTEM = (
    "You write pytest unit tests for existing Python code. Reply with exactly one ```python code block "
    "holding a complete test module (imports included) and nothing else. Tests must be deterministic, "
    "must not use the network, and may write files only under pytest's tmp_path fixture. Assert the "
    "behaviour the code has now; do not change or re-implement the code under test. Write the tests a "
    "maintainer would merge: call the project's public functions, classes and methods (not `_private` "
    "helpers, unless the prompt says no public call reaches the lines), with arguments of the types the "
    "project itself passes; assert return values or the project's exceptions with their messages, never "
    "`is None` on a function that returns nothing; name each test `test_<public name>_<behaviour>`."
)
_FENCE = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)```", re.DOTALL)


@dataclass
class CascadeLog:
    verdicts: list[Verdict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def last_rejected(self) -> Verdict | None:
        rejected = [v for v in self.verdicts if not v.kept]
        return rejected[-1] if rejected else None


def extract_code(text: str) -> str | None:
    blocks = _FENCE.findall(text)
    if blocks:
        return max(blocks, key=len).strip() + "\n"
    stripped = text.strip()
    return stripped + "\n" if stripped.startswith(("import ", "from ", "def test")) else None


def _numbered(source_lines: list[str], start: int, end: int, missing: set[int]) -> str:
    out = []
    for n in range(start, min(end, len(source_lines)) + 1):
        mark = ">>" if n in missing else "  "
        out.append(f"{mark}{n:5d}  {source_lines[n - 1]}")
    return "\n".join(out)


def build_prompt(root: Path, gap: Gap, missing: set[int], import_hint: str, previous: Verdict | None) -> str:
    lines = (root / gap.path).read_text(encoding="utf-8").splitlines()
    parts = [
        f"Write pytest tests for `{gap.symbol}` in `{gap.path}` (module `{gap.module}`).",
        f"The project's tests import its code like this:\n{import_hint}",
        f"Lines marked >> are never executed by the current test suite: {sorted(missing)}.",
        "Cover them.\n\n" + _numbered(lines, gap.line, gap.end_line, missing),
    ]
    if not gap.public:
        parts.append("This is a private helper. Reach its lines through these public callers: "
                     + ", ".join(f"`{e.replace(':', '.')}`" for e in gap.entries)
                     if gap.entries else
                     "This is a private helper and no public function calls it by name: test it directly.")
    header = [ln for ln in lines[: gap.line - 1] if ln.startswith(("import ", "from "))]
    if header:
        parts.append("Module imports:\n" + "\n".join(header))
    if previous is not None:
        parts.append(_feedback(previous))
    return "\n\n".join(parts)


def _feedback(previous: Verdict) -> str:
    tier = previous.candidate.tier or previous.candidate.origin
    head = f"A previous attempt ({tier}) was rejected: {previous.reason.value}."
    body = previous.detail.strip()[-2500:]
    return f"{head}\nIts code:\n```python\n{previous.candidate.source.strip()}\n```\nWhat happened:\n{body}"


async def cascade(
    client: ModelClient,
    root: Path,
    gap: Gap,
    missing: set[int],
    import_hint: str,
    budget: Budget,
    check: Callable[[Candidate], Awaitable[Verdict]],
    iteration: int = 1,
    previous: Verdict | None = None,
) -> CascadeLog:
    """Try tiers in order for one gap until a candidate is kept or the tiers (or budget) run out.

    `previous`: the last rejected attempt of an earlier iteration, fed back to the first call.
    """
    log = CascadeLog()
    for tier in Tier:
        prompt = build_prompt(root, gap, missing, import_hint, previous)
        try:
            reply = await budgeted_complete(client, budget, tier, SYSTEM, prompt, what=f"call for {gap.symbol}",
                                            effort="medium")
        except OverBudget:
            break  # budget.stopped says why
        except ModelError as exc:  # no answer (transport, refusal, 400): not a reason to escalate
            log.errors.append(f"{tier.value}: {exc.reason}")
            break
        code = extract_code(reply.text)
        candidate = Candidate(gap, "model", code or reply.text, tier=tier.value, model=reply.model,
                              cost_usd=reply.cost_usd, iteration=iteration)
        if code is None:
            verdict = Verdict(candidate, Reason.SYNTAX, detail="the reply held no Python code block")
        else:
            verdict = await check(candidate)
        log.verdicts.append(verdict)
        if verdict.kept:
            break
        previous = verdict
    return log


def import_hint(root: Path, tests_dir: str, gap: Gap) -> str:
    """Import lines from the project's own tests that name the target's package (how it is imported)."""
    top = gap.module.split(".")[0]
    seen: list[str] = []
    folder = root / tests_dir
    for path in sorted(folder.rglob("test_*.py")) if folder.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for line in text.splitlines():
            if line.startswith((f"from {top}", f"import {top}")) and line not in seen:
                seen.append(line)
        if len(seen) >= 6:
            break
    return "\n".join(seen) if seen else f"import {gap.module}"
