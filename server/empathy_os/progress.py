"""Progress reporting shared by workflows and their adapters (CLI stderr, LSP work-done progress).

A workflow calls `progress(message, percent)`; percent is 0-100 or None when unknown. Adapters decide how
to show it. Cancellation is plain asyncio cancellation: tool runs kill their process group on cancel.
"""

from __future__ import annotations

from typing import Callable, Optional

Progress = Callable[[str, Optional[float]], None]


def no_progress(message: str, percent: Optional[float] = None) -> None:
    return None
