"""What each use case answers: typed, JSON-ready (a worker sends `result.model_dump(mode="json")` and the
daemon reads it back with `model_validate`), with what the CLI prints beside it (`text`) and its exit code.

Exit codes (the CLI's): 0 success / approved, 1 not approved / target not reached, 2 bad usage or refused.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Result(BaseModel):
    model_config = ConfigDict(defer_build=True)

    text: str = ""  # the answer for a person (stdout)
    exit_code: int = 0
    # Bad input the use case found only by running (a patch that does not apply, a refused boost): the CLI
    # prints it as one error line, exit 2; the daemon answers InvalidParams.
    usage_error: str | None = None

    def document(self) -> Any:
        """What `--json` prints."""
        raise NotImplementedError


class Unit(BaseModel):
    """One unit of a measured change set, written in one go: its change ids and the verdict (with the bytes
    it writes, base64: `after_content` is kept out of a verdict's dumps on purpose)."""

    ids: list[str]
    verdict: dict[str, Any]


class ReleasePrepResult(Result):
    report: dict[str, Any]  # ReleasePrepReport.to_json()
    replayed: bool = False  # answered from the stored report of an unchanged run (app/replay.py)
    fix: dict[str, Any] | None = None  # the release fix (app/release_fix.py), when asked for
    units: list[Unit] = Field(default_factory=list)  # the measured change set, for an editor's edit
    sarif: dict[str, Any] | None = None

    def document(self) -> Any:
        return {**self.report, **({"fix": self.fix} if self.fix is not None else {})}


class CoverageBoostResult(Result):
    report: dict[str, Any]  # CoverageBoostReport.to_json()
    files: list[dict[str, Any]] = Field(default_factory=list)  # the kept test files (path, content, ...)
    covered: dict[str, list[int]] = Field(default_factory=dict)  # per source file, the lines they cover

    def document(self) -> Any:
        return self.report


class FixResult(Result):
    report: dict[str, Any]  # FixReport.to_json()
    wire: dict[str, Any]  # the FixReport with its verdicts' bytes (lsp edits are made from it)

    def document(self) -> Any:
        return self.report


class VerifyResult(Result):
    verdict: dict[str, Any]  # Verdict.to_json()
    wire: dict[str, Any]  # the Verdict with its bytes

    def document(self) -> Any:
        return self.verdict


class ComposeResult(Result):
    plan: dict[str, Any]
    result: dict[str, Any] | None = None  # the run's StrategyResult, when the plan was executed
    refused: dict[str, Any] | None = None  # an out-of-scope task: {"refused", "reason", "message"}

    def document(self) -> Any:
        if self.refused is not None:
            return self.refused
        return {"plan": self.plan, **({"result": self.result} if self.result is not None else {})}


class StoreQueryResult(Result):
    query: str  # list | show | best
    store: str  # the store file read
    configurations: list[dict[str, Any]] = Field(default_factory=list)  # what was found
    reason: str | None = None  # why `best` found nothing

    def document(self) -> Any:
        if self.query == "list":
            return self.configurations
        return self.configurations[0] if self.configurations else None
