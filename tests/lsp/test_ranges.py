"""Finding → Diagnostic ranges in the client's encoding (pure functions; no server needed)."""

from __future__ import annotations

from empathy_os.analyzers.contract import Finding
from empathy_os.lsp.diagnostics import to_diagnostic
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

UTF16 = PositionCodec(types.PositionEncodingKind.Utf16).client_num_units


def test_bandit_byte_column_on_a_non_ascii_line_maps_to_utf16():
    line = 'x = "héllo😀"; subprocess.call(cmd, shell=True)\n'
    column = line.encode().index(b"subprocess") + 1  # bandit: AST col_offset (UTF-8 bytes) + 1
    finding = Finding(tool="bandit", rule="B602", severity="critical", path="a.py", line=1, column=column,
                      message="shell")
    diagnostic = to_diagnostic(finding, [line], UTF16)
    assert diagnostic.range.start.character == UTF16(line[:line.index("subprocess")]) == 15
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.source == "empathy" and diagnostic.code == "B602"


def test_a_stale_finding_is_clamped_to_the_current_file():
    finding = Finding(tool="coverage", rule="coverage-gap", severity="info", path="a.py", line=40, end_line=60,
                      message="gap", symbol="f")
    diagnostic = to_diagnostic(finding, ["def f():\n", "    return 1\n"], UTF16)
    assert diagnostic.range.start.line == 1 and diagnostic.range.end.line == 1
    assert diagnostic.severity == types.DiagnosticSeverity.Information
    assert diagnostic.data["symbol"] == "f"


def test_gap_spans_the_function_and_docstring_gap_is_a_hint():
    lines = ["def f(x):\n", "    if x:\n", "        return 1\n", "    return 2\n"]
    gap = Finding(tool="coverage", rule="coverage-gap", severity="info", path="a.py", line=1, end_line=4,
                  message="gap", symbol="f")
    r = to_diagnostic(gap, lines, UTF16).range
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (0, 0, 3, len("    return 2"))
    doc = Finding(tool="docstrings", rule="missing-docstring", severity="info", path="a.py", line=1, message="d")
    assert to_diagnostic(doc, lines, UTF16).severity == types.DiagnosticSeverity.Hint
