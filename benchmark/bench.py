"""python -m bot bench: this project against plain rank-bm25 and bm25s, same tokens, one run.

1. A deterministic synthetic archive is written from the seed articles (default 10,000
   articles x 11 paragraphs): seed paragraphs drawn at random, numbers re-drawn, each paragraph
   tagged with its article's own place and code words, so the vocabulary grows with the archive.
2. This project indexes it cold in a fresh process, as `python -m bot index` does (all
   cores), and saves the index: seconds, the peak memory of all its processes, their CPU time.
   The term lists of the first `--reference-passages` passages are written for the reference
   engines, which hold every term as a string (at archive scale they index only those).
3. Each engine is measured in a fresh process (so peak RSS is its own): build or load time,
   retrieval latency (the top 10; for this project, its candidates as an answer finds them:
   the scoring part of the answer) over the same questions, and for this project the full
   answer (understanding, ranking, near-topic check, excerpts; p50, p95, p99), and the peak
   memory while one new article is indexed against the steady memory; for bm25s, its retrieve
   with pyvi's tokenizer on the question too. rank-bm25 answers only the first
   `--naive-questions` questions: at archive scale it takes about half a second each. Their
   top scores equal ours when they index every passage.
4. Warm start is timed as a user meets it: `python -m bot ask` in a new process, cache present.
5. One long article (`--long-line-mb`, of the archive's paragraphs) is indexed twice in fresh
   processes, written on one line as scraped pages often are and with its line breaks.
6. The segmenter against pyvi's own `ViTokenizer.tokenize`, in a fresh process, one core
   each, on the same passages (`--segment-mb` of the archive, an article's passages together as
   the build segments them); the outputs must be identical. The cold build's MB/s is read
   against pyvi's single-core MB/s.
Ratios are what to read: the machines are noisy, the comparison within one run is not.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from bot.settings import PROJECT_DIR, Settings
from retrieval.index.bm25 import K1, B
from retrieval.index.corpus import load_articles, parse_article
from retrieval.language.text import fold

TOP = 10
EXTRAS = ("bm25s", "rank_bm25")  # the reference engines
RELOAD_SECONDS = Settings.model_fields["reload_seconds"].default  # BOT_RELOAD_SECONDS's
NEW_ARTICLE = (
    "Cầu Kỳ Lân khánh thành\n\nCầu Kỳ Lân bắc qua sông Vàm Thuật được khánh thành sáng nay, "
    "nối hai phường Tân Chánh Hiệp và Thạnh Xuân.\n"
)
NEW_ARTICLE_QUESTION = "cau Ky Lan bac qua song nao"
_NUMBER = re.compile(r"\d+")
_SYLLABLE = re.compile(r"[^\W_]+")
PLACES = ["Bến Nghé", "Tân Định", "Phú Thuận", "Long Bình", "Thạnh Lộc", "An Khánh", "Hiệp Phú"]


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(samples: list[float], share: float) -> float:
    return float(np.percentile(samples, share * 100)) if samples else float("nan")


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def write_archive(folder: Path, articles: int, paragraphs: int, seed: int = 7) -> None:
    """The synthetic archive: `articles` files of a title and `paragraphs` paragraphs."""
    pool = [p for article in load_articles(PROJECT_DIR / "seeds") for p in article.texts[1:]]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(articles):
        place = f"{rng.choice(PLACES)} {number % 997}"
        code = f"{number}-KH/{rng.randint(1, 99)}"
        body = [
            _NUMBER.sub(lambda _: str(rng.randint(1, 2030)), rng.choice(pool))
            + f" Tại {place}, kế hoạch số {code} được triển khai."
            for _ in range(paragraphs)
        ]
        title = f"Tin {number}: {rng.choice(pool)[:80]}"
        text = title + "\n\n" + "\n\n".join(body) + "\n"
        (folder / f"{number:06d}.txt").write_text(text, encoding="utf-8")


def make_questions(folder: Path, count: int, seed: int = 11) -> list[str]:
    """Keyword questions cut from random sentences of the archive, a third without marks."""
    rng = random.Random(seed)
    files = sorted(folder.iterdir())
    questions: list[str] = []
    while len(questions) < count:
        text = rng.choice(files).read_text(encoding="utf-8")
        words = _SYLLABLE.findall(rng.choice([p for p in text.split("\n\n") if p.strip()]))
        if len(words) < 10:
            continue
        start = rng.randrange(len(words) - 8)
        question = " ".join(words[start : start + rng.randint(4, 8)])
        questions.append(fold(question) if len(questions) % 3 == 0 else question)
    return questions


def top_scores(scores: np.ndarray) -> list[float]:
    """The TOP best scores: equal lists mean equal rankings up to the order of exact ties."""
    return sorted(scores.tolist(), reverse=True)[:TOP]


def _processes() -> dict[int, tuple[int, int, int]]:
    """Every process: pid -> (its parent, its resident pages, its CPU ticks so far)."""
    found: dict[int, tuple[int, int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                pages = int((entry / "statm").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found[int(entry.name)] = (int(stat[1]), pages, int(stat[11]) + int(stat[12]))
    return found


def _descendants(processes: dict[int, tuple[int, int, int]], root: int) -> list[int]:
    """`root` and every process under it (a build's workers are the fork server's children)."""

    def under(pid: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = processes[pid][0] if pid in processes else 0
        return False

    return [pid for pid in processes if under(pid)]


class TreeSampler:
    """While it runs, in a thread: the largest resident memory of this process and all the
    processes under it together, and the CPU time each of them has used."""

    def __init__(self, every: float = 0.25) -> None:
        self.peak_mb = 0.0
        self._ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)

    @property
    def cpu_s(self) -> float:
        return sum(self._ticks.values()) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._take()

    def _sample(self, every: float) -> None:
        while not self._stop.wait(every):
            self._take()

    def _take(self) -> None:
        processes = _descendants_of_this()
        pages = sum(pages for _, pages, _ in processes.values())
        self.peak_mb = max(self.peak_mb, pages * os.sysconf("SC_PAGE_SIZE") / 2**20)
        for pid, (_, _, ticks) in processes.items():
            self._ticks[pid] = max(ticks, self._ticks.get(pid, 0))


def _descendants_of_this() -> dict[int, tuple[int, int, int]]:
    processes = _processes()
    return {pid: processes[pid] for pid in _descendants(processes, os.getpid())}


def build_cold(corpus: str, cache: str) -> dict[str, float]:
    """This project's cold build as `python -m bot index` makes it, with its progress bar on
    stderr: seconds, the peak memory of this (fresh) process and of all its processes, and
    the CPU time they used (what the build costs on a machine others share too)."""
    from bot.progress import progress_printer
    from retrieval.index.indexer import sync
    from retrieval.index.store import IndexStore

    store = IndexStore(Path(cache), Path(corpus))
    with TreeSampler() as sampler:
        started = time.perf_counter()
        index = sync(Path(corpus), store, progress=progress_printer(sys.stderr, "cold build")).index
        seconds = time.perf_counter() - started
    size_mb = index.articles.texts.utf8_bytes / 1e6
    return {
        "articles": len(index.articles),
        "passages": len(index.passages),
        "text_mb": round(size_mb, 1),
        "cold_build_s": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "peak_all_processes_mb": max(sampler.peak_mb, peak_rss_mb()),
        "cpu_s": sampler.cpu_s,
    }


def write_reference_tokens(corpus: Path, tokens_file: Path, passages: int) -> int:
    """The term lists of the archive's first `passages` passages (whole articles), for the
    reference engines, which hold every term as a Python string: how many were written."""
    from retrieval.index.search_index import articles_terms

    documents: list[list[str]] = []
    for path in sorted(corpus.iterdir()):
        article = parse_article(path.name, path.read_bytes())
        if article is not None:
            documents += articles_terms([article])[0]
        if len(documents) >= passages:
            break
    with tokens_file.open("w", encoding="utf-8") as stream:
        json.dump(documents, stream)
    return len(documents)


def seconds_until_answerable(live: Any, corpus: Path) -> float:
    """Drop one new article into the archive of a running index (watching the folder every
    RELOAD_SECONDS) and time until a question about it is answered; then take it out again."""
    from retrieval.reply.answer import answer

    added = corpus / "zz-new-article.txt"
    live.start_watching(RELOAD_SECONDS)
    try:
        started = time.perf_counter()
        added.write_text(NEW_ARTICLE, encoding="utf-8")
        while not answer(NEW_ARTICLE_QUESTION, live.current).answered:
            time.sleep(0.01)
        return time.perf_counter() - started
    finally:
        added.unlink()
        live.stop_watching()
        live.refresh()


def measure_ours(corpus: str, cache: str, questions: list[str]) -> dict[str, Any]:
    from retrieval.index.live import LiveIndex
    from retrieval.index.store import IndexStore
    from retrieval.language.tokens import analyze
    from retrieval.reply.answer import answer

    load_ms, live = timed(lambda: LiveIndex(Path(corpus), IndexStore(Path(cache), Path(corpus))))
    index = live.current
    queries = [analyze(q).all() for q in questions]
    answer(questions[0], index)  # first-use imports (pyvi) are not a query's cost
    retrieval = [timed(functools.partial(_retrieve, index, q))[0] for q in queries]
    full = [timed(functools.partial(answer, q, index))[0] for q in questions]
    rankings = [index.bm25.candidates(q, TOP)[1].tolist() for q in queries]
    peak = peak_rss_mb()  # while serving; adding an article below briefly holds two snapshots
    del index  # as in a bot, nothing but the live index holds the snapshot a reload replaces
    steady = rss_mb()
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from now
    added_s = seconds_until_answerable(live, Path(corpus))
    return {
        "load_s": load_ms / 1000,
        "add_one_article_s": added_s,
        "reload_peak_vs_steady": peak_rss_mb() / steady,
        "retrieval_p50_ms": percentile(retrieval, 0.5),
        "retrieval_p95_ms": percentile(retrieval, 0.95),
        "answer_p50_ms": percentile(full, 0.5),
        "answer_p95_ms": percentile(full, 0.95),
        "answer_p99_ms": percentile(full, 0.99),
        "peak_rss_mb": peak,
        "rankings": rankings,
    }


def _retrieve(index: Any, query: list[str]) -> list[int]:
    positions: list[int] = index.bm25.candidates(query, TOP)[0]
    return positions


def _load_tokens(tokens_file: str) -> list[list[str]]:
    with open(tokens_file, encoding="utf-8") as stream:
        tokens: list[list[str]] = json.load(stream)
    return tokens


def measure_naive(tokens_file: str, queries: list[list[str]]) -> dict[str, Any]:
    from rank_bm25 import BM25Okapi

    documents = _load_tokens(tokens_file)
    build_ms, engine = timed(lambda: BM25Okapi(documents))
    retrieval, rankings = [], []
    for query in queries:
        elapsed, scores = timed(functools.partial(engine.get_scores, query))
        retrieval.append(elapsed)
        rankings.append(top_scores(scores))
    return {
        "build_s": build_ms / 1000,
        "retrieval_p50_ms": percentile(retrieval, 0.5),
        "retrieval_p95_ms": percentile(retrieval, 0.95),
        "peak_rss_mb": peak_rss_mb(),
        "rankings": rankings,
    }


def measure_bm25s(
    tokens_file: str, queries: list[list[str]], questions: list[str]
) -> dict[str, Any]:
    """bm25s's retrieve on the same terms; and with pyvi's tokenizer on the question before
    it, what a plain pyvi + bm25s bot would pay for a question's ranking."""
    import bm25s
    from pyvi.ViTokenizer import ViTokenizer

    documents = _load_tokens(tokens_file)
    engine = bm25s.BM25(k1=K1, b=B, method="robertson")
    build_ms, _ = timed(lambda: engine.index(documents, show_progress=False))
    known = engine.vocab_dict
    ViTokenizer.tokenize("xin chào")  # loading pyvi's model is not a question's cost
    retrieval, with_pyvi = [], []
    for query, question in zip(queries, questions, strict=True):
        kept = [t for t in query if t in known] or [next(iter(known))]
        search = functools.partial(engine.retrieve, [kept], k=TOP, show_progress=False, n_threads=1)
        retrieval.append(timed(search)[0])
        with_pyvi.append(
            timed(functools.partial(ViTokenizer.tokenize, question))[0] + retrieval[-1]
        )
    return {
        "build_s": build_ms / 1000,
        "retrieval_p50_ms": percentile(retrieval, 0.5),
        "retrieval_p95_ms": percentile(retrieval, 0.95),
        "with_pyvi_p50_ms": percentile(with_pyvi, 0.5),
        "peak_rss_mb": peak_rss_mb(),
    }


