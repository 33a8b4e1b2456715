"""The durable inbox: every update kept before Telegram may forget it, until it is answered.

`DurableInbox` is what the delivery code (`delivery.py`) stores updates in. Two stores keep
its promises: `sqlite_inbox.SqliteInbox`, a file in BOT_DATA_DIR owned by one process, and
`shared_inbox.SharedInbox`, PostgreSQL shared by replicas, which lease the updates they take.
`stores.py` picks one from the settings; nothing else needs to know which.

The promises: an update is stored when it arrives, once per update id (a redelivery is
recognised and not answered again), and marked done once handled; a done update keeps only
its id, for KEEP_DONE_SECONDS. What no live process holds is claimed and answered, oldest
first. A row that does not parse is quarantined, never blocking the rows behind it.

Every method but `call` blocks: the delivery code runs them on the inbox's own thread through
`call`, off the event loop. A store that fails raises `sqlite3.Error` or `OSError`: the update
is not acknowledged, and delivery retries.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

KEEP_DONE_SECONDS = 24 * 3600
PRUNE_EVERY = 500  # marks between two prunes
Result = TypeVar("Result")


class DurableInbox(ABC):
    def __init__(self, thread_name: str) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)
        self._marks = 0

    async def call(self, method: Callable[..., Result], *args: object) -> Result:
        """Run one of this inbox's methods on its own thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, method, *args)

    @abstractmethod
    def store(self, update_id: int, payload: str) -> bool:
        """Keep an arriving update; False when its id was seen before (a redelivery)."""

    @abstractmethod
    def pending(self) -> list[tuple[int, str]]:
        """(update id, payload) of every update not handled yet, oldest first."""

    @abstractmethod
    def backlog(self) -> tuple[int, float | None]:
        """How many updates are not handled yet, and when the oldest of them arrived (wall
        time; None when there is none)."""

    @abstractmethod
    def claim(self) -> list[tuple[int, str]]:
        """Take the pending updates no live process holds, oldest first: this process's to
        answer now."""

    def renew(self) -> None:
        """Tell the others this process still holds what it took (a store without leases:
        nothing to do)."""
        return None

    def release(self) -> None:
        """Stopping: hand what this process holds and has not answered to the others at once
        (a store without leases: nothing to do)."""
        return None

    def mark_done(self, update_id: int) -> None:
        """Handled: keep the id only, so a redelivery is recognised and nothing else stays;
        every PRUNE_EVERY marks, what was handled more than KEEP_DONE_SECONDS ago goes."""
        self._forget_payload(update_id)
        self._marks += 1
        if self._marks % PRUNE_EVERY == 0:
            self.prune()

    @abstractmethod
    def _forget_payload(self, update_id: int) -> None:
        """Mark one update done, keeping only its id."""

    @abstractmethod
    def quarantine(self, update_id: int, reason: str) -> None:
        """Set a pending row that cannot be answered aside, out of every replay."""

    def prune(self, now: float | None = None) -> int:
        """Forget the updates handled more than KEEP_DONE_SECONDS ago; returns how many."""
        return self._forget_done_before((now or time.time()) - KEEP_DONE_SECONDS)

    @abstractmethod
    def _forget_done_before(self, cutoff: float) -> int:
        """Delete the updates handled before `cutoff`; returns how many."""

    @abstractmethod
    def writable(self) -> bool:
        """Whether a write could start now."""

    def close(self) -> None:
        self._thread.shutdown(wait=False)
