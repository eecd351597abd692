"""`empathy lsp`: the language server, over stdio (what editors start) or TCP (for debugging)."""

from __future__ import annotations

import argparse
import os


def register(subparsers) -> None:
    parser = subparsers.add_parser("lsp", help="run the Empathy language server (stdio by default)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    mode.add_argument("--tcp", action="store_true", help="listen on 127.0.0.1 instead (debugging)")
    parser.add_argument("--port", type=int, default=2087, help="TCP port with --tcp (default 2087)")
    parser.add_argument("--log-level", default=os.environ.get("EMPATHY_LSP_LOG", "WARNING"),
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"], type=str.upper,
                        help="stderr log level (default WARNING, or $EMPATHY_LSP_LOG)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from empathy_os.cli.common import UsageError

    if args.tcp and not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    from empathy_os.lsp import logs
    from empathy_os.lsp.server import create_server

    # stdout carries the protocol; every log line goes to stderr (the editor's output channel).
    logs.configure(args.log_level)

    server = create_server()
    if args.tcp:
        try:
            server.start_tcp("127.0.0.1", args.port)
        except OSError as exc:
            raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from None
    else:
        server.start_io()
    return 0
