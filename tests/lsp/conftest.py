"""A real language client (pytest-lsp) talking to `python -m empathy_os lsp` over stdio."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Union

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

REPO = Path(__file__).resolve().parents[2]


class Session:
    """One server process and its client, plus what the client received beyond pytest-lsp's defaults."""

    def __init__(self, client: LanguageClient, root: Path | None):
        self.client = client
        self.root = root
        self.applied_edits: list[types.ApplyWorkspaceEditParams] = []
        self.notifications: dict[str, list[Any]] = {}
        self.apply_result = True
        self.init: types.InitializeResult | None = None

    @property
    def pid(self) -> int:
        return self.client._server.pid  # type: ignore[union-attr]

    def uri(self, rel: str) -> str:
        assert self.root is not None
        return (self.root / rel).resolve().as_uri()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition"):
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
            await asyncio.sleep(0.02)

    def codes(self, rel: str) -> list[str]:
        return [str(d.code) for d in self.client.diagnostics.get(self.uri(rel), [])]

    async def execute(self, command: str, *arguments: Any, msg_id: str | None = None,
                      token: str | None = None) -> Any:
        if token is not None:  # a client-made token: the test client must know it before $/progress arrives
            self.client.progress_reports.setdefault(token, [])
        params = types.ExecuteCommandParams(command=command, arguments=list(arguments), work_done_token=token)
        return await self.client.protocol.send_request_async(types.WORKSPACE_EXECUTE_COMMAND, params,
                                                             msg_id=msg_id)

    def open(self, rel: str, version: int = 1) -> str:
        uri = self.uri(rel)
        text = (self.root / rel).read_text(encoding="utf-8")  # type: ignore[operator]
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))
        return uri


def server_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "EMPATHY_MODEL_"))}
    env["PYTHONPATH"] = str(REPO / "server")
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


StartServer = Callable[..., Awaitable[Session]]


def _converter():
    """lsprotocol's converter reads any code action with a `command` key as a bare Command, although a
    CodeAction may carry a Command object there; real editors tell them apart by the key's type."""
    converter = default_converter()

    def code_action(obj: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], code_action)  # noqa: UP007
    return converter


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=_converter)
    register_lsp_features(client)
    return client


@pytest_asyncio.fixture
async def start_server():
    """Factory: start a server on a workspace, initialize it, and shut everything down afterwards."""
    sessions: list[Session] = []

    async def start(root: Path | None, *, client: str | types.ClientCapabilities = "visual-studio-code",
                    init_options: dict[str, Any] | None = None, env: dict[str, str] | None = None,
                    trusted: bool | None = True) -> Session:
        """`trusted` is added to `init_options` unless they say it themselves (None: not sent at all, and
        the server stays untrusted). `client`: a client pytest-lsp knows by name, or its capabilities."""
        if trusted is not None:
            init_options = {"trusted": trusted, **(init_options or {})}
        lsp = make_client()
        session = Session(lsp, root)

        @lsp.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            session.applied_edits.append(params)
            return types.ApplyWorkspaceEditResult(applied=session.apply_result)

        @lsp.feature("empathy/report")
        def report(params: Any) -> None:
            session.notifications.setdefault("empathy/report", []).append(params)

        @lsp.feature("empathy/coverage")
        def coverage(params: Any) -> None:
            session.notifications.setdefault("empathy/coverage", []).append(params)

        await lsp.start_io(sys.executable, "-m", "empathy_os", "lsp", env=env or server_env(),
                           cwd=str(root or REPO))
        sessions.append(session)
        folders = [types.WorkspaceFolder(uri=root.as_uri(), name=root.name)] if root else None
        session.init = await lsp.initialize_session(types.InitializeParams(
            capabilities=client_capabilities(client) if isinstance(client, str) else client,
            root_uri=root.as_uri() if root else None,
            workspace_folders=folders,
            initialization_options=init_options,
        ))
        return session

    yield start
    for session in sessions:
        try:
            await asyncio.wait_for(session.client.shutdown_session(), 30)
        except Exception as exc:  # noqa: BLE001 - a test may already have broken the connection
            print(f"shutdown: {exc!r}")
        await session.client.stop()


@pytest.fixture
def sample(sample_project: Path) -> Path:
    return sample_project