def in_fresh_process(function: Callable[..., dict], *args: Any) -> dict:
    """Run `function` in a new interpreter, so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        return executor.submit(function, *args).result()


def warm_start_seconds(corpus: Path, cache: Path, question: str) -> float:
    """Process start to first answer printed, as `python -m bot ask`, cache present."""
    environment = {**os.environ, "BOT_INDEX_DIR": str(cache), "BOT_LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--corpus", str(corpus), question],
        check=True,
        capture_output=True,
        env=environment,
        cwd=PROJECT_DIR,
    )
    return time.perf_counter() - started


def long_article(corpus: Path, megabytes: float, line_breaks: bool) -> str:
    """A title and the archive's first paragraphs up to `megabytes` of text, one per line or
    all on a single line."""
    paragraphs: list[str] = []
    size = 0
    for path in sorted(corpus.iterdir()):
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")[1:]:
            paragraphs.append(paragraph.strip())
            size += len(paragraph.encode())
            if size >= megabytes * 1e6:
                joiner = "\n" if line_breaks else " "
                return "Bài dài\n" + joiner.join(paragraphs) + "\n"
    raise ValueError("the archive is smaller than the long article asked for")


def measure_one_article(text: str) -> dict[str, float]:
    """Cold index of a corpus of one article: seconds, passages, peak memory."""
    from retrieval.index.indexer import load_index

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "long.txt").write_text(text, encoding="utf-8")
        started = time.perf_counter()
        index = load_index(Path(folder))
        seconds = time.perf_counter() - started
    return {"build_s": seconds, "passages": len(index.passages), "peak_rss_mb": peak_rss_mb()}


def archive_passages(corpus: Path, megabytes: float) -> list[list[str]]:
    """The passages of the archive's first articles, article by article, up to `megabytes`."""
    articles: list[list[str]] = []
    size = 0
    for path in sorted(corpus.iterdir()):
        article = parse_article(path.name, path.read_bytes())
        if article is not None:
            articles.append(list(article.texts))
            size += sum(len(text.encode()) for text in article.texts)
        if size >= megabytes * 1e6:
            break
    return articles


