"""Measurements of the Xapian shards: `python -m benchmark.shards compare|size`.

`compare` answers every question, typed and bare, in process and through N shards × R
servers (stock `xapian-tcpsrv` on 127.0.0.1, each replica copied and kept by
`xapian-replicate`), and counts the answers that differ in anything (hits with their exact
scores, tier, reply, excerpts); `--kill-primary` kills shard 0's primary with SIGKILL halfway
and reports the slowest answer from then on. `size` measures the in-process index and the
coordinator (`ShardedLiveIndex`, no term matrix) on one archive, each in a fresh process
against 2 local shards: resident memory while serving (and how much of it is the
process's own, how much the pages of files it maps), and answer times; then both in one
process, each question asked both ways in turn, whose answer times other work on the machine
slows alike ("in_turn").
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmark.bench import in_fresh_process, make_questions, percentile, timed, write_archive
from benchmark.shard_servers import Endpoint, Servers
from retrieval.index.indexer import load_index
from retrieval.index.search_index import SearchIndex
from retrieval.index.shard_search import ShardedLiveIndex, ShardSet
from retrieval.index.shard_writer import shard_paths, write_shards
from retrieval.language.text import fold
from retrieval.reply.answer import Answer, answer

Asked = Callable[[str], Answer]


def rss_mb() -> dict[str, float]:
    """This process's resident memory now (VmRSS) and at its peak (VmHWM), in MB, and what
    makes up the first: its own (RssAnon: objects, arrays made) and the pages of files it
    maps (RssFile: libraries, and the index cache's pages read, the texts shown among them;
    the page cache keeps those once for every process mapping the file)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {name: int(fields[key].split()[0]) / 1024 for name, key in
            (("rss_mb", "VmRSS"), ("peak_rss_mb", "VmHWM"), ("anonymous_rss_mb", "RssAnon"),
             ("mapped_files_rss_mb", "RssFile"))}  # fmt: skip


def read_questions(files: Sequence[Path], count: int | None) -> list[str]:
    """Every question of the JSONL files, typed then bare (no diacritics), repeated in turn
    up to `count` when given."""
    typed = [
        json.loads(line)["question"]
        for file in files
        for line in file.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    both = typed + [fold(question) for question in typed]
    return [both[n % len(both)] for n in range(count)] if count else both


def merged_corpus(folders: Sequence[Path], into: Path) -> Path:
    """One corpus folder holding the articles of every folder."""
    into.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        for path in folder.glob("*.txt"):
            shutil.copyfile(path, into / path.name)
    return into


def serve_shards(
    index: SearchIndex, workdir: Path, shards: int, servers_per_shard: int, servers: Servers
) -> list[list[Endpoint]]:
    """`index` written into `shards` shards, each served by a primary and replicas that
    `xapian-replicate` copies and keeps."""
    primaries = shard_paths(workdir / "primary", shards)
    write_shards(index, workdir / "primary", shards)
    served = []
    for number, primary in enumerate(primaries):
        replicas = [
            servers.replicated(primary, workdir / f"replica-{copy}" / str(number))
            for copy in range(1, servers_per_shard)
        ]
        served.append([servers.tcpsrv(path) for path in (primary, *replicas)])
    return served


def compare(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="shards-compare-"))
    corpus = merged_corpus(args.corpus, workdir / "corpus")
    index = load_index(corpus, workdir / "cache")
    questions = read_questions(args.questions, args.count)
    servers = Servers()
    try:
        endpoints = serve_shards(index, workdir, args.shards, args.servers, servers)
        live = ShardedLiveIndex(corpus, workdir / "bot-cache", ShardSet(endpoints))
        kill_at = len(questions) // 2 if args.kill_primary else None
        result = _asked_both_ways(
            questions,
            functools.partial(answer, index=index),
            functools.partial(answer, index=live.current),
            kill_at,
            lambda: servers.kill_serving(endpoints[0][0]),
        )
    finally:
        servers.kill_all()
    shutil.rmtree(workdir)
    passages = {"articles": len(index.articles), "passages": len(index.passages)}
    return {**passages, "shards": args.shards, "servers_per_shard": args.servers, **result}


def _asked_both_ways(
    questions: list[str],
    in_process: Asked,
    through_shards: Asked,
    kill_at: int | None,
    kill: Callable[[], None],
) -> dict[str, Any]:
    """Each question answered both ways: the answers that differ, and the answer times (the
    slowest through the shards after `kill`, run before question `kill_at`)."""
    local_ms: list[float] = []
    sharded_ms: list[float] = []
    differing: list[str] = []
    for number, question in enumerate(questions):
        if number == kill_at:
            kill()
        milliseconds, through = timed(functools.partial(through_shards, question))
        sharded_ms.append(milliseconds)
        milliseconds, local = timed(functools.partial(in_process, question))
        local_ms.append(milliseconds)
        if through != local:
            differing.append(question)
    after_kill = sharded_ms[kill_at:] if kill_at is not None else []
    return {
        "questions": len(questions),
        "differing": len(differing),
        "differing_questions": differing[:10],
        "in_process_p50_ms": percentile(local_ms, 0.5),
        "shards_p50_ms": percentile(sharded_ms, 0.5),
        "shards_p95_ms": percentile(sharded_ms, 0.95),
        "shards_max_ms": max(sharded_ms),
        "slowest_after_kill_ms": max(after_kill) if after_kill else None,
    }


