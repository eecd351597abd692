"""Argument types and helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from empathy_os.progress_callback import Progress, no_progress


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2, nothing written."""


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


def stderr_progress() -> Progress:
    """Progress lines on stderr, only when a person is watching (stderr is a terminal)."""
    if not sys.stderr.isatty():
        return no_progress

    def show(message: str, percent: float | None = None) -> None:
        prefix = f"[{percent:3.0f}%] " if percent is not None else ""
        print(f"{prefix}{message}", file=sys.stderr, flush=True)

    return show
