"""Per-file diagnostics: real bandit and ruff on open and save; a fixed finding goes away."""

from __future__ import annotations

import asyncio

from lsprotocol import types

STORAGE = "inventory/storage.py"


def _by_code(session, rel):
    return {str(d.code): d for d in session.client.diagnostics.get(session.uri(rel), [])}


async def test_open_publishes_bandit_findings_then_fix_and_save_removes_them(start_server, sample):
    session = await start_server(sample)
    uri = session.open(STORAGE)
    await session.wait_for(lambda: "B602" in session.codes(STORAGE), what="B602 on storage.py")

    found = _by_code(session, STORAGE)
    assert {"B602", "B324", "B301"} <= set(found)  # shell=True, md5, pickle
    b602 = found["B602"]
    assert b602.source == "empathy"
    assert b602.severity in (types.DiagnosticSeverity.Error, types.DiagnosticSeverity.Warning)
    line = (sample / STORAGE).read_text().splitlines()[b602.range.start.line]
    assert "shell=True" in line
    assert b602.code_description and "bandit" in b602.code_description.href
    assert all(d.source == "empathy" and d.code for d in session.client.diagnostics[uri])

    # Fix the shell=True call on disk, tell the server the editor changed and saved it.
    path = sample / STORAGE
    fixed = path.read_text().replace(
        'subprocess.call("tar czf " + destination + " " + path, shell=True)',
        'subprocess.call(["tar", "czf", destination, path])',
    )
    path.write_text(fixed)
    session.client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
    ))
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await session.wait_for(lambda: "B602" not in session.codes(STORAGE), what="B602 to disappear")
    assert {"B324", "B301"} <= set(session.codes(STORAGE)), "the other findings stay"

    # Closing keeps what is still true of the file on disk, and does not bring back the fixed one.
    republished = asyncio.ensure_future(
        session.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS))
    session.client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await asyncio.wait_for(republished, 30)
    codes = session.codes(STORAGE)
    assert "B602" not in codes and {"B324", "B301"} <= set(codes)


async def test_ruff_findings_on_open(start_server, sample):
    target = sample / "inventory" / "unused.py"
    target.write_text('"""A module with an unused import."""\n\nimport os\n')
    session = await start_server(sample)
    session.open("inventory/unused.py")
    await session.wait_for(lambda: "F401" in session.codes("inventory/unused.py"), what="ruff F401")
    diag = _by_code(session, "inventory/unused.py")["F401"]
    assert diag.source == "empathy" and diag.range.start.line == 2


async def test_clean_file_gets_empty_diagnostics(start_server, sample):
    session = await start_server(sample)
    uri = session.open("inventory/pricing.py")
    await session.wait_for(lambda: uri in session.client.diagnostics, what="a publish for pricing.py")
    security = [d for d in session.client.diagnostics[uri] if str(d.code).startswith("B")]
    assert security == []
