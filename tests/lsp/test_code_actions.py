"""Code actions on our diagnostics: generate tests for a coverage gap, explain / suppress a bandit finding."""

from __future__ import annotations

import pytest
from empathy_os.lsp import command_ids as ids
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.lsp.conftest import server_env

STORAGE = "inventory/storage.py"


async def _actions(session, uri, diagnostic):
    return await session.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    ))


def _apply_text_edits(path, edits):
    lines = path.read_text().splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        assert start.line == end.line, "single-line edits only in these tests"
        text = lines[start.line]
        body, newline = (text[:-1], "\n") if text.endswith("\n") else (text, "")
        lines[start.line] = body[:start.character] + edit.new_text + body[end.character:] + newline
    path.write_text("".join(lines))


async def test_generate_tests_for_a_coverage_gap_applies_a_create_file_edit(start_server, sample):
    session = await start_server(sample)
    await session.execute(ids.RELEASE_PREP, {})
    uri = session.uri("inventory/pricing.py")
    gaps = [d for d in session.client.diagnostics[uri] if d.code == "coverage-gap"]
    assert gaps, "the release prep reported uncovered functions in pricing.py"
    gap = gaps[0]
    symbol = gap.data["symbol"]

    actions = await _actions(session, uri, gap)
    action = next(a for a in actions if a.title == f"Generate tests for `{symbol}`")
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.command.command == ids.GENERATE_TESTS_FOR

    result = await session.execute(action.command.command, *action.command.arguments)

    assert session.applied_edits, "the server asked the editor to apply an edit"
    changes = session.applied_edits[-1].edit.document_changes
    created = [c for c in changes if isinstance(c, types.CreateFile)]
    assert created and created[0].uri.endswith("tests/test_pricing_generated.py")
    assert created[0].options.overwrite is False
    text = "".join(e.new_text for c in changes if isinstance(c, types.TextDocumentEdit) for e in c.edits)
    assert "def test_" in text and symbol in text
    assert result["applied"][0]["applied"] is True
    # The server itself wrote nothing: the editor owns the file.
    assert not (sample / "tests" / "test_pricing_generated.py").exists()
    # The lines the kept tests cover (measured by the boost's validation runs) leave the gap: it closes,
    # or, when Hypothesis's examples reached only part of the function, it narrows to what is left.
    def gap_now():
        return [d for d in session.client.diagnostics[uri] if d.code == "coverage-gap"
                and d.data.get("symbol") == symbol]

    await session.wait_for(lambda: not gap_now() or "still not covered" in gap_now()[0].message,
                           what=f"the {symbol} coverage gap to close or narrow")
    covered = {n for v in result["candidates"] if v["result"] == "kept" for n in v["new_lines"]}
    assert covered
    if gap_now():
        listed = gap_now()[0].message.split("lines ")[1].split(" still")[0]
        assert not covered & {int(n) for n in listed.split(", ")}
    others = {d.data["symbol"] for d in gaps} - {symbol}
    left = {d.data["symbol"] for d in session.client.diagnostics[uri] if d.code == "coverage-gap"}
    assert left - {symbol} == others


async def test_bandit_finding_offers_explain_and_nosec_quick_fix(start_server, sample):
    session = await start_server(sample)
    uri = session.open(STORAGE)
    await session.wait_for(lambda: "B602" in session.codes(STORAGE), what="B602")
    b602 = next(d for d in session.client.diagnostics[uri] if d.code == "B602")

    actions = await _actions(session, uri, b602)
    titles = [a.title for a in actions]
    assert "Explain B602…" in titles and "Suppress with `# nosec B602`" in titles

    explain = next(a for a in actions if a.title.startswith("Explain"))
    result = await session.execute(explain.command.command, *explain.command.arguments)
    assert result["source"] == "bandit rule documentation"  # no API key in this server's environment
    assert "shell" in result["text"].lower() and "b602" in result["url"]

    suppress = next(a for a in actions if a.title.startswith("Suppress"))
    edits = [e for c in suppress.edit.document_changes for e in c.edits]
    _apply_text_edits(sample / STORAGE, edits)
    line = (sample / STORAGE).read_text().splitlines()[b602.range.start.line]
    assert line.endswith("# nosec B602")
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await session.wait_for(lambda: "B602" not in session.codes(STORAGE), what="bandit to honour the nosec")
    assert "B324" in session.codes(STORAGE)


async def test_explain_uses_the_model_when_configured(start_server, sample, fake_anthropic):
    fake_anthropic.script({"text": "Building a shell command from strings lets input inject commands.",
                           "input_tokens": 200, "output_tokens": 30})
    env = server_env(ANTHROPIC_BASE_URL=fake_anthropic.url, ANTHROPIC_API_KEY="sk-test-not-a-real-key")
    session = await start_server(sample, env=env)
    result = await session.execute(ids.EXPLAIN_FINDING, {
        "rule": "B602", "message": "subprocess call with shell=True", "uri": session.uri(STORAGE), "line": 37})
    assert result["source"].startswith("model ")
    assert result["text"].startswith("Building a shell command")
    assert result["cost_usd"] > 0
    prompt = fake_anthropic.requests[-1]["messages"][0]["content"]
    prompt = prompt if isinstance(prompt, str) else " ".join(p.get("text", "") for p in prompt)
    assert "B602" in prompt and "shell=True" in prompt  # the flagged source line went to the model
    assert "sk-test-not-a-real-key" not in " ".join(m.message for m in session.client.messages)


async def test_an_editor_that_cannot_create_files_is_not_offered_generation_and_nothing_runs(start_server, sample):
    """Neovim 0.7 applies workspace edits but does not advertise `documentChanges`, so a create-file edit
    cannot be sent: the action is not offered, and the command is refused before any generation starts."""
    session = await start_server(sample, client="neovim@v0.7.0")
    uri = session.uri("inventory/pricing.py")
    gap = types.Diagnostic(
        range=types.Range(types.Position(3, 0), types.Position(8, 0)), message="coverage: never run",
        source="empathy", code="coverage-gap", data={"tool": "coverage", "symbol": "apply_discount"})
    assert not [a for a in await _actions(session, uri, gap) if a.title.startswith("Generate tests")]

    token = "gen-refused"
    with pytest.raises(JsonRpcException) as err:
        await session.execute(ids.GENERATE_TESTS_FOR, {"uri": uri, "symbol": "apply_discount"}, token=token)
    assert err.value.code == -32803 and "documentChanges" in str(err.value)
    with pytest.raises(JsonRpcException, match="documentChanges"):
        await session.execute(ids.TEST_COVERAGE_BOOST, {})
    assert session.client.progress_reports[token] == [], "no work was started"
    assert session.applied_edits == []
    assert not list((sample / "tests").glob("*generated*"))

    # The same diagnostic in VS Code (documentChanges + create) gets the action.
    with_vscode = await start_server(sample)
    gap_actions = await _actions(with_vscode, uri, gap)
    assert [a.title for a in gap_actions] == ["Generate tests for `apply_discount`"]
