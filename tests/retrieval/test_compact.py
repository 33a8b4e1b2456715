"""The articles and passages held compactly: texts as UTF-8, objects made when read."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np

from retrieval.index import store as store_module
from retrieval.index.compact import Texts
from retrieval.index.corpus import load_articles
from retrieval.index.indexer import sync
from retrieval.index.store import IndexStore
from tests.retrieval.test_index import ARTICLE, OTHER, THIRD

STRINGS = ["Hội nghị sơ kết", "", "Ngày 4-3 ☀ 東京 😀", "ascii", "", "Đà Nẵng"]


def round_trip(texts: Texts) -> list[str]:
    """What `texts` reads back as, saved and laid end to end again."""
    pieces, ends = texts.saved()
    buffer = np.concatenate([np.zeros(0, dtype=np.uint8), *pieces])
    return list(Texts.laid_end_to_end(buffer, ends))


def test_texts_read_back_as_written_non_ascii_and_empty_ones_too() -> None:
    texts = Texts.of(STRINGS)
    assert list(texts) == STRINGS and texts[-1] == "Đà Nẵng" and texts[1:3] == STRINGS[1:3]
    assert texts.utf8_bytes == sum(len(s.encode()) for s in STRINGS)
    assert round_trip(texts) == STRINGS


def test_a_selection_and_an_appended_texts_save_only_what_they_hold() -> None:
    first, second = Texts.of(STRINGS), Texts.of(["Cầu Rồng", "", "Huế"])
    taken = first.taking(np.array([5, 0, 1, 2]))
    together = Texts.joined([taken, second, Texts.of([]), Texts.of(["cuối"])])
    expected = [STRINGS[5], STRINGS[0], STRINGS[1], STRINGS[2], "Cầu Rồng", "", "Huế", "cuối"]
    assert list(together) == expected and round_trip(together) == expected
    pieces, _ = together.saved()
    assert sum(piece.nbytes for piece in pieces) == together.utf8_bytes  # no dropped bytes
    assert round_trip(Texts.of(["", ""]).taking(np.array([1]))) == [""]


def passages_as_parsed(folder: Path) -> list:
    return [p for article in load_articles(folder) for p in article.passages()]


def test_passages_made_on_demand_equal_the_parsed_ones_through_cache_and_reload(
    make_corpus, tmp_path: Path
) -> None:
    dated = "URL: https://tin.example.vn/b.html\nPublished: 2025-08-12\n" + OTHER
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": dated})
    store = IndexStore(tmp_path / "cache", folder)
    built = sync(folder, store).index
    assert list(built.passages) == passages_as_parsed(folder)
    (folder / "a.txt").unlink()
    (folder / "c.txt").write_text(THIRD, encoding="utf-8")
    reloaded = sync(folder, store, previous=store.load()).index
    assert list(reloaded.passages) == passages_as_parsed(folder)
    loaded = store.load()
    parsed = passages_as_parsed(folder)
    assert loaded is not None and list(loaded.passages) == parsed
    assert list(loaded.articles) == load_articles(folder)
    assert [loaded.text_at(at) for at in range(len(parsed))] == [p.text for p in parsed]
    headlines = [loaded.is_headline(at) for at in range(len(parsed))]
    assert headlines == [p.is_headline for p in parsed] and any(headlines)


def test_a_warm_load_does_not_copy_the_texts_into_memory(
    make_corpus, tmp_path: Path, monkeypatch
) -> None:
    sentence = "Cầu Rạch Miễu bắc qua sông Tiền nối Tiền Giang và Bến Tre. " * 30

    def article(number: int) -> str:
        paragraphs = [f"{sentence}Đoạn {k} bài {number}." for k in range(8)]
        return "\n\n".join(["Cầu Rạch Miễu", *paragraphs]) + "\n"

    folder = make_corpus({f"{n:02}.txt": article(n) for n in range(60)})
    store = IndexStore(tmp_path / "cache", folder)
    built = sync(folder, store).index
    chunk = 2**16  # smaller than the texts, for the bound below to tell
    monkeypatch.setattr(store_module, "READ_CHUNK", chunk)
    tracemalloc.start()
    try:
        loaded = store.load()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert loaded is not None and list(loaded.passages) == list(built.passages)
    # the file is hashed through a mapping, a chunk at a time: the texts stay in the file
    assert peak < chunk + built.articles.texts.utf8_bytes / 2
