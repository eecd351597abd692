"""Live coverage: after a release prep, a save re-runs only the tests it affects and republishes coverage.

The per-test data is the coverage analyzer's map (`.empathy/cache/coverage-map.json`, written by the
release prep's worker; analyzers/coverage_map says how tests are chosen). On save of a Python file of a
trusted workspace that has such a map, the coverage analyzer runs again here: it plans from the map, runs
the affected tests in the project's interpreter (its own process group, killed on cancel), merges and
stores. The tests run in a child forked from the workspace's warm interpreter (lsp/warm_tests.py: pytest,
coverage and the tests' third-party imports loaded once; started after a release prep or by the first
save, rebuilt when stale, stopped with the workspace or its trust). One refresh per workspace at a time: a newer save cancels the running one and waits for it to be
gone before starting (the cancelled run stored nothing, so the next plan still sees every change). Each
refresh runs inside work-done progress (cancellable from the client) and ends with coverage diagnostics
replaced, and an `empathy/coverage` notification (the figure and how it was obtained) for the status item
and the editor's coverage view, which then asks `empathy.server.coverage` for the per-file data.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from empathy_os.lsp import command_ids as ids
from empathy_os.lsp import lifecycle
from empathy_os.lsp.arguments import CoverageArgs
from empathy_os.lsp.diagnostics import publish
from empathy_os.lsp.progress import WorkDone, guarded

if TYPE_CHECKING:
    from empathy_os.analyzers.contract import ProjectContext
    from empathy_os.lsp.server import EmpathyServer
    from empathy_os.lsp.warm_tests import LiveWorker

log = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 0.02  # "save all" sends a burst of saves (ms apart): they make one refresh


@dataclass
class Live:
    """Per workspace root: the running refresh and what the last run said."""

    task: asyncio.Task[None] | None = None
    last: dict[str, Any] = field(default_factory=dict)
    worker: LiveWorker | None = None
    starting: asyncio.Lock = field(default_factory=asyncio.Lock)


def _live(ls: EmpathyServer, root: Path) -> Live:
    return ls.live_coverage.setdefault(str(root), Live())


def has_map(root: Path) -> bool:
    from empathy_os.analyzers.coverage_map import MAP_FILE

    return (root / ".empathy" / "cache" / MAP_FILE).is_file()


def on_save(ls: EmpathyServer, path: Path) -> None:
    """A Python file was saved: refresh its project's coverage if a release prep left per-test data."""
    if not ls.settings.trusted or not ls.in_workspace(path):
        return  # project code runs only in a trusted workspace
    root = ls.root_for(path)
    if not has_map(root):
        return  # no release prep (with coverage) yet: nothing to keep live
    schedule(ls, root)


def schedule(ls: EmpathyServer, root: Path) -> asyncio.Task[None]:
    live = _live(ls, root)
    previous = live.task
    if previous is not None and not previous.done():
        previous.cancel()  # a newer save supersedes it
    task = asyncio.ensure_future(_refresh(ls, root, previous))
    live.task = task
    lifecycle.track(task)
    task.add_done_callback(_log_failure)
    return task


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("coverage refresh failed: %s", task.exception())


async def _refresh(ls: EmpathyServer, root: Path, previous: asyncio.Task[None] | None) -> None:
    if previous is not None:  # never two runs over one project: wait until the superseded one is gone
        await asyncio.gather(previous, return_exceptions=True)
    await asyncio.sleep(DEBOUNCE_SECONDS)
    await ls.release_preps.idle(str(root))  # a release prep measures coverage itself; then we catch up
    from empathy_os.analyzers import run_analyzer
    from empathy_os.analyzers.project import load_project

    started = time.perf_counter()
    async with WorkDone(ls, "Empathy: coverage of the affected tests") as progress:
        progress.report("planning from the per-test data", 0)
        try:
            # Off the loop: finding the project's interpreter may ask poetry or hatch (a process).
            ctx = await asyncio.to_thread(load_project, root, python=ls.settings.python,
                                          trusted=ls.settings.trusted)
        except ValueError as exc:
            log.warning("cannot refresh coverage of %s: %s", root, exc)
            return
        ctx.use_cache = True
        worker = await warm_worker(ls, root, ctx)
        ctx.test_launcher = worker.launch if worker is not None else None
        warm_before = worker.warm_runs if worker is not None else 0
        result = await run_analyzer("coverage", ctx)
        progress.report("publishing coverage", 100)
    warm_after = worker.warm_runs if worker is not None else 0
    if worker is not None and worker.over_budget():  # memory bound: the next refresh starts a fresh one
        await stop_worker(_live(ls, root))
    elif worker is not None:
        await worker.reparse()
    seconds = time.perf_counter() - started
    if not result.ran:
        notify(ls, root, {"ran": False, "error": result.error, "seconds": round(seconds, 3)})
        return
    for changed in sorted(ls.store.replace_tool(root, "coverage", result.findings)):
        publish(ls, ls.store, Path(changed), ls.open_version(Path(changed)))
    m = result.metrics
    notify(ls, root, {
        "ran": True, "run": m.get("coverage_run") if not result.cached else "unchanged",
        "coverage_percent": m.get("coverage_percent"), "tests_rerun": m.get("tests_rerun") if not result.cached else 0,
        "tests_reused": m.get("tests_reused"), "tests_failed": m.get("tests_failed"),
        "how": m.get("coverage_how"), "seconds": round(seconds, 3), "warm": warm_after > warm_before})


