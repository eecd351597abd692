"""Per-file diagnostics: the on-save analyzers (bandit, ruff, plug-ins) re-run on one Python file when it
is opened or saved.

Each tool publishes as soon as it is done; a newer save of the same file supersedes (cancels) the run in
progress; files outside the workspace folders (a library opened by go-to-definition) are left alone.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from empathy_os.lsp import lifecycle, live_coverage
from empathy_os.lsp.diagnostics import publish, uri_to_path

if TYPE_CHECKING:
    from empathy_os.lsp.server import EmpathyServer

log = logging.getLogger(__name__)
_told: set[str] = set()  # analyzer plug-ins already reported as skipped (once per daemon)


def is_python(uri: str, language_id: str | None = None) -> bool:
    return language_id == "python" or uri.endswith((".py", ".pyi"))


async def analyze_file(ls: EmpathyServer, path: Path, version: int | None) -> None:
    """Re-run the per-file analyzers on one file and replace its diagnostics."""
    from empathy_os.analyzers import run_analyzer
    from empathy_os.analyzers.project import load_project
    from empathy_os.analyzers.specs import on_save

    settings = ls.settings
    try:
        # Static tools only: an interpreter that cannot run tests must not cost the file its diagnostics.
        ctx = load_project(ls.root_for(path), python=settings.python, trusted=settings.trusted,
                           check_python=False)
    except ValueError as exc:
        log.warning("cannot analyse %s: %s", path, exc)
        return
    ctx.only_files = [path]
    ctx.use_cache = True
    _tell_skipped_plugins(ls)

    async def one(name: str) -> None:
        # Each tool publishes as soon as it is done: ruff answers in milliseconds, bandit takes longer, and
        # the editor should not wait for the slowest tool to show the fastest one's findings.
        result = await run_analyzer(name, ctx)  # never raises, except cancellation
        if not result.ran:
            # A tool that did not look at the file (a test file bandit skips, a missing tool) says nothing
            # about it: its findings there are cleared rather than left stale.
            log.info("%s did not run on %s: %s", name, path, result.error)
        ls.store.set_live(path, name, [f for f in result.findings
                                       if (ctx.root / f.path).resolve() == path.resolve()])
        publish(ls, ls.store, path, version)

    await asyncio.gather(*(one(name) for name in on_save()))


def _tell_skipped_plugins(ls: EmpathyServer) -> None:
    """Each analyzer plug-in that could not be loaded, named once with the reason (the others still run)."""
    from empathy_os.analyzers import plugins

    for name, why in plugins.problems().items():
        if name not in _told:
            _told.add(name)
            ls.show(f"Empathy: analyzer plug-in {name} skipped: {why}", types.MessageType.Warning)


def schedule(ls: EmpathyServer, uri: str) -> None:
    path = uri_to_path(uri)
    if path is None or not path.is_file() or not ls.in_workspace(path):
        return
    previous = ls.file_tasks.pop(uri, None)
    if previous is not None and not previous.done():
        previous.cancel()  # a newer save supersedes it
    task = asyncio.ensure_future(analyze_file(ls, path, ls.open_version(path)))
    ls.file_tasks[uri] = task
    lifecycle.track(task)

    def forget(t: asyncio.Task[None]) -> None:
        if ls.file_tasks.get(uri) is t:
            del ls.file_tasks[uri]
        if not t.cancelled() and t.exception() is not None:
            log.warning("analysis of %s failed: %s", uri, t.exception())

    task.add_done_callback(forget)


def register(ls: EmpathyServer) -> None:
    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: EmpathyServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        if is_python(doc.uri, doc.language_id):
            schedule(ls, doc.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: EmpathyServer, params: types.DidSaveTextDocumentParams) -> None:
        if is_python(params.text_document.uri):
            schedule(ls, params.text_document.uri)
            if (path := uri_to_path(params.text_document.uri)) is not None:
                live_coverage.on_save(ls, path)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: EmpathyServer, params: types.DidCloseTextDocumentParams) -> None:
        # Findings describe the file on disk, which closing does not change; re-publish without a version.
        path = uri_to_path(params.text_document.uri)
        if path is not None:
            publish(ls, ls.store, path, None)
