"""Workspace edits the daemon asks the editor to apply (it never writes behind the editor's back)."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from empathy_os.confine import OutsideRoot, confined

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer


def can_create_files(ls: LanguageServer) -> str | None:
    """None when the client applies create-file edits, else why not."""
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    if not (workspace and workspace.apply_edit):
        return "the editor does not support workspace/applyEdit"
    if not (edit and edit.document_changes):
        return "the editor does not support documentChanges in workspace edits"
    if types.ResourceOperationKind.Create not in (edit.resource_operations or []):
        return "the editor does not support creating files through workspace edits"
    return None


def verified_text(ls: Any, path: Path, expected_sha256: str | None) -> tuple[str, int | None] | None:
    """(text, version) of `path` as the editor has it (the open document, else the file on disk) when its
    sha256 is the one verification saw; None when it changed since, or cannot be read."""
    version = ls.open_version(path)
    try:
        text = ls.workspace.get_text_document(path.as_uri()).source if version is not None \
            else path.read_text(encoding="utf-8")
    except OSError:
        return None
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != expected_sha256:
        return None
    return text, version


def line_edits(old: str, new: str) -> list[types.TextEdit]:
    """Whole-line edits turning `old` into `new` (line/0 positions need no UTF-16 arithmetic)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append(types.TextEdit(range=types.Range(types.Position(i1, 0), types.Position(i2, 0)),
                                        new_text="".join(b[j1:j2])))
    return edits


async def apply_generated_files(ls: LanguageServer, root: Path, files: list[Any]) -> list[dict[str, Any]]:
    """Create each generated test file through workspace/applyEdit; one outcome per file.

    A file that already exists is left alone (generated tests never overwrite the user's file), and a path
    escaping the workspace is refused.
    """
    outcomes: list[dict[str, Any]] = []
    blocked = can_create_files(ls)
    for generated in files:
        rel, content = str(generated.path), str(generated.content)
        try:
            target = confined(root, rel)
        except OutsideRoot as exc:
            outcomes.append({"path": rel, "applied": False, "reason": str(exc)})
            continue
        if target.exists():
            outcomes.append({"path": rel, "applied": False, "reason": "file already exists; not overwritten"})
            continue
        if blocked:
            outcomes.append({"path": rel, "applied": False, "reason": blocked})
            continue
        uri = target.as_uri()
        edit = types.WorkspaceEdit(document_changes=[
            types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)),
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[types.TextEdit(range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                                      new_text=content)],
            ),
        ])
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label=f"Empathy: create {rel}")
        )
        outcomes.append({
            "path": rel,
            "uri": uri,
            "applied": bool(result and result.applied),
            "reason": None if result and result.applied else
            (getattr(result, "failure_reason", None) or "the editor did not apply the edit"),
        })
    return outcomes


def nosec_edit(
    line_text: str, line: int, rule: str, units: Callable[[str], int] = len
) -> types.TextEdit | None:
    """Append `# nosec <rule>` to a line (0-based `line`), or add the rule to an existing nosec comment.

    `units` measures text in the client's position encoding (UTF-16 unless negotiated otherwise).
    """
    text = line_text.rstrip("\r\n")
    if "nosec" in text and rule in text.split("nosec", 1)[1]:
        return None  # already suppressed for this rule
    if "# nosec" in text:
        stripped = text.rstrip()
        insert = f", {rule}" if stripped.split("# nosec", 1)[1].strip() else f" {rule}"
        end = units(stripped)
    else:
        insert, end = f"  # nosec {rule}", units(text)
    at = types.Position(line, end)
    return types.TextEdit(range=types.Range(at, at), new_text=insert)
