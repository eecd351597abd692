"""Progress reporting shared by workflows and their adapters (CLI stderr, LSP work-done progress).

A workflow calls `progress(message, percent)`; percent is 0-100 or None when unknown. Adapters decide how
to show it. Cancellation is plain asyncio cancellation: tool runs kill their process group on cancel.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, float | None], None]


def no_progress(message: str, percent: float | None = None) -> None:
    return None
