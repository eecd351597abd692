"""`workspace/executeCommand` handlers: thin adapters over the same service calls as the CLI.

Every command takes one JSON object (see arguments.py) and returns JSON. The workflows are imported
inside the handlers so the server answers `initialize` without loading them.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from empathy_os.lsp import command_ids as ids
from empathy_os.lsp import live_coverage
from empathy_os.lsp.arguments import (
    ComposeTeamArgs,
    CoverageBoostArgs,
    GenerateTestsArgs,
    ListTemplatesArgs,
    ReleasePrepArgs,
    StoreBestArgs,
)
from empathy_os.lsp.diagnostics import publish, uri_to_path
from empathy_os.lsp.edits import apply_generated_files, can_create_files
from empathy_os.lsp.progress import RequestFailed, WorkDone, guarded, link_request_cancel, run_in_child
from empathy_os.lsp.requests import build, on_project, run_here

if TYPE_CHECKING:
    from empathy_os.lsp.server import EmpathyServer

log = logging.getLogger(__name__)

UNTRUSTED = ("workspace is not trusted: Empathy does not run project code there, so coverage measurement "
             "and test generation were skipped (static analysis still ran)")


# Context keys that name a file or folder (RunContext's project keys and its store).
_CONTEXT_PATHS = ("project_path", "path", "module_path", "root", "store_path")


def register(ls: EmpathyServer) -> None:
    @ls.command(ids.RELEASE_PREP)
    @guarded
    async def release_prep(ls, args: ReleasePrepArgs) -> dict[str, Any]:
        link_request_cancel(ls, asyncio.current_task())  # type: ignore[arg-type]
        root = ls.resolve_root(args.root)
        return await ls.release_preps.run(str(root), lambda: run_release_prep(ls, root, args))

    @ls.command(ids.TEST_COVERAGE_BOOST)
    @guarded
    async def test_coverage_boost(ls, args: CoverageBoostArgs) -> dict[str, Any]:
        root = ls.resolve_root(args.root)
        return await run_boost(ls, root, args.only, args.target, args.dry_run)

    @ls.command(ids.GENERATE_TESTS_FOR)
    @guarded
    async def generate_tests_for(ls, args: GenerateTestsArgs) -> dict[str, Any]:
        path = uri_to_path(args.uri)
        if path is None or not path.is_file():
            raise JsonRpcInvalidParams(f"uri: not a file on disk: {args.uri}")
        root = ls.root_for(path)
        only = f"{path.resolve().relative_to(root).as_posix()}:{args.symbol}"
        return await run_boost(ls, root, only, None, False)

    @ls.command(ids.COMPOSE_TEAM)
    @guarded
    async def compose_team(ls, args: ComposeTeamArgs) -> dict[str, Any]:
        return await run_compose(ls, args)

    @ls.command(ids.LIST_TEMPLATES)
    @guarded
    def list_templates(ls, args: ListTemplatesArgs) -> list[dict[str, Any]]:
        from empathy_os.orchestration import get_all_templates

        return [t.model_dump(mode="json") for t in get_all_templates()]

    @ls.command(ids.STORE_BEST)
    @guarded
    async def store_best(ls, args: StoreBestArgs) -> dict[str, Any]:
        return await run_store_best(ls, args)


async def run_compose(ls: EmpathyServer, args: ComposeTeamArgs) -> dict[str, Any]:
    """The plan for a task (not run: running is release prep's and the boost's, with their progress)."""
    from empathy_os.app.requests import ComposeRequest

    context = dict(args.context or {})
    for key in _CONTEXT_PATHS:  # planning reads that project's store: only an opened folder's
        if isinstance(context.get(key), str):
            ls.root_for(Path(context[key]).expanduser(), f"context.{key}")
    if "project_path" not in context and ls.default_root() is not None:
        context["project_path"] = str(ls.default_root())
    result = await run_here(build(ComposeRequest, task=args.task, context=context))
    if result.refused is not None:
        raise JsonRpcInvalidParams(result.refused["message"])
    return result.plan


async def run_store_best(ls: EmpathyServer, args: StoreBestArgs) -> dict[str, Any]:
    """The best learned composition for a task pattern in the workspace's store (never creating it)."""
    from empathy_os.app.requests import StoreQueryRequest

    root = ls.resolve_root(args.root)
    result = await run_here(build(StoreQueryRequest, query="best", root=root, task_pattern=args.task_pattern))
    answer: dict[str, Any] = {"found": bool(result.configurations), "task_pattern": args.task_pattern,
                              "store": result.store}
    if result.configurations:
        return {**answer, "configuration": result.configurations[0]}
    return {**answer, "reason": result.reason}


