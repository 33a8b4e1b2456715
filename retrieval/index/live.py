"""A live index: the current snapshot, swapped atomically when the corpus folder changes.

`refresh` compares the folder's file names and stat fields with the last
look; on a difference it syncs (re-tokenising only the changed articles) and replaces
`current` in one assignment. Where files only came or went, the new snapshot shares the old
one's term matrix and adds the new passages beside it (`TermCounts.with_segment`), and is
saved later, once those are folded in (`SearchIndex.is_folded`). A question reads `current`
once when it starts, so it never sees a half-built index, and a reload never blocks
answering. `watch` refreshes every few seconds in a background thread (see
BOT_RELOAD_SECONDS).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from pathlib import Path

from retrieval.index.corpus import CorpusError
from retrieval.index.indexer import (
    UNREADABLE,
    ProgressCallback,
    Signature,
    article_names,
    file_stamp,
    folder_signature,
    sync,
)
from retrieval.index.search_index import SearchIndex
from retrieval.index.shards import ShardState
from retrieval.index.store import IndexStore

log = logging.getLogger(__name__)

# The watcher stats every file (to see one changed in place) at one look in this many; the
# others scan the names only, to see a file come or go: a stat of 100,000 files takes half a
# second of a core, a scan of their names a fifteenth, so that a new article waits less.
STAT_EVERY_LOOKS = 4


class LiveIndex:
    # False: snapshots without terms, whose search is elsewhere (`ShardedLiveIndex`)
    tokenising = True

    def __init__(
        self, folder: Path, store: IndexStore, progress: ProgressCallback | None = None
    ) -> None:
        self.folder = folder
        self.store = store
        self._lock = threading.Lock()
        signature = folder_signature(folder) if folder.is_dir() else None
        self.current: SearchIndex = sync(
            folder, store, progress=progress, tokenising=self.tokenising, signature=signature
        ).index
        self._signature = signature or {}
        self.reloaded_at: float | None = None  # wall time of the last reload that changed it
        self.reloads = 0  # reloads that changed it
        self._watching: threading.Event | None = None  # set to stop the watcher thread

    def shard_states(self) -> list[ShardState]:
        """The Xapian shards searched, each with its server: none where this process holds
        the whole index."""
        return []

    def refresh(self, every_file: bool = True) -> bool:
        """Pick up corpus changes; True when the index changed. Never raises for a bad
        folder: the previous index keeps serving, with a warning. Not `every_file`: only files
        that came or went are looked for (a scan of names, no stat of each file)."""
        with self._lock:
            try:
                signature = self._signature_now(every_file)
                if signature == self._signature:
                    return False
                report = sync(
                    self.folder,
                    self.store,
                    previous=self.current,
                    save=False,
                    tokenising=self.tokenising,
                    signature=signature,
                )
            except CorpusError as error:
                log.warning("reload skipped, previous index kept: %s", error)
                return False
            self._signature = signature
            self.current = report.index  # served from now on; saved for the next start below
            if report.changed:
                self.reloaded_at = time.time()
                self.reloads += 1
                log.info(
                    "reloaded: %d articles added or changed, %d removed; %d articles now",
                    len(report.added),
                    len(report.removed),
                    len(report.index.articles),
                )
            if report.unsaved and report.index.is_folded:
                self.store.save(report.index)
            return report.changed

    def _signature_now(self, every_file: bool) -> Signature:
        """The folder's signature. Where files came or went since the last look, the last
        stamps of the files still there and the new files' stamps only, from a scan of the
        names (no stat of every file): an article dropped in is served soonest, and a file
        that stayed but changed meanwhile is seen at the next look that stamps every file
        (`every_file`; otherwise the last signature stands)."""
        names = article_names(self.folder)
        if names == self._signature.keys():
            return folder_signature(self.folder) if every_file else self._signature
        signature = dict(self._signature)
        for gone in signature.keys() - names:
            del signature[gone]
        for new in names - signature.keys():
            signature[new] = file_stamp(self.folder / new) or UNREADABLE
        return signature

    def start_watching(self, interval: float) -> None:
        """Refresh every `interval` seconds in a daemon thread until `stop_watching`; nothing
        when `interval` is 0 or a watcher already runs. The one place a watcher starts."""
        if not interval or self._watching is not None:
            return
        stop = threading.Event()

        def loop() -> None:
            looks = itertools.count()
            while not stop.wait(interval):
                try:
                    self.refresh(every_file=next(looks) % STAT_EVERY_LOOKS == 0)
                except Exception as error:  # a watcher must outlive any one bad reload
                    log.error("reload failed: %s", type(error).__name__)

        threading.Thread(target=loop, name="corpus-watch", daemon=True).start()
        self._watching = stop

    def stop_watching(self) -> None:
        if self._watching is not None:
            self._watching.set()
            self._watching = None
