"""Open documents larger than the project's `max_file_bytes` are not kept in the daemon's memory.

pygls keeps every open document's text and applies each incremental edit by splitting the whole text into
lines and writing it out again: on a 50 MB generated module, each one-line edit costs about a second, so
2,000 of them keep the loop busy for half an hour (no request answered, stdin's end not noticed) while the
memory grows with every copy. Such a file is not analysed anyway (per-file analysis skips files over
`[tool.empathy] max_file_bytes`, see analyzers/project.py), and nothing else reads an open document's text
but the checks a verified fix makes before editing it, which then find it changed and refuse (fail safe).
So its text is dropped: the workspace keeps an empty document with the right version, its edits only move
the version, and a full-text change that brings it back under the limit makes it an ordinary document
again. The limit of each document is its project's, read when it is opened.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from empathy_os.lsp.diagnostics import uri_to_path

if TYPE_CHECKING:
    from empathy_os.lsp.server import EmpathyServer

log = logging.getLogger(__name__)


def _limit(ls: EmpathyServer, uri: str) -> int:
    from empathy_os.analyzers.contract import ProjectContext
    from empathy_os.analyzers.project import DEFAULT_MAX_FILE_BYTES, max_file_bytes, read_empathy_settings

    path = uri_to_path(uri)
    try:
        root = ls.root_for(path) if path is not None else None
        settings = read_empathy_settings(root) if root is not None else {}
    except (JsonRpcInvalidParams, ValueError, OSError):  # outside the workspace, a broken pyproject.toml
        return DEFAULT_MAX_FILE_BYTES
    return max_file_bytes(ProjectContext(root=root, settings=dict(settings)))


def on_open(ls: EmpathyServer, params: types.DidOpenTextDocumentParams) -> None:
    """Before pygls stores the document: an oversized one is stored without its text."""
    doc = params.text_document
    limit = ls.document_limits[doc.uri] = _limit(ls, doc.uri)
    size = len(doc.text)  # characters: a lower bound of its bytes; only a smaller text is encoded
    if size <= limit:
        size = len(doc.text.encode("utf-8", "surrogatepass"))
    if size > limit:
        _drop_text(ls, doc.uri, size, limit)
        doc.text = ""


def on_change(ls: EmpathyServer, params: types.DidChangeTextDocumentParams) -> None:
    """Before pygls applies the edits: those of an oversized document move only its version (a full-text
    change under the limit, and the edits after it, are applied as usual)."""
    uri = params.text_document.uri
    if uri not in ls.big_documents:
        return
    limit = ls.document_limits.get(uri, 0)
    full = [i for i, c in enumerate(params.content_changes)
            if isinstance(c, types.TextDocumentContentChangeWholeDocument)]
    if full and len(params.content_changes[full[-1]].text.encode("utf-8", "surrogatepass")) <= limit:
        ls.big_documents.discard(uri)
        params.content_changes = params.content_changes[full[-1]:]
        return
    params.content_changes = []
    ls.workspace.get_text_document(uri).version = params.text_document.version


def after_change(ls: EmpathyServer, params: types.DidChangeTextDocumentParams) -> None:
    """After pygls applied the edits: a document that grew past its limit loses its text."""
    uri = params.text_document.uri
    if uri in ls.big_documents or uri not in ls.document_limits:
        return
    doc = ls.workspace.get_text_document(uri)
    if len(doc.source) > ls.document_limits[uri]:  # characters: never more than its bytes
        _drop_text(ls, uri, len(doc.source), ls.document_limits[uri])
        ls.workspace.put_text_document(types.TextDocumentItem(
            uri=uri, language_id=doc.language_id or "", version=doc.version or 0, text=""))


def on_close(ls: EmpathyServer, uri: str) -> None:
    ls.big_documents.discard(uri)
    ls.document_limits.pop(uri, None)


def _drop_text(ls: EmpathyServer, uri: str, size: int, limit: int) -> None:
    ls.big_documents.add(uri)
    ls.window_log_message(types.LogMessageParams(
        type=types.MessageType.Info,
        message=f"Empathy: {uri} is over {limit:,} bytes ({size:,}; [tool.empathy] max_file_bytes): not "
                "analysed, and its text is not kept while it is open"))
