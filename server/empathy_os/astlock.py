"""One AST conversion at a time in this process.

CPython 3.11 keeps the AST constructor's recursion counter in per-interpreter state, not per thread
(python/cpython#106905). When the garbage collector runs a finalizer that releases the GIL in the middle of
`ast.parse`, another thread's `ast.parse` resets that counter and the first one fails with
"SystemError: AST constructor recursion depth mismatch". Our analyzers parse in a thread pool, and radon and
interrogate parse inside them with their own `ast.parse` calls, so the lock has to sit on `ast.parse`
itself: a helper of ours would not cover the libraries. The wrapper has the same signature and result.
"""

from __future__ import annotations

import ast
import functools
import threading

# Re-entrant: a finalizer that runs during a parse may parse too, in the same thread.
_LOCK = threading.RLock()


def install() -> None:
    """Serialize `ast.parse` (and so `ast.literal_eval`, which calls it) across threads. Idempotent."""
    if getattr(ast.parse, "_empathy_locked", False):
        return
    original = ast.parse

    @functools.wraps(original)
    def parse(*args, **kwargs):
        with _LOCK:
            return original(*args, **kwargs)

    parse._empathy_locked = True  # type: ignore[attr-defined]
    ast.parse = parse
