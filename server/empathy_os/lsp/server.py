"""The Empathy language server (pygls 2): commands, diagnostics, code actions, settings.

Start-up imports only pygls, lsprotocol and pydantic; analyzers and workflows load on first use, so
`initialize` is answered quickly. See PROTOCOL.md beside this file for what a client can send and receive.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from empathy_os import __version__
from empathy_os.lsp import (
    arguments,
    code_actions,
    commands,
    documents,
    explain,
    file_diagnostics,
    fix_actions,
    framing,
    lifecycle,
    live_coverage,
    release_fix,
)
from empathy_os.lsp import command_ids as ids
from empathy_os.lsp.diagnostics import DiagnosticStore, uri_to_path
from empathy_os.lsp.settings import (
    SECTION,
    Settings,
    apply_model_env,
    parse_settings,
    trust_of,
)
from empathy_os.lsp.shared_runs import SharedRuns

log = logging.getLogger(__name__)

_OPTIONAL_ARGS = {ids.RELEASE_PREP, ids.TEST_COVERAGE_BOOST, ids.LIST_TEMPLATES, ids.COVERAGE}


class EmpathyProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # executeCommand request id -> the client's workDoneToken (pygls hands handlers only the arguments)
        self.work_done_tokens: dict[Any, types.ProgressToken] = {}

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            # A request whose params do not fit its type: pygls drops it, and its sender would wait
            # forever. Answer it with the error (InvalidParams), then let pygls log it (framing.py).
            if "id" in data and "method" in data:
                error = JsonRpcInvalidParams(f"{data['method']}: params do not fit the request's type") \
                    if isinstance(exc, JsonRpcInvalidParams) else exc
                self._send_response(data["id"], error=error.to_response_error())
            raise

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

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        documents.on_open(self._server, params)
        return (yield from super().lsp_text_document__did_open(params))

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        documents.on_change(self._server, params)
        result = yield from super().lsp_text_document__did_change(params)
        documents.after_change(self._server, params)
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        documents.on_close(self._server, params.text_document.uri)
        return (yield from super().lsp_text_document__did_close(params))

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any):
        # pygls's own version cancels in-flight requests while iterating the dict their cancel callbacks
        # pop from ("dictionary changed size during iteration" with a release prep running): iterate a copy.
        # Upstream: https://github.com/openlawlibrary/pygls/issues/606 (open) -- delete this override once a
        # pygls release iterates over a snapshot.
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and not future.done():
                future.cancel()
        self._shutdown = True

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any):
        # pygls raises SystemExit on the loop, and asyncio.run then waits, unbounded, for every task left to
        # unwind: one stuck task kept the process alive after the client had gone. Stop our way instead:
        # running work cancelled, GRACE_SECONDS to unwind, then the process ends (lifecycle.stop).
        if (user_handler := self.fm.features.get(types.EXIT)) is not None:
            yield user_handler, args, None
        lifecycle.request_stop("the client sent exit", 0 if self._shutdown else 1)


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
        self.release_preps: SharedRuns[dict[str, Any]] = SharedRuns("release prep")  # one per workspace
        self.file_tasks: dict[str, asyncio.Task[None]] = {}
        self.live_coverage: dict[str, live_coverage.Live] = {}  # workspace root -> refresh state
        self.big_documents: set[str] = set()  # open documents whose text is not kept (lsp/documents.py)
        self.document_limits: dict[str, int] = {}  # uri -> its project's max_file_bytes
        self.trusted_runs: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()  # see settings_for_run

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        framing.install_quiet_errors()
        super().start_io(lifecycle.StdinWatcher(framing.FrameReader(stdin or sys.stdin.buffer)), stdout)

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
            self._set(self.settings.model_copy(update={"trusted": trusted}))
            state = "trusted" if trusted else "untrusted"
            self.show(f"Empathy: {exc} (previous settings kept; workspace {state})", types.MessageType.Error)
            return
        self._set(new)
        apply_model_env(new)

    def revoke_trust(self, why: str) -> None:
        """A settings change whose payload could not be had (no pull model, a failed pull): untrusted, the
        other settings as they were."""
        log.info("settings change without a payload (%s): untrusted", why)
        self._set(self.settings.model_copy(update={"trusted": False}))

    def _set(self, new: Settings) -> None:
        revoked = self.settings.trusted and not new.trusted
        self.settings = new
        self._log_settings()
        if revoked:
            self._stop_trusted_runs()

    def settings_for_run(self) -> Settings:
        """The settings a command starts with. When they trust the workspace, the command's task is
        cancelled if that trust is revoked while it runs: it may be running project code."""
        task = asyncio.current_task()
        if self.settings.trusted and task is not None:
            self.trusted_runs.add(task)
        return self.settings

    def _stop_trusted_runs(self) -> None:
        running = [t for t in [*self.trusted_runs, *(live.task for live in self.live_coverage.values())]
                   if t is not None and not t.done()]
        live_coverage.stop_workers(self)  # warm interpreters hold project code's tools: gone with the trust
        for task in running:
            task.cancel()
        if running:
            self.show(f"Empathy: workspace trust revoked; stopped {len(running)} run(s) of project code",
                      types.MessageType.Warning)

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
        """The project a command is about: its `root` argument (path or file URI), else the workspace. Only
        a folder inside a workspace folder the client opened: anything else is InvalidParams."""
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
        self.root_for(path, "root")
        return path.resolve()

    def root_for(self, path: Path, what: str = "uri") -> Path:
        """The workspace folder (the innermost) a file or folder is in, symlinks resolved. A command runs a
        project's code and writes into it only where the client opened (and trusted) a folder: a path
        anywhere else is InvalidParams naming `what` was wrong."""
        path = path.resolve()
        holders = [f.resolve() for f in self._folders() if path.is_relative_to(f.resolve())]
        if not holders:
            opened = ", ".join(str(f) for f in self._folders()) or "none"
            raise JsonRpcInvalidParams(f"{what}: {path} is not inside a workspace folder (open: {opened})")
        return max(holders, key=lambda p: len(p.parts))

    def in_workspace(self, path: Path) -> bool:
        """Inside one of the workspace folders the client opened."""
        try:
            self.root_for(path)
        except JsonRpcInvalidParams:
            return False
        return True

    def open_version(self, path: Path) -> int | None:
        for uri, document in self.workspace.text_documents.items():
            fs = to_fs_path(uri)
            if fs and Path(fs).resolve() == path.resolve():
                return document.version
        return None


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
        # PROTOCOL.md: every payload carries its own trust. Only a bare "something changed" (null or {})
        # from a client that can answer workspace/configuration is resolved by asking it.
        if params.settings in (None, {}) and can_pull(ls):
            await pull_configuration(ls, keep_if_empty=False)
        elif params.settings is None:
            ls.revoke_trust("settings: null, and the client cannot be asked (no workspace.configuration)")
        else:
            ls.update_settings(params.settings)

    @ls.feature(types.SHUTDOWN)
    def shutdown(ls: EmpathyServer, *args: Any) -> None:
        for task in list(ls.file_tasks.values()):
            task.cancel()
        live_coverage.stop_workers(ls)

    file_diagnostics.register(ls)
    commands.register(ls)
    explain.register(ls)
    code_actions.register(ls)
    fix_actions.register(ls)
    release_fix.register(ls)
    live_coverage.register(ls)
    return ls


def can_pull(ls: EmpathyServer) -> bool:
    workspace = ls.client_capabilities.workspace
    return bool(workspace and workspace.configuration)


async def pull_configuration(ls: EmpathyServer, keep_if_empty: bool) -> None:
    """Ask the client for section `empathy`. At start-up (`keep_if_empty`) an empty answer keeps the
    initializationOptions; after a change notification, no answer means untrusted (fail closed)."""
    if not can_pull(ls):
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
    except Exception as exc:  # noqa: BLE001 - a client may not answer
        log.info("workspace/configuration failed: %s", exc)
        if not keep_if_empty:
            ls.revoke_trust(f"workspace/configuration failed: {exc}")
        return
    value = result[0] if result else None
    if keep_if_empty and not value:
        return
    ls.update_settings(value or {})
