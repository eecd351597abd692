"""The daemon leaves a user's project byte-identical (issue 10, item 1, daemon leg).

tests/fixtures/write-happy configures every tool we run to write into the project (ruff `fix = true`,
coverage data/debug/report files, interrogate's badge, pytest's JUnit report, cache and basetemp);
tests/unit/test_read_only.py shows those configs do write when the tools are run naively. Here a real
client opens and saves a file (per-file ruff and bandit) and runs a trusted release prep (the project's
tests too); afterwards every file is as it was (`.empathy/` and `__pycache__` aside).
"""

from __future__ import annotations

import asyncio

from empathy_os.lsp import command_ids as ids
from lsprotocol import types

from tests.support.tree import assert_unchanged, copy_fixture, snapshot

MODULE = "writehappy/__init__.py"


async def test_open_save_and_release_prep_leave_the_project_byte_identical(start_server, tmp_path):
    root = copy_fixture("write-happy", tmp_path / "write-happy")
    before = snapshot(root)
    session = await start_server(root, trusted=True)

    uri = session.open(MODULE)
    await session.wait_for(lambda: "F401" in session.codes(MODULE), what="ruff's F401 on open")
    assert_unchanged(root, before)  # ruff reported the unused import and did not fix it

    republished = asyncio.ensure_future(
        session.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS))
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await asyncio.wait_for(republished, 60)
    assert "F401" in session.codes(MODULE)
    assert_unchanged(root, before)

    result = await session.execute(ids.RELEASE_PREP, {})
    assert result["metrics"]["coverage_percent"] is not None  # the project's tests did run
    assert result["metrics"]["tests_passed"] == 2
    assert "F401" in {f["rule"] for f in result["findings"] if f["tool"] == "ruff"}
    assert_unchanged(root, before)