def measure_segmenters(articles: list[list[str]]) -> dict[str, Any]:
    """pyvi's tokenizer and this project's segmenter on the same passages, one core each, the
    segmenter's caches empty at the start: MB/s of each, and whether the outputs are identical."""
    from pyvi.ViTokenizer import ViTokenizer

    from retrieval.index.indexer import BATCH_ARTICLES
    from retrieval.language.pyvi_model import installed
    from retrieval.language.segment import Segmenter

    ViTokenizer.tokenize("xin chào")  # loading pyvi's model is not its throughput
    segmenter = Segmenter(*installed())
    batches = [
        [text for article in articles[at : at + BATCH_ARTICLES] for text in article]
        for at in range(0, len(articles), BATCH_ARTICLES)
    ]
    pyvi_ms, expected = timed(lambda: [[ViTokenizer.tokenize(t) for t in b] for b in batches])
    ours_ms, produced = timed(lambda: [segmenter.segment_all(batch) for batch in batches])
    size_mb = sum(len(text.encode()) for batch in batches for text in batch) / 1e6
    return {
        "mb": size_mb,
        "pyvi_mb_s": size_mb / (pyvi_ms / 1000),
        "segment_mb_s": size_mb / (ours_ms / 1000),
        "identical": produced == expected,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="tin-bot-bench-"))
    corpus, cache, tokens_file = workdir / "corpus", workdir / "cache", workdir / "tokens.json"
    if not corpus.exists():
        write_archive(corpus, args.articles, args.paragraphs)
    questions = make_questions(corpus, args.questions)
    cold = in_fresh_process(build_cold, str(corpus), str(cache))
    reference = write_reference_tokens(corpus, tokens_file, args.reference_passages)
    from retrieval.language.tokens import analyze

    queries = [analyze(q).all() for q in questions]
    naive_queries = queries[: args.naive_questions]
    ours = in_fresh_process(measure_ours, str(corpus), str(cache), questions)
    naive = in_fresh_process(measure_naive, str(tokens_file), naive_queries)
    fast = in_fresh_process(measure_bm25s, str(tokens_file), queries, questions)
    warm = warm_start_seconds(corpus, cache, questions[0])
    one_line, lines = (
        in_fresh_process(measure_one_article, long_article(corpus, args.long_line_mb, breaks))
        for breaks in (False, True)
    )
    segmenters = in_fresh_process(measure_segmenters, archive_passages(corpus, args.segment_mb))
    build_mb_s = cold["text_mb"] / cold["cold_build_s"]
    pairs = zip(ours.pop("rankings"), naive.pop("rankings"), strict=False)
    whole = reference == cold["passages"]
    same = sum(bool(np.allclose(a, b, atol=1e-6)) for a, b in pairs) if whole else None
    return {
        "corpus": cold,
        "questions": len(questions),
        "naive_questions": len(naive_queries),
        "reference_passages": reference,
        "warm_start_s": warm,
        "ours": ours,
        "rank_bm25": naive,
        "bm25s": fast,
        "long_article": {"mb": args.long_line_mb, "one_line": one_line, "line_breaks": lines},
        "segmenters": segmenters,
        "rankings_identical_to_rank_bm25": f"{same}/{len(naive_queries)}" if whole else "n/a",
        "ratios": {
            "retrieval_p50_speedup_vs_rank_bm25": naive["retrieval_p50_ms"]
            / ours["retrieval_p50_ms"],
            "retrieval_p50_vs_bm25s": ours["retrieval_p50_ms"] / fast["retrieval_p50_ms"],
            "peak_rss_vs_rank_bm25": ours["peak_rss_mb"] / naive["peak_rss_mb"],
            "one_line_build_vs_line_breaks": one_line["build_s"] / lines["build_s"],
            "one_line_peak_rss_vs_line_breaks": one_line["peak_rss_mb"] / lines["peak_rss_mb"],
            "segment_vs_pyvi": segmenters["segment_mb_s"] / segmenters["pyvi_mb_s"],
            "cold_build_vs_pyvi_one_core": build_mb_s / segmenters["pyvi_mb_s"],
            "answer_p50_vs_bm25s_with_pyvi": ours["answer_p50_ms"] / fast["with_pyvi_p50_ms"],
        },
        "workdir": str(workdir),
    }


