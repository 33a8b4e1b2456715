"""The archive in Xapian shards: the same candidates, scores and statistics as the in-process
index; the writer puts an article always in the same shard and rewrites only what changed."""

from __future__ import annotations

import inspect
import json
import logging
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import xapian

from retrieval.index import shard_search
from retrieval.index.bm25 import mean_raw_idf
from retrieval.index.indexer import load_index
from retrieval.index.search_index import Additions, SearchIndex
from retrieval.index.shard_search import (
    COORDINATOR_CACHE,
    Endpoint,
    ShardedLiveIndex,
    ShardSet,
    XapianBackend,
)
from retrieval.index.shard_writer import held_articles, shard_paths, write_shards
from retrieval.index.shards import (
    COMMON_TERMS_META,
    PassageTerms,
    ShardState,
    article_term,
    counts_of,
    holding,
    passage_record,
    record_of,
    shard_of,
)
from retrieval.index.store import SUFFIX, IndexStore
from retrieval.language.text import fold
from retrieval.language.tokens import analyze
from retrieval.reply.answer import answer
from tests.conftest import PROJECT_DIR, SEEDS_DIR, CorpusFactory, printed_by

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
    with _requests() as requests:
        assert through.bm25.candidates(terms, 5)[0] == positions
    # the archive's statistics and its common terms' frequencies (once per change of the
    # shards), the first match (which tells the query's frequencies) and the tie's, which
    # brings their passages' terms
    assert requests == {"metadata": 2, "_frequencies": 1, "_ranked": 2}


def test_a_question_asks_for_no_frequencies_of_its_own(
    make_corpus: CorpusFactory, tmp_path: Path
) -> None:
    index = load_index(make_corpus(ARTICLES), tmp_path / "cache")
    through, _ = sharded(index, tmp_path / "shards", 2)
    assert through.bm25.corpus_size == index.bm25.corpus_size  # the statistics read
    for question in QUERIES:
        terms = analyze(question).all()
        with _requests() as requests:
            positions, scores = through.bm25.candidates(terms, 5)
        assert requests == {"_ranked": 2}, question  # no frequency asked apart
        assert (positions, scores.tolist()) == _in_process(index, terms), question
        for term in terms:  # told by the match
            assert through.bm25.knows(term) == index.bm25.knows(term)


def test_a_common_term_the_shards_do_not_list_is_weighed_as_ours_all_the_same(
    make_corpus: CorpusFactory, tmp_path: Path
) -> None:
    index = load_index(make_corpus(ARTICLES), tmp_path / "cache")
    through, _ = sharded(index, tmp_path / "shards", 2)
    for path in shard_paths(tmp_path / "shards", 2):  # written before the list was
        database = xapian.WritableDatabase(str(path), xapian.DB_OPEN)
        database.set_metadata(COMMON_TERMS_META, "")
        database.commit()
        database.close()
    terms = analyze("Hà Nội công bố").all()  # its syllables in a third of the passages
    with _requests() as requests:
        positions, scores = through.bm25.candidates(terms, 5)
    assert (positions, scores.tolist()) == _in_process(index, terms)
    assert requests["_ranked"] == 2 * 2  # matched again, every weight known
    with _requests() as requests:
        assert (through.bm25.candidates(terms, 5)[0]) == positions
    assert requests["_ranked"] == 2  # known from then on
    assert write_shards(index, tmp_path / "shards", 2).written == 0  # the list written again
    for path in shard_paths(tmp_path / "shards", 2):
        listed = json.loads(xapian.Database(str(path)).get_metadata(COMMON_TERMS_META))
        assert {"hn", "~cong", "^cong_bo"} <= set(listed) and "~hoc" not in listed


def _in_process(index: SearchIndex, terms: list[str]) -> tuple[list[int], list[float]]:
    positions, scores = index.bm25.candidates(terms, 5)
    return positions, scores.tolist()


@contextmanager
def _requests() -> Iterator[Counter[str]]:
    """The requests made to the shards meanwhile: each match counted under the function of
    shard_search.py asking for it (`_ranked`, `_records`, `_frequencies`, …), and "metadata"."""
    counted: Counter[str] = Counter()
    get_mset, get_metadata = xapian.Enquire.get_mset, xapian.Database.get_metadata

    def match(enquire: xapian.Enquire, *args: int) -> xapian.MSet:
        callers = (frame.function for frame in inspect.stack(0)[1:])
        asking = next(name for name in callers if name not in ("_boolean", "<lambda>", "run"))
        counted[asking] += 1
        return get_mset(enquire, *args)

    def metadata(database: xapian.Database, key: str) -> bytes:
        counted["metadata"] += 1
        return bytes(get_metadata(database, key))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(xapian.Enquire, "get_mset", match)
        patch.setattr(xapian.Database, "get_metadata", metadata)
        yield counted


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


