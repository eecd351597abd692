"""A third-party analyzer in the daemon (issue 25's done-when): installed in tmp as its own distribution
(tests/support/analyzer_plugin.py), it re-runs on open like ruff and bandit, its findings arrive as
diagnostics with the severity its spec maps, and its spec's fixer agent is offered and verifies a fix
proposed by a model behind the strict fake Messages API. A broken plug-in beside it is named, not fatal."""

from __future__ import annotations

import pytest
from empathy_os.changes.patch import make_diff
from lsprotocol import types

from tests.lsp.conftest import server_env
from tests.support import analyzer_plugin as plugin


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return plugin.build(tmp_path_factory.mktemp("analyzer-plugin"))


def _model(text: str):
    """Confirms the plug-in's finding with a diff moving the secret to the environment; nothing else."""
    fixed = text.replace('DB_PASSWORD = "hunter2-not-a-real-one"\n', plugin.FIXED_LINE)

    def reply(body: dict) -> dict:
        tools = [t.get("name") for t in body.get("tools") or []]
        content = body["messages"][0]["content"]
        prompt = content if isinstance(content, str) else " ".join(b.get("text", "") for b in content)
        if "triage_finding" in tools and f"Finding: {plugin.NAME} {plugin.RULE} " in prompt:
            return {"tool_use": {"name": "triage_finding", "input": {
                "verdict": "confirmed", "reason": "a literal password in the sources",
                "diff": make_diff(plugin.SECRET_FILE, text, fixed)}}, "input_tokens": 700, "output_tokens": 90}
        return {"text": "No change proposed.", "input_tokens": 100, "output_tokens": 5}

    return reply


async def test_plugin_findings_are_diagnostics_and_its_fixer_verifies_a_fix(start_server, sample, site,
                                                                             fake_anthropic):
    (sample / plugin.SECRET_FILE).write_text(plugin.SECRET_TEXT, encoding="utf-8")
    fake_anthropic.default = _model(plugin.SECRET_TEXT)
    env = plugin.plugin_env(site, server_env(ANTHROPIC_BASE_URL=fake_anthropic.url,
                                             ANTHROPIC_API_KEY="sk-test-not-a-real-key"))
    session = await start_server(sample, env=env)
    uri = session.open(plugin.SECRET_FILE, version=2)

    found = await session.wait_for(lambda: [d for d in session.client.diagnostics.get(uri, [])
                                            if d.code == plugin.RULE], what="the plug-in's diagnostic")
    [diagnostic] = found
    assert diagnostic.source == "empathy" and diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range.start.line == 5 and diagnostic.message.startswith(f"{plugin.NAME}: DB_PASSWORD")
    # The broken plug-in installed beside it is named once, as a warning; it stopped nothing.
    [warning] = [m for m in session.client.messages if "broken_one" in m.message]
    assert warning.type == types.MessageType.Warning and "this plug-in is broken on purpose" in warning.message

    actions = await session.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=found)))
    action = next(a for a in actions if a.title == plugin.TITLE)
    [args] = action.command.arguments
    assert args["agents"] == ["security_auditor"] and args["rules"] == [plugin.RULE]  # the spec's fixer

    result = await session.execute(action.command.command, *action.command.arguments, token="plugin-fix")

    [change] = [c for c in result["changes"] if c["verified"]]
    assert change["agent"] == "security_auditor" and change["findings"][0]["tool"] == plugin.NAME
    checks = change["measurements"]
    assert checks["tests"]["passed"]
    # The plug-in itself, re-run on the changed copy, no longer reports the finding.
    assert checks["finding-gone"]["passed"] and checks["finding-gone"]["gone"] == 1
    [doc_edit] = session.applied_edits[-1].edit.document_changes
    assert doc_edit.text_document.uri == uri and doc_edit.text_document.version == 2
    assert any(e.new_text == plugin.FIXED_LINE for e in doc_edit.edits)
    assert (sample / plugin.SECRET_FILE).read_text(encoding="utf-8") == plugin.SECRET_TEXT  # the editor writes
    assert fake_anthropic.rejected == []
