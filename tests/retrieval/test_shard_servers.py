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
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from retrieval.index.indexer import load_index
from retrieval.index.search_index import SearchIndex
from retrieval.index.shard_search import ShardedLiveIndex, ShardSet, XapianBackend
from retrieval.index.shard_writer import shard_paths, write_shards
from retrieval.language.text import fold
from retrieval.reply.answer import answer
from retrieval.reply.phrases import PARTLY_UNAVAILABLE
from tests.conftest import PROJECT_DIR, SEEDS_DIR, CorpusFactory, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("xapian-tcpsrv") is None, reason="xapian-tools missing"),
]
START_SECONDS = 10.0
ANSWER_SECONDS = 10.0  # the longest a question may take while servers die
FRESH_SECONDS = 30.0  # an indexed article is answerable this soon
REPLICATE_SECONDS = 10.0  # a one-shot copy of a seed shard takes well under this


class Servers:
    """Processes started on 127.0.0.1, each in a process group of its own (xapian-tcpsrv
    forks a child per connection: a dead host takes both), all killed at the end."""

    def __init__(self) -> None:
        self.groups: dict[int, subprocess.Popen[bytes]] = {}

    def start(self, *command: str, port: int | None = None) -> int:
        process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
        self.groups[process.pid] = process
        if port is not None:
            _wait_listening(port)
        return process.pid

    def tcpsrv(self, path: Path) -> tuple[str, int]:
        port = free_port()
        self.start("xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port), str(path),
                   port=port)  # fmt: skip
        return "127.0.0.1", port

    def replicated(self, master: Path, replica: Path) -> Path:
        """`replica` copied from shard `master` (a folder of shards' name) by a
        `xapian-replicate-server`, then kept up to date by a `xapian-replicate` asking every
        second (`-r 0`: changesets applied at once, not after 30 s for readers to close)."""
        port = free_port()
        self.start("xapian-replicate-server", "--interface", "127.0.0.1", "--port", str(port),
                   str(master.parent), port=port)  # fmt: skip
        command = ["xapian-replicate", "-h", "127.0.0.1", "-p", str(port), "-m", master.name,
                   "-r", "0", "-q", str(replica)]  # fmt: skip
        subprocess.run([*command, "-o"], check=True, timeout=REPLICATE_SECONDS)
        self.start(*command, "-i", "1")
        return replica

    def kill(self, pid: int) -> None:
        os.killpg(pid, signal.SIGKILL)
        self.groups.pop(pid).wait()

    def kill_all(self) -> None:
        for pid in list(self.groups):
            self.kill(pid)


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture
def servers() -> Iterator[Servers]:
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
    seed_index: SearchIndex, tmp_path: Path, servers: Servers, caplog: pytest.LogCaptureFixture
) -> None:
    endpoints = _two_by_two(seed_index, tmp_path, servers)
    shards = ShardSet(endpoints)
    through = replace(
        seed_index, bm25=XapianBackend(shards, seed_index.articles, seed_index.article_starts)
    )
    questions = _questions() * 3
    primary = next(iter(servers.groups))  # shard 0's primary
    slowest = 0.0
    with caplog.at_level(logging.WARNING):
        for number, question in enumerate(questions):
            if number == len(questions) // 2:
                servers.kill(primary)
            started = time.monotonic()
            assert answer(question, through) == answer(question, seed_index), question
            slowest = max(slowest, time.monotonic() - started)
    assert slowest < ANSWER_SECONDS
    (primary_host, primary_port), (_, replica_port) = endpoints[0]
    assert [record.getMessage().split(" (")[0] for record in caplog.records] == [
        f"shard 0: {primary_host}:{primary_port} failed"
    ]
    assert caplog.records[0].getMessage().endswith(f"now served by 127.0.0.1:{replica_port}")


