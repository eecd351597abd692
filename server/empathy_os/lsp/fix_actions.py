"""Verified fixes in the editor: "Fix `RULE` (verified)" / "Add docstring (verified)" code actions, and the
`empathy.server.fix` / `empathy.server.verify` commands (the CLI's JSON).

Nothing runs when the menu opens: the action carries a command, and verification (a private copy, the
project's tests) runs when the user picks it, inside cancellable work-done progress, off the server's
loop, in the daemon's worker process (lsp/worker.py). A verified change comes back as `workspace/applyEdit` bound to the version of the document the
change was verified against, so the editor refuses it if the user typed meanwhile; the server writes no
file itself. A rejected change becomes a message with the measured reasons.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from empathy_os.app.wire import fix_report_from_wire, verdict_from_wire
from empathy_os.confine import OutsideRoot, confined
from empathy_os.lsp import command_ids as ids
from empathy_os.lsp.arguments import FixArgs, VerifyArgs
from empathy_os.lsp.diagnostics import SOURCE, diagnostic_data, uri_to_path
from empathy_os.lsp.edits import line_edits, verified_text
from empathy_os.lsp.progress import WorkDone, guarded, link_request_cancel, run_in_child
from empathy_os.lsp.requests import on_project

if TYPE_CHECKING:
    from empathy_os.lsp.server import EmpathyServer

def actions_for(ls: EmpathyServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Called from the code-action handler: one verified-fix action per finding whose analyzer's spec names a
    fixer agent and an action title (ruff's, docstrings', a plug-in's)."""
    from empathy_os.analyzers.specs import spec_of  # not at start-up: it imports the analyzers

    uri = params.text_document.uri
    out: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE:
            continue
        data = diagnostic_data(diagnostic)
        tool, rule, line = data.get("tool"), str(diagnostic.code or ""), data.get("line")
        spec = spec_of(tool) if isinstance(tool, str) else None
        if spec is None or spec.fix_title is None or not rule:
            continue
        title = spec.fix_title.format(rule=rule)
        args = {"uri": uri, "rules": [rule], "agents": [spec.fixer], "apply": True,
                "line": int(line) if isinstance(line, int) else diagnostic.range.start.line + 1}
        out.append(types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                                    command=types.Command(title=title, command=ids.FIX, arguments=[args])))
    return out


def _document_edits(ls: EmpathyServer, root: Path, verdict: Any) -> tuple[list[types.TextDocumentEdit], str | None]:
    """The edits making a verified change in the editor's documents, each bound to the version whose text
    was checked to be the verified one; and why they cannot be made, if so: a touched file a symlink leads
    out of the project (the editor would write through it), or whose text is not the verified one (stale),
    or that the change deletes (an edit cannot)."""
    try:
        for rel in verdict.touched:
            confined(root, rel)
    except OutsideRoot as exc:
        return [], str(exc)
    changes: list[types.TextDocumentEdit] = []
    stale = []
    for rel in verdict.touched:
        path = root / rel
        current = verified_text(ls, path, verdict.before_sha.get(rel))
        new = verdict.after_content.get(rel)
        if current is None or new is None:
            stale.append(rel)
            continue
        text, version = current
        changes.append(types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            edits=line_edits(text, new.decode("utf-8"))))
    return changes, _stale_reason(stale) if stale else None


def _edit_json(edit: types.TextEdit) -> dict[str, Any]:
    r = edit.range
    return {"range": {"start": {"line": r.start.line, "character": r.start.character},
                      "end": {"line": r.end.line, "character": r.end.character}}, "newText": edit.new_text}


def _stale_reason(stale: list[str]) -> str:
    return f"{', '.join(stale)} changed since it was verified"


def _file_edits(ls: EmpathyServer, root: Path, verdict: Any) -> tuple[list[dict[str, Any]], str | None]:
    edits, why_not = _document_edits(ls, root, verdict)
    if why_not:
        return [], why_not
    return [{"uri": e.text_document.uri, "path": rel, "version": e.text_document.version,
             "before_sha256": verdict.before_sha.get(rel), "edits": [_edit_json(t) for t in e.edits]}
            for rel, e in zip(verdict.touched, edits, strict=True)], None


def _edits_json(ls: EmpathyServer, root: Path, report: Any, data: dict[str, Any]) -> None:
    """Adds `edits` (or `stale`) to what the extension previews: the change set as one entry of `changes`
    when it holds several (its members say `in_set`), and each verified change outside it (the boost's new
    test files, a set of one)."""
    from empathy_os.changes.workflow import writable

    units = {ids[0]: verdict for ids, verdict in writable(report)}
    by_id = {r.change.id: r for r in report.results}
    for change in data["changes"]:
        result = by_id.get(change["id"])
        if result is not None and result.apart:
            change["stale"] = result.apart
        elif result is not None and change["id"] in units and not result.in_set:
            _attach(change, *_file_edits(ls, root, result.verdict))
    if report.change_set is not None and len(report.change_set.ids) > 1:
        entry = {**data["change_set"], "agent": "change_set", "kind": report.change_set.change.kind.value}
        _attach(entry, *_file_edits(ls, root, report.change_set.verdict))
        data["changes"].append(entry)


