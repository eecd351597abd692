"""Handshake and settings with real client capability sets (VS Code, Neovim)."""

from __future__ import annotations

import pytest
from empathy_os.lsp import command_ids as ids
from lsprotocol import types


@pytest.mark.parametrize("client", ["visual-studio-code", "neovim"])
async def test_initialize_advertises_commands_and_features(start_server, sample, client):
    session = await start_server(sample, client=client)
    assert session.init.server_info.name == "empathy-lsp"
    caps = session.init.capabilities
    assert set(ids.SERVER_COMMANDS) <= set(caps.execute_command_provider.commands)
    assert types.CodeActionKind.QuickFix in caps.code_action_provider.code_action_kinds
    sync = caps.text_document_sync
    assert sync.open_close and sync.save
    # the session is usable right away with this client's capabilities
    templates = await session.execute(ids.LIST_TEMPLATES)
    assert {t["id"] for t in templates} >= {"security_auditor"}


async def test_bad_setting_is_reported_and_server_keeps_running(start_server, sample):
    session = await start_server(sample, init_options={"gates": {"minCoverage": "lots"}})
    await session.wait_for(lambda: session.client.messages, what="a showMessage")
    assert any("empathy.gates.minCoverage" in m.message for m in session.client.messages)
    assert await session.execute(ids.LIST_TEMPLATES, {})


async def test_server_starts_without_a_workspace(start_server):
    session = await start_server(None)
    with pytest.raises(Exception, match="no workspace folder"):
        await session.execute(ids.RELEASE_PREP)
    assert await session.execute(ids.LIST_TEMPLATES, {})
