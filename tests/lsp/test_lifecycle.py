"""How the daemon ends, with a raw stdio client (issue 10, items 7 and 10).

The client going away (stdin closed, pipes broken) ends the server quickly with a line or two on stderr,
not tracebacks; SIGTERM and SIGHUP kill the tool process groups it started and leave no temp folder.
Expected protocol errors (-32602) log one line; bandit's optional sarif formatter logs nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from empathy_os.lsp import command_ids as ids

from tests.lsp.conftest import server_env

EXIT_SECONDS = 30  # generous: the CI machine may be loaded; a hang would be forever
SMALL_STDERR = 2_000


class RawServer:
    """`python -m empathy_os lsp` driven by hand-written JSON-RPC, so the test can break the connection."""

    def __init__(self, cwd: Path, tmpdir: Path | None = None) -> None:
        env = server_env()
        if tmpdir is not None:
            env["TMPDIR"] = str(tmpdir)
        self.stderr_path = cwd.parent / f"stderr-{os.getpid()}-{time.monotonic_ns()}.log"
        self._stderr = self.stderr_path.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "empathy_os", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._stderr, env=env, cwd=str(cwd))
        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        try:
            while True:
                length = 0
                while (line := out.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if not line:
                    return
                message = json.loads(out.read(length))
                self.messages.append(message)
                if "method" in message and "id" in message:  # a server request (progress/create, ...)
                    self.send({"id": message["id"], "result": None})
        except (OSError, ValueError):
            return

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        with self._lock:  # the reader thread answers server requests
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def initialize(self, root: Path | None, trusted: bool = True) -> None:
        self.send({"id": 0, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": root.as_uri() if root else None,
            "capabilities": {"window": {"workDoneProgress": True}},
            "initializationOptions": {"trusted": trusted}}})
        self.wait_for(lambda: self.reply(0), "the initialize answer")
        self.send({"method": "initialized", "params": {}})

    def reply(self, msg_id: Any) -> dict[str, Any] | None:
        return next((m for m in self.messages if m.get("id") == msg_id and "method" not in m), None)

    def execute(self, msg_id: Any, command: str, argument: dict[str, Any]) -> None:
        self.send({"id": msg_id, "method": "workspace/executeCommand",
                   "params": {"command": command, "arguments": [argument]}})

    def wait_for(self, predicate, what: str, timeout: float = 120) -> Any:
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            assert self.proc.poll() is None, f"the server exited while waiting for {what}: {self.stderr()}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)
        return value

    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def wait_exit(self) -> float:
        started = time.monotonic()
        try:
            self.proc.wait(EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"the server did not exit within {EXIT_SECONDS}s: {self.stderr()}") from None
        return time.monotonic() - started

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()


@pytest.fixture
def raw(tmp_path):
    servers: list[RawServer] = []

    def start(cwd: Path, tmpdir: Path | None = None) -> RawServer:
        server = RawServer(cwd, tmpdir)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def test_stdin_closed_exits_quietly_and_expected_errors_are_one_line(raw, sample):
    server = raw(sample)
    server.initialize(sample)
    server.execute(1, ids.COMPOSE_TEAM, {})  # malformed: no task -> -32602
    assert server.wait_for(lambda: server.reply(1), "the error answer")["error"]["code"] == -32602
    # didOpen runs bandit in process: its extension loader used to log an ERROR about the sarif formatter.
    path = sample / "inventory" / "storage.py"
    server.send({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": path.as_uri(), "languageId": "python", "version": 1, "text": path.read_text()}}})
    server.wait_for(lambda: any(m.get("method") == "textDocument/publishDiagnostics" and
                                any(d["code"] == "B602" for d in m["params"]["diagnostics"])
                                for m in server.messages), "bandit's diagnostics")

    server.proc.stdin.close()
    server.wait_exit()
    assert server.proc.returncode == 0
    err = server.stderr()
    assert "Traceback" not in err and "sarif" not in err, err
    assert len(err.splitlines()) == 1 and "-32602" in err and "task: Field required" in err, err


def test_client_gone_mid_release_prep_exits_quietly_and_kills_its_tools(raw, sample):
    server = raw(sample)
    server.initialize(sample)
    server.execute(1, ids.RELEASE_PREP, {})
    tools = server.wait_for(server.descendants, "a tool process")
    server.proc.stdin.close()
    server.proc.stdout.close()  # the client is gone: both ends of its pipes are closed
    seconds = server.wait_exit()
    err = server.stderr()
    assert "Traceback" not in err and "closed file" not in err, err
    assert len(err.encode()) < SMALL_STDERR, f"{len(err.encode())} bytes on stderr: {err[:500]}"
    time.sleep(0.5)
    assert not _alive(tools), f"left running: {_alive(tools)}"
    print(f"exit {seconds:.1f}s after the client went away; stderr: {err!r}")


@pytest.mark.parametrize(("sig", "command", "workdir"), [
    # the coverage run (the project's tests) in its own process group, in an empathy-cov-* temp folder
    (signal.SIGTERM, ids.RELEASE_PREP, "empathy-cov-"),
    # test generation / validation in a private project copy (empathy-testgen-*)
    # (a dry run: this raw client cannot apply edits)
    (signal.SIGHUP, ids.TEST_COVERAGE_BOOST, "empathy-testgen-"),
])
def test_sigterm_and_sighup_kill_the_started_tools_and_remove_temp_folders(raw, sample, tmp_path, sig,
                                                                           command, workdir):
    tmpdir = tmp_path / "server-tmp"
    tmpdir.mkdir()
    server = raw(sample, tmpdir)
    server.initialize(sample)
    server.execute(1, command, {"dryRun": True} if command == ids.TEST_COVERAGE_BOOST else {})
    # Wait until the command works in its temp folder with a process of ours running.
    tools = server.wait_for(lambda: any(tmpdir.rglob(workdir + "*"))
                            and server.descendants() or server.reply(1), f"a tool process and an {workdir}* folder", timeout=300)
    assert not server.reply(1), f"the command ended before the signal: {server.reply(1)}"
    server.proc.send_signal(sig)
    server.wait_exit()
    assert server.proc.returncode == 128 + sig
    time.sleep(0.5)
    assert not _alive(tools), f"left running after {sig.name}: {_alive(tools)}"
    left = list(tmpdir.iterdir())
    assert not left, f"temp folders left after {sig.name}: {left}"
    err = server.stderr()
    assert f"received {sig.name}" in err and "Traceback" not in err, err
    shutil.rmtree(tmpdir, ignore_errors=True)
