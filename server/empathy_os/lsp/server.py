"""The Empathy language server (pygls 2): commands, diagnostics, code actions, settings.

Start-up imports only pygls, lsprotocol and pydantic; analyzers and workflows load on first use, so
`initialize` is answered quickly. See PROTOCOL.md beside this file for what a client can send and receive.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from empathy_os import __version__
from empathy_os.lsp import arguments, code_actions, commands, explain, fix_actions, lifecycle
from empathy_os.lsp import command_ids as ids
from empathy_os.lsp.diagnostics import PER_FILE_ANALYZERS, DiagnosticStore, publish, uri_to_path
from empathy_os.lsp.settings import (
    SECTION,
    Settings,
    apply_model_env,
    parse_settings,
    section_of,
    trust_of,
)

log = logging.getLogger(__name__)

_OPTIONAL_ARGS = {ids.RELEASE_PREP, ids.TEST_COVERAGE_BOOST, ids.LIST_TEMPLATES}
_PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")


class EmpathyProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # executeCommand request id -> the client's workDoneToken (pygls hands handlers only the arguments)
        self.work_done_tokens: dict[Any, types.ProgressToken] = {}

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams):
        # A palette call sends no argument; pygls would reject the missing object even though every field
        # of these commands is optional, so supply the empty one.
        if not params.arguments and params.command in _OPTIONAL_ARGS:
            params.arguments = [{}]
        msg_id = self.msg_id
        if params.work_done_token is not None and msg_id is not None:
            self.work_done_tokens[msg_id] = params.work_done_token
        try:
            return (yield from super().lsp_workspace__execute_command(params))
        finally:
            self.work_done_tokens.pop(msg_id, None)

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any):
        # pygls's own version cancels in-flight requests while iterating the dict their cancel callbacks
        # pop from ("dictionary changed size during iteration" with a release prep running): iterate a copy.
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and not future.done():
                future.cancel()
        self._shutdown = True


class EmpathyServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "empathy-lsp", __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=EmpathyProtocol,
            converter_factory=lambda: arguments.install(default_converter()),
        )
        self.settings = Settings()
        self.store = DiagnosticStore()
        self.release_preps: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.file_tasks: dict[str, asyncio.Task[None]] = {}

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        super().start_io(lifecycle.StdinWatcher(stdin or sys.stdin.buffer), stdout)

    # -- helpers used by the feature modules -----------------------------------------------------------

    def client_token(self) -> types.ProgressToken | None:
        """The workDoneToken of the executeCommand request being handled, if the client sent one."""
        return self.protocol.work_done_tokens.get(self.protocol.msg_id)  # type: ignore[attr-defined]

    def show(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def update_settings(self, payload: Any) -> None:
        """New settings from the client. Trust is applied first and on its own (fail closed: anything but
        an explicit `trusted: true` is untrusted); a bad value elsewhere keeps the other old settings and
        tells the user why."""
        trusted = trust_of(payload)
        try:
            new = parse_settings(payload)
        except ValueError as exc:
            self.settings = self.settings.model_copy(update={"trusted": trusted})
            state = "trusted" if trusted else "untrusted"
            self.show(f"Empathy: {exc} (previous settings kept; workspace {state})", types.MessageType.Error)
            self._log_settings()
            return
        self.settings = new
        apply_model_env(new)
        self._log_settings()

    def _log_settings(self) -> None:
        # Shown in the client's output channel: what the server will actually use (no secrets in here).
        self.window_log_message(types.LogMessageParams(
            type=types.MessageType.Info,
            message="Empathy settings: " + self.settings.model_dump_json(by_alias=True, exclude_none=True)))

    def _folders(self) -> list[Path]:
        folders = [Path(p) for f in self.workspace.folders.values() if (p := to_fs_path(f.uri))]
        if not folders and self.workspace.root_path:
            folders = [Path(self.workspace.root_path)]
        return folders

    def default_root(self) -> Path | None:
        folders = self._folders()
        return folders[0].resolve() if folders else None

    def resolve_root(self, value: str | None) -> Path:
        """The project a command is about: its `root` argument (path or file URI), else the workspace."""
        if value:
            path = uri_to_path(value) if value.startswith("file:") else Path(value).expanduser()
            if path is None:
                raise JsonRpcInvalidParams(f"root: not a file URI: {value}")
        else:
            path = self.default_root()
            if path is None:
                raise JsonRpcInvalidParams("root: no workspace folder is open; pass {\"root\": <folder>}")
        if not path.is_dir():
            raise JsonRpcInvalidParams(f"root: not a folder: {path}")
        return path.resolve()

    def root_for(self, file: Path) -> Path:
        """The project a file belongs to: the innermost workspace folder holding it, else its nearest
        ancestor with a project marker, else its folder."""
        file = file.resolve()
        holders = [f.resolve() for f in self._folders() if file.is_relative_to(f.resolve())]
        if holders:
            return max(holders, key=lambda p: len(p.parts))
        for parent in file.parents:
            if any((parent / m).exists() for m in _PROJECT_MARKERS):
                return parent
        return file.parent

    def open_version(self, path: Path) -> int | None:
        for uri, document in self.workspace.text_documents.items():
            fs = to_fs_path(uri)
            if fs and Path(fs).resolve() == path.resolve():
                return document.version
        return None


def _is_python(uri: str, language_id: str | None = None) -> bool:
    return language_id == "python" or uri.endswith((".py", ".pyi"))


async def analyze_file(ls: EmpathyServer, path: Path, version: int | None) -> None:
    """Re-run the per-file analyzers on one file and replace its diagnostics."""
    from empathy_os.analyzers import run_analyzer
    from empathy_os.analyzers.project import load_project

    settings = ls.settings
    try:
        ctx = load_project(ls.root_for(path), python=settings.python, trusted=settings.trusted)
    except ValueError as exc:
        log.warning("cannot analyse %s: %s", path, exc)
        return
    ctx.only_files = [path]
    ctx.use_cache = True

    async def one(name: str) -> None:
        # Each tool publishes as soon as it is done: ruff answers in milliseconds, bandit's process takes
        # longer, and the editor should not wait for the slowest tool to show the fastest one's findings.
        result = await run_analyzer(name, ctx)  # never raises, except cancellation
        if not result.ran:
            # A tool that did not look at the file (a test file bandit skips, a missing tool) says nothing
            # about it: its findings there are cleared rather than left stale.
            log.info("%s did not run on %s: %s", name, path, result.error)
        ls.store.set_live(path, name, [f for f in result.findings
                                       if (ctx.root / f.path).resolve() == path.resolve()])
        publish(ls, ls.store, path, version)

    await asyncio.gather(*(one(name) for name in PER_FILE_ANALYZERS))


def _schedule(ls: EmpathyServer, uri: str) -> None:
    path = uri_to_path(uri)
    if path is None or not path.is_file():
        return
    folders = ls._folders()
    if folders and not any(path.resolve().is_relative_to(f.resolve()) for f in folders):
        return  # a library file opened by go-to-definition is not the user's project
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


def create_server() -> EmpathyServer:
    ls = EmpathyServer()

    @ls.feature(types.INITIALIZE)
    def initialize(ls: EmpathyServer, params: types.InitializeParams) -> None:
        lifecycle.install(ls)  # signals and a vanished client end the process cleanly from now on
        ls.update_settings(params.initialization_options)

    @ls.feature(types.INITIALIZED)
    async def initialized(ls: EmpathyServer, params: types.InitializedParams) -> None:
        await pull_configuration(ls, keep_if_empty=True)

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: EmpathyServer, params: types.DidChangeConfigurationParams) -> None:
        if section_of(params.settings):
            ls.update_settings(params.settings)
        else:  # the pull model: the notification only says "something changed"
            await pull_configuration(ls, keep_if_empty=False)

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: EmpathyServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        if _is_python(doc.uri, doc.language_id):
            _schedule(ls, doc.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: EmpathyServer, params: types.DidSaveTextDocumentParams) -> None:
        if _is_python(params.text_document.uri):
            _schedule(ls, params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: EmpathyServer, params: types.DidCloseTextDocumentParams) -> None:
        # Findings describe the file on disk, which closing does not change; re-publish without a version.
        path = uri_to_path(params.text_document.uri)
        if path is not None:
            publish(ls, ls.store, path, None)

    @ls.feature(types.SHUTDOWN)
    def shutdown(ls: EmpathyServer, *args: Any) -> None:
        for task in list(ls.file_tasks.values()):
            task.cancel()

    commands.register(ls)
    explain.register(ls)
    code_actions.register(ls)
    fix_actions.register(ls)
    return ls


async def pull_configuration(ls: EmpathyServer, keep_if_empty: bool) -> None:
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
    except Exception as exc:  # noqa: BLE001 - a client may not answer; settings stay as they are
        log.info("workspace/configuration failed: %s", exc)
        return
    value = result[0] if result else None
    if keep_if_empty and not value:
        return
    ls.update_settings(value or {})
