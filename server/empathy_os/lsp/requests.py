"""The daemon's door to the use cases (empathy_os.app): a command's arguments and the editor's settings
become one typed request; heavy use cases run in the worker process (progress.run_in_child), light ones
(planning, store reads) here. A request that does not validate is the client's InvalidParams, in one line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pygls.exceptions import JsonRpcInvalidParams

from empathy_os.lsp.progress import RequestFailed

if TYPE_CHECKING:
    from empathy_os.lsp.settings import Settings

R = TypeVar("R")


def build(kind: type[R], **fields: Any) -> R:
    from pydantic import ValidationError

    from empathy_os.app.requests import one_line

    try:
        return kind(**fields)
    except ValidationError as exc:
        raise JsonRpcInvalidParams(one_line(exc)) from None


def on_project(kind: type[R], settings: Settings, root: Path, **fields: Any) -> R:
    """A request about the project at `root`, run with the editor's settings: its interpreter, its spending
    cap and the workspace's trust (the real trust: the core's execution guard refuses project code on its
    own when it is not given)."""
    return build(kind, root=root, python=settings.python, trusted=settings.trusted,
                 max_cost=settings.max_cost_usd, **fields)


async def run_here(request: Any) -> Any:
    """A light use case run in the daemon: bad input is InvalidParams, a store it cannot read RequestFailed."""
    from empathy_os import app
    from empathy_os.store import StoreError

    try:
        return await app.run(request)
    except StoreError as exc:
        raise RequestFailed(str(exc)) from None
    except ValueError as exc:
        raise JsonRpcInvalidParams(str(exc)) from None
