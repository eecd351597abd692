"""One run per key at a time: a second request for the same key joins the running one.

The daemon uses it for "one release prep per workspace": two clicks, or the extension and a script, must
not start two test runs over the same project; the second request gets the first one's result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from empathy_os.lsp.progress import RequestFailed

T = TypeVar("T")


class SharedRuns(Generic[T]):
    def __init__(self, what: str) -> None:
        self.what = what  # for messages: "release prep"
        self._running: dict[str, asyncio.Future[T]] = {}

    async def run(self, key: str, start: Callable[[], Awaitable[T]]) -> T:
        """`await start()` unless a run for `key` is going, in which case wait for that one's result.

        Cancelling a joiner leaves the run going for the others; cancelling the request that started it
        cancels it, and its joiners get a RequestFailed saying so.
        """
        running = self._running.get(key)
        if running is not None and not running.done():
            return await self._join(running, self.what)
        shared: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = shared
        try:
            result = await start()
        except asyncio.CancelledError:
            shared.cancel()
            raise
        except BaseException as exc:
            shared.set_exception(exc)
            shared.exception()  # joiners may not exist; don't warn "exception never retrieved"
            raise
        else:
            shared.set_result(result)
            return result
        finally:
            if self._running.get(key) is shared:
                del self._running[key]

    async def idle(self, key: str) -> None:
        """Return once no run for `key` is going (whatever its outcome)."""
        while (running := self._running.get(key)) is not None and not running.done():
            await asyncio.gather(asyncio.shield(running), return_exceptions=True)

    @staticmethod
    async def _join(running: asyncio.Future[T], what: str) -> T:
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            if running.cancelled():
                raise RequestFailed(f"the {what} this request joined was cancelled") from None
            raise
