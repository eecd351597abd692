"""Quick fixes on our own diagnostics: generate tests for an uncovered function, explain or suppress a
bandit finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from empathy_os.lsp import command_ids as ids
from empathy_os.lsp import fix_actions
from empathy_os.lsp.diagnostics import COVERAGE_GAP, SOURCE, diagnostic_data
from empathy_os.lsp.edits import can_create_files, nosec_edit

if TYPE_CHECKING:
    from empathy_os.lsp.server import EmpathyServer

KINDS = [types.CodeActionKind.QuickFix]


def _symbol(diagnostic: types.Diagnostic) -> str | None:
    data = diagnostic_data(diagnostic)
    symbol = data.get("symbol")
    return str(symbol) if symbol else None


def actions_for(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    actions: list[types.CodeAction] = []
    only = params.context.only
    if only and not any(str(k).startswith(types.CodeActionKind.QuickFix) for k in only):
        return actions
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE:
            continue
        data = diagnostic_data(diagnostic)
        code = str(diagnostic.code) if diagnostic.code is not None else ""
        if code == COVERAGE_GAP and (symbol := _symbol(diagnostic)) and can_create_files(ls) is None:
            # Only offered to an editor that can create the test file (workspace/applyEdit with
            # documentChanges and the create operation); elsewhere the generation would run for nothing.
            actions.append(types.CodeAction(
                title=f"Generate tests for `{symbol}`",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                command=types.Command(title=f"Generate tests for `{symbol}`", command=ids.GENERATE_TESTS_FOR,
                                      arguments=[{"uri": uri, "symbol": symbol}]),
            ))
        elif data.get("tool") == "bandit" and code:
            line = diagnostic.range.start.line
            actions.append(types.CodeAction(
                title=f"Explain {code}…",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                command=types.Command(title=f"Explain {code}", command=ids.EXPLAIN_FINDING, arguments=[{
                    "rule": code, "message": diagnostic.message, "uri": uri, "line": line + 1}]),
            ))
            if (fix := _suppress(ls, uri, data.get("line"), line, code, diagnostic)) is not None:
                actions.append(fix)
    return actions + fix_actions.actions_for(ls, params)


def _suppress(ls: EmpathyServer, uri: str, finding_line, fallback: int, rule: str,
              diagnostic: types.Diagnostic) -> types.CodeAction | None:
    # bandit reads `# nosec` on the line it reported, which is where the diagnostic starts.
    line = int(finding_line) - 1 if isinstance(finding_line, int) else fallback
    try:
        document = ls.workspace.get_text_document(uri)
        lines = document.lines
    except (OSError, UnicodeDecodeError):
        return None
    if not 0 <= line < len(lines):
        return None
    text = lines[line].rstrip("\r\n")
    edit = nosec_edit(text, line, rule, units=document.position_codec.client_num_units)
    if edit is None:
        return None
    version = document.version
    return types.CodeAction(
        title=f"Suppress with `# nosec {rule}`",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=[edit],
        )]) if _document_changes(ls) else types.WorkspaceEdit(changes={uri: [edit]}),
    )


def _document_changes(ls: EmpathyServer) -> bool:
    workspace = ls.client_capabilities.workspace
    return bool(workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes)


def register(ls: EmpathyServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=KINDS,
                                                                         resolve_provider=False))
    def code_action(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
        return actions_for(ls, params)
