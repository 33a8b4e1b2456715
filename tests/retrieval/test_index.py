import logging
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

import retrieval.index.bm25 as bm25
import retrieval.index.indexer as indexer
import retrieval.index.search_index as search_index
from retrieval.index.indexer import load_index, sync
from retrieval.index.live import LiveIndex
from retrieval.index.store import IndexStore
from retrieval.language.tokens import analyze
from retrieval.reply.answer import answer

ARTICLE = "Hội nghị sơ kết\n\nNgày 4-3, Thành ủy tổ chức hội nghị sơ kết Thông tri 18.\n"
OTHER = "Lễ ký kết quy chế\n\nBộ Tư lệnh ký kết quy chế phối hợp với Ban Tuyên giáo.\n"
THIRD = "Cầu Rạch Miễu\n\nCầu Rạch Miễu hai được khánh thành vào tháng tám.\n"


@pytest.fixture
def count_tokenising(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the source of every article that gets tokenised."""
    calls: list[str] = []
    original = indexer.articles_terms

    def counting(articles):  # type: ignore[no-untyped-def]
        calls.extend(article.source for article in articles)
        return original(articles)

    monkeypatch.setattr(indexer, "articles_terms", counting)
    return calls


def same_scores_as_rank_bm25(index) -> None:
    documents = [analyze(p.text).all() for p in index.passages]
    reference = BM25Okapi(documents)
    for question in ("hội nghị sơ kết Thông tri 18", "ký kết quy chế", "cầu khánh thành"):
        query = analyze(question).all()
        np.testing.assert_allclose(index.bm25.scores(query), reference.get_scores(query), atol=1e-6)


def test_warm_start_tokenises_nothing(make_corpus, tmp_path: Path, count_tokenising) -> None:
    folder, cache = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER}), tmp_path / "cache"
    cold = load_index(folder, cache)
    assert sorted(count_tokenising) == ["a.txt", "b.txt"]
    count_tokenising.clear()
    warm = load_index(folder, cache)
    assert count_tokenising == []
    assert list(warm.passages) == list(cold.passages)
    assert (warm.counts.counts != cold.counts.counts).nnz == 0


def test_added_changed_and_removed_articles_only_retokenise_themselves(
    make_corpus, tmp_path: Path, count_tokenising
) -> None:
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    store = IndexStore(tmp_path / "c", folder)
    first = sync(folder, store).index
    count_tokenising.clear()
    (folder / "b.txt").write_text(OTHER + "Thêm một đoạn mới.\n", encoding="utf-8")
    (folder / "c.txt").write_text(THIRD, encoding="utf-8")
    (folder / "a.txt").unlink()
    report = sync(folder, store, previous=first)
    assert sorted(count_tokenising) == ["b.txt", "c.txt"]
    assert sorted(report.added) == ["b.txt", "c.txt"] and report.removed == ["a.txt"]
    assert {p.source for p in report.index.passages} == {"b.txt", "c.txt"}
    same_scores_as_rank_bm25(report.index)
    assert answer("cầu Rạch Miễu khánh thành khi nào", report.index).answered
    assert not answer("Thông tri 18 sơ kết", report.index).answered


def test_corrupt_cache_is_rebuilt_not_trusted(
    make_corpus, tmp_path: Path, caplog, count_tokenising
) -> None:
    folder = make_corpus({"a.txt": ARTICLE})
    store = IndexStore(tmp_path / "cache", folder)
    sync(folder, store)
    store.path.write_bytes(store.path.read_bytes()[:50])
    count_tokenising.clear()
    with caplog.at_level(logging.WARNING):
        index = sync(folder, store).index
    assert count_tokenising == ["a.txt"] and "unreadable" in caplog.text
    assert len(index.passages) == 2
    assert store.load() is not None  # rewritten whole


def test_cache_path_that_is_a_file_still_serves(make_corpus, tmp_path: Path, caplog) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING):
        index = load_index(make_corpus({"a.txt": ARTICLE}), blocker / "cache")
    assert len(index.passages) == 2 and "not written" in caplog.text


def test_an_unreadable_file_keeps_its_previous_version(make_corpus, tmp_path, caplog) -> None:
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    store = IndexStore(None, folder)
    first = sync(folder, store).index
    (folder / "b.txt").write_bytes(b"\xff\xfe broken \xc3")
    with caplog.at_level(logging.WARNING):
        report = sync(folder, store, previous=first)
    assert "b.txt" in caplog.text and not report.changed
    assert {p.source for p in report.index.passages} == {"a.txt", "b.txt"}


def test_the_folder_signature_stamps_each_article_file_and_marks_a_dangling_one(
    make_corpus, tmp_path
) -> None:
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    (folder / "notes.md").write_text("not an article")
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    signature = indexer.folder_signature(folder)
    assert signature.keys() == indexer.article_names(folder) == {"a.txt", "b.txt", "gone.txt"}
    assert signature["a.txt"] == indexer.file_stamp(folder / "a.txt")
    assert signature["gone.txt"] == indexer.UNREADABLE
    with pytest.raises(indexer.CorpusError, match="not readable"):
        indexer.folder_signature(tmp_path / "missing")


def test_live_index_swaps_in_a_new_article_while_old_snapshots_stay_whole(
    make_corpus, tmp_path
) -> None:
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    live = LiveIndex(folder, IndexStore(tmp_path / "cache", folder))
    before = live.current
    assert live.refresh() is False  # nothing changed
    (folder / "c.txt").write_text(THIRD, encoding="utf-8")
    assert live.refresh() is True
    assert answer("Cầu Rạch Miễu khánh thành khi nào", live.current).answered
    assert {p.source for p in before.passages} == {"a.txt", "b.txt"}  # old snapshot untouched
    assert answer("hội nghị sơ kết Thông tri 18", before).answered


def test_watcher_picks_up_a_new_article_within_two_seconds(make_corpus, tmp_path) -> None:
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    live = LiveIndex(folder, IndexStore(tmp_path / "cache", folder))

    def watchers() -> int:
        return sum(t.name == "corpus-watch" for t in threading.enumerate())

    before = watchers()
    live.start_watching(0.2)
    live.start_watching(0.2)  # a second start is a no-op, not a second thread
    assert watchers() == before + 1
    try:
        (folder / "c.txt").write_text(THIRD, encoding="utf-8")
        deadline = time.monotonic() + 2.0
        while not answer("Cầu Rạch Miễu khánh thành khi nào", live.current).answered:
            assert time.monotonic() < deadline, "the new article was not picked up in 2 s"
            time.sleep(0.05)
    finally:
        live.stop_watching()
    deadline = time.monotonic() + 2.0
    while watchers() > before:
        assert time.monotonic() < deadline, "the watcher did not stop"
        time.sleep(0.05)


def test_answers_never_fail_during_reloads(make_corpus, tmp_path) -> None:
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    live = LiveIndex(folder, IndexStore(None, folder))
    failures: list[BaseException] = []
    done = threading.Event()

    def ask_repeatedly() -> None:
        while not done.is_set():
            try:
                result = answer("Bộ Tư lệnh ký kết quy chế", live.current)
                assert result.answered and result.hits[0].source == "b.txt"
            except BaseException as error:  # collected for the assertion below
                failures.append(error)

    asker = threading.Thread(target=ask_repeatedly)
    asker.start()
    try:
        for round_number in range(6):
            (folder / "c.txt").write_text(THIRD + "x" * round_number, encoding="utf-8")
            live.refresh()
    finally:
        done.set()
        asker.join()
    assert failures == []


def test_warm_start_does_not_even_read_files_whose_stamp_is_unchanged(
    make_corpus, tmp_path, monkeypatch
) -> None:
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    store = IndexStore(tmp_path / "c", folder)
    sync(folder, store)
    read: list[str] = []
    original = indexer.read_bytes
    monkeypatch.setattr(
        indexer, "read_bytes", lambda path: read.append(path.name) or original(path)
    )
    sync(folder, store)
    assert read == []
    (folder / "b.txt").write_text(OTHER + "Đoạn thêm.\n", encoding="utf-8")
    assert sync(folder, store).added == ["b.txt"] and read == ["b.txt"]


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.999])
def test_a_store_cut_anywhere_is_rebuilt(make_corpus, tmp_path, keep, caplog) -> None:
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    store = IndexStore(tmp_path / "c", folder)
    sync(folder, store)
    data = store.path.read_bytes()
    store.path.write_bytes(data[: int(len(data) * keep)])
    assert store.load() is None and "unreadable" in caplog.text
    assert len(sync(folder, store).index.passages) == 4


def test_live_index_adds_an_article_beside_the_base_and_saves_at_the_fold(
    make_corpus, tmp_path, monkeypatch: pytest.MonkeyPatch, count_tokenising
) -> None:
    """A reload adding an article leaves the base matrix shared and the cache as it was; it
    answers as an index built whole; dropping that article again keeps the base; the next
    start re-reads what the cache lacks; a fold saves."""
    monkeypatch.setattr(bm25, "FOLD_SHARE", 1.0)
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    store = IndexStore(tmp_path / "cache", folder)
    live = LiveIndex(folder, store)
    base, saved = live.current.counts.base, store.path.read_bytes()
    segment = live.current.bm25.segments[0]  # with the tables made for its matrix
    (folder / "c.txt").write_text(THIRD, encoding="utf-8")
    assert live.refresh() is True
    reloaded = live.current
    assert reloaded.counts.base is base and reloaded.counts.added is not None
    assert reloaded.bm25.segments[0] is segment
    assert store.path.read_bytes() == saved
    whole = load_index(folder, tmp_path / "whole")
    for question in ("Cầu Rạch Miễu khánh thành khi nào", "hội nghị sơ kết Thông tri 18"):
        query = analyze(question).all()
        assert np.array_equal(reloaded.bm25.scores(query), whole.bm25.scores(query))
        found, expected = reloaded.bm25.candidates(query, 5), whole.bm25.candidates(query, 5)
        assert found[0] == expected[0] and np.array_equal(found[1], expected[1])
    assert answer("Cầu Rạch Miễu khánh thành khi nào", reloaded).answered
    count_tokenising.clear()
    assert LiveIndex(folder, store).current.is_folded and count_tokenising == ["c.txt"]
    (folder / "c.txt").unlink()
    assert live.refresh() is True
    assert live.current.counts.base is base and len(live.current.passages) == 4
    assert not answer("Cầu Rạch Miễu khánh thành khi nào", live.current).answered
    monkeypatch.setattr(bm25, "FOLD_SHARE", 0.0)
    (folder / "d.txt").write_text("Tin mới\n\nMột tin mới được đăng.\n", encoding="utf-8")
    assert live.refresh() is True and live.current.is_folded
    stored = store.load()
    assert stored is not None and {p.source for p in stored.passages} == {"a.txt", "b.txt", "d.txt"}


def test_a_change_beside_an_added_article_is_seen_at_the_next_look(make_corpus) -> None:
    """A look that finds new files stats only them (`LiveIndex._signature_now`): a file that
    stayed but changed meanwhile is picked up by the look after."""
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    live = LiveIndex(folder, IndexStore(None, folder))
    (folder / "c.txt").write_text(THIRD, encoding="utf-8")
    (folder / "b.txt").write_text(OTHER + "Thêm một đoạn mới.\n", encoding="utf-8")
    assert live.refresh() is True
    assert "c.txt" in {p.source for p in live.current.passages}
    assert live.refresh() is True
    assert "Thêm một đoạn mới." in {p.text for p in live.current.passages}
    assert live.refresh() is False


def test_a_look_at_the_names_only_sees_files_come_not_change(make_corpus) -> None:
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": OTHER})
    live = LiveIndex(folder, IndexStore(None, folder))
    (folder / "b.txt").write_text(OTHER + "Thêm một đoạn mới.\n", encoding="utf-8")
    assert live.refresh(every_file=False) is False
    (folder / "c.txt").write_text(THIRD, encoding="utf-8")
    assert live.refresh(every_file=False) is True
    assert "c.txt" in {p.source for p in live.current.passages}
    assert live.refresh() is True
    assert "Thêm một đoạn mới." in {p.text for p in live.current.passages}


def test_the_articles_of_a_reload_are_shared_by_all_workers() -> None:
    assert indexer._batch_size(40, 2) == 20 and indexer._batch_size(3, 4) == 1
    assert indexer._batch_size(100_000, 2) == indexer.BATCH_ARTICLES


def test_the_base_vocabulary_is_the_same_whatever_order_the_stopwords_come_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A set's order depends on the process's string hashing: the cache must not."""
    words = sorted(search_index.stopwords())
    made = []
    for order in (words, words[::-1]):
        monkeypatch.setattr(search_index, "stopwords", lambda order=order: order)
        vocabulary = search_index.base_vocabulary()
        made.append((list(vocabulary.forms.items()), list(vocabulary.openings.items())))
    assert made[0] == made[1]


class _CountingExecutor:
    """Runs each batch at once, in this process, and counts the batches given out and not yet
    taken back."""

    def __init__(self) -> None:
        self.out = self.most_out = 0

    def __enter__(self) -> "_CountingExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, function, *args) -> Future:
        executor = self

        class Taken(Future):
            def result(self, timeout: float | None = None):
                executor.out -= 1
                return super().result(timeout)

        future = Taken()
        future.set_result(function(*args))
        self.out += 1
        self.most_out = max(self.most_out, self.out)
        return future


def test_each_worker_has_its_next_batch_waiting(
    make_corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are given out ahead (AHEAD_PER_WORKER each): a worker done with one starts the
    next at once instead of waiting for the parent to take its answer back."""
    folder = make_corpus({f"{n:03d}.txt": f"Tin {n}\n\nNội dung tin số {n}.\n" for n in range(500)})
    executor = _CountingExecutor()
    monkeypatch.setattr(indexer, "_worker_pool", lambda workers: executor)
    jobs = [indexer.Job(path) for path in sorted(folder.iterdir())]
    answered = list(indexer.read_all(jobs, 2, None, tokenising=False))
    assert len(answered) == 6 and executor.out == 0
    assert executor.most_out >= 2 * 2
