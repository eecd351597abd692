"""Argument types and helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import signal
import sys
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

from empathy_os.progress_callback import Progress, no_progress

T = TypeVar("T")
R = TypeVar("R")


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2, nothing written."""


class Terminated(Exception):
    """SIGTERM/SIGHUP arrived; the tools we started are killed and temp folders removed (run_async)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def bounded_float(low: float, high: float):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if math.isnan(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range ({low:g}–{high:g})")
        return value

    return parse


def int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(
                f"{text} must not be negative" if low == 0 else f"{text} must be at least {low}")
        return value

    return parse


non_negative_int = int_at_least(0)


def project_root_arg(value: str) -> Path:
    root = Path(value).expanduser()
    if not root.exists():
        raise UsageError(f"project root {value!r} does not exist")
    if not root.is_dir():
        raise UsageError(f"project root {value!r} is a file, not a folder")
    return root.resolve()


def add_project_options(p: argparse.ArgumentParser, *, untrusted: str | None = None, max_cost: bool = True,
                        json_of: str = "report") -> None:
    """The options every command that works on a project shares, declared once: same flags, same help,
    same validation. `untrusted` is what refusing project code means for this command (None: the command
    has no such switch); `json_of` names what --json prints."""
    p.add_argument("--project-root", default=".", metavar="PATH", help="project folder (default: .)")
    p.add_argument("--python", metavar="INTERPRETER", help="interpreter that runs the project's tests")
    if max_cost:
        p.add_argument("--max-cost", type=bounded_float(0, 1e6), metavar="USD", help="cap on model spend")
    if untrusted is not None:
        p.add_argument("--untrusted", action="store_true", help=f"never run project code ({untrusted})")
    p.add_argument("--json", action="store_true",
                   help=f"print the {json_of} as JSON (nothing else on stdout)")


@contextlib.contextmanager
def usage_errors() -> Iterator[None]:
    """A ValueError raised by a workflow is the user's input (a bad setting, an unusable project): one
    line, exit 2 (UsageError), never a traceback."""
    try:
        yield
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def request(kind: type[R], **fields: Any) -> R:
    """The use case's request (app/requests.py) from the parsed options; one that does not validate is the
    user's input: one line, exit 2."""
    from pydantic import ValidationError

    from empathy_os.app.requests import one_line

    try:
        return kind(**fields)
    except ValidationError as exc:
        raise UsageError(one_line(exc)) from None


def execute(req: Any) -> Any:
    """`app.run(req)` with progress on stderr, signals handled (run_async) and a ValueError as bad usage."""
    from empathy_os import app

    with usage_errors():
        return run_async(app.run(req, stderr_progress()))


def show(result: Any, *, as_json: bool) -> int:
    """Print a use case's result (its JSON document, or its text) and return its exit code. Bad input found
    while running is one error line in text mode; with --json the document says it."""
    if as_json:
        print_json(result.document())
    elif result.usage_error:
        raise UsageError(result.usage_error)
    else:
        print(result.text)
    return result.exit_code


def print_json(data: Any) -> None:
    """The --json answer: one JSON document and nothing else on stdout."""
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


def stderr_progress() -> Progress:
    """Progress lines on stderr, only when a person is watching (stderr is a terminal)."""
    if not sys.stderr.isatty():
        return no_progress

    def show(message: str, percent: float | None = None) -> None:
        prefix = f"[{percent:3.0f}%] " if percent is not None else ""
        print(f"{prefix}{message}", file=sys.stderr, flush=True)

    return show



def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, plus SIGTERM and SIGHUP handled like Ctrl+C: every process group we started is
    killed at once (children die even before the loop unwinds), then the work is cancelled, so each
    `run_tool` reaps its process and each temporary folder is removed on the way out. Raises Terminated
    (exit 128 + signal) once clean; a run that has not unwound within shutdown.HARD_EXIT_SECONDS is ended
    there (empathy_os.shutdown says why)."""
    import asyncio  # here, not at the top: an unchanged release prep is answered without it (app/replay.py)

    return asyncio.run(_with_signals(coro))


def terminated_line(signum: int) -> str:
    return f"empathy: terminated by {signal.Signals(signum).name}"


async def _with_signals(coro: Coroutine[Any, Any, T]) -> T:
    import asyncio

    from empathy_os.shutdown import on_terminate

    task = asyncio.current_task()
    assert task is not None
    received: list[int] = []
    restore = on_terminate(task, received, lambda signum: (terminated_line(signum) + "\n").encode())
    try:
        return await coro
    except asyncio.CancelledError:
        if received:
            raise Terminated(received[0]) from None
        raise
    finally:
        restore()