def _attach(change: dict[str, Any], edits: list[dict[str, Any]], stale: str | None) -> None:
    if stale:
        change["stale"] = stale
    else:
        change["edits"] = edits


async def _send_edits(ls: EmpathyServer, root: Path, report: Any) -> list[dict[str, Any]]:
    """One applyEdit for the change set (and one per other verified unit), bound to the open documents'
    versions; refused when the editor's text is not what was verified."""
    from empathy_os.changes.workflow import writable

    applied = []
    labels = {r.change.id: r.change.description for r in report.results}
    for members, verdict in writable(report):
        changes, why_not = _document_edits(ls, root, verdict)
        if why_not:
            applied += [{"id": cid, "applied": False, "reason": why_not} for cid in members]
            continue
        label = labels.get(members[0], "") if len(members) == 1 else f"{len(members)} verified changes"
        answer = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
            edit=types.WorkspaceEdit(document_changes=changes), label=label[:80]))
        applied += [{"id": cid, "applied": bool(answer.applied), "reason": answer.failure_reason}
                    for cid in members]
    return applied


def _scope(ls: EmpathyServer, args: FixArgs) -> tuple[Path, list[str] | None]:
    """The project and the files (relative) a fix request is about; InvalidParams for a uri that is not a
    file of that project (or of any workspace folder)."""
    files = []
    for uri in ([args.uri] if args.uri else []) + list(args.uris or []):
        path = uri_to_path(uri)
        if path is None or not path.is_file():
            raise JsonRpcInvalidParams(f"uri: not a file on disk: {uri}")
        files.append(path.resolve())
    root = ls.resolve_root(args.root) if args.root or not files else ls.root_for(files[0])
    outside = [str(p) for p in files if not p.is_relative_to(root)]
    if outside:
        raise JsonRpcInvalidParams(f"uri: not inside the project {root}: {', '.join(outside)}")
    return root, [p.relative_to(root).as_posix() for p in files] or None


async def run_fix_command(ls: EmpathyServer, args: FixArgs) -> dict[str, Any]:
    link_request_cancel(ls, asyncio.current_task())  # type: ignore[arg-type]
    root, paths = _scope(ls, args)
    settings = ls.settings_for_run()
    title = f"Empathy: verifying a fix for {', '.join(args.rules)}" if args.rules else "Empathy: verified fixes"

    from empathy_os.app.requests import FixRequest

    request = on_project(FixRequest, settings, root, rules=args.rules, paths=paths, agents=args.agents,
                         lines=[args.line] if args.line is not None else None)
    async with WorkDone(ls, title, ls.client_token()) as progress:
        report = fix_report_from_wire((await run_in_child(request, progress.report))["wire"])

    data = report.to_json()
    if args.apply:
        data["applied"] = await _send_edits(ls, root, report)
    elif args.edits:
        _edits_json(ls, root, report, data)
    verified = [r for r in report.results if r.verdict.verified]
    if not verified and not args.edits:  # the extension's Fix Findings… shows its own report
        reasons = [f"{r.change.description}: {'; '.join(r.verdict.reasons)}" for r in report.results]
        reasons += [why for _, why in report.skipped]
        ls.show("Empathy: no verified fix. " + (" | ".join(reasons) or "no finding to fix here"),
                types.MessageType.Warning)
    return data


async def run_verify_command(ls: EmpathyServer, args: VerifyArgs) -> dict[str, Any]:
    link_request_cancel(ls, asyncio.current_task())  # type: ignore[arg-type]
    root = ls.resolve_root(args.root)
    settings = ls.settings_for_run()
    from empathy_os.app.requests import VerifyRequest

    request = on_project(VerifyRequest, settings, root, patch=args.patch)
    async with WorkDone(ls, "Empathy: verifying a patch", ls.client_token()) as progress:
        verdict = verdict_from_wire((await run_in_child(request, progress.report))["wire"])
    if verdict.bad_input:
        raise JsonRpcInvalidParams(f"patch: {verdict.bad_input}")
    return {"root": str(root), **verdict.to_json()}


def register(ls: EmpathyServer) -> None:
    @ls.command(ids.FIX)
    @guarded
    async def fix(ls, args: FixArgs) -> dict[str, Any]:
        return await run_fix_command(ls, args)

    @ls.command(ids.VERIFY)
    @guarded
    async def verify(ls, args: VerifyArgs) -> dict[str, Any]:
        return await run_verify_command(ls, args)
