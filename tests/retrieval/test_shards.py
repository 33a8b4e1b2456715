"""The archive in Xapian shards: the same candidates, scores and statistics as the in-process
index; the writer puts an article always in the same shard and rewrites only what changed."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import xapian

from retrieval.index.bm25 import mean_raw_idf
from retrieval.index.indexer import load_index
from retrieval.index.search_index import SearchIndex
from retrieval.index.shard_search import (
    COORDINATOR_CACHE,
    Endpoint,
    ShardedLiveIndex,
    ShardSet,
    XapianBackend,
)
from retrieval.index.shard_writer import held_articles, shard_paths, write_shards
from retrieval.index.shards import (
    SHARD_META,
    PassageTerms,
    article_term,
    article_terms,
    passages_of,
    shard_of,
)
from retrieval.index.store import SUFFIX, IndexStore
from retrieval.language.text import fold
from retrieval.language.tokens import analyze
from retrieval.reply.answer import answer
from tests.conftest import PROJECT_DIR, SEEDS_DIR, CorpusFactory

COMMON = "Hà Nội hôm nay công bố kết quả"  # in every article: its syllables' idf is floored
ARTICLES = {
    f"tin-{n}.txt": f"Tin số {n} về {topic}\n{COMMON} về {topic}, lần thứ {n}.\n{extra}\n"
    for n, (topic, extra) in enumerate(
        [
            ("giá xăng", "Giá xăng tăng 500 đồng một lít từ chiều nay."),
            ("bão số 3", "Bão số 3 đổ bộ vào Quảng Ninh với sức gió cấp 12."),
            ("học phí", "Học phí đại học tăng nhẹ; sinh viên nghèo được miễn giảm."),
            ("giá vàng", "Giá vàng miếng giảm mạnh, giá xăng vẫn đứng yên."),
            ("tàu điện", "Tàu điện Nhổn - ga Hà Nội chạy thử đoạn trên cao."),
            ("xăng dầu", "Xăng dầu nhập khẩu tăng; giá xăng sẽ điều chỉnh lại."),
            ("dài", "x" * 300 + " là một từ rất dài, giá xăng ở đây."),
        ]
    )
}
QUERIES = [
    "giá xăng hôm nay",
    "giá xăng giá xăng tăng",  # a repeated term counts again
    "Hà Nội công bố",  # only terms in every article
    "bão Quảng Ninh cấp 12",
    "học phí sinh viên",
    "x" * 300,
    "không có gì trùng",
]


def sharded(index: SearchIndex, folder: Path, count: int) -> tuple[SearchIndex, ShardSet]:
    """`index` searched through `count` local shards written into `folder`."""
    write_shards(index, folder, count)
    shards = ShardSet([[("local", n)] for n in range(count)], opener=_local(folder))
    return replace(index, bm25=XapianBackend(shards, index.articles)), shards


def _local(folder: Path) -> Callable[[Endpoint], xapian.Database]:
    def open_local(endpoint: Endpoint) -> xapian.Database:
        return xapian.Database(str(folder / str(endpoint[1])))

    return open_local


def test_both_backends_give_the_same_candidates_scores_and_statistics(
    make_corpus: CorpusFactory, tmp_path: Path
) -> None:
    index = load_index(make_corpus(ARTICLES), tmp_path / "cache")
    through, _ = sharded(index, tmp_path / "shards", 2)
    ours, theirs = index.bm25, through.bm25
    assert theirs.corpus_size == ours.corpus_size and theirs.complete
    for question in QUERIES:
        terms = analyze(question).all()
        positions, scores = ours.candidates(terms, 5)
        assert theirs.candidates(terms, 5)[0] == positions
        assert theirs.candidates(terms, 5)[1] == pytest.approx(scores, rel=1e-12)
        everywhere = np.arange(ours.corpus_size)
        assert theirs.scores_at(terms, everywhere) == pytest.approx(
            ours.scores_at(terms, everywhere)
        )
        for term in terms:
            assert theirs.knows(term) == ours.knows(term)
            assert theirs.idf_of(term) == pytest.approx(ours.idf_of(term), rel=1e-12)
            assert (theirs.present(term, everywhere) == ours.present(term, everywhere)).all()
            assert theirs.occurs_between(term, 2, 5) == ours.occurs_between(term, 2, 5)
        assert theirs.together(terms[:3]) == ours.together(terms[:3])
    assert ours.idf_of("~cong") == theirs.idf_of("~cong") > 0.1  # floored, not Xapian's 0.01


def test_of_passages_with_equal_scores_both_backends_keep_the_first(
    make_corpus: CorpusFactory, tmp_path: Path
) -> None:
    same = "Giá xăng tăng 500 đồng một lít từ chiều nay."  # in every article, a 5th of passages
    articles = {
        f"ban-{n:02d}.txt": f"Bản tin {n}\nTin vắn số {n}.\n{same}\nThời tiết {n}.\nHết {n}.\n"
        for n in range(40)
    }
    corpus = make_corpus(articles)
    write_shards(load_index(corpus, tmp_path / "cache"), tmp_path / "shards", 2)
    for n in range(5):  # rewritten: the first articles' passages get the last document ids
        (corpus / f"ban-{n:02d}.txt").write_text(articles[f"ban-{n:02d}.txt"] + "Sửa.\n", "utf-8")
    index = load_index(corpus, tmp_path / "fresh-cache")  # positions in the files' order
    through, _ = sharded(index, tmp_path / "shards", 2)
    terms = analyze("giá xăng tăng").all()
    positions, scores = index.bm25.candidates(terms, 5)
    assert len(set(scores.tolist())) == 1  # 40 ties, more than Xapian is first asked for
    assert [index.passages[p].source for p in positions] == sorted(articles)[:5]
    assert through.bm25.candidates(terms, 5)[0] == positions


def _seed_questions() -> list[str]:
    lines = (PROJECT_DIR / "eval" / "seed_probe.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    return questions + [fold(question) for question in questions]


def test_answers_through_shards_are_those_of_one_process(
    seed_index: SearchIndex, tmp_path: Path
) -> None:
    through, _ = sharded(seed_index, tmp_path / "shards", 3)
    for question in _seed_questions():
        assert answer(question, through) == answer(question, seed_index), question


def test_the_coordinator_builds_no_term_matrix_and_answers_as_one_process(
    seed_index: SearchIndex, tmp_path: Path
) -> None:
    write_shards(seed_index, tmp_path / "shards", 2)
    shards = ShardSet([[("local", n)] for n in range(2)], opener=_local(tmp_path / "shards"))
    cold = ShardedLiveIndex(SEEDS_DIR, tmp_path / "cache", shards).current
    warm = ShardedLiveIndex(SEEDS_DIR, tmp_path / "cache", shards).current  # from its cache
    for coordinator in (cold, warm):
        assert coordinator.counts.counts.nnz == 0 and not coordinator.counts.ids
        assert list(coordinator.passages) == list(seed_index.passages)
        assert coordinator.vocabulary == seed_index.vocabulary
    assert len(list((tmp_path / "cache" / COORDINATOR_CACHE).glob(f"*{SUFFIX}"))) == 1
    assert IndexStore(tmp_path / "cache", SEEDS_DIR).load() is None  # never an index's cache
    for question in _seed_questions():
        assert answer(question, warm) == answer(question, seed_index), question


def test_an_articles_terms_are_read_back_as_written() -> None:
    passages = [PassageTerms.of({"giá": 2, "~gia": 2, "^gia_xang": 1}), PassageTerms.of({})]
    back = passages_of(article_terms(passages).encode())
    assert back == passages and [passage.length for passage in back] == [5, 0]
    assert [back[0].count("giá"), back[0].count("gi"), back[1].count("giá")] == [2, 0, 0]
    assert back[0].holds("^gia_xang") and not back[0].holds("gia_xang")
    assert passages_of(b"") == []


def test_the_idf_floor_is_the_same_to_the_last_bit_in_any_order_of_terms() -> None:
    # Xapian lists the archive's terms alphabetically, the in-process index by first use;
    # numpy's mean of these 20,000 idf, half negative, depends on that order
    frequencies = np.random.default_rng(3).integers(0, 684, 20_000)
    means = {
        mean_raw_idf(np.random.default_rng(seed).permutation(frequencies), 684) for seed in range(5)
    }
    assert len(means) == 1


def test_an_article_always_goes_to_the_same_shard(
    make_corpus: CorpusFactory, tmp_path: Path
) -> None:
    assert [shard_of("tin-1.txt", 4), shard_of("tin-2.txt", 4), shard_of("tin-3.txt", 4)] == [
        shard_of("tin-1.txt", 4),
        shard_of("tin-2.txt", 4),
        shard_of("tin-3.txt", 4),
    ]
    assert {shard_of(f"tin-{n}.txt", 4) for n in range(40)} == {0, 1, 2, 3}
    index = load_index(make_corpus(ARTICLES), tmp_path / "cache")
    write_shards(index, tmp_path / "shards", 3)
    for number, path in enumerate(shard_paths(tmp_path / "shards", 3)):
        held = {stamp.source for stamp in held_articles(xapian.Database(str(path))).values()}
        assert held == {name for name in ARTICLES if shard_of(name, 3) == number}


def _docids(folder: Path, source: str, count: int) -> list[int]:
    database = xapian.Database(str(shard_paths(folder, count)[shard_of(source, count)]))
    return [item.docid for item in database.postlist(article_term(source))]


def test_only_changed_articles_are_rewritten(make_corpus: CorpusFactory, tmp_path: Path) -> None:
    corpus, shards = make_corpus(ARTICLES), tmp_path / "shards"
    first = write_shards(load_index(corpus, tmp_path / "cache"), shards, 2)
    assert (first.written, first.removed, first.unchanged) == (len(ARTICLES), 0, 0)
    kept = _docids(shards, "tin-1.txt", 2)
    again = write_shards(load_index(corpus, tmp_path / "cache"), shards, 2)
    assert (again.written, again.removed, again.unchanged) == (0, 0, len(ARTICLES))
    (corpus / "tin-2.txt").write_text("Tin mới\nBão số 4 đã tan.\n", encoding="utf-8")
    (corpus / "tin-3.txt").unlink()
    changed = write_shards(load_index(corpus, tmp_path / "cache"), shards, 2)
    assert (changed.written, changed.removed) == (1, 1)
    assert _docids(shards, "tin-1.txt", 2) == kept
    assert _docids(shards, "tin-3.txt", 2) == []


def test_more_shards_move_articles_without_duplicates(
    make_corpus: CorpusFactory, tmp_path: Path
) -> None:
    index = load_index(make_corpus(ARTICLES), tmp_path / "cache")
    write_shards(index, tmp_path / "shards", 2)
    write_shards(index, tmp_path / "shards", 3)
    archive = xapian.Database()
    for path in shard_paths(tmp_path / "shards", 3):
        archive.add_database(xapian.Database(str(path)))
    assert archive.get_doccount() == len(index.passages)


def test_a_failed_primary_gives_way_to_its_replica_with_one_log_line(
    seed_index: SearchIndex, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_shards(seed_index, tmp_path / "shards", 2)
    local = _local(tmp_path / "shards")

    def only_replicas(endpoint: Endpoint) -> xapian.Database:
        if endpoint[0] == "dead":
            raise xapian.NetworkError("connection refused")
        return local(endpoint)

    with caplog.at_level(logging.WARNING):
        shards = ShardSet([[("dead", 0), ("local", 0)], [("local", 1)]], opener=only_replicas)
    assert shards.complete
    assert [record.getMessage() for record in caplog.records] == [
        "shard 0: dead:0 failed (connection refused); now served by local:0"
    ]


def test_a_server_holding_another_shard_than_listed_counts_as_failed(
    seed_index: SearchIndex, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_shards(seed_index, tmp_path / "shards", 2)
    with caplog.at_level(logging.WARNING):
        shards = ShardSet(
            [[("local", 1), ("local", 0)], [("local", 1)]], _local(tmp_path / "shards")
        )
    assert shards.complete
    assert [record.getMessage() for record in caplog.records] == [
        "shard 0: local:1 failed (holds shard 1/2, listed as 0/2); now served by local:0"
    ]


class _DyingServer:
    """A shard's connection whose server dies once `dead[0]` is set: then every request,
    and every reopen, fails."""

    def __init__(self, database: xapian.Database, dead: list[bool]) -> None:
        self._database, self._dead = database, dead

    def get_metadata(self, key: str) -> bytes:
        self._answer()
        return bytes(self._database.get_metadata(key))

    def reopen(self) -> bool:
        self._answer()
        return bool(self._database.reopen())

    def _answer(self) -> None:
        if self._dead[0]:
            raise xapian.NetworkError("connection reset")


def _shard_name(database: xapian.Database) -> bytes:
    return bytes(database.get_metadata(SHARD_META))


def test_shards_asked_at_once_fail_over_each_on_its_own(
    seed_index: SearchIndex, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_shards(seed_index, tmp_path / "shards", 2)
    local, dead = _local(tmp_path / "shards"), [False]

    def dying_first(endpoint: Endpoint) -> xapian.Database:
        database = local(endpoint)
        return _DyingServer(database, dead) if endpoint[0] == "dying" else database

    shards = ShardSet([[("dying", 0), ("local", 0)], [("local", 1)]], opener=dying_first)
    dead[0] = True
    with caplog.at_level(logging.WARNING):
        assert shards.run_each({0: _shard_name, 1: _shard_name}) == {0: b"0/2", 1: b"1/2"}
    assert [record.getMessage() for record in caplog.records] == [
        "shard 0: dying:0 failed (connection reset); now served by local:0"
    ]


def test_a_shard_without_servers_is_searched_around_and_said(
    seed_index: SearchIndex, tmp_path: Path
) -> None:
    write_shards(seed_index, tmp_path / "shards", 2)
    local = _local(tmp_path / "shards")

    def first_down(endpoint: Endpoint) -> xapian.Database:
        if endpoint[1] == 0:
            raise xapian.NetworkError("connection refused")
        return local(endpoint)

    shards = ShardSet([[("local", 0), ("local", 0)], [("local", 1)]], opener=first_down)
    backend = XapianBackend(shards, seed_index.articles)
    assert not shards.complete
    reply = answer("Ai chủ trì hội nghị?", replace(seed_index, bm25=backend))
    assert reply.reply.startswith("Một phần kho bài viết")
