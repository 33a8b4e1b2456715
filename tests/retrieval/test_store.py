"""The index cache: plain data, checked before it is trusted, one file per corpus."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import numpy as np

from retrieval.index.indexer import sync
from retrieval.index.live import LiveIndex
from retrieval.index.search_index import SearchIndex
from retrieval.index.store import STALE_TEMPORARY_SECONDS, SUFFIX, TEMPORARY_SUFFIX, IndexStore
from retrieval.language.restore import Vocabulary
from tests.retrieval.test_index import ARTICLE, OTHER, count_tokenising  # noqa: F401


def in_order(vocabulary: Vocabulary) -> list:
    return [(folded, list(spellings.items())) for folded, spellings in vocabulary.forms.items()]


def stored_corpus(make_corpus, tmp_path: Path) -> tuple[IndexStore, SearchIndex]:
    """A two-article corpus's store (`store.corpus`), its index built and saved there."""
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    store = IndexStore(tmp_path / "cache", folder)
    return store, sync(folder, store).index


def test_a_saved_index_loads_back_the_same(make_corpus, tmp_path: Path) -> None:
    dated = "URL: https://tin.example.vn/b.html\nPublished: 2025-08-12\n" + OTHER
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": dated})
    store = IndexStore(tmp_path / "cache", folder)
    built = sync(folder, store).index
    loaded = store.load()
    assert loaded is not None
    assert list(loaded.articles) == list(built.articles) and built.articles[1].provenance.url
    assert list(loaded.passages) == list(built.passages) and loaded.stamps == built.stamps
    assert loaded.vocabulary == built.vocabulary and loaded.counts.ids == built.counts.ids
    assert in_order(loaded.vocabulary) == in_order(built.vocabulary)  # restoring reads in order
    query = ["hội_nghị", "~ky", "^ky_ket"]
    np.testing.assert_array_equal(loaded.bm25.scores(query), built.bm25.scores(query))


class Payload:
    """Running this on load would leave a file behind."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_a_crafted_cache_file_cannot_run_code(make_corpus, tmp_path: Path, caplog) -> None:
    folder = make_corpus({"a.txt": ARTICLE})
    store = IndexStore(tmp_path / "cache", folder)
    sync(folder, store)
    marker = tmp_path / "ran"
    crafted = np.array([Payload(marker)], dtype=object)
    assert store.path is not None
    with store.path.open("wb") as stream:
        np.savez(stream, metadata=crafted, checksum=crafted, data=crafted)
    with caplog.at_level(logging.WARNING):
        assert store.load() is None
    assert not marker.exists() and "unreadable" in caplog.text


def test_a_flipped_bit_means_a_rebuild_never_changed_content(make_corpus, tmp_path: Path) -> None:
    store, built = stored_corpus(make_corpus, tmp_path)
    assert store.path is not None
    raw = store.path.read_bytes()
    query = ["hội_nghị", "~ky", "^ky_ket"]
    refused = 0
    for offset in range(0, len(raw), max(1, len(raw) // 200)):
        flipped = bytearray(raw)
        flipped[offset] ^= 0x10
        store.path.write_bytes(bytes(flipped))
        loaded = store.load()
        if loaded is None:
            refused += 1
            continue
        # only a flip in the archive's own bookkeeping (a file date) may load: same content
        assert list(loaded.passages) == list(built.passages)
        assert loaded.vocabulary == built.vocabulary
        np.testing.assert_array_equal(loaded.bm25.scores(query), built.bm25.scores(query))
    assert refused > 150


def test_two_corpora_share_a_cache_folder_without_evicting_each_other(
    make_corpus,
    tmp_path: Path,
    count_tokenising,  # noqa: F811
) -> None:
    first = make_corpus({"a.txt": ARTICLE})
    second = tmp_path / "second"
    second.mkdir()
    (second / "b.txt").write_text(OTHER, encoding="utf-8")
    cache = tmp_path / "cache"
    sync(first, IndexStore(cache, first))
    sync(second, IndexStore(cache, second))
    count_tokenising.clear()
    sync(first, IndexStore(cache, first))
    sync(second, IndexStore(cache, second))
    assert count_tokenising == []


def test_saving_removes_old_versions_and_abandoned_temporary_files(
    make_corpus, tmp_path: Path
) -> None:
    folder = make_corpus({"a.txt": ARTICLE})
    store = IndexStore(tmp_path / "cache", folder)
    sync(folder, store)
    assert store.path is not None
    old_version = store.path.with_name("index-0000000000000000-" + store.path.name.split("-")[-1])
    old_version.write_bytes(b"old")
    abandoned = store.path.with_name("x" + TEMPORARY_SUFFIX)
    abandoned.write_bytes(b"half")
    long_ago = time.time() - STALE_TEMPORARY_SECONDS - 10
    os.utime(abandoned, (long_ago, long_ago))
    recent = store.path.with_name("y" + TEMPORARY_SUFFIX)  # maybe another process writing
    recent.write_bytes(b"half")
    other_corpus = store.path.with_name("index-0000000000000000-abcdefabcdef" + SUFFIX)
    other_corpus.write_bytes(b"other")
    former_format = store.path.with_name("index-0000000000000000-abcdefabcdef.npz")
    former_format.write_bytes(b"never read again")
    (folder / "b.txt").write_text(OTHER, encoding="utf-8")
    sync(folder, store)
    assert not old_version.exists() and not abandoned.exists() and not former_format.exists()
    assert recent.exists() and other_corpus.exists() and store.path.exists()


def test_new_content_with_the_same_size_and_mtime_is_noticed(make_corpus, tmp_path: Path) -> None:
    folder = make_corpus({"a.txt": ARTICLE})
    store = IndexStore(tmp_path / "cache", folder)
    sync(folder, store)
    path = folder / "a.txt"
    before = path.stat()
    path.write_text(ARTICLE.replace("Thông tri 18", "Thông tri 19"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    index = sync(folder, store).index
    assert any("Thông tri 19" in p.text for p in index.passages)


def test_a_file_checked_ahead_loads_the_same_and_damage_is_still_refused(
    make_corpus, tmp_path: Path, caplog
) -> None:
    store, built = stored_corpus(make_corpus, tmp_path)
    assert store.path is not None
    store.check_ahead()
    store.check_ahead()  # a second time: the same file, checked once
    loaded = store.load()
    assert loaded is not None and list(loaded.passages) == list(built.passages)
    assert loaded.vocabulary == built.vocabulary and loaded.counts.ids == built.counts.ids
    raw = store.path.read_bytes()
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0x10
    for damaged in (bytes(flipped), raw[: len(raw) // 2], b"not an index"):
        store.path.write_bytes(damaged)
        store.check_ahead()
        with caplog.at_level(logging.WARNING):
            assert store.load() is None
        assert "unreadable" in caplog.text
        caplog.clear()
    store.path.unlink()
    store.check_ahead()
    with caplog.at_level(logging.WARNING):
        assert store.load() is None
    assert "unreadable" not in caplog.text


def test_a_live_index_reads_a_damaged_cache_once_and_rebuilds(
    make_corpus, tmp_path: Path, caplog
) -> None:
    store, built = stored_corpus(make_corpus, tmp_path)
    assert store.path is not None
    raw = bytearray(store.path.read_bytes())
    raw[len(raw) // 2] ^= 0x10
    store.path.write_bytes(bytes(raw))
    with caplog.at_level(logging.WARNING):
        live = LiveIndex(store.corpus, store)
    assert caplog.text.count("unreadable") == 1
    assert list(live.current.passages) == list(built.passages)
    assert store.load() is not None  # rebuilt and saved
