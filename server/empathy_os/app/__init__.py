"""The application layer: one use case per request kind, shared by the CLI, the daemon and the Python API.

`await app.run(request)` runs the use case a request names (app/requests.py) and returns its typed result
(app/results.py). The front ends only parse (argv; a command's arguments and the editor's settings) and show
(text or JSON; diagnostics and edits). The use cases are imported when run: the daemon starts without them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from empathy_os.progress_callback import Progress, no_progress

# kind → "module:function" under empathy_os.app
USE_CASES = {
    "release_prep": "release_prep:run",
    "release_fix": "release_prep:run",
    "coverage_boost": "coverage_boost:run",
    "fix": "fix:fix",
    "verify": "fix:verify",
    "compose": "compose:run",
    "store_query": "store_query:run",
}


async def run(request: Any, progress: Progress = no_progress) -> Any:
    """The result of the use case `request.kind` names. Bad input found while running raises ValueError
    (one line); a store that cannot be read, StoreError."""
    module, function = USE_CASES[request.kind].split(":")
    use_case = getattr(import_module(f"empathy_os.app.{module}"), function)
    return await use_case(request, progress)
