"""Candidate tests, their verdicts, and the offline generators (ghostwriter + plain calls)."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from empathy_os.proc import ToolTimeout
from empathy_os.testgen.entries import public_entries
from empathy_os.testgen.gaps import Gap
from empathy_os.testgen.mutate import Strength
from empathy_os.testgen.sandbox import EFFECTS_ENV, Sandbox

_SCRIPT = Path(__file__).with_name("_genscript.py")
_MARK = "\n@@EMPATHY-JSON@@\n"


class Reason(str, Enum):
    KEPT = "kept"
    SYNTAX = "syntax-error"
    NO_TESTS = "no-tests-collected"
    FAILED = "failed"
    FLAKY = "flaky"
    WRITES = "writes-outside-tmp"
    NETWORK = "network"  # connected (or tried to) from project code: sockets are not a test's business
    SPAWNS = "spawns-process"  # started a program or forked from project code
    NO_GAIN = "no-coverage-gain"
    TIMEOUT = "timeout"
    CRASH = "found-a-crash"  # a finding about the code, reported with its input; never kept
    WEAK = "survived-mutants"  # passes and covers, but no mutation of its lines makes it fail
    NO_MUTANT = "no-mutant"  # passes and covers, but no mutant could be made of its lines: strength unknown


# What _genscript.py reports per target when Hypothesis cannot be imported (it cannot import this module).
NO_HYPOTHESIS = "Hypothesis is not installed in the project's interpreter"


@dataclass
class Candidate:
    gap: Gap
    origin: str  # "ghostwriter", "plain", "model"
    source: str
    tier: str | None = None
    model: str | None = None
    cost_usd: float = 0.0
    iteration: int = 1
    private_why: str | None = None  # why the test calls a private name: no public call reached its lines

    @property
    def private_names(self) -> list[str]:
        return private_names(self.source)


def private_names(source: str) -> list[str]:
    """Private names a test touches: `_x` attributes (not dunders), imports of or from `_x` modules."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            found.add(node.attr)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if any(map(_private, a.name.split("."))))
        elif isinstance(node, ast.ImportFrom):
            if any(map(_private, (node.module or "").split("."))):
                found.add(node.module or "")
            found.update(a.name for a in node.names if _private(a.name))
    return sorted(found)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass
class Verdict:
    candidate: Candidate
    reason: Reason
    new_lines: set[int] = field(default_factory=set)
    new_arcs: set[tuple[int, int]] = field(default_factory=set)
    detail: str = ""  # failure output tail, written paths, ... (fed back to the model)
    runs: int = 0
    strength: Strength | None = None  # mutants made/killed on the lines it newly covers

    def __post_init__(self) -> None:
        # Judged weak because no mutant could be made at all: that is not a test that let mutants survive.
        if self.reason is Reason.WEAK and self.strength is not None and not self.strength.made \
                and not self.strength.error:
            self.reason = Reason.NO_MUTANT

    @property
    def kept(self) -> bool:
        return self.reason is Reason.KEPT

    def to_json(self) -> dict:
        c = self.candidate
        return {
            "target": c.gap.key, "origin": c.origin, "tier": c.tier, "model": c.model,
            "iteration": c.iteration, "result": self.reason.value, "new_lines": sorted(self.new_lines),
            "new_branches": len(self.new_arcs), "cost_usd": round(c.cost_usd, 6),
            "detail": self.detail[-600:] if not self.kept else "",
            "private_names": c.private_names, "private_why": c.private_why if c.private_names else None,
            **(self.strength.to_json() if self.strength else {"mutants_made": None, "mutants_killed": None}),
        }


@dataclass
class OfflineResult:
    ghostwriter: str | None
    ghostwriter_error: str | None
    plain: str | None
    plain_error: str | None
    plain_reached: list[int] | None = None  # missed lines the plain calls ran, as the generator traced them
    plain_private: str | None = None  # why the tests call the private target itself (no public call reached it)


async def generate_offline(sandbox: Sandbox, gaps: list[Gap]) -> dict[str, OfflineResult]:
    """One throwaway process imports the project and writes both kinds of test for every gap."""
    if not gaps:
        return {}
    entries = public_entries(sandbox.copy, gaps)
    for g in gaps:
        g.entries = entries[g.key]  # the model's prompt names them too
    targets = [
        {"key": g.key, "module": g.module, "symbol": g.symbol, "raises": g.raises, "missing": sorted(g.missing),
         "side_effects": g.side_effects, "public": g.public, "entries": entries[g.key]}
        for g in gaps
    ]
    payload = sandbox.base / "data" / "targets.json"
    payload.write_text(json.dumps(targets), encoding="utf-8")
    # stdin is closed by run_tool, so the script reads its targets from a file given as argv.
    cmd = [sandbox.python, "-c", _LOADER, str(_SCRIPT), str(payload)]
    failure: str | None = None
    try:
        ran = await sandbox.run(cmd, timeout=900, env=EFFECTS_ENV)
        if _MARK in ran.stdout:
            data = json.loads(ran.stdout.split(_MARK, 1)[1])
            return {key: OfflineResult(**value) for key, value in data.items()}
        failure = (ran.stderr.strip().splitlines() or ["generator printed nothing"])[-1]
    except ToolTimeout as exc:
        failure = str(exc)
    reason = f"offline generator did not run: {failure}"
    return {g.key: OfflineResult(None, reason, None, reason) for g in gaps}


# Runs the generator script with its targets file as stdin, without importing Empathy.
_LOADER = (
    "import sys, runpy; script, targets = sys.argv[1], sys.argv[2]; "
    "sys.argv = [script]; sys.stdin = open(targets, encoding='utf-8'); "
    "runpy.run_path(script, run_name='__main__')"
)
