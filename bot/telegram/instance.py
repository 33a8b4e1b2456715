"""One bot per data folder: a second process with the same BOT_DATA_DIR would replay the
first one's pending updates (answering them twice) and fight it for getUpdates (409).

An advisory lock (`flock`) on `BOT_DATA_DIR/tin-bot.lock`, held for the life of the process
and released by the kernel when it dies, however it dies; the file names the holder's pid.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

LOCK_NAME = "tin-bot.lock"


class AlreadyRunning(Exception):
    """Another live process holds the data folder."""


def hold_instance_lock(data_dir: Path) -> IO[str]:
    """Take the data folder for this process; raises AlreadyRunning naming the holder's pid.
    Keep the returned file open for as long as the bot runs."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle = (data_dir / LOCK_NAME).open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise AlreadyRunning(
            f"another tin-bot (pid {holder}) is running with the data folder {data_dir}; "
            "stop it first, or give this one its own BOT_DATA_DIR"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


@contextmanager
def instance_lock(data_dir: Path) -> Iterator[None]:
    """The data folder held for the block (AlreadyRunning when another process holds it); a
    folder that cannot be locked is logged, and the bot runs anyway."""
    handle: IO[str] | None = None
    try:
        handle = hold_instance_lock(data_dir)
    except OSError as error:
        log.error("cannot lock %s (%s): a second instance would go unnoticed", data_dir, error)
    with handle or nullcontext():
        yield