def test_a_question_reads_the_passages_it_looks_into_in_one_request(
    seed_index: SearchIndex, tmp_path: Path
) -> None:
    _, shards = sharded(seed_index, tmp_path / "shards", 2)
    for question in _seed_questions():
        backend = XapianBackend(shards, seed_index.articles)
        with _requests() as requests:  # nothing read before
            answer(question, replace(seed_index, bm25=backend))
        assert requests["_ranked"] == 2 and requests["_records"] == 1, question
        assert requests["metadata"] == 2, question  # the archive's mean idf, its common terms


def test_a_question_asked_again_reads_no_passage_again(
    seed_index: SearchIndex, tmp_path: Path
) -> None:
    """The passages a question read are kept for the next (up to CACHED_PASSAGES)."""
    _, shards = sharded(seed_index, tmp_path / "shards", 2)
    through = replace(seed_index, bm25=XapianBackend(shards, seed_index.articles))
    question = _seed_questions()[0]
    first = answer(question, through)
    with _requests() as requests:
        again = answer(question, through)
    assert requests["_records"] == 0 and requests["_ranked"] == 2  # the ranking matches alone
    assert again == first == answer(question, seed_index)


def test_questions_in_a_burst_look_for_replicated_changes_once(
    seed_index: SearchIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every question asks whether the shards changed, but only one a REOPEN_SECONDS reopens
    them to see."""
    _, shards = sharded(seed_index, tmp_path / "shards", 2)
    looks: list[xapian.Database] = []
    revision = shard_search._revision

    def counted(archive: xapian.Database) -> tuple[int, ...]:
        looks.append(archive)
        return revision(archive)

    monkeypatch.setattr(shard_search, "_revision", counted)
    for _ in range(3):
        shards.refresh()
    assert len(looks) == 1


def test_passages_forgotten_past_the_cap_leave_the_statistics_known(
    seed_index: SearchIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    through, _ = sharded(seed_index, tmp_path / "shards", 2)
    monkeypatch.setattr(shard_search, "CACHED_PASSAGES", 0)
    terms = analyze("Ai chủ trì hội nghị sơ kết?").all()
    through.bm25.scores_at(terms, np.arange(10))  # statistics and passages read
    with _requests() as requests:
        through.bm25.candidates(terms, 5)  # the passages forgotten first
    assert "_frequencies" not in requests and "metadata" not in requests


def test_the_coordinator_builds_no_term_matrix_and_answers_as_one_process(
    seed_index: SearchIndex, tmp_path: Path
) -> None:
    write_shards(seed_index, tmp_path / "shards", 2)
    shards = ShardSet([[("local", n)] for n in range(2)], opener=_local(tmp_path / "shards"))
    cold = ShardedLiveIndex(SEEDS_DIR, tmp_path / "cache", shards).current
    warm = ShardedLiveIndex(SEEDS_DIR, tmp_path / "cache", shards).current  # from its cache
    for coordinator in (cold, warm):
        assert coordinator.counts is None  # and its cache holds no term arrays
        assert list(coordinator.passages) == list(seed_index.passages)
        assert coordinator.vocabulary == seed_index.vocabulary
    assert len(list((tmp_path / "cache" / COORDINATOR_CACHE).glob(f"*{SUFFIX}"))) == 1
    assert IndexStore(tmp_path / "cache", SEEDS_DIR).load() is None  # never an index's cache
    for question in _seed_questions():
        assert answer(question, warm) == answer(question, seed_index), question


def test_a_coordinator_starts_answers_and_reloads_without_scipy(
    seed_index: SearchIndex, tmp_path: Path
) -> None:
    write_shards(seed_index, tmp_path / "shards", 2)
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS_DIR, corpus)
    script = (
        "import shutil, sys, xapian; from pathlib import Path\n"
        "from retrieval.index.shard_search import ShardSet, ShardedLiveIndex\n"
        "from retrieval.reply.answer import answer\n"
        f"shards, corpus = Path({str(tmp_path / 'shards')!r}), Path({str(corpus)!r})\n"
        "opened = lambda endpoint: xapian.Database(str(shards / str(endpoint[1])))\n"
        "shard_set = ShardSet([[('local', n)] for n in range(2)], opener=opened)\n"
        "for start in ('cold', 'warm'):\n"
        f"    live = ShardedLiveIndex(corpus, Path({str(tmp_path / 'cache')!r}), shard_set)\n"
        "first = sorted(corpus.glob('*.txt'))[0]\n"
        "shutil.copyfile(first, corpus / ('copy-' + first.name))\n"
        "print(live.refresh(), answer('bi thu thanh uy tphcm la ai', live.current).answered)\n"
        "print(sorted(m for m in sys.modules if m.startswith('scipy')))\n"
    )
    assert printed_by(script)[:2] == ["True True", "[]"]


def test_a_snapshot_without_term_counts_finds_nothing_and_is_not_written_to_shards(
    tmp_path: Path,
) -> None:
    termless = load_index(SEEDS_DIR)
    termless = SearchIndex.empty(with_terms=False).with_additions(
        Additions.of((article, [[] for _ in article.texts]) for article in termless.articles),
        set(),
    )
    assert termless.counts is None and len(termless.passages) > 0 and termless.is_folded
    assert not answer("bí thư thành ủy TPHCM là ai", termless).hits
    with pytest.raises(ValueError, match="no terms"):
        write_shards(termless, tmp_path / "shards", 2)
    assert not (tmp_path / "shards").exists()


def test_a_passages_record_is_read_back_as_written() -> None:
    terms = PassageTerms.of({"giá": 2, "~gia": 2, "^gia_xang": 1})
    place, back = record_of(passage_record("tin: 1.txt", 3, terms))
    assert place == ("tin: 1.txt", 3) and back == terms and back.length == 5
    other = PassageTerms.of({"gi": 1})
    assert counts_of("giá", [back, other]).tolist() == [2, 0]
    assert counts_of("gi", [back, other]).tolist() == [0, 1]
    assert holding("^gia_xang", [back, other]).tolist() == [True, False]
    assert not holding("gia_xang", [back]).any()
    assert record_of(passage_record("tin.txt", 0, PassageTerms.of({})))[1].length == 0


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
    assert shards.states() == [ShardState(0, "local:0", 1), ShardState(1, "local:1", 0)]


def test_a_shard_goes_back_to_its_primary_once_that_answers_again(
    seed_index: SearchIndex,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_shards(seed_index, tmp_path / "shards", 2)
    local, primary_up = _local(tmp_path / "shards"), threading.Event()

    def primary_down_at_first(endpoint: Endpoint) -> xapian.Database:
        if endpoint[0] == "primary" and not primary_up.is_set():
            raise xapian.NetworkError("connection refused")
        return local(endpoint)

    monkeypatch.setattr(shard_search, "RETRY_SECONDS", 0.05)
    shards = ShardSet([[("primary", 0), ("local", 0)], [("local", 1)]], primary_down_at_first)
    assert shards.states()[0] == ShardState(0, "local:0", 1)
    assert shards.back_to_primaries()  # still down: left on its replica
    generation = shards.generation
    caplog.clear()  # the failover's line
    with caplog.at_level(logging.WARNING):
        primary_up.set()
        deadline = time.monotonic() + 10
        while shards.states()[0].place and time.monotonic() < deadline:
            time.sleep(0.02)  # the watching thread finds it
    assert shards.states() == [ShardState(0, "primary:0", 0), ShardState(1, "local:1", 0)]
    assert shards.generation > generation  # what was read is read again
    assert [record.getMessage() for record in caplog.records] == [
        "shard 0: its primary primary:0 answers again; now served by it"
    ]
    assert not shards.back_to_primaries()
    through = replace(seed_index, bm25=XapianBackend(shards, seed_index.articles))
    assert answer("Ai chủ trì hội nghị?", through) == answer("Ai chủ trì hội nghị?", seed_index)


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


def test_a_shard_without_servers_is_searched_around_and_said(
    seed_index: SearchIndex, tmp_path: Path
) -> None:
    write_shards(seed_index, tmp_path / "shards", 2)
    local = _local(tmp_path / "shards")

    def first_down(endpoint: Endpoint) -> xapian.Database:
        if endpoint[1] == 0:
            raise xapian.NetworkError("connection refused")
        return local(endpoint)

    before = time.time()
    shards = ShardSet([[("local", 0), ("local", 0)], [("local", 1)]], opener=first_down)
    backend = XapianBackend(shards, seed_index.articles)
    assert not shards.complete
    down, up = shards.states()
    assert (down.server, up.server, up.place) == (None, "local:1", 0)
    assert down.down_at is not None and before <= down.down_at <= time.time()
    reply = answer("Ai chủ trì hội nghị?", replace(seed_index, bm25=backend))
    assert reply.reply.startswith("Một phần kho bài viết")
