"""A local fake of the Anthropic Messages API (POST /v1/messages, /v1/messages/count_tokens) for tests.

The real `anthropic` SDK talks to it over HTTP through `base_url`. Strict by default, it follows the published
docs for the 5.5 models (tests/fakes/anthropic_rules.py): a request a model rejects gets the documented 400;
replies start with a thinking block (adaptive thinking is on by default) whose tokens count toward
`max_tokens`, and `stop_reason` is `max_tokens` (the answer cut off) when thinking plus answer do not fit;
input is counted like the newer tokenizer, the same way by the count-tokens endpoint; a `cache_control`
breakpoint caches its prefix only from the model's minimum cacheable length on. `FakeAnthropic(strict=False)`
is the old lenient fake (anything goes, usage only as scripted), kept so tests can show a rule matters.

Replies are scripted:

    server.script(
        {"text": "...", "input_tokens": 120, "output_tokens": 40},  # a message; usage as given (billed)
        {"text": "..."},                                             # usage counted by the fake
        {"status": 429, "retry_after": 1},                           # an HTTP error (retried by the SDK)
        {"sleep": 5, "text": "late"},                                # a slow reply (client timeout)
        {"garbage": True},                                           # a 200 whose body is not JSON
        {"refusal": True},                                           # stop_reason "refusal"
        {"text": "...", "thinking_tokens": 5000},                    # a long think (may hit max_tokens)
        lambda request: {...},                                       # computed from the request body
        {"tool_use": {"name": "propose_change", "input": {...}}},    # a tool call (stop_reason tool_use)
        {"content": [{"type": "text", "text": "..."}, ...]},         # any answer blocks, as given
        {"text": "...", "cache_creation_input_tokens": 900,          # usage of prompt caching, as given
         "cache_read_input_tokens": 0},
    )

When the script is empty, `default` answers (a callable or dict). Messages request bodies are kept in
`requests`, count-tokens bodies in `counts`, and every 400 the fake sent in `rejected` (status, message).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes import anthropic_rules as rules

Reply = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]
USAGE_KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
ERROR_TYPES = {400: "invalid_request_error", 404: "not_found_error", 429: "rate_limit_error",
               529: "overloaded_error"}


class FakeAnthropic:
    def __init__(self, default: Reply | None = None, *, strict: bool = True):
        self.strict = strict
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        lenient_default = {"text": "ok", "input_tokens": 10, "output_tokens": 5}
        self.default: Reply = default or ({"text": "ok"} if strict else lenient_default)
        self.requests: list[dict[str, Any]] = []
        self.counts: list[dict[str, Any]] = []
        self.rejected: list[tuple[int, str]] = []
        self.headers: list[dict[str, str]] = []
        self._cached: set[tuple[str, int]] = set()  # (model, prefix tokens) written to the cache
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

    def validate(self, body: dict[str, Any], *, counting: bool = False) -> tuple[int, str] | None:
        """(status, message) of the error the documented API answers, or None."""
        if not self.strict:
            return None
        model_rules = rules.MODELS.get(body.get("model", ""))
        if model_rules is None:
            return 404, f"model: {body.get('model')}"
        try:
            rules.check(body, model_rules, counting=counting)
        except rules.Rejected as exc:
            return 400, str(exc)
        return None

    def cache_usage(self, body: dict[str, Any]) -> tuple[int, int]:
        """(cache write, cache read) tokens of this request's breakpoint, as the real cache would bill them."""
        prefix = rules.cached_prefix(body)
        if prefix < rules.MIN_CACHEABLE:
            return 0, 0
        key = (body.get("model", ""), prefix)
        with self._lock:
            if key in self._cached:
                return 0, prefix
            self._cached.add(key)
        return prefix, 0

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                path = self.path.split("?")[0].rstrip("/")
                body = json.loads(raw or b"{}")
                if path == "/v1/messages/count_tokens" and fake.strict:
                    return self._count(body)
                if path != "/v1/messages":
                    return self._error(404, "not found")
                with fake._lock:
                    fake.headers.append(dict(self.headers))
                if error := fake.validate(body):
                    with fake._lock:
                        fake.requests.append(body)
                    return self._error(*error)
                reply = fake._next(body)
                if reply.get("sleep"):
                    time.sleep(float(reply["sleep"]))
                if reply.get("garbage"):
                    return self._send_raw(200, b"<html>definitely not json", "application/json")
                if status := reply.get("status"):
                    return self._error(status, "fake", reply.get("retry_after", 0 if status == 429 else None))
                message = _strict_message(fake, body, reply) if fake.strict else _message(body, reply)
                self._send(200, message)

            def _count(self, body: dict[str, Any]) -> None:
                with fake._lock:
                    fake.counts.append(body)
                if error := fake.validate(body, counting=True):
                    return self._error(*error)
                self._send(200, {"input_tokens": rules.count_request(body)})

            def _error(self, status: int, message: str, retry_after: float | None = None) -> None:
                if status in (400, 404):
                    with fake._lock:
                        fake.rejected.append((status, message))
                kind = ERROR_TYPES.get(status, "api_error")
                self._send(status, {"type": "error", "error": {"type": kind, "message": message}},
                           retry_after)

            def _send(self, status: int, payload: dict[str, Any], retry_after: float | None = None) -> None:
                self._send_raw(status, json.dumps(payload).encode(), "application/json", retry_after)

            def _send_raw(self, status: int, data: bytes, ctype: str, retry_after: float | None = None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("content-type", ctype)
                    self.send_header("content-length", str(len(data)))
                    if retry_after is not None:
                        self.send_header("retry-after", f"{retry_after:g}")
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler


def _answer(request: dict[str, Any], reply: dict[str, Any]) -> list[dict[str, Any]]:
    content = reply.get("content")
    if content is None:
        content = [{"type": "text", "text": reply.get("text", "")}]
        if tool := reply.get("tool_use"):
            block = {"type": "tool_use", "id": f"toolu_fake_{len(request.get('messages', []))}",
                     "name": tool["name"], "input": tool.get("input", {})}
            content = ([content[0]] if reply.get("text") else []) + [block]
    return content


def _stop_reason(content: list[dict[str, Any]]) -> str:
    return "tool_use" if any(b.get("type") == "tool_use" for b in content) else "end_turn"


def _message(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    """The lenient reply: the scripted blocks and usage, nothing checked."""
    content = _answer(request, reply)
    usage = {
        "input_tokens": int(reply.get("input_tokens", 0)),
        "output_tokens": int(reply.get("output_tokens", 0)),
    }
    for key in ("cache_creation_input_tokens", "cache_read_input_tokens"):
        if key in reply:
            usage[key] = int(reply[key])
    return _envelope(request, content, _stop_reason(content), usage)


def _strict_message(fake: FakeAnthropic, request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    model = request["model"]
    answer = _answer(request, reply)
    thinking = 0
    content: list[dict[str, Any]] = []
    if rules.thinks(request):
        effort = rules.effort_of(request, rules.MODELS[model])
        thinking = int(reply.get("thinking_tokens", rules.THINKING_BY_EFFORT[effort]))
        content.append({"type": "thinking", "thinking": "", "signature": rules.signature(model)})
    answer_tokens = sum(rules.count_text(rules.block_text(b)) for b in answer)
    stop = _stop_reason(answer)
    stop_details = None
    if reply.get("refusal"):
        stop, answer = "refusal", []
        stop_details = {"type": "refusal", "category": None, "explanation": None}
    elif thinking + answer_tokens > request["max_tokens"]:
        stop, answer = "max_tokens", []  # cut off: no complete text or tool call
    content += answer
    usage = {"output_tokens": min(thinking + answer_tokens, request["max_tokens"])}
    if any(k in reply for k in USAGE_KEYS):  # billed as scripted (e.g. more than the count)
        usage.update({k: 0 for k in USAGE_KEYS if k != "output_tokens"})
        usage.update({k: int(reply[k]) for k in USAGE_KEYS if k in reply})
    else:
        write, read = fake.cache_usage(request)
        usage.update(input_tokens=rules.count_request(request) - write - read, cache_creation_input_tokens=write,
                     cache_read_input_tokens=read)
    usage["output_tokens_details"] = {"thinking_tokens": min(thinking, request["max_tokens"])}
    message = _envelope(request, content, stop, usage)
    message["stop_details"] = stop_details
    return message


def _envelope(request: dict[str, Any], content: list[dict[str, Any]], stop: str,
              usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"msg_fake_{id(content):x}",
        "type": "message",
        "role": "assistant",
        "model": request.get("model", "unknown"),
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": usage,
    }
