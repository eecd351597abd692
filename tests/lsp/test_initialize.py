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


async def test_configuration_changes_apply_and_cannot_drop_untrusted(start_server, sample):
    session = await start_server(sample, init_options={"trusted": False, "coverage": {"target": 90}})
    # A settings push without `trusted` (e.g. from a generic client) keeps the workspace untrusted.
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"empathy": {"gates": {"minCoverage": 55}, "coverage": {"target": 70}}}))
    boost = await session.execute(ids.TEST_COVERAGE_BOOST, {})
    assert boost["skipped"] is True and "not trusted" in boost["reason"]

    # A bad value is refused with a message; the server keeps running on the previous settings.
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"empathy": {"maxCostUsd": -3}}))
    await session.wait_for(lambda: any("maxCostUsd" in m.message for m in session.client.messages),
                           what="the settings error")
    assert (await session.execute(ids.TEST_COVERAGE_BOOST, {}))["skipped"] is True


async def test_gate_settings_reach_the_release_prep(start_server, sample):
    session = await start_server(sample, init_options={"trusted": False})
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"empathy.gates.maxCriticalIssues": 7, "empathy.gates.minQualityScore": 1.5}))
    result = await session.execute(ids.RELEASE_PREP, {})
    thresholds = {g["name"]: g["threshold"] for g in result["gates"]}
    assert thresholds["max_critical_issues"] == 7 and thresholds["min_quality_score"] == 1.5


async def test_pull_configuration_like_neovim(start_server, sample):
    session = await start_server(sample, client="neovim")
    # The client's own settings store; a didChangeConfiguration with null settings means "pull them".
    session.client.set_configuration({"trusted": False, "maxCostUsd": -1}, section="empathy")
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await session.wait_for(lambda: any("maxCostUsd" in m.message for m in session.client.messages),
                           what="the pulled settings to be validated and refused")

    session.client.set_configuration({"trusted": False, "maxCostUsd": 2}, section="empathy")
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await session.wait_for(lambda: any('"trusted":false' in m.message for m in session.client.log_messages),
                           what="the pulled settings to be applied")
    result = await session.execute(ids.TEST_COVERAGE_BOOST, {})
    assert result["skipped"] is True
