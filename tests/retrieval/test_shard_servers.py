"""Real `xapian-tcpsrv` processes on 127.0.0.1: a killed primary's shard is served by its
replica within the question, all answers unchanged; a shard with no server left is searched
around, and the reply says so; an article indexed is answerable without a restart, also from
a replica that `xapian-replicate` keeps up to date."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import xapian

from benchmark.shard_servers import Servers
from retrieval.index import shard_search
from retrieval.index.indexer import load_index
from retrieval.index.search_index import SearchIndex
from retrieval.index.shard_search import ShardedLiveIndex, ShardSet, XapianBackend
from retrieval.index.shard_writer import shard_paths, write_shards
from retrieval.language.text import fold
from retrieval.reply.answer import Answer, answer
from retrieval.reply.phrases import PARTLY_UNAVAILABLE
from tests.conftest import PROJECT_DIR, SEEDS_DIR, CorpusFactory

pytestmark = pytest.mark.slow
ANSWER_SECONDS = 10.0  # the longest a question may take while servers die
PATIENT_MS = 8_000  # a live server on a loaded test machine is never taken for a dead one
FRESH_SECONDS = 30.0  # an indexed article is answerable this soon


def patient(endpoint: tuple[str, int]) -> xapian.Database:
    """A server opened with long timeouts: only the one killed fails (a dead one on loopback
    refuses at once)."""
    return xapian.remote_open(*endpoint, PATIENT_MS, PATIENT_MS)


@pytest.fixture
def servers() -> Iterator[Servers]:
    """Xapian's servers, stopped after the test. Skipped where xapian-tools is missing, except
    in CI (CI=true), where `.ci/run` installs it: there the tests must run."""
    if shutil.which("xapian-tcpsrv") is None:
        if os.environ.get("CI"):
            pytest.fail("xapian-tcpsrv is not installed: .ci/run should have installed it")
        pytest.skip("xapian-tools (xapian-tcpsrv, xapian-replicate) is not installed")
    started = Servers()
    yield started
    started.kill_all()


def _questions() -> list[str]:
    lines = (PROJECT_DIR / "eval" / "seed_probe.jsonl").read_text(encoding="utf-8").splitlines()
    typed = [json.loads(line)["question"] for line in lines if line.strip()]
    return typed + [fold(question) for question in typed]


def _two_by_two(index: SearchIndex, folder: Path, servers: Servers) -> list[list[tuple[str, int]]]:
    """2 shards of `index`, each served by a primary and a replica (a copy)."""
    write_shards(index, folder / "primary", 2)
    shutil.copytree(folder / "primary", folder / "replica")
    return [
        [servers.tcpsrv(folder / "primary" / str(n)), servers.tcpsrv(folder / "replica" / str(n))]
        for n in range(2)
    ]


def test_a_killed_primary_is_replaced_by_its_replica_and_every_answer_stays_the_same(
    seed_index: SearchIndex,
    tmp_path: Path,
    servers: Servers,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shard_search, "RETRY_SECONDS", 0.1)  # how often a primary is tried
    endpoints = _two_by_two(seed_index, tmp_path, servers)
    shards = ShardSet(endpoints, patient)
    through = replace(seed_index, bm25=XapianBackend(shards, seed_index.articles))
    questions = _questions() * 3
    slowest = 0.0
    with caplog.at_level(logging.WARNING):
        for number, question in enumerate(questions):
            if number == len(questions) // 2:
                servers.kill_serving(endpoints[0][0])
            started = time.monotonic()
            assert answer(question, through) == answer(question, seed_index), question
            slowest = max(slowest, time.monotonic() - started)
    assert slowest < ANSWER_SECONDS
    (primary_host, primary_port), (_, replica_port) = endpoints[0]
    assert [record.getMessage().split(" (")[0] for record in caplog.records] == [
        f"shard 0: {primary_host}:{primary_port} failed"
    ]
    assert caplog.records[0].getMessage().endswith(f"now served by 127.0.0.1:{replica_port}")

    servers.tcpsrv(tmp_path / "primary" / "0", primary_port)  # the primary's host is back
    with caplog.at_level(logging.WARNING):
        deadline = time.monotonic() + ANSWER_SECONDS
        while shards.states()[0].place and time.monotonic() < deadline:
            time.sleep(0.05)
    assert shards.states()[0].server == f"{primary_host}:{primary_port}"
    assert caplog.records[-1].getMessage() == (
        f"shard 0: its primary {primary_host}:{primary_port} answers again; now served by it"
    )
    for question in questions[:10]:
        assert answer(question, through) == answer(question, seed_index), question


def test_a_shard_with_no_server_left_is_searched_around_and_the_reply_says_so(
    seed_index: SearchIndex, tmp_path: Path, servers: Servers
) -> None:
    endpoints = _two_by_two(seed_index, tmp_path, servers)
    shards = ShardSet(endpoints)
    through = replace(seed_index, bm25=XapianBackend(shards, seed_index.articles))
    question = _questions()[0]
    assert answer(question, through) == answer(question, seed_index)
    for endpoint in endpoints[1]:  # shard 1's primary and replica
        servers.kill_serving(endpoint)
    started = time.monotonic()
    partial = answer(question, through)
    assert time.monotonic() - started < ANSWER_SECONDS
    assert partial.reply.startswith(PARTLY_UNAVAILABLE) and partial.partial
    assert not through.bm25.complete


def test_a_frozen_primary_is_given_up_within_the_timeout_and_its_replica_answers(
    seed_index: SearchIndex, tmp_path: Path, servers: Servers
) -> None:
    """A host that stops answering without closing its connections (stopped, swapping, cut
    off) is taken for a dead one after TIMEOUT_MS: the question never hangs."""
    endpoints = _two_by_two(seed_index, tmp_path, servers)
    through = replace(seed_index, bm25=XapianBackend(ShardSet(endpoints), seed_index.articles))
    question, expected = _questions()[0], answer(_questions()[0], seed_index)
    assert answer(question, through) == expected
    frozen = servers.serving[endpoints[0][0]]
    os.killpg(frozen, signal.SIGSTOP)
    found: list[Answer] = []
    asking = threading.Thread(target=lambda: found.append(answer(question, through)))
    asking.start()
    asking.join(ANSWER_SECONDS)
    hung = asking.is_alive()
    os.killpg(frozen, signal.SIGCONT)  # a hung question ends too, and the test with it
    asking.join()
    assert not hung and found == [expected]
    assert through.bm25.complete


@pytest.fixture
def unreachable() -> Iterator[tuple[str, int]]:
    """A port on loopback that takes no connection: it listens, but its queue is full and
    never accepted from, so a connection attempt goes unanswered, as to a host powered off."""
    listening = socket.create_server(("127.0.0.1", 0), backlog=0)
    waiting: list[socket.socket] = []
    for _ in range(100):
        attempt = socket.socket()
        attempt.settimeout(0.2)
        waiting.append(attempt)
        try:
            attempt.connect(listening.getsockname())
        except TimeoutError:
            break
    else:
        pytest.fail("loopback took every connection: no port stands for a host that is off")
    yield listening.getsockname()
    for opened in [*waiting, listening]:
        opened.close()


def test_a_host_that_never_takes_the_connection_is_given_up_for_the_next_one(
    seed_index: SearchIndex, tmp_path: Path, servers: Servers, unreachable: tuple[str, int]
) -> None:
    """CONNECT_TIMEOUT_MS: a primary whose host is off is passed over for its replica."""
    endpoints = _two_by_two(seed_index, tmp_path, servers)
    started = time.monotonic()
    shards = ShardSet([[unreachable, endpoints[0][1]], endpoints[1]])
    assert time.monotonic() - started < ANSWER_SECONDS
    assert shards.complete and shards.states()[0].place == 1


BOAT_RACE = "Ai thắng giải đua thuyền rồng Hội An?"


def _seed_corpus(make_corpus: CorpusFactory) -> Path:
    return make_corpus({path.name: path.read_text(encoding="utf-8") for path in
                        SEEDS_DIR.glob("*.txt")})  # fmt: skip


def _add_the_boat_race(corpus: Path, shards: Path, cache: Path) -> float:
    """An article the seeds lack, written and indexed into the shards; when indexing ended."""
    (corpus / "dua-thuyen.txt").write_text(
        "Đua thuyền rồng Hội An\nĐội thuyền rồng Cẩm Thanh thắng giải đua thuyền rồng Hội An "
        "năm nay trên sông Hoài.\n",
        encoding="utf-8",
    )
    write_shards(load_index(corpus, cache), shards, 1)
    return time.monotonic()


def _answered_soon(live: ShardedLiveIndex, indexed: float) -> None:
    """The boat race asked until it is answered from the new article, FRESH_SECONDS at most."""
    live.refresh()
    reply = answer(BOAT_RACE, live.current)
    while not reply.hits and time.monotonic() - indexed < FRESH_SECONDS:
        time.sleep(0.5)
        reply = answer(BOAT_RACE, live.current)
    assert reply.hits and reply.hits[0].source == "dua-thuyen.txt"


def test_an_article_indexed_is_answered_through_the_server_without_a_restart(
    make_corpus: CorpusFactory, tmp_path: Path, servers: Servers
) -> None:
    corpus, shards, cache = _seed_corpus(make_corpus), tmp_path / "shards", tmp_path / "writer"
    write_shards(load_index(corpus, cache), shards, 1)
    served = ShardSet([[servers.tcpsrv(shard_paths(shards, 1)[0])]])
    live = ShardedLiveIndex(corpus, tmp_path / "bot-cache", served)
    assert answer(BOAT_RACE, live.current).tier.value == "none"
    _answered_soon(live, _add_the_boat_race(corpus, shards, cache))


def test_an_article_indexed_is_answered_by_a_replica_xapian_replicate_keeps(
    make_corpus: CorpusFactory, tmp_path: Path, servers: Servers
) -> None:
    corpus, shards, cache = _seed_corpus(make_corpus), tmp_path / "shards", tmp_path / "writer"
    write_shards(load_index(corpus, cache), shards, 1)
    replica = servers.replicated(shard_paths(shards, 1)[0], tmp_path / "replica")
    primary = servers.tcpsrv(shard_paths(shards, 1)[0])
    served = ShardSet([[primary, servers.tcpsrv(replica)]])
    live = ShardedLiveIndex(corpus, tmp_path / "bot-cache", served)
    assert answer(BOAT_RACE, live.current).tier.value == "none"
    indexed = _add_the_boat_race(corpus, shards, cache)
    servers.kill_serving(primary)
    _answered_soon(live, indexed)
    assert answer(BOAT_RACE, live.current) == answer(BOAT_RACE, load_index(corpus))
