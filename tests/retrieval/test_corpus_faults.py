"""Hostile corpus folders: links that lead nowhere, huge files, an article that cannot be
indexed. Each gets one warning naming the file; everything else is served and kept fresh."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

import retrieval.index.corpus as corpus
import retrieval.index.indexer as indexer
from retrieval.index.live import LiveIndex
from retrieval.index.store import IndexStore
from tests.retrieval.test_index import ARTICLE, OTHER, THIRD


def sources(live: LiveIndex) -> set[str]:
    return {article.source for article in live.current.articles}


@pytest.fixture
def hostile_folder(make_corpus) -> Path:
    folder = make_corpus({"a.txt": ARTICLE})
    os.symlink(folder / "missing.txt", folder / "dangling.txt")
    os.symlink(folder / "loop.txt", folder / "loop.txt")
    (folder / "sub.txt").mkdir()  # a folder named like an article
    return folder


def test_links_that_lead_nowhere_are_skipped_at_start(hostile_folder, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        live = LiveIndex(hostile_folder, IndexStore(None, hostile_folder))
    assert sources(live) == {"a.txt"}
    for name in ("dangling.txt", "loop.txt", "sub.txt"):
        assert sum(name in record.message for record in caplog.records) == 1, name


def test_a_bad_link_never_blocks_new_articles_nor_repeats_its_warning(make_corpus, caplog) -> None:
    folder = make_corpus({"a.txt": ARTICLE})
    live = LiveIndex(folder, IndexStore(None, folder))
    os.symlink(folder / "loop.txt", folder / "loop.txt")
    (folder / "b.txt").write_text(OTHER, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert live.refresh()
        assert not live.refresh() and not live.refresh()
    assert sources(live) == {"a.txt", "b.txt"}
    assert sum("loop.txt" in record.message for record in caplog.records) == 1
    assert "reload skipped" not in caplog.text


def test_an_oversize_file_is_skipped_with_its_size(make_corpus, monkeypatch, caplog) -> None:
    monkeypatch.setattr(corpus, "MAX_ARTICLE_BYTES", 2**20)
    folder = make_corpus({"a.txt": ARTICLE, "huge.txt": "Tiêu đề\n\n" + "chữ " * 400_000})
    with caplog.at_level(logging.WARNING):
        live = LiveIndex(folder, IndexStore(None, folder))
    assert sources(live) == {"a.txt"}
    assert "skipped huge.txt: 2 MB, over the 1 MB article limit" in caplog.text


def test_an_article_that_cannot_be_indexed_does_not_block_the_others(
    make_corpus, monkeypatch, caplog
) -> None:
    folder = make_corpus({"a.txt": ARTICLE})
    live = LiveIndex(folder, IndexStore(None, folder))
    original = indexer.articles_terms

    def failing(articles):  # type: ignore[no-untyped-def]
        if any(article.source == "bad.txt" for article in articles):
            raise MemoryError("too big")
        return original(articles)

    monkeypatch.setattr(indexer, "articles_terms", failing)
    (folder / "bad.txt").write_text(THIRD, encoding="utf-8")
    (folder / "b.txt").write_text(OTHER, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert live.refresh()
    assert sources(live) == {"a.txt", "b.txt"}
    assert "skipped bad.txt: could not be indexed (MemoryError: too big)" in caplog.text


def _wait_forever(parent: int) -> None:
    import time

    indexer.die_with(parent)
    time.sleep(60)


@pytest.mark.slow  # a process of its own
def test_a_tokenising_worker_exits_when_the_indexer_is_gone() -> None:
    import multiprocessing
    import subprocess
    import time

    indexer_stand_in = subprocess.Popen(["sleep", "60"])
    worker = multiprocessing.get_context("spawn").Process(
        target=_wait_forever, args=(indexer_stand_in.pid,)
    )
    worker.start()
    try:
        time.sleep(0.5)
        assert worker.is_alive()
        indexer_stand_in.kill()
        indexer_stand_in.wait()
        worker.join(timeout=3 * indexer.PARENT_CHECK_SECONDS + 2)
        assert not worker.is_alive() and worker.exitcode == 1
    finally:
        if worker.is_alive():
            worker.kill()
