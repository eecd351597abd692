"""Findings → LSP diagnostics, and which findings are current for each file.

Two sources feed a file's diagnostics: the last release-prep run over its project (every analyzer), and
the per-file analyzers re-run on open/save (those whose spec says `on_save`: bandit, ruff, plug-ins) for
that file only. Each analyzer's spec maps its findings' severities to diagnostic levels. For a per-file tool, the
newer measurement of the file wins: a save that fixes a bandit finding removes it even though the project
run still lists it. Closing a file changes nothing measured, so its diagnostics stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from empathy_os.analyzer_spec import DEFAULT_LEVELS

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

    from empathy_os.analyzers.contract import Finding

SOURCE = "empathy"
COVERAGE_GAP = "coverage-gap"

_S = types.DiagnosticSeverity
_LEVEL = {"error": _S.Error, "warning": _S.Warning, "information": _S.Information, "hint": _S.Hint}


def severity_of(finding: Finding) -> types.DiagnosticSeverity:
    from empathy_os.analyzers.specs import spec_of  # not at start-up: it imports the analyzers

    sev = str(getattr(finding.severity, "value", finding.severity))
    spec = spec_of(finding.tool)
    return _LEVEL[spec.level(sev) if spec is not None else DEFAULT_LEVELS.get(sev, "information")]


def _char_index(finding: Finding, text: str, column: int) -> int:
    """A 0-based character index from a tool's 1-based column.

    bandit reports Python's AST `col_offset`, a UTF-8 byte offset (its spec says `byte_columns`); ruff
    counts characters.
    """
    from empathy_os.analyzers.specs import spec_of

    spec = spec_of(finding.tool)
    if spec is not None and spec.byte_columns:
        return len(text.encode("utf-8")[: column - 1].decode("utf-8", "ignore"))
    return column - 1


def _range(finding: Finding, lines: list[str], units: Callable[[str], int] = len) -> types.Range:
    """The finding's span, clamped to the file as it is now (the file may have moved under it).

    Computed in characters, then measured with `units` in the client's position encoding (UTF-16 unless
    the client negotiated otherwise), so a line with non-ASCII text still lines up.
    """
    if not lines:
        return types.Range(types.Position(0, 0), types.Position(0, 0))
    last = len(lines) - 1
    start_line = min(max(finding.line - 1, 0), last)
    text = lines[start_line].rstrip("\r\n")
    if finding.column:
        start_char = min(_char_index(finding, text, finding.column), len(text))
    else:
        start_char = len(text) - len(text.lstrip())
    end_line = min(max((finding.end_line or finding.line) - 1, start_line), last)
    end_text = lines[end_line].rstrip("\r\n")
    end_col = _char_index(finding, end_text, finding.end_column) if finding.end_column else None
    if end_line == start_line and end_col is not None and end_col > start_char:
        end_char = min(end_col, len(end_text))
    else:
        end_char = len(end_text)
    if end_line == start_line and end_char <= start_char:
        end_char = max(start_char, len(end_text))
    return types.Range(types.Position(start_line, units(text[:start_char])),
                       types.Position(end_line, units(end_text[:end_char])))


def to_diagnostic(finding: Finding, lines: list[str], units: Callable[[str], int] = len) -> types.Diagnostic:
    return types.Diagnostic(
        range=_range(finding, lines, units),
        message=f"{finding.tool}: {finding.message}",
        severity=severity_of(finding),
        code=finding.rule,
        code_description=types.CodeDescription(href=finding.url) if finding.url else None,
        source=SOURCE,
        # Round-trips through textDocument/codeAction, so actions know what the diagnostic is about.
        data={
            "tool": finding.tool,
            "rule": finding.rule,
            "symbol": finding.symbol,
            "severity": str(getattr(finding.severity, "value", finding.severity)),
            "line": finding.line,
            "fixable": bool(finding.extra.get("fixable")),  # ruff can fix it offline ("Fix Findings…")
        },
    )


def _key(path: Path) -> str:
    return str(path.resolve())


class DiagnosticStore:
    """Current findings per absolute file path, and what was last published."""

    def __init__(self) -> None:
        self.project: dict[str, list[Finding]] = {}  # abs path -> findings of the last project run
        self.project_roots: dict[str, str] = {}  # abs path -> root of the run that produced them
        self.live: dict[str, dict[str, list[Finding]]] = {}  # abs path -> tool -> fresh findings
        self.published: set[str] = set()  # abs paths with a non-empty publish outstanding

    def set_project(self, root: Path, findings: Iterable[Finding]) -> set[str]:
        """Replace the findings of every file under `root`; returns the paths whose diagnostics changed."""
        root_key = _key(root)
        touched = {p for p, r in self.project_roots.items() if r == root_key}
        for path in touched:
            self.project.pop(path, None)
            self.project_roots.pop(path, None)
        for finding in findings:
            path = _key(root / finding.path)
            self.project.setdefault(path, []).append(finding)
            self.project_roots[path] = root_key
            touched.add(path)
        # The project run measured every file after any earlier per-file run: it is the newer truth.
        for path in list(self.live):
            if Path(path).is_relative_to(root_key):
                del self.live[path]
                touched.add(path)
        return touched  # another workspace's files are not re-published

    def replace_tool(self, root: Path, tool: str, findings: Iterable[Finding]) -> set[str]:
        """Replace one tool's findings for the files of `root`'s project run (the coverage analyzer re-run on
        save); returns the paths whose diagnostics changed."""
        root_key = _key(root)
        touched = set()
        for path, owner in list(self.project_roots.items()):
            if owner == root_key:
                kept = [f for f in self.project.get(path, []) if f.tool != tool]
                if len(kept) != len(self.project.get(path, [])):
                    self.project[path] = kept
                    touched.add(path)
        for finding in findings:
            path = _key(root / finding.path)
            self.project.setdefault(path, []).append(finding)
            self.project_roots[path] = root_key
            touched.add(path)
        return touched

    def cover_lines(self, path: Path, lines: set[int]) -> bool:
        """Tests just added cover `lines` of `path` (measured by the boost's validation runs): drop the
        coverage gaps they close, narrow the ones they shrink. Returns whether anything changed."""
        key, changed, kept = _key(path), False, []
        for f in self.project.get(key, []):
            missing = set(f.extra.get("missing_lines") or []) if f.rule == COVERAGE_GAP else set()
            if not missing or not missing & lines:
                kept.append(f)
                continue
            changed = True
            left = sorted(missing - lines)
            if left:
                kept.append(f.model_copy(update={
                    "message": f"{f.symbol}: lines {', '.join(map(str, left))} still not covered "
                               f"(after the generated tests)",
                    "extra": {**f.extra, "missing_lines": left}}))
        if changed:
            self.project[key] = kept
        return changed

    def set_live(self, path: Path, tool: str, findings: list[Finding]) -> None:
        self.live.setdefault(_key(path), {})[tool] = findings

    def current(self, path: Path) -> list[Finding]:
        key = _key(path)
        fresh = self.live.get(key, {})
        kept = [f for f in self.project.get(key, []) if f.tool not in fresh]
        return kept + [f for tool in sorted(fresh) for f in fresh[tool]]


def _lines(ls: LanguageServer, uri: str) -> tuple[list[str], Callable[[str], int]]:
    try:
        document = ls.workspace.get_text_document(uri)
        return document.lines, document.position_codec.client_num_units
    except (OSError, UnicodeDecodeError):
        return [], len


def publish(ls: LanguageServer, store: DiagnosticStore, path: Path, version: int | None = None) -> int:
    """Publish the current diagnostics of one file; returns how many were sent."""
    uri = from_fs_path(str(path)) or path.as_uri()
    findings = store.current(path)
    key = _key(path)
    if not findings and key not in store.published and version is None:
        return 0  # nothing now, nothing before: no need to tell the client
    lines, units = _lines(ls, uri) if findings else ([], len)
    diagnostics = [to_diagnostic(f, lines, units) for f in findings]
    if diagnostics:
        store.published.add(key)
    else:
        store.published.discard(key)
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
    )
    return len(diagnostics)


def uri_to_path(uri: str) -> Path | None:
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


def diagnostic_data(diagnostic: types.Diagnostic) -> dict[str, Any]:
    data = diagnostic.data
    return data if isinstance(data, dict) else {}