def size(args: argparse.Namespace) -> dict[str, Any]:
    workdir: Path = args.workdir
    corpus, cache = workdir / "corpus", workdir / "cache"
    if not corpus.exists():
        write_archive(corpus, args.articles, args.paragraphs)
    questions = make_questions(corpus, args.questions)
    index = load_index(corpus, cache)
    written = write_shards(index, workdir / "xapian", 2)
    passages = {"articles": len(index.articles), "passages": len(index.passages)}
    del index
    servers = Servers()
    try:
        endpoints = [[servers.tcpsrv(path)] for path in shard_paths(workdir / "xapian", 2)]
        local = in_fresh_process(serve_in_process, str(corpus), str(cache), questions)
        first = timed(lambda: in_fresh_process(start_coordinator, str(corpus), str(workdir),
                                               endpoints))[0]  # fmt: skip
        sharded = in_fresh_process(
            serve_coordinator, str(corpus), str(workdir), endpoints, questions
        )
        in_turn = in_fresh_process(
            serve_both_in_turn, str(corpus), str(cache), str(workdir), endpoints, questions
        )
    finally:
        servers.kill_all()
    same = sum(a == b for a, b in zip(local.pop("answers"), sharded.pop("answers"), strict=True))
    return {
        **passages,
        "shards_written": written.written,
        "questions": len(questions),
        "identical_answers": same,
        "coordinator_first_start_s": first / 1000,
        "in_process": local,
        "coordinator": sharded,
        "rss_ratio": sharded["rss_mb"] / local["rss_mb"],
        "anonymous_rss_ratio": sharded["anonymous_rss_mb"] / local["anonymous_rss_mb"],
        "peak_rss_ratio": sharded["peak_rss_mb"] / local["peak_rss_mb"],
        "answer_p50_ratio": sharded["answer_p50_ms"] / local["answer_p50_ms"],
        "in_turn": in_turn,
        "in_turn_p50_ratio": in_turn["shards_p50_ms"] / in_turn["in_process_p50_ms"],
    }


def serve_in_process(corpus: str, cache: str, questions: list[str]) -> dict[str, Any]:
    load_ms, index = timed(lambda: load_index(Path(corpus), Path(cache)))
    return {"load_s": load_ms / 1000, **_served(index, questions)}


def start_coordinator(corpus: str, workdir: str, endpoints: list[list[Endpoint]]) -> dict:
    """A coordinator's first start: its term-less snapshot built and cached."""
    ShardedLiveIndex(Path(corpus), Path(workdir) / "bot-cache", ShardSet(endpoints))
    return {}


def serve_coordinator(
    corpus: str, workdir: str, endpoints: list[list[Endpoint]], questions: list[str]
) -> dict[str, Any]:
    load_ms, live = timed(
        lambda: ShardedLiveIndex(Path(corpus), Path(workdir) / "bot-cache", ShardSet(endpoints))
    )
    return {"load_s": load_ms / 1000, **_served(live.current, questions)}


def serve_both_in_turn(
    corpus: str, cache: str, workdir: str, endpoints: list[list[Endpoint]], questions: list[str]
) -> dict[str, Any]:
    """Each question answered through the shards, then in process (each way once before)."""
    local = load_index(Path(corpus), Path(cache))
    live = ShardedLiveIndex(Path(corpus), Path(workdir) / "bot-cache", ShardSet(endpoints))
    both = functools.partial(answer, index=local), functools.partial(answer, index=live.current)
    for asked in both:
        asked(questions[0])
    return _asked_both_ways(questions, *both, None, lambda: None)


def _served(index: SearchIndex, questions: list[str]) -> dict[str, Any]:
    """Every question answered (the first once before, as first use imports pyvi's model):
    answer times, memory after, and each answer as `ask --json` prints it."""
    answer(questions[0], index)
    timings, answers = [], []
    for question in questions:
        milliseconds, answered = timed(functools.partial(answer, question, index))
        timings.append(milliseconds)
        answers.append(answered.to_json())
    return {
        "answer_p50_ms": percentile(timings, 0.5),
        "answer_p95_ms": percentile(timings, 0.95),
        **rss_mb(),
        "answers": answers,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmark.shards", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    both = commands.add_parser("compare", help="answers in process and through shards")
    both.add_argument("--corpus", type=Path, action="append", required=True, help="repeatable")
    both.add_argument("--questions", type=Path, action="append", required=True, help="JSONL")
    both.add_argument("--count", type=int, help="ask this many, the questions in turn")
    both.add_argument("--shards", type=int, default=2)
    both.add_argument("--servers", type=int, default=2, help="servers per shard (primary first)")
    both.add_argument("--kill-primary", action="store_true", help="kill shard 0's primary halfway")
    sized = commands.add_parser("size", help="coordinator against in-process: memory, speed")
    sized.add_argument("--workdir", type=Path, required=True, help="the archive is kept there")
    sized.add_argument("--articles", type=int, default=10_000)
    sized.add_argument("--paragraphs", type=int, default=11)
    sized.add_argument("--questions", type=int, default=200)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    result = compare(args) if args.command == "compare" else size(args)
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
