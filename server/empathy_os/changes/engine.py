"""The verification engine: no change is offered unless it was applied in a private copy and shown to work.

`Verifier` holds one copy of the project (a `testgen.sandbox.Sandbox`) and one baseline (the suite's
outcomes and per-file coverage, the findings of each file it has looked at), reused by every change it
verifies; after each change the copy is put back as it was. Checks, in order (cheap ones first; a change
rejected by one is not run through the test suite):

1. applies — `git apply --check` in the copy (a diff that does not apply is bad input, not a rejection);
2. scope — it touched only the files (and lines) it claims;
3. parses — every touched Python file still compiles;
4. kind rules — docstring: the AST with docstrings removed is identical; nosec: the AST is identical;
   refactor: public signatures unchanged and the claimed function's radon complexity lower; tests: only
   new test files;
5. findings — each claimed finding is gone (the same analyzer re-run on the touched files) and bandit and
   ruff report nothing new there; docstring: interrogate's missing count on the touched files fell;
6. tests — the suite passes, except tests that already failed before the change; a test that newly fails
   is re-run twice: failing again it is broken (rejected), passing it is flaky (noted, not blamed);
   no test may disappear; no touched source file has more statements the tests do not run; tests: each
   source file it claims to improve has fewer statements the tests do not run (coverage.py).

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
from empathy_os.analyzers.base import Finding, ProjectContext
from empathy_os.analyzers.project import is_test_file, rel, source_files
from empathy_os.changes import measure, text_checks
from empathy_os.changes.model import Change, ChangeKind, Check, Verdict
from empathy_os.changes.patch import PatchError, apply_checked, check_diff, sha256
from empathy_os.changes.suite import SuiteRun, run_suite
from empathy_os.testgen.sandbox import Sandbox, changed, tree_hashes

STATIC = ("ruff", "bandit")  # "no new findings" is measured with these on every touched source file
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
        copy = self.sandbox.copy
        scratch = self.sandbox.base / "data"
        try:
            checked = await check_diff(copy, change.diff, scratch)
        except PatchError as exc:
            verdict.bad_input = str(exc)
            return
        for p in checked.paths:
            originals[p] = _read(copy / p)
        py_paths = [p for p in checked.paths if p.endswith(".py")]
        sources = [p for p in py_paths if not is_test_file(Path(p)) and originals.get(p) is not None]
        analyzers = _analyzers_for(change)
        try:
            before = {a: await self.static_before(a, sources) for a in analyzers}
        except _Unmeasurable as exc:
            verdict.checks.append(Check(name="findings", passed=False, detail=f"could not measure: {exc}"))
            return
        targets = [(f, measure.finding_key(f, copy)) for f in change.findings]
        await self.baseline()  # on the unchanged copy (measured once, before the first change is applied)
        try:
            await apply_checked(copy, checked, scratch)
        except PatchError as exc:
            verdict.bad_input = str(exc)
            return
        now = await asyncio.to_thread(tree_hashes, copy)
        touched = changed(self._pristine, now)
        for p in touched:
            originals.setdefault(p, None)
        verdict.touched = touched
        verdict.before_sha = {p: sha256(originals[p]) for p in touched}
        after_bytes = {p: _read(copy / p) for p in touched}
        verdict.after_sha = {p: sha256(b) for p, b in after_bytes.items()}
        verdict.after_content = after_bytes
        verdict.checks.append(Check(name="applies", passed=True,
                                    detail=f"git apply -p{checked.strip}: {len(touched)} file(s) changed",
                                    measured={"files": touched}))
        checks = [
            text_checks.scope(change, touched, originals, after_bytes),
            text_checks.parses(touched, after_bytes),
        ]
        verdict.checks += [c for c in checks if c is not None]
        if any(not c.passed for c in verdict.checks):
            return
        verdict.checks += text_checks.kind_checks(change, touched, originals, after_bytes)
        verdict.checks += await self._findings(change, sources, before, targets)
        if any(not c.passed for c in verdict.checks):
            return
        measured = [p for p in sources if after_bytes.get(p) is not None]
        measured += [p for p in change.improves if p not in measured]
        verdict.checks += await self._tests(measured, change.kind, change.improves)

    async def _findings(self, change: Change, sources: list[str], before: dict[str, dict[str, Counter]],
                        targets: list[tuple[Finding, measure.Key]]) -> list[Check]:
        live = [p for p in sources if (self.sandbox.copy / p).exists()]
        after, errors = await measure.findings_on(self.copy_ctx, live, tuple(before))
        if errors:
            return [Check(name="findings", passed=False, detail="could not measure: " + "; ".join(errors))]
        copy = self.sandbox.copy
        out: list[Check] = []
        if targets:
            left = []
            for f, key in targets:
                tool = _analyzer_of(f)
                old = before.get(tool, {}).get(f.path, Counter())
                new = measure.keys([g for g in after.get(tool, []) if g.path == f.path], copy)
                if new[key] >= max(1, old[key]):
                    left.append(f)
            text = "; ".join(f"{f.rule} {f.path}:{f.line}" for f in left)
            out.append(Check(name="finding-gone", passed=not left,
                             detail=f"{len(targets) - len(left)} of {len(targets)} claimed finding(s) gone"
                             + (f"; still reported: {text}" if left else ""),
                             measured={"gone": len(targets) - len(left), "left": len(left)}))
        new_findings: list[str] = []
        for tool in STATIC:
            if tool not in before:
                continue
            for p in live:
                old = before[tool].get(p, Counter())
                fresh = [g for g in after.get(tool, []) if g.path == p]
                extra = measure.keys(fresh, copy) - old
                anchors: dict = {}
                for g in fresh:
                    k = measure.finding_key(g, copy, anchors)
                    if extra[k] > 0:
                        extra[k] -= 1
                        new_findings.append(f"{g.tool} {g.rule} {g.path}:{g.line} {g.message}")
        out.append(Check(name="no-new-findings", passed=not new_findings,
                         detail=("new: " + "; ".join(new_findings[:10])) if new_findings
                         else f"bandit and ruff report nothing new on {len(live)} touched source file(s)",
                         measured={"new": new_findings}))
        if change.kind == ChangeKind.DOCSTRING and "docstrings" in before:
            old_n = sum(sum(v.values()) for v in before["docstrings"].values())
            new_n = len(after.get("docstrings", []))
            out.append(Check(name="docstrings", passed=new_n < old_n,
                             detail=f"interrogate: {old_n} → {new_n} missing docstring(s) in the touched files",
                             measured={"missing_before": old_n, "missing_after": new_n}))
        return out

    async def _tests(self, sources: list[str], kind: ChangeKind, improves: list[str] = ()) -> list[Check]:
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
            else:
                broken = sorted(base.failed)
                why = (f"no test of the project passes before the change ({len(broken)} failing or not "
                       f"collected: {', '.join(broken[:3])})")
            return [Check(name="tests", passed=False, detail=f"{why}, so a code change cannot be shown to work")]
        run = await run_suite(self.sandbox, sources, timeout=self._timeout)
        if run.error:
            return [Check(name="tests", passed=False, detail=f"the suite could not run: {run.error}")]
        newly = sorted(run.failed - base.failed)
        flaky: list[str] = []
        if newly:
            rerunnable = [t for t in newly if not t.startswith("collect:")]
            if rerunnable:
                again = [await run_suite(self.sandbox, [], rerunnable, timeout=self._timeout) for _ in range(RERUNS)]
                flaky = [t for t in rerunnable if any("passed" in r.outcomes.get(t, []) for r in again)]
            newly = [t for t in newly if t not in flaky]
        missing = sorted(set(base.outcomes) - set(run.outcomes))
        passed = not newly and not missing
        parts = [f"{len(run.passed)} passed, {len(run.failed)} failed ({len(base.failed)} failed before the change)"]
        if newly:
            parts.append(f"broken by the change (failed {1 + RERUNS} times): {', '.join(newly[:5])}")
        if flaky:
            parts.append(f"flaky (failed once, passed on a re-run; not blamed): {', '.join(flaky[:5])}")
        if missing:
            parts.append(f"{len(missing)} test(s) no longer run: {', '.join(missing[:5])}")
        detail = "; ".join(parts) + (f"\n{run.tail(1500)}" if newly else "")
        checks = [Check(name="tests", passed=passed, detail=detail,
                        measured={"tests_passed": len(run.passed), "tests_failed": len(run.failed), "broken": newly,
                                  "flaky": flaky, "not_run": missing, "seconds": round(run.duration, 2)})]
        # "Not lower" is counted in statements coverage.py reports missing, not in percent: a fix that deletes
        # a covered line lowers the percentage without leaving any code less tested.
        lower = []
        cov: dict[str, dict[str, float | int | None]] = {}
        for p in sources:
            old, new = base.coverage.get(p), run.coverage.get(p)
            old_pct, new_pct = base.percent(p), run.percent(p)
            cov[p] = {"missing_before": old[1] if old else None, "missing_after": new[1] if new else None,
                      "percent_before": None if old_pct is None else round(old_pct, 2),
                      "percent_after": None if new_pct is None else round(new_pct, 2)}
            if old is not None and (new is None or new[1] > old[1]):
                lower.append(f"{p}: {old[1]} → {'n/a' if new is None else new[1]} statement(s) not run by the "
                             f"tests ({_pct(old_pct)} → {_pct(new_pct)})")
        checks.append(Check(name="coverage", passed=not lower, measured={"files": cov},
                            detail=("lower: " + "; ".join(lower)) if lower else
                            "no touched file has more statements left unrun (coverage.py): "
                            + ", ".join(f"{p} {v['missing_before']} → {v['missing_after']} missed, "
                                        f"{_pct(v['percent_before'])} → {_pct(v['percent_after'])}"
                                        for p, v in cov.items())))
        if kind == ChangeKind.TESTS:
            checks.append(_coverage_gain(improves, cov))
        return checks

    async def _restore(self, originals: dict[str, bytes | None]) -> None:
        if self.sandbox is None:
            return
        copy = self.sandbox.copy
        for p, data in originals.items():
            target = copy / p
            if data is None:
                if target.exists():
                    target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        drift = changed(self._pristine, await asyncio.to_thread(tree_hashes, copy))
        if drift:  # something other than the change wrote to the copy: start from a fresh one
            await asyncio.to_thread(self.sandbox.cleanup)
            self.sandbox = await asyncio.to_thread(Sandbox.create, self.ctx.root, self.ctx.python, "empathy-verify-")
            self.copy_ctx = replace(self.copy_ctx, root=self.sandbox.copy)
            self._pristine = await asyncio.to_thread(tree_hashes, self.sandbox.copy)


class _Unmeasurable(Exception):
    pass


def _coverage_gain(improves: list[str], cov: dict[str, dict[str, float | int | None]]) -> Check:
    """New tests must make the tests run more of what they claim to cover, or they add nothing."""
    flat = [p for p in improves if not (isinstance(cov.get(p, {}).get("missing_before"), int)
                                        and isinstance(cov[p].get("missing_after"), int)
                                        and cov[p]["missing_after"] < cov[p]["missing_before"])]
    if not improves:
        return Check(name="coverage-gain", passed=False, detail="claims no source file to cover")
    gains = ", ".join(f"{p} {cov[p]['missing_before']} → {cov[p]['missing_after']} missed"
                      for p in improves if p in cov)
    detail = (f"no fewer statements left unrun in {', '.join(flat)}; {gains}" if flat
              else f"the tests now run more of the claimed file(s) (coverage.py): {gains}")
    return Check(name="coverage-gain", passed=not flat, measured={p: cov.get(p) for p in improves}, detail=detail)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def _analyzer_of(f: Finding) -> str:
    return {"docstrings": "docstrings", "radon": "radon"}.get(f.tool, f.tool)


def _analyzers_for(change: Change) -> list[str]:
    names = list(STATIC)
    for f in change.findings:
        if _analyzer_of(f) not in names:
            names.append(_analyzer_of(f))
    if change.kind == ChangeKind.DOCSTRING and "docstrings" not in names:
        names.append("docstrings")
    return names




async def verify_patch(root: str | os.PathLike[str], diff: str, python: str | None = None,
                       trusted: bool = True) -> Verdict:
    """A user's patch, verified on its own (kind `patch`: nothing may get worse)."""
    async with Verifier.for_project(root, python=python, trusted=trusted) as verifier:
        return await verifier.verify(Change(id="patch", agent="user", kind=ChangeKind.PATCH, diff=diff))
