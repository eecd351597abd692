"""Reading LSP frames so that a bad one costs one log line, never the messages after it.

pygls 2 (`pygls.io_.run_async`) reads header lines until it has seen `Content-Length: N` and a blank line.
A frame without that header, or with a malformed one (`Content-Length: abc`), is not skipped: its body
(which ends without a newline) is read as the start of the next "header line", so the next real frame's
`Content-Length` is swallowed and that request is never answered; the client waits forever. A body that is
not JSON, or a request whose params do not fit its type, is logged with a traceback or a dozen (cattrs'
grouped errors), and the request itself is never answered.

`FrameReader` sits between stdin and pygls's loop (which reads it with `readline` and `read`): it checks
each header block itself, and hands pygls only well-formed frames, re-written as `Content-Length: N`. On a
bad block it logs one line and resynchronises on the next `Content-Length:` header in the stream (a body
that is not newline-terminated runs straight into it). `install_quiet_errors` turns pygls's tracebacks for
a message it cannot read into one line, and `answer_unreadable_request` (called by our protocol) answers a
request whose params cannot be read with the error instead of silence.
"""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 512 * 2**20  # far above any real message; a larger length is a corrupt header
_NEXT_FRAME = re.compile(rb"content-length:", re.IGNORECASE)


class FrameReader:
    """`readline`/`read` over a binary stream, serving only well-formed frames (see the module doc)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._pending: list[bytes] = []  # the canonical header lines of the next frame
        self._carry: bytes | None = None  # a header line found while resynchronising

    def readline(self) -> bytes:
        if not self._pending:
            length = self._next_length()
            if length is None:
                return b""  # end of input
            self._pending = [b"Content-Length: %d\r\n" % length, b"\r\n"]
        return self._pending.pop(0)

    def read(self, n: int = -1) -> bytes:
        return self.inner.read(n)

    def _line(self) -> bytes:
        if self._carry is not None:
            line, self._carry = self._carry, None
            return line
        return self.inner.readline()

    def _next_length(self) -> int | None:
        """The body length of the next good frame (bad ones are logged and skipped); None at the end."""
        while True:
            headers: list[bytes] = []
            while (line := self._line()) not in (b"\r\n", b"\n"):
                if not line:
                    return None
                headers.append(line)
            if not headers:
                continue  # a stray blank line between frames
            length, problem = _content_length(headers)
            if problem is None:
                return length
            log.warning("dropped an unreadable message (%s); reading on from the next Content-Length header",
                        problem)
            if not self._resync():
                return None

    def _resync(self) -> bool:
        """Skip to the next `Content-Length:` (kept as the next header line); False at the end of input."""
        while line := self.inner.readline():
            found = _NEXT_FRAME.search(line)
            if found:
                self._carry = line[found.start():]
                return True
        return False


def _content_length(headers: list[bytes]) -> tuple[int, str | None]:
    """(length, None) for a good header block, else (0, what is wrong with it)."""
    length: int | None = None
    for raw in headers:
        name, sep, value = raw.partition(b":")
        if not sep or not raw.endswith(b"\n"):
            return 0, f"malformed header line {raw[:80]!r}"
        if name.strip().lower() != b"content-length":
            continue  # Content-Type and unknown headers are allowed
        text = value.strip()
        if not text.isdigit() or int(text) > MAX_BODY_BYTES:
            return 0, f"bad Content-Length {text[:40]!r}"
        length = int(text)
    if length is None:
        return 0, "no Content-Length header"
    return length, None


class _OneLine(logging.Filter):
    """pygls logs a message it cannot read with its traceback, twice over for a request whose params do
    not fit (cattrs' grouped errors): one line instead, naming the error."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Unable to deserialize message"):
            return False  # the loop's own "Unable to handle message" follows: that one is kept
        if record.exc_info and record.getMessage() == "Unable to handle message":
            exc = record.exc_info[1]
            cause = exc.__cause__ if exc is not None and exc.__cause__ is not None else exc
            first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
            record.msg = "unreadable message dropped: %s: %s"
            record.args = (type(cause).__name__, first[:200])
            record.exc_info = None
        return True


def install_quiet_errors() -> None:
    logging.getLogger("pygls.server").addFilter(_OneLine())
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_OneLine())