def render(result: dict[str, Any]) -> str:
    corpus, ours, naive, fast = (result[k] for k in ("corpus", "ours", "rank_bm25", "bm25s"))
    ratios = result["ratios"]
    rows = [
        f"archive: {corpus['articles']} articles, {corpus['passages']} passages, "
        f"{corpus['text_mb']} MB; {result['questions']} questions "
        f"({result['naive_questions']} for rank-bm25)",
        f"cold build (this project): {corpus['cold_build_s']:.1f} s, "
        f"{corpus['text_mb'] / corpus['cold_build_s']:.2f} MB/s, "
        f"{ratios['cold_build_vs_pyvi_one_core']:.1f}x pyvi's MB/s on one core; "
        f"{corpus['cpu_s']:.0f} CPU s in all its processes; peak memory "
        f"{corpus['peak_rss_mb']:.0f} MB, {corpus['peak_all_processes_mb']:.0f} MB with its "
        "workers",
        render_segmenters(result["segmenters"], ratios),
        f"warm start, process start to first answer: {result['warm_start_s']:.2f} s",
        f"one article added to the running index, answerable after "
        f"{ours['add_one_article_s']:.2f} s; peak memory meanwhile "
        f"{ours['reload_peak_vs_steady']:.2f}x the steady",
        f"full answer p50 {ours['answer_p50_ms']:.2f} ms, p95 {ours['answer_p95_ms']:.2f}, "
        f"p99 {ours['answer_p99_ms']:.2f}; {ratios['answer_p50_vs_bm25s_with_pyvi']:.1f}x "
        f"bm25s's retrieve with pyvi on the question ({fast['with_pyvi_p50_ms']:.2f} ms)",
        f"reference engines on the first {result['reference_passages']} passages",
        "",
        "| engine | build/load s | retrieval p50 ms | retrieval p95 ms | answer p50 ms "
        "| peak RSS MB |",
        "|---|---|---|---|---|---|",
        f"| tin-bot | {ours['load_s']:.2f} (load) | {ours['retrieval_p50_ms']:.2f} | "
        f"{ours['retrieval_p95_ms']:.2f} | {ours['answer_p50_ms']:.2f} | "
        f"{ours['peak_rss_mb']:.0f} |",
        f"| rank-bm25 BM25Okapi | {naive['build_s']:.2f} | {naive['retrieval_p50_ms']:.1f} | "
        f"{naive['retrieval_p95_ms']:.1f} | — | {naive['peak_rss_mb']:.0f} |",
        f"| bm25s | {fast['build_s']:.2f} | {fast['retrieval_p50_ms']:.2f} | "
        f"{fast['retrieval_p95_ms']:.2f} | — | {fast['peak_rss_mb']:.0f} |",
        "",
        f"retrieval p50: {ratios['retrieval_p50_speedup_vs_rank_bm25']:.0f}x faster than "
        f"rank-bm25; {ratios['retrieval_p50_vs_bm25s']:.2f}x bm25s's time",
        f"top-{TOP} scores identical to rank-bm25 (atol 1e-6): "
        f"{result['rankings_identical_to_rank_bm25']}",
        render_long_article(result["long_article"], ratios),
    ]
    return "\n".join(rows)