async def run_release_prep(ls: EmpathyServer, root: Path, args: ReleasePrepArgs) -> dict[str, Any]:
    from empathy_os.app.requests import ReleasePrepRequest, gate_thresholds

    settings = ls.settings_for_run()
    request = on_project(ReleasePrepRequest, settings, root,
                         gates=gate_thresholds(settings.gates.quality_gates(), args.gates))
    if not settings.trusted:
        ls.show(UNTRUSTED, types.MessageType.Warning)

    async with WorkDone(ls, "Empathy: release prep", ls.client_token()) as progress:
        data = (await run_in_child(request, progress.report))["report"]
        progress.report("publishing diagnostics", 100)

    from empathy_os.analyzers.contract import Finding

    findings = [Finding.model_validate(f) for f in data.get("findings") or []]
    for path in sorted(ls.store.set_project(root, findings)):
        publish(ls, ls.store, Path(path), ls.open_version(Path(path)))
    ls.protocol.notify(ids.REPORT_NOTIFICATION, summary(root, data))
    live_coverage.after_release_prep(ls, root, data)
    return data


def summary(root: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The `empathy/report` payload: the report without its long lists, plus counts."""
    findings = data.get("findings") or []
    by_severity: dict[str, int] = {}
    by_tool: dict[str, int] = {}
    for f in findings:
        by_severity[str(f.get("severity"))] = by_severity.get(str(f.get("severity")), 0) + 1
        by_tool[str(f.get("tool"))] = by_tool.get(str(f.get("tool")), 0) + 1
    out = {k: v for k, v in data.items() if k != "findings"}
    out.update({
        "root": str(root),
        "root_uri": root.as_uri(),
        "findings_total": len(findings),
        "findings_by_severity": by_severity,
        "findings_by_tool": by_tool,
    })
    return out


async def run_boost(
    ls: EmpathyServer, root: Path, only: str | None, target: float | None, dry_run: bool
) -> dict[str, Any]:
    link_request_cancel(ls, asyncio.current_task())  # type: ignore[arg-type]
    settings = ls.settings_for_run()
    if (refused := _refuse_boost(ls, root, only, dry_run)) is not None:
        return refused
    from empathy_os.app.requests import CoverageBoostRequest

    goal = target if target is not None else settings.coverage_target
    title = f"Empathy: generating tests for {only}" if only else "Empathy: coverage boost"
    request = on_project(CoverageBoostRequest, settings, root, only=only, dry_run=dry_run, target=goal)
    async with WorkDone(ls, title, ls.client_token()) as progress:
        answer = await run_in_child(request, progress.report)
    data = answer["report"]
    data["applied"] = [] if dry_run else await _hand_over(ls, root, answer)
    return data


def _refuse_boost(ls: EmpathyServer, root: Path, only: str | None, dry_run: bool) -> dict[str, Any] | None:
    """Why the boost must not start, checked before any work: untrusted (an answer), or an editor that could
    not receive the test files (an error)."""
    if not ls.settings.trusted:
        ls.show(UNTRUSTED, types.MessageType.Warning)
        return {"skipped": True, "reason": UNTRUSTED, "root": str(root), "only": only, "applied": []}
    if not dry_run and (blocked := can_create_files(ls)):
        # The generated files could only be handed over as a create-file edit.
        raise RequestFailed(f"cannot create test files in this editor: {blocked} (use dryRun to see them)")
    return None


async def _hand_over(ls: EmpathyServer, root: Path, answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Ask the editor to create the generated test files; narrow the coverage gaps the kept tests close."""
    from empathy_os.testgen.output import GeneratedTestFile

    applied = await apply_generated_files(ls, root, [GeneratedTestFile(**f) for f in answer["files"]])
    written = [a["path"] for a in applied if a.get("applied")]
    if not written:
        reasons = "; ".join(f"{a['path']}: {a['reason']}" for a in applied if a.get("reason"))
        ls.show("Empathy: no test file created" + (f" ({reasons})" if reasons else ""), types.MessageType.Warning)
        return applied
    ls.show(f"Empathy: created {', '.join(written)}", types.MessageType.Info)
    for rel_path, lines in answer["covered"].items():
        if ls.store.cover_lines(root / rel_path, set(lines)):
            publish(ls, ls.store, root / rel_path, ls.open_version(root / rel_path))
    return applied
