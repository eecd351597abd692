"""The daemon's stderr log (the editor's output channel): real problems in full, expected ones in one line.

Two sources of noise are filtered at their loggers, by their exact record, so nothing else is hidden:

- bandit's extension loader scans every `bandit.formatters` entry point when bandit is first imported
  (the per-file scan runs in process). Its optional `sarif` formatter needs the `sarif_om` package (the
  `bandit[sarif]` extra), which we do not install: Empathy writes SARIF itself. stevedore logs each failed
  entry point at ERROR, so every server start printed "Could not load 'sarif': No module named
  'sarif_om'". Only that record (that entry point, an ImportError) is dropped.
- pygls logs every error answer with its traceback (`Exception occurred for message "N"`), including the
  ones that are part of the protocol: InvalidParams (-32602) for malformed arguments, RequestFailed
  (-32803) and RequestCancelled (-32800). Those become one line; anything else keeps its traceback.
"""

from __future__ import annotations

import logging
import sys

from pygls.exceptions import JsonRpcException

# JSON-RPC codes the daemon answers on purpose (see PROTOCOL.md): no traceback in the log for these.
EXPECTED_CODES = {-32602, -32803, -32800}
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _OptionalSarifFormatter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (record.msg == "Could not load %r: %s" and len(args) == 2 and args[0] == "sarif"
                    and isinstance(args[1], ImportError))


class _ExpectedErrorsInOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, JsonRpcException) and exc.code in EXPECTED_CODES:
            msg_id = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            # The record becomes a one-line warning (attributes logging.Formatter reads).
            record.__dict__.update(msg="request %s answered with error %s: %s", args=(msg_id, exc.code, exc),
                                   exc_info=None, exc_text=None, levelno=logging.WARNING, levelname="WARNING")
        return True


def configure(level: str | int = "WARNING") -> None:
    """stderr logging for the daemon (stdout carries the protocol)."""
    logging.basicConfig(level=level, stream=sys.stderr, format=FORMAT)
    install_filters()


def install_filters() -> None:
    logging.getLogger("stevedore.extension").addFilter(_OptionalSarifFormatter())
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_ExpectedErrorsInOneLine())
