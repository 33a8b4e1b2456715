"""The corpus's live index, opened from the settings: what every adapter answers from."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.settings import Settings
from retrieval.index.indexer import ProgressCallback
from retrieval.index.live import LiveIndex
from retrieval.index.store import IndexStore

log = logging.getLogger(__name__)


def open_index(
    settings: Settings, corpus: Path | None = None, progress: ProgressCallback | None = None
) -> LiveIndex:
    """The index of `corpus` (default BOT_CORPUS_DIR), kept in BOT_INDEX_DIR and brought up to
    date with the folder; CorpusError when there is nothing to index."""
    folder = corpus or settings.corpus_dir
    live = LiveIndex(folder, IndexStore(settings.index_dir, folder), progress)
    index = live.current
    log.info("index ready: %d articles, %d passages", len(index.articles), len(index.passages))
    return live