async def warm_worker(ls: EmpathyServer, root: Path, ctx: ProjectContext) -> LiveWorker | None:
    """The workspace's warm interpreter, (re)started when missing or stale; None when it cannot start
    (the refresh then runs cold)."""
    from empathy_os.analyzers.coverage_map import load_map
    from empathy_os.lsp.warm_tests import LiveWorker, WarmGone, project_key, state_measured, state_test_files

    live = _live(ls, root)
    async with live.starting:
        if not ls.settings.trusted or not ctx.trusted:
            return None
        key = await asyncio.to_thread(project_key, ctx)
        if live.worker is not None and live.worker.current_key(key):
            return live.worker
        await stop_worker(live)
        state = await asyncio.to_thread(load_map, ctx)
        try:
            live.worker = await LiveWorker.start(ctx, state_test_files(state), state_measured(state))
        except (WarmGone, OSError, TimeoutError, ValueError) as exc:
            log.warning("no warm interpreter for %s (refreshes run cold): %s", root, exc)
        if not ls.settings.trusted or ls.live_coverage.get(str(root)) is not live:
            await stop_worker(live)  # trust revoked or the folder removed while it started
        return live.worker


async def stop_worker(live: Live) -> None:
    worker, live.worker = live.worker, None
    if worker is not None:
        await worker.close()


def stop_workers(ls: EmpathyServer, roots: list[str] | None = None) -> None:
    """Stop the warm interpreters: all (trust revoked, exit), or those of `roots` (folders removed from the
    workspace: their state is forgotten too, so a worker still starting there stops once it is up)."""
    for root, live in list(ls.live_coverage.items()):
        if roots is None or root in roots:
            lifecycle.track(asyncio.ensure_future(stop_worker(live)))
        if roots is not None and root in roots:
            del ls.live_coverage[root]


async def prestart(ls: EmpathyServer, root: Path) -> None:
    """After a release prep: the warm interpreter is started now, so the first save is fast too."""
    from empathy_os.analyzers.project import load_project

    try:
        ctx = await asyncio.to_thread(load_project, root, python=ls.settings.python, trusted=ls.settings.trusted)
    except ValueError:
        return
    await warm_worker(ls, root, ctx)


def after_release_prep(ls: EmpathyServer, root: Path, data: dict[str, Any]) -> None:
    """The release prep measured every test (or the affected ones): tell the status item and the view."""
    metrics = data.get("metrics") or {}
    if metrics.get("coverage_percent") is None or not has_map(root):
        return
    notify(ls, root, {"ran": True, "run": "release prep", "coverage_percent": metrics["coverage_percent"],
                      "tests_rerun": None, "tests_reused": None, "tests_failed": metrics.get("tests_failed"),
                      "how": "release prep", "seconds": data.get("duration_seconds")})
    if ls.settings.trusted:
        lifecycle.track(asyncio.ensure_future(prestart(ls, root)))


def notify(ls: EmpathyServer, root: Path, payload: dict[str, Any]) -> None:
    payload = {"root": str(root), "root_uri": root.as_uri(), **payload}
    _live(ls, root).last = payload
    ls.protocol.notify(ids.COVERAGE_NOTIFICATION, payload)


def per_file(ls: EmpathyServer, root: Path) -> dict[str, Any]:
    """The `empathy.server.coverage` answer: the last merged report, per file."""
    from empathy_os.analyzers.contract import ProjectContext
    from empathy_os.analyzers.coverage_map import load_map

    base: dict[str, Any] = {"root": str(root), "root_uri": root.as_uri(), "last": _live(ls, root).last}
    if not ls.settings.trusted:
        return {**base, "measured": False, "reason": "workspace not trusted: project code is not run"}
    state = load_map(ProjectContext(root=root))
    if state is None:
        return {**base, "measured": False, "reason": "no coverage measured yet: run Prepare Release"}
    report = state["report"]
    branch = bool(report.get("meta", {}).get("branch_coverage"))
    files = []
    for rel, data in sorted(report["files"].items()):
        summary = data.get("summary", {})
        files.append({
            "path": rel, "uri": (root / rel).as_uri(),
            "statements": {"covered": summary.get("covered_lines", 0), "total": summary.get("num_statements", 0)},
            "branches": {"covered": summary.get("covered_branches", 0), "total": summary.get("num_branches", 0)}
            if branch else None,
            "executed_lines": data.get("executed_lines", []), "missing_lines": data.get("missing_lines", []),
            "executed_branches": data.get("executed_branches", []) if branch else [],
            "missing_branches": data.get("missing_branches", []) if branch else [],
        })
    totals = report.get("totals", {})
    return {**base, "measured": True, "branch": branch, "coverage_percent": totals.get("percent_covered"),
            "statements": {"covered": totals.get("covered_lines"), "total": totals.get("num_statements")},
            "branches": {"covered": totals.get("covered_branches"), "total": totals.get("num_branches")}
            if branch else None,
            "tests": len(state["tests"]), "files": files}


def register(ls: EmpathyServer) -> None:
    from lsprotocol import types
    from pygls.uris import to_fs_path

    @ls.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls, params: types.DidChangeWorkspaceFoldersParams) -> None:
        gone = [Path(p) for f in params.event.removed or [] if (p := to_fs_path(f.uri))]
        stop_workers(ls, [r for r in ls.live_coverage if any(Path(r).is_relative_to(g) for g in gone)])

    @ls.command(ids.COVERAGE)
    @guarded
    def coverage(ls, args: CoverageArgs) -> dict[str, Any]:  # pygls resolves the hints: no TYPE_CHECKING names
        return per_file(ls, ls.resolve_root(args.root))
