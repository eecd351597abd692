"""Verified fixes through a real language client: the code action, work-done progress, a versioned
workspace/applyEdit (the server writes nothing), the finding gone after save; the verify command."""

from __future__ import annotations

import hashlib

import pytest
from empathy_os.changes.patch import make_diff
from empathy_os.lsp import command_ids as ids
from lsprotocol import types
from pygls.exceptions import JsonRpcException

REPORT = "inventory/report.py"


def _apply_line_edits(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: e.range.start.line, reverse=True):
        assert edit.range.start.character == 0 and edit.range.end.character == 0  # whole-line edits
        lines[edit.range.start.line:edit.range.end.line] = [edit.new_text]
    return "".join(lines)


async def test_fix_code_action_sends_a_verified_versioned_edit(start_server, sample):
    session = await start_server(sample)
    uri = session.open(REPORT, version=3)
    f401 = await session.wait_for(lambda: [d for d in session.client.diagnostics.get(uri, []) if d.code == "F401"],
                                  what="ruff's F401 on report.py")
    actions = await session.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=f401[0].range,
        context=types.CodeActionContext(diagnostics=f401)))
    action = next(a for a in actions if a.title == "Fix `F401` (verified)")
    assert action.command.command == ids.FIX  # nothing was verified yet: that happens when it is picked
    original = (sample / REPORT).read_text(encoding="utf-8")

    result = await session.execute(action.command.command, *action.command.arguments, token="fix-1")

    [change] = result["changes"]
    assert change["verified"] and change["measurements"]["tests"]["passed"]
    assert result["applied"] == [{"id": change["id"], "applied": True, "reason": None}]
    kinds = [type(v).__name__ for v in session.client.progress_reports["fix-1"]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    [doc_edit] = session.applied_edits[-1].edit.document_changes
    assert doc_edit.text_document.uri == uri and doc_edit.text_document.version == 3
    assert (sample / REPORT).read_text(encoding="utf-8") == original  # the editor writes, not the server
    fixed = _apply_line_edits(original, doc_edit.edits)
    assert "import os" not in fixed

    (sample / REPORT).write_text(fixed, encoding="utf-8")  # what the editor does on save
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await session.wait_for(lambda: "F401" not in session.codes(REPORT), what="F401 to disappear after save")


async def test_fix_findings_gets_versioned_edits_and_nothing_is_applied(start_server, sample):
    """What the extension's "Fix Findings…" asks for: edits per verified change, bound to the version of the
    open document they were checked against; no applyEdit, no file written, no message."""
    session = await start_server(sample)
    uri = session.open(REPORT, version=7)
    original = (sample / REPORT).read_text(encoding="utf-8")
    before = {f: f.read_bytes() for f in sample.rglob("*") if f.is_file() and ".empathy" not in f.parts}

    result = await session.execute(ids.FIX, {"uris": [uri], "rules": ["F401"], "edits": True})

    [change] = result["changes"]
    assert change["verified"] and "stale" not in change
    [entry] = change["edits"]
    assert entry["path"] == REPORT and entry["version"] == 7
    assert entry["before_sha256"] == hashlib.sha256(original.encode()).hexdigest()
    edits = [types.TextEdit(range=types.Range(types.Position(**e["range"]["start"]), types.Position(**e["range"]["end"])),
                            new_text=e["newText"]) for e in entry["edits"]]
    assert "import os" in original and "import os" not in _apply_line_edits(original, edits)
    assert session.applied_edits == [] and session.client.messages == []
    after = {f: f.read_bytes() for f in sample.rglob("*") if f.is_file() and ".empathy" not in f.parts}
    assert after == before


async def test_fix_findings_marks_a_change_stale_when_the_editor_text_differs(start_server, sample):
    session = await start_server(sample)
    uri = session.uri(REPORT)
    typed = (sample / REPORT).read_text(encoding="utf-8") + "\n# typed, not saved\n"
    session.client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=4, text=typed)))

    result = await session.execute(ids.FIX, {"uris": [uri], "rules": ["F401"], "edits": True})

    [change] = result["changes"]
    assert change["verified"] and "edits" not in change  # verified on disk's text, not the editor's
    assert change["stale"] == f"{REPORT} changed since it was verified"


async def test_fix_findings_refuses_a_file_outside_the_project(start_server, sample, tmp_path):
    session = await start_server(sample)
    other = tmp_path / "elsewhere.py"
    other.write_text("import os\n", encoding="utf-8")
    with pytest.raises(JsonRpcException) as err:
        await session.execute(ids.FIX, {"root": str(sample), "uris": [other.as_uri()], "edits": True})
    assert "not inside the project" in str(err.value)


async def test_verify_command_returns_the_cli_json(start_server, sample):
    session = await start_server(sample)
    text = (sample / REPORT).read_text(encoding="utf-8")
    good = make_diff(REPORT, text, text.replace("import os\n\n", ""))
    result = await session.execute(ids.VERIFY, {"patch": good})
    assert result["verified"] is True and result["touched"] == [REPORT]
    assert result["measurements"]["no-new-findings"]["passed"]

    with pytest.raises(JsonRpcException) as err:
        await session.execute(ids.VERIFY, {"patch": "not a diff\n"})
    assert "patch: the diff does not apply" in str(err.value)


async def test_fix_findings_offers_the_whole_set_as_one_entry(start_server, sample):
    """Two verified changes (two files) come back as one change set: one entry with the edits of both files,
    its members marked `in_set` (the extension offers the set, not each member)."""
    pricing = "inventory/pricing.py"
    text = (sample / pricing).read_text(encoding="utf-8")
    (sample / pricing).write_text(text.replace("from __future__ import annotations\n",
                                               "from __future__ import annotations\n\nimport json\n"), encoding="utf-8")
    session = await start_server(sample)
    uris = [session.uri(REPORT), session.uri(pricing)]

    result = await session.execute(ids.FIX, {"uris": uris, "rules": ["F401"], "edits": True})

    members = [c for c in result["changes"] if c.get("in_set")]
    [entry] = [c for c in result["changes"] if c["agent"] == "change_set"]
    assert len(members) == 2 and all(m["verified"] and "edits" not in m for m in members)
    assert entry["verified"] and sorted(entry["ids"]) == sorted(m["id"] for m in members)
    assert sorted(e["path"] for e in entry["edits"]) == [pricing, REPORT]
    assert result["verification_runs"] == 1  # the set was verified once, with one suite run
