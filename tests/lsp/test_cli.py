"""`empathy lsp` command line: TCP mode for debugging, bad usage."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys

from tests.lsp.conftest import REPO, server_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_tcp_mode_answers_initialize_on_localhost():
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "empathy_os", "lsp", "--tcp", "--port", str(port), env=server_env(), cwd=str(REPO))
    try:
        for _ in range(1200):  # up to 60 s: starting Python + pygls takes ~20 s on a loaded 2-CPU machine
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("the server never listened")
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                           "params": {"processId": None, "rootUri": None, "capabilities": {}}}).encode()
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        reply: dict = {}
        while "id" not in reply:  # notifications (the settings log line) may come first
            headers = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            length = int(next(h for h in headers.decode().split("\r\n")
                              if h.startswith("Content-Length")).split(":")[1])
            reply = json.loads(await reader.readexactly(length))
        assert reply["id"] == 1 and reply["result"]["serverInfo"]["name"] == "empathy-lsp"
        writer.close()
    finally:
        proc.kill()
        await proc.wait()


def test_bad_port_is_a_one_line_usage_error():
    run = subprocess.run([sys.executable, "-m", "empathy_os", "lsp", "--tcp", "--port", "70000"],
                         capture_output=True, text=True, env=server_env(), timeout=60, check=False)
    assert run.returncode == 2
    assert run.stderr.strip() == "empathy: error: --port must be between 1 and 65535, got 70000"
