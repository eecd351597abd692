"""What a proposed change is, and what verifying it measured.

A `Change` is a unified diff (paths relative to the project root, `a/`/`b/` prefixes or none) plus what
it claims: the findings it removes, the files it may touch, and its kind (which decides the checks, see
`engine`). A `Verdict` is the measured outcome: verified or not, and for each check what was measured.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from empathy_os.analyzers.contract import Finding


class ChangeKind(StrEnum):
    FIX = "fix"  # removes findings; behaviour may change, so the suite decides
    DOCSTRING = "docstring"  # adds/edits docstrings only: the AST without docstrings must not change
    NOSEC = "nosec"  # a false positive marked `# nosec` with the reason: the AST must not change at all
    REFACTOR = "refactor"  # same public signatures, lower complexity of the claimed function
    PATCH = "patch"  # a user's patch: no claim beyond "nothing gets worse"
    TESTS = "tests"  # new test files only; the source files it claims (`improves`) get more statements run
    REPAIR = "test-repair"  # edits only the failing test functions it claims (repair.py): pass, not weakened, bite


class Region(BaseModel):
    """Lines of a file (1-based, inclusive, numbered as in the unchanged file) a change may touch."""

    path: str
    start: int = Field(ge=1)
    end: int = Field(ge=1)


class Change(BaseModel):
    id: str
    agent: str  # "code_reviewer", "security_auditor", "documentation_writer", "refactoring_specialist", "user"
    kind: ChangeKind
    diff: str
    description: str = ""
    findings: list[Finding] = Field(default_factory=list)  # what it claims to remove
    files: list[str] | None = None  # the only files it may touch; None: whatever the diff names
    regions: list[Region] | None = None  # if set, the only lines it may touch
    symbol: str | None = None  # the function a refactoring claims to simplify
    improves: list[str] = Field(default_factory=list)  # tests: source files whose unrun statements must fall
    tier: str | None = None  # model tier that proposed it; None when no model was involved
    model: str | None = None
    cost_usd: float = 0.0  # model spend for this change, all attempts included
    source: str = ""  # how it was made, e.g. "ruff 0.17.6 --fix --select F401"


class Check(BaseModel):
    name: str  # "applies", "parses", "scope", "finding-gone", "no-new-findings", "tests", "coverage", ...
    passed: bool
    detail: str  # what was measured, in words (shown to the user and fed back to the model)
    measured: dict[str, Any] = Field(default_factory=dict)


class Verdict(BaseModel):
    change_id: str
    verified: bool
    checks: list[Check] = Field(default_factory=list)
    touched: list[str] = Field(default_factory=list)  # files the change actually modified in the copy
    # sha256 of each touched file before the change (as copied from the project) and after it: `--apply`
    # refuses a file whose current content is not the "before" one.
    before_sha: dict[str, str | None] = Field(default_factory=dict)
    after_sha: dict[str, str | None] = Field(default_factory=dict)
    after_content: dict[str, bytes | None] = Field(default_factory=dict, exclude=True)  # what --apply writes
    duration_seconds: float = 0.0
    bad_input: str | None = None  # the diff is unusable (malformed, does not apply): not a measured rejection

    @property
    def reasons(self) -> list[str]:
        """Why it was rejected: the failed checks, in the order they ran."""
        if self.bad_input:
            return [self.bad_input]
        return [f"{c.name}: {c.detail}" for c in self.checks if not c.passed]

    def measurements(self) -> dict[str, Any]:
        return {c.name: {**c.measured, "passed": c.passed, "detail": c.detail} for c in self.checks}

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "reasons": self.reasons,
            "touched": self.touched,
            "measurements": self.measurements(),
            "duration_seconds": round(self.duration_seconds, 3),
        }
