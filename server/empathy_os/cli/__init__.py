"""`empathy` command line: a thin adapter over the workflows and the store.

Each sub-command lives in its own module exposing `register(subparsers)`; handlers return the exit code.
Exit codes: 0 success / approved, 1 not approved / target not reached, 2 bad usage or unusable input.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from empathy_os import __version__
from empathy_os.cli.common import Terminated, UsageError, terminated_line


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage in one line (plus a pointer to --help) instead of the usage block."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from empathy_os.cli import (
        analyzers,
        check,
        compose,
        fix,
        lsp,
        merge,
        models,
        release_prep,
        store,
        summary,
        test_coverage,
        verify,
    )

    parser = _Parser(prog="empathy", description="Meta-orchestration of analysis agents.")
    parser.add_argument("--version", action="version", version=f"empathy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    orchestrate = commands.add_parser("orchestrate", help="run an orchestrated workflow")
    workflows = orchestrate.add_subparsers(dest="workflow", metavar="WORKFLOW", required=True)
    release_prep.register(workflows)
    merge.register(workflows)
    test_coverage.register(workflows)
    fix.register(workflows)

    compose.register(commands)
    store.register(commands)
    lsp.register(commands)
    verify.register(commands)
    check.register(commands)
    analyzers.register(commands)
    summary.register(commands)
    models.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a pipe's reader may be gone: found here, not at exit (exit status 120)
        return code
    except UsageError as exc:
        print(f"empathy: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("empathy: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `empathy compose … | head`: the reader left; say nothing more (Python's docs' way)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a command a pipe ended
    except Terminated as exc:
        if argv is None:  # a program: end now, without joining analysis threads (empathy_os.shutdown)
            from empathy_os.shutdown import exit_now

            exit_now(128 + exc.signum, (terminated_line(exc.signum) + "\n").encode())
        print(terminated_line(exc.signum), file=sys.stderr)
        return 128 + exc.signum
    finally:
        if argv is None:  # a program about to exit (the `empathy` command, `python -m empathy_os`), not a caller
            # Nothing left for the cyclic GC to find that matters: freezing what is alive skips the full
            # collection Python makes at exit (0.1-0.15 s after a release prep's imports, measured).
            gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