def render_long_article(long: dict[str, Any], ratios: dict[str, float]) -> str:
    one, lines = long["one_line"], long["line_breaks"]
    return (
        f"one {long['mb']} MB article on one line: {one['build_s']:.1f} s, "
        f"{one['passages']} passages, {one['peak_rss_mb']:.0f} MB peak; with line breaks: "
        f"{lines['build_s']:.1f} s, {lines['passages']} passages, "
        f"{lines['peak_rss_mb']:.0f} MB ({ratios['one_line_build_vs_line_breaks']:.2f}x the "
        f"time, {ratios['one_line_peak_rss_vs_line_breaks']:.2f}x the memory)"
    )


def render_segmenters(segmenters: dict[str, Any], ratios: dict[str, float]) -> str:
    same = "identical output" if segmenters["identical"] else "OUTPUT DIFFERS"
    return (
        f"segmenter, one core, the same {segmenters['mb']:.1f} MB: pyvi "
        f"{segmenters['pyvi_mb_s']:.2f} MB/s, segment {segmenters['segment_mb_s']:.2f} MB/s "
        f"({ratios['segment_vs_pyvi']:.1f}x), {same}"
    )


class MissingExtra(Exception):
    """A library the benchmark compares with is not installed."""


def check_extras() -> None:
    """Before anything is built: the reference engines must be importable."""
    missing = [name for name in EXTRAS if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtra(
            f"the benchmark needs {', '.join(missing)}: pip install -e '.[bench]' (or '.[test]')"
        )
