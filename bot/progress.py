"""Progress of a cold index build: a bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import time
from typing import TextIO

from retrieval.index.indexer import Progress, ProgressCallback

log = logging.getLogger(__name__)

BAR_WIDTH = 30
LOG_EVERY_SECONDS = 5.0


def describe(progress: Progress) -> str:
    megabytes = progress.done_bytes / 1e6
    speed = progress.bytes_per_second / 1e6
    minutes, seconds = divmod(int(progress.eta_seconds), 60)
    return (
        f"{progress.done_files}/{progress.total_files} files, {megabytes:.1f} MB, "
        f"{speed:.2f} MB/s, ETA {minutes:02d}:{seconds:02d}"
    )


def progress_printer(stream: TextIO, doing: str = "tokenising") -> ProgressCallback:
    """A callback drawing a bar on `stream` when it is a terminal, else logging now and then
    what it is `doing`."""
    last_logged = [0.0]

    def on_terminal(progress: Progress) -> None:
        filled = BAR_WIDTH * progress.done_files // max(progress.total_files, 1)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        end = "\n" if progress.done_files == progress.total_files else ""
        stream.write(f"\r[{bar}] {describe(progress)}{end}")
        stream.flush()

    def as_log_lines(progress: Progress) -> None:
        now = time.monotonic()
        finished = progress.done_files == progress.total_files
        if finished or now - last_logged[0] >= LOG_EVERY_SECONDS:
            last_logged[0] = now
            log.info("%s: %s", doing, describe(progress))

    return on_terminal if stream.isatty() else as_log_lines
