"""A local fake of the Anthropic Messages API (POST /v1/messages) for tests.

The real `anthropic` SDK talks to it over HTTP through `base_url`. Replies are scripted:

    server.script(
        {"text": "...", "input_tokens": 120, "output_tokens": 40},  # a normal message
        {"status": 429},                                             # an HTTP error (retried by the SDK)
        {"sleep": 5, "text": "late"},                                # a slow reply (client timeout)
        {"garbage": True},                                           # a 200 whose body is not JSON
        lambda request: {...},                                       # computed from the request body
        {"tool_use": {"name": "propose_change", "input": {...}}},    # a tool call (stop_reason tool_use)
        {"content": [{"type": "text", "text": "..."}, ...]},         # any content blocks, as given
        {"text": "...", "cache_creation_input_tokens": 900,          # usage of prompt caching
         "cache_read_input_tokens": 0},
    )

When the script is empty, `default` answers (a callable or dict); every request body is kept in
`requests` so tests can check prompts (e.g. that failure feedback reached the next attempt).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


class FakeAnthropic:
    def __init__(self, default: Reply | None = None):
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.default: Reply = default or {"text": "ok", "input_tokens": 10, "output_tokens": 5}
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def _next(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.requests.append(body)
            reply = self._script.popleft() if self._script else self.default
        return reply(body) if callable(reply) else reply

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/messages":
                    return self._send(404, {"type": "error", "error": {"type": "not_found_error"}})
                body = json.loads(raw or b"{}")
                with fake._lock:
                    fake.headers.append(dict(self.headers))
                reply = fake._next(body)
                if reply.get("sleep"):
                    time.sleep(float(reply["sleep"]))
                if reply.get("garbage"):
                    return self._send_raw(200, b"<html>definitely not json", "application/json")
                if status := reply.get("status"):
                    kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
                    return self._send(status, {"type": "error", "error": {"type": kind, "message": "fake"}})
                self._send(200, _message(body, reply))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                self._send_raw(status, json.dumps(payload).encode(), "application/json")

            def _send_raw(self, status: int, data: bytes, ctype: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("content-type", ctype)
                    self.send_header("content-length", str(len(data)))
                    if status == 429:
                        self.send_header("retry-after", "0")
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler


def _message(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    content = reply.get("content")
    if content is None:
        content = [{"type": "text", "text": reply.get("text", "")}]
        if tool := reply.get("tool_use"):
            block = {"type": "tool_use", "id": f"toolu_fake_{len(request.get('messages', []))}",
                     "name": tool["name"], "input": tool.get("input", {})}
            content = ([content[0]] if reply.get("text") else []) + [block]
    usage = {
        "input_tokens": int(reply.get("input_tokens", 0)),
        "output_tokens": int(reply.get("output_tokens", 0)),
    }
    for key in ("cache_creation_input_tokens", "cache_read_input_tokens"):
        if key in reply:
            usage[key] = int(reply[key])
    return {
        "id": f"msg_fake_{id(reply):x}",
        "type": "message",
        "role": "assistant",
        "model": request.get("model", "unknown"),
        "content": content,
        "stop_reason": "tool_use" if any(b.get("type") == "tool_use" for b in content) else "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }
