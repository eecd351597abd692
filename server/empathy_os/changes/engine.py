"""The verification engine: no change is offered unless it was applied in a private copy and shown to work.

`Verifier` holds one copy of the project (a `testgen.sandbox.Sandbox`) and one baseline (the suite's
outcomes and per-file coverage, the findings of each file it has looked at), reused by every change it
verifies; after each change the copy is put back as it was. Checks, in order (cheap ones first; a change
rejected by one is not run through the test suite):

0. screen — a binary patch or one over `max_patch_bytes` (1 MB) is bad input, refused before it is applied;
1. applies — `git apply --check` in the copy (a diff that does not apply is bad input, not a rejection);
   inside-project — no touched path leads out of the project through a symlink (refused with the path);
2. tests-untouched — a change never grades itself (judging.py): it may add tests, but not edit or delete
   an existing test, add or edit a conftest, the pytest/coverage configuration or a local pytest plugin,
   or add skip/xfail markers ("edits the tests that judge it"); a test-repair may edit only the failing
   test functions it claims;
   scope — it touched only the files (and lines) it claims;
3. parses — every touched Python file still compiles;
4. kind rules — docstring: the AST with docstrings removed is identical; nosec: the AST is identical;
   refactor: public signatures unchanged and the claimed function's radon complexity lower; tests: only
   new test files; test-repair: the test not weakened (repair_rules.py);
5. findings — each claimed finding is gone (the same analyzer re-run on the touched files) and bandit and
   ruff report nothing new there; docstring: interrogate's missing count on the touched files fell;
5b. project rules (project_rules.py) — nothing the oldest declared Python cannot run, no name other code
   relies on removed, the declared linters (those installed) and line length report nothing new;
6. tests — the project's tests AS THEY WERE BEFORE THE CHANGE (its test files put back in the copy for
   this run, new ones taken out) pass on the changed code, except tests that already failed before; a
   test that newly fails is re-run twice: failing again it is broken (rejected), passing it is flaky
   (noted, not blamed); no test may disappear; additions — the change's new tests, run on their own in
   another process, all pass; no touched source file has more statements the tests (old and new) do not
   run; tests: each source file it claims to improve has fewer statements left unrun (coverage.py).
   test-repair (repair.py): on the unchanged code the claimed test passes, no other gets worse, and a mutant
   of the code it runs makes it fail.

Checks 2-4 read only the text of the touched files (text_checks.py). An untrusted project's code is
never run, so nothing can be verified there: check 6 fails closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Self

from empathy_os.analyzers import load_project
from empathy_os.analyzers.contract import Finding, ProjectContext
from empathy_os.analyzers.project import is_test_file, rel, source_files
from empathy_os.analyzers.specs import change_checks
from empathy_os.changes import (
    finding_checks,
    judging,
    measure,
    project_rules,
    repair,
    repair_rules,
    suite_checks,
    text_checks,
)
from empathy_os.changes.model import Change, ChangeKind, Check, Verdict
from empathy_os.changes.patch import (
    Applied,
    PatchError,
    apply_checked,
    check_diff,
    max_patch_bytes,
    screen,
    sha256,
)
from empathy_os.changes.suite import SuiteRun, run_suite
from empathy_os.confine import OutsideRoot, confined
from empathy_os.testgen.sandbox import Sandbox, changed, tree_hashes

RERUNS = 2  # extra runs of a newly failing test, to tell flaky from broken


class Verifier:
    """One project copy and one baseline for any number of changes. Use as an async context manager."""

    def __init__(self, ctx: ProjectContext):
        self.ctx = ctx
        self.sandbox: Sandbox | None = None
        self.copy_ctx: ProjectContext | None = None
        self._pristine: dict[str, str] = {}
        self._baseline: SuiteRun | None = None
        self._baseline_lock = asyncio.Lock()
        self._verify_lock = asyncio.Lock()  # one change at a time in the copy
        # (analyzer, path) -> keys of its findings on the unchanged file (keys need the unchanged text)
        self._static: dict[tuple[str, str], Counter[measure.Key]] = {}
        self.sources: list[str] = []
        self.max_patch_bytes = max_patch_bytes(ctx.settings)  # raises ValueError for a bad setting
        self._judges = judging.Judges()  # what of the unchanged tree judges a change besides its tests

    @classmethod
    def for_project(cls, root: str | os.PathLike[str], python: str | None = None, trusted: bool = True) -> Verifier:
        return cls(load_project(root, python=python, trusted=trusted))

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        self.sandbox = await asyncio.to_thread(Sandbox.create, self.ctx.root, self.ctx.python, "empathy-verify-")
        self.copy_ctx = replace(self.ctx, root=self.sandbox.copy, use_cache=False, only_files=None)
        self._pristine = await asyncio.to_thread(tree_hashes, self.sandbox.copy)
        self.sources = [rel(self.copy_ctx, p) for p in source_files(self.copy_ctx)]
        self._judges = await asyncio.to_thread(judging.judges, self.sandbox.copy)
        self.rules = project_rules.ProjectRules.read(self.sandbox.copy)

    async def close(self) -> None:
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.cleanup)
            self.sandbox = None

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """Hold the copy alone (a proposer computing something in it, e.g. ruff's fixes)."""
        async with self._verify_lock:
            yield

    # -- baseline ----------------------------------------------------------------------------------

    async def baseline(self) -> SuiteRun | None:
        """The suite on the unchanged copy (measured once; only call it while the copy is unchanged);
        None when project code may not run."""
        if not self.ctx.trusted:
            return None
        async with self._baseline_lock:
            if self._baseline is None:
                self._baseline = await run_suite(self.sandbox, self.sources, timeout=self._timeout)
                # What the run left in the copy (a report a plugin we could not redirect wrote) is not
                # the change's doing: the change's files are measured from here.
                self._pristine = await asyncio.to_thread(tree_hashes, self.sandbox.copy)
        return self._baseline

    @property
    def _timeout(self) -> float:
        return float(self.ctx.settings.get("coverage_timeout") or 900)

    async def static_before(self, analyzer: str, paths: list[str]) -> dict[str, Counter[measure.Key]]:
        """Keys of the unchanged files' findings, per path (measured once per file and analyzer; call it
        while the copy is unchanged)."""
        todo = [p for p in paths if (analyzer, p) not in self._static]
        if todo:
            found, errors = await measure.findings_on(self.copy_ctx, todo, (analyzer,))
            if errors:
                raise _Unmeasurable("; ".join(errors))
            for p in todo:
                self._static[(analyzer, p)] = measure.keys(
                    [f for f in found.get(analyzer, []) if f.path == p], self.sandbox.copy)
        return {p: self._static[(analyzer, p)] for p in paths}

    # -- one change --------------------------------------------------------------------------------

    async def verify(self, change: Change) -> Verdict:
        assert self.sandbox is not None, "Verifier.open() first"
        async with self._verify_lock:
            started = time.perf_counter()
            verdict = Verdict(change_id=change.id, verified=False)
            originals: dict[str, bytes | None] = {}
            try:
                await self._verify_in_copy(change, verdict, originals)
            finally:
                await self._restore(originals)
            verdict.verified = verdict.bad_input is None and bool(verdict.checks) and all(
                c.passed for c in verdict.checks)
            verdict.duration_seconds = time.perf_counter() - started
            return verdict

    async def _verify_in_copy(self, change: Change, verdict: Verdict, originals: dict[str, bytes | None]) -> None:
        checked = await self._screened(change, verdict)
        if checked is None:
            return
        copy = self.sandbox.copy
        for p in checked.paths:
            originals[p] = _read(copy / p)
        sources = [p for p in checked.paths
                   if p.endswith(".py") and not is_test_file(Path(p)) and originals.get(p) is not None]
        try:
            before = {a: await self.static_before(a, sources) for a in _analyzers_for(change)}
        except _Unmeasurable as exc:
            verdict.checks.append(Check(name="findings", passed=False, detail=f"could not measure: {exc}"))
            return
        targets = _targets(change, copy)
        await self.baseline()  # on the unchanged copy (measured once, before the first change is applied)
        after = await self._applied(checked, verdict, originals)
        if after is None:
            return
        touched = verdict.touched
        untouched, additions = judging.check(self._judges, touched, originals, after, repair_rules.claims(change))
        verdict.checks += [c for c in (self._outside(touched), untouched,
                                       text_checks.scope(change, touched, originals, after),
                                       text_checks.parses(touched, after)) if c is not None]
        if _failed(verdict):
            return
        verdict.checks += await self._static_checks(change, touched, originals, after, sources, before, targets)
        if _failed(verdict):
            return
        if change.kind == ChangeKind.REPAIR:  # check 6 for a repaired test, on the unchanged code
            verdict.checks += await repair.run_checks(self.sandbox, await self.baseline(), self.sources, change,
                                                      self._timeout, self._blame, RERUNS)
            return
        measured = [p for p in sources if after.get(p) is not None]
        measured += [p for p in change.improves if p not in measured]
        verdict.checks += await self._tests(measured, change.kind, change.improves, touched, originals, additions)

    async def _applied(self, checked: Applied, verdict: Verdict,
                       originals: dict[str, bytes | None]) -> dict[str, bytes | None] | None:
        """Apply the checked diff to the copy: the touched files' content after it (None: it did not apply,
        why in `verdict`), their hashes before and after recorded in `verdict`."""
        copy = self.sandbox.copy
        try:
            await apply_checked(copy, checked, self.sandbox.base / "data")
        except PatchError as exc:
            verdict.bad_input = str(exc)
            return None
        touched = changed(self._pristine, await asyncio.to_thread(tree_hashes, copy))
        for p in touched:
            originals.setdefault(p, None)
        after = {p: _read(copy / p) for p in touched}
        verdict.touched = touched
        verdict.before_sha = {p: sha256(originals[p]) for p in touched}
        verdict.after_sha = {p: sha256(b) for p, b in after.items()}
        verdict.after_content = after
        verdict.checks.append(Check(name="applies", passed=True,
                                    detail=f"git apply -p{checked.strip}: {len(touched)} file(s) changed",
                                    measured={"files": touched}))
        return after

    async def _static_checks(self, change: Change, touched: list[str], originals: dict[str, bytes | None],
                             after: dict[str, bytes | None], sources: list[str], before: finding_checks.Before,
                             targets: list[tuple[Finding, measure.Key]]) -> list[Check]:
        """Checks 4-5b, nothing run but the analyzers: the kind rules, the findings, the project's rules, and
        its declared linters when everything else passed."""
        checks = text_checks.kind_checks(change, touched, originals, after)
        checks += project_rules.text_checks(self.rules, change, touched, originals, after)
        checks += await self._findings(change, sources, before, targets)
        if all(c.passed for c in checks):
            checks.append(await project_rules.linter_check(
                self.rules, self.sandbox, self.ctx.trusted, touched, originals, after))
        return checks

    async def _screened(self, change: Change, verdict: Verdict) -> Applied | None:
        """The diff checked by git, before it is applied; None (and why in `verdict`) when it is refused."""
        try:
            screen(change.diff, self.max_patch_bytes)
            checked = await check_diff(self.sandbox.copy, change.diff, self.sandbox.base / "data")
        except PatchError as exc:
            verdict.bad_input = str(exc)
            return None
        if outside := self._outside(checked.paths):
            verdict.checks.append(outside)
            return None
        return checked

    def _outside(self, paths: list[str]) -> Check | None:
        """A path of the project that leads out of it through a symlink: the copy holds that link's content,
        so the change would verify there and then be written outside (refused, never verified)."""
        out = []
        for p in paths:
            try:
                confined(self.ctx.root, p)
            except OutsideRoot as exc:
                out.append(f"{p} → {exc.resolved}")
        return Check(name="inside-project", passed=False, measured={"outside": out},
                     detail=f"refused: resolves outside the project through a symlink: {'; '.join(out[:5])}") \
            if out else None

    async def _findings(self, change: Change, sources: list[str], before: finding_checks.Before,
                        targets: list[tuple[Finding, measure.Key]]) -> list[Check]:
        live = [p for p in sources if (self.sandbox.copy / p).exists()]
        after, errors = await measure.findings_on(self.copy_ctx, live, tuple(before))
        if errors:
            return [Check(name="findings", passed=False, detail="could not measure: " + "; ".join(errors))]
        copy = self.sandbox.copy
        out = [finding_checks.finding_gone(targets, before, after, copy)] if targets else []
        out.append(finding_checks.no_new_findings(change_checks(), before, after, live, copy))
        if change.kind == ChangeKind.DOCSTRING and "docstrings" in before:
            out.append(finding_checks.fewer_missing_docstrings(before, after))
        return out

    async def _tests(self, sources: list[str], kind: ChangeKind, improves: list[str], touched: list[str],
                     originals: dict[str, bytes | None], additions: judging.Additions) -> list[Check]:
        base = await self.baseline()
        if base is None:
            return [Check(name="tests", passed=False,
                          detail="not run: workspace not trusted (project code is never run), "
                                 "so the change cannot be verified")]
        if base.error:
            return [Check(name="tests", passed=False, detail=f"baseline suite could not run: {base.error}")]
        if not base.passed and kind not in (ChangeKind.DOCSTRING, ChangeKind.NOSEC):
            # Nothing can show that a behaviour change works; a docstring or a comment has its AST proof.
            # A suite whose every test fails or does not even collect (a missing test dependency) shows
            # nothing either: "no test newly fails" would hold for any change.
            if not base.outcomes:
                why = "the project has no tests that pytest collects"
            elif not base.failed:
                why = f"no test of the project passes before the change (all {len(base.skipped)} skipped)"
            else:
                broken = sorted(base.failed)
                why = (f"no test of the project passes before the change ({len(broken)} failing or not "
                       f"collected: {', '.join(broken[:3])})")
            return [Check(name="tests", passed=False, detail=f"{why}, so a code change cannot be shown to work")]
        code_changed = any(not self._judges.is_test_side(p) for p in touched)
        # The original tests judge the changed code: its own test files are put back as they were (new ones
        # taken out) for these runs. With no code changed, that tree is the baseline's: nothing to re-run.
        async with self._original_tests(touched, originals):
            run = await run_suite(self.sandbox, sources, timeout=self._timeout) if code_changed else base
            if run.error:
                return [Check(name="tests", passed=False, detail=f"the suite could not run: {run.error}")]
            newly, flaky = await self._blame(sorted(run.failed - base.failed))
        checks = [suite_checks.tests_check(base, run, newly, flaky, RERUNS)]
        extra = None
        if additions:  # run alone, so nothing they do at import or in a hook can reach the judging run
            extra = await run_suite(self.sandbox, sources, additions.targets, timeout=self._timeout)
            checks.append(suite_checks.additions_check(additions, extra))
        after = suite_checks.combined_coverage(run, None if extra is None or extra.error else extra)
        checks += suite_checks.coverage_checks(sources, base, after, improves if kind == ChangeKind.TESTS else None)
        return checks

    async def _blame(self, newly: list[str]) -> tuple[list[str], list[str]]:
        """(broken, flaky): a newly failing test is re-run; failing again it is broken."""
        flaky: list[str] = []
        rerunnable = [t for t in newly if not t.startswith("collect:")]
        if rerunnable:
            again = [await run_suite(self.sandbox, [], rerunnable, timeout=self._timeout) for _ in range(RERUNS)]
            flaky = [t for t in rerunnable if any("passed" in r.outcomes.get(t, []) for r in again)]
        return [t for t in newly if t not in flaky], flaky

    @contextlib.asynccontextmanager
    async def _original_tests(self, touched: list[str], originals: dict[str, bytes | None]) -> AsyncIterator[None]:
        copy = self.sandbox.copy
        changed_tests = {p: _read(copy / p) for p in touched if self._judges.is_test_side(p)}
        _put(copy, {p: originals.get(p) for p in changed_tests})
        try:
            yield
        finally:
            _put(copy, changed_tests)

    async def _restore(self, originals: dict[str, bytes | None]) -> None:
        if self.sandbox is None:
            return
        _put(self.sandbox.copy, originals)
        drift = changed(self._pristine, await asyncio.to_thread(tree_hashes, self.sandbox.copy))
        if drift:  # something other than the change wrote to the copy: start from a fresh one
            await asyncio.to_thread(self.sandbox.cleanup)
            self.sandbox = await asyncio.to_thread(Sandbox.create, self.ctx.root, self.ctx.python, "empathy-verify-")
            self.copy_ctx = replace(self.copy_ctx, root=self.sandbox.copy)
            self._pristine = await asyncio.to_thread(tree_hashes, self.sandbox.copy)


class _Unmeasurable(Exception):
    pass


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def _put(copy: Path, files: dict[str, bytes | None]) -> None:
    """Write each file (None: remove it) into the copy."""
    for p, data in files.items():
        target = copy / p
        if data is None:
            if target.exists():
                target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _failed(verdict: Verdict) -> bool:
    return any(not c.passed for c in verdict.checks)


def _targets(change: Change, copy: Path) -> list[tuple[Finding, measure.Key]]:
    """The claimed findings, each to be gone after the change (a repaired test's: it passes, in check 6)."""
    return [] if change.kind == ChangeKind.REPAIR else [(f, measure.finding_key(f, copy)) for f in change.findings]


def _analyzers_for(change: Change) -> list[str]:
    names = list(change_checks())
    for f in change.findings:
        if f.tool not in names and change.kind != ChangeKind.REPAIR:  # a failing test: check 6 runs it
            names.append(f.tool)
    if change.kind == ChangeKind.DOCSTRING and "docstrings" not in names:
        names.append("docstrings")
    return names




async def verify_patch(root: str | os.PathLike[str], diff: str, python: str | None = None,
                       trusted: bool = True, max_bytes: int | None = None) -> Verdict:
    """A user's patch, verified on its own (kind `patch`: nothing may get worse). A binary patch or one over
    `max_bytes` (default: the project's `max_patch_bytes`) is refused before any copy is made."""
    verifier = Verifier.for_project(root, python=python, trusted=trusted)
    if max_bytes is not None:
        verifier.max_patch_bytes = max_bytes
    try:
        screen(diff, verifier.max_patch_bytes)
    except PatchError as exc:
        return Verdict(change_id="patch", verified=False, bad_input=str(exc))
    async with verifier:
        return await verifier.verify(Change(id="patch", agent="user", kind=ChangeKind.PATCH, diff=diff))
