"""A language server process driven with raw JSON-RPC frames over stdio: for what a well-behaved client
library (pytest-lsp) cannot send, broken frames, and for benches that must control every byte written."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def frame(message: dict[str, Any] | None = None, *, body: bytes | None = None, header: bytes | None = None) -> bytes:
    """One frame: `message` as JSON (or `body` as is) behind a correct header (or `header` as is)."""
    data = body if body is not None else json.dumps(message).encode()
    return (header if header is not None else b"Content-Length: %d\r\n\r\n" % len(data)) + data


class RawServer:
    """`python -m empathy_os lsp` with PYTHONPATH `pythonpath`, in `cwd`; stderr kept for the caller."""

    def __init__(self, pythonpath: str, cwd: Path, stderr: Any = subprocess.PIPE) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
        env["PYTHONPATH"] = pythonpath
        self.proc = subprocess.Popen([sys.executable, "-m", "empathy_os", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=cwd)
        self.buffer = b""
        self.received: list[dict[str, Any]] = []
        self.last_sent: float | None = None  # monotonic time of the last frame a writer finished

    def write(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any], *, flush: bool = True) -> None:
        self.proc.stdin.write(frame(message))
        if flush:
            self.proc.stdin.flush()

    def initialize(self, root: Path) -> None:
        self.send({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {},
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}]}})
        assert self.answer("init", 60) is not None, "no answer to initialize"
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def answer(self, msg_id: Any, timeout: float) -> dict[str, Any] | None:
        """The response to `msg_id` (everything read meanwhile goes to `received`); None on timeout/EOF."""
        deadline = time.monotonic() + timeout
        while True:
            while (message := self._take()) is not None:
                self.received.append(message)
                if message.get("id") == msg_id and "method" not in message:
                    return message
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk

    def _take(self) -> dict[str, Any] | None:
        head, sep, rest = self.buffer.partition(b"\r\n\r\n")
        if not sep:
            return None
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        if len(rest) < length:
            return None
        self.buffer = rest[length:]
        return json.loads(rest[:length])

    def close_stdin(self, timeout: float = 30) -> float | None:
        """Close the server's stdin; seconds until it exited, None when it had not after `timeout`."""
        started = time.monotonic()
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        return time.monotonic() - started
