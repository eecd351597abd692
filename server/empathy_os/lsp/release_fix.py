"""`empathy.server.releaseFix` ("Make Release-Ready…"): the release-fix plan (app/release_fix.py) run in
the daemon's worker, answered with one WorkspaceEdit holding the change set that was measured on a copy.

The edit groups its entries by the gate they move (a change annotation per gate, each needing
confirmation), which VS Code's Refactor Preview shows as one group per gate with nothing ticked until the
user looks. New test files are create-file operations that never overwrite; a change to an existing file
is bound to the version of the open document whose text was checked to be the verified one, so the editor
refuses it if the user typed meanwhile. The daemon itself writes nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.protocol import default_converter

from empathy_os.app.wire import verdict_from_wire
from empathy_os.confine import OutsideRoot, confined
from empathy_os.lsp import command_ids as ids
from empathy_os.lsp.arguments import ReleaseFixArgs
from empathy_os.lsp.edits import can_create_files, line_edits, verified_text
from empathy_os.lsp.progress import RequestFailed, WorkDone, guarded, link_request_cancel, run_in_child
from empathy_os.lsp.requests import on_project

if TYPE_CHECKING:
    from empathy_os.lsp.server import EmpathyServer

GATE_LABELS = {
    "min_coverage": "Coverage: new tests",
    "max_critical_issues": "Security: verified fixes",
    "min_quality_score": "Quality: verified fixes",
    "min_doc_coverage": "Documentation: docstrings",
}
_ZERO = types.Range(types.Position(0, 0), types.Position(0, 0))


def _file_ops(ls: EmpathyServer, root: Path, verdict: Any, gate: str) -> list[Any] | str:
    """The document changes making one verified change, or why it cannot be offered (the reason)."""
    ops: list[Any] = []
    for rel in verdict.touched:
        try:
            path = confined(root, rel)
        except OutsideRoot as exc:
            return str(exc)
        new, uri = verdict.after_content.get(rel), path.as_uri()
        if new is None:
            return f"{rel}: the change deletes a file, which a previewed edit does not offer"
        if verdict.before_sha.get(rel) is None:  # a new file: created, never overwriting one made since
            if path.exists():
                return f"{rel} exists now; not overwritten"
            ops.append(types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False),
                                        annotation_id=gate))
            ops.append(types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[types.AnnotatedTextEdit(range=_ZERO, new_text=new.decode("utf-8"), annotation_id=gate)]))
            continue
        current = verified_text(ls, path, verdict.before_sha.get(rel))
        if current is None:
            return f"{rel} changed since it was verified"
        text, version = current
        edits = [types.AnnotatedTextEdit(range=e.range, new_text=e.new_text, annotation_id=gate)
                 for e in line_edits(text, new.decode("utf-8"))]
        ops.append(types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=edits))
    return ops


def workspace_edit(ls: EmpathyServer, root: Path, fix: dict[str, Any],
                   units: list[tuple[list[str], Any]]) -> tuple[types.WorkspaceEdit, dict[str, str]]:
    """(one edit for the measured set grouped by gate, {change id: why it is not offered}).

    A unit is written as verified: the change set (every code change, combined) or one new test file. A
    change set that moves several gates is one group named after all of them."""
    gate_of = {c["id"]: c.get("gate") or "other" for c in fix.get("changes", [])}
    ops: list[Any] = []
    not_offered: dict[str, str] = {}
    per_group: dict[str, int] = {}
    for change_ids, verdict in units:
        group = "+".join(dict.fromkeys(gate_of.get(i, "other") for i in change_ids))
        made = _file_ops(ls, root, verdict, group)
        if isinstance(made, str):
            not_offered.update(dict.fromkeys(change_ids, made))
            continue
        ops += made
        per_group[group] = per_group.get(group, 0) + len(change_ids)
    annotations = {group: types.ChangeAnnotation(
        label=" + ".join(GATE_LABELS.get(g, g) for g in group.split("+")), needs_confirmation=True,
        description=f"{n} verified change(s) for {group.replace('+', ', ')}") for group, n in per_group.items()}
    return types.WorkspaceEdit(document_changes=ops, change_annotations=annotations), not_offered


async def run_release_fix(ls: EmpathyServer, args: ReleaseFixArgs) -> dict[str, Any]:
    link_request_cancel(ls, asyncio.current_task())  # type: ignore[arg-type]
    root = ls.resolve_root(args.root)
    settings = ls.settings_for_run()  # a revocation of trust cancels it (it runs the tests)
    if not settings.trusted:
        raise RequestFailed("workspace is not trusted: making a release ready runs the project's tests")
    if blocked := can_create_files(ls):
        raise RequestFailed(f"cannot offer the change set in this editor: {blocked}")
    from empathy_os.app.requests import ReleaseFixRequest

    request = on_project(ReleaseFixRequest, settings, root, gates=settings.gates.quality_gates())
    async with WorkDone(ls, "Empathy: making the release ready", ls.client_token()) as progress:
        answer = await run_in_child(request, progress.report)
    units = [(unit["ids"], verdict_from_wire(unit["verdict"])) for unit in answer["units"]]
    edit, not_offered = workspace_edit(ls, root, answer["fix"], units)
    return {"root": str(root), "report": answer["report"], "fix": answer["fix"], "not_offered": not_offered,
            "edit": default_converter().unstructure(edit)}


def register(ls: EmpathyServer) -> None:
    @ls.command(ids.RELEASE_FIX)
    @guarded
    async def release_fix(ls, args: ReleaseFixArgs) -> dict[str, Any]:
        return await run_release_fix(ls, args)