def test_a_shard_with_no_server_left_is_searched_around_and_the_reply_says_so(
    seed_index: SearchIndex, tmp_path: Path, servers: Servers
) -> None:
    shards = ShardSet(_two_by_two(seed_index, tmp_path, servers))
    through = replace(
        seed_index, bm25=XapianBackend(shards, seed_index.articles, seed_index.article_starts)
    )
    question = _questions()[0]
    assert answer(question, through) == answer(question, seed_index)
    for pid in list(servers.groups)[2:]:  # shard 1's primary and replica
        servers.kill(pid)
    started = time.monotonic()
    partial = answer(question, through)
    assert time.monotonic() - started < ANSWER_SECONDS
    assert partial.reply.startswith(PARTLY_UNAVAILABLE) and partial.partial
    assert not through.bm25.complete


def test_an_article_indexed_is_answered_through_the_server_without_a_restart(
    make_corpus: CorpusFactory, tmp_path: Path, servers: Servers
) -> None:
    corpus = make_corpus({path.name: path.read_text(encoding="utf-8") for path in
                          SEEDS_DIR.glob("*.txt")})  # fmt: skip
    shards = tmp_path / "shards"
    write_shards(load_index(corpus, tmp_path / "writer-cache"), shards, 1)
    served = ShardSet([[servers.tcpsrv(shard_paths(shards, 1)[0])]])
    live = ShardedLiveIndex(corpus, tmp_path / "bot-cache", served)
    question = "Ai thắng giải đua thuyền rồng Hội An?"
    assert answer(question, live.current).tier.value == "none"
    (corpus / "dua-thuyen.txt").write_text(
        "Đua thuyền rồng Hội An\nĐội thuyền rồng Cẩm Thanh thắng giải đua thuyền rồng Hội An "
        "năm nay trên sông Hoài.\n",
        encoding="utf-8",
    )
    write_shards(load_index(corpus, tmp_path / "writer-cache"), shards, 1)
    indexed = time.monotonic()
    live.refresh()
    reply = answer(question, live.current)
    while not reply.hits and time.monotonic() - indexed < FRESH_SECONDS:
        time.sleep(0.5)
        reply = answer(question, live.current)
    assert reply.hits and reply.hits[0].source == "dua-thuyen.txt"


def test_an_article_indexed_is_answered_by_a_replica_xapian_replicate_keeps(
    make_corpus: CorpusFactory, tmp_path: Path, servers: Servers
) -> None:
    corpus = make_corpus({path.name: path.read_text(encoding="utf-8") for path in
                          SEEDS_DIR.glob("*.txt")})  # fmt: skip
    shards = tmp_path / "shards"
    write_shards(load_index(corpus, tmp_path / "writer-cache"), shards, 1)
    replica = servers.replicated(shard_paths(shards, 1)[0], tmp_path / "replica")
    primary = servers.tcpsrv(shard_paths(shards, 1)[0])
    primary_pid = list(servers.groups)[-1]
    served = ShardSet([[primary, servers.tcpsrv(replica)]])
    live = ShardedLiveIndex(corpus, tmp_path / "bot-cache", served)
    question = "Ai thắng giải đua thuyền rồng Hội An?"
    assert answer(question, live.current).tier.value == "none"
    (corpus / "dua-thuyen.txt").write_text(
        "Đua thuyền rồng Hội An\nĐội thuyền rồng Cẩm Thanh thắng giải đua thuyền rồng Hội An "
        "năm nay trên sông Hoài.\n",
        encoding="utf-8",
    )
    write_shards(load_index(corpus, tmp_path / "writer-cache"), shards, 1)
    indexed = time.monotonic()
    servers.kill(primary_pid)
    live.refresh()
    reply = answer(question, live.current)
    while not reply.hits and time.monotonic() - indexed < FRESH_SECONDS:
        time.sleep(0.5)
        reply = answer(question, live.current)
    assert reply.hits and reply.hits[0].source == "dua-thuyen.txt"
    assert answer(question, live.current) == answer(question, load_index(corpus))
