"""The corpus's live index, opened from the settings: what every adapter answers from."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.settings import Settings
from retrieval.index.indexer import ProgressCallback
from retrieval.index.live import LiveIndex
from retrieval.index.shard_search import ShardedLiveIndex, ShardSet
from retrieval.index.store import IndexStore

log = logging.getLogger(__name__)


def open_index(
    settings: Settings,
    corpus: Path | None = None,
    progress: ProgressCallback | None = None,
    sharded: bool = True,
) -> LiveIndex:
    """The index of `corpus` (default BOT_CORPUS_DIR), kept in BOT_INDEX_DIR and brought up to
    date with the folder; CorpusError when there is nothing to index. With BOT_XAPIAN_SHARDS
    (and `sharded`), its BM25 statistics and candidates come from those Xapian shards, and
    it tokenises nothing (`ShardedLiveIndex`)."""
    folder = corpus or settings.corpus_dir
    if sharded and settings.xapian_shards:
        shards = ShardSet(settings.xapian_shards)
        live: LiveIndex = ShardedLiveIndex(folder, settings.index_dir, shards, progress)
        log.info("searching %d Xapian shards", len(settings.xapian_shards))
    else:
        store = IndexStore(settings.index_dir, folder)
        store.check_ahead()  # its checksum computed while the folder is listed
        live = LiveIndex(folder, store, progress)
    index = live.current
    log.info("index ready: %d articles, %d passages", len(index.articles), len(index.passages))
    return live
