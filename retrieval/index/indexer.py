"""Bringing the index in line with the corpus folder, tokenising only what changed.

Each file's content hash is compared with the snapshot's (from memory or from disk): unchanged
articles are kept as they are, new or changed ones are cleaned and tokenised (in parallel on
all cores when there are many), removed ones dropped. The result is saved for the next start.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from retrieval.index.corpus import (
    ARTICLE_SUFFIX,
    Article,
    CorpusError,
    article_paths,
    content_digest,
    parse_article,
    read_bytes,
)
from retrieval.index.search_index import ArticleTerms, SearchIndex, articles_terms
from retrieval.index.store import IndexStore
from retrieval.language.text import shown_name

log = logging.getLogger(__name__)

# Below this many articles to tokenise, starting worker processes costs more than it saves.
PARALLEL_MIN_ARTICLES = 16
BATCH_ARTICLES = 8  # articles segmented together: numpy's part of the work is paid once
PARENT_CHECK_SECONDS = 1.0  # how often a worker checks that the indexer is still there


@dataclass(frozen=True, slots=True)
class Progress:
    done_files: int
    total_files: int
    done_bytes: int
    total_bytes: int
    elapsed: float

    @property
    def bytes_per_second(self) -> float:
        return self.done_bytes / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float:
        speed = self.bytes_per_second
        return (self.total_bytes - self.done_bytes) / speed if speed > 0 else 0.0


ProgressCallback = Callable[[Progress], None]


@dataclass
class SyncReport:
    index: SearchIndex
    added: list[str] = field(default_factory=list)  # new or changed articles
    removed: list[str] = field(default_factory=list)
    unsaved: bool = False  # the index differs from what the store holds

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def die_with(parent: int) -> None:
    """Worker initializer: exit as soon as `parent` (the indexing process) is gone. Workers
    are children of multiprocessing's fork server, not of the indexer, and a `kill -9` of the
    indexer would otherwise leave them tokenising, or waiting, forever."""

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def terms_or_failures(articles: list[Article]) -> list[ArticleTerms | str]:
    """Each article's terms, or why they could not be made: one article that fails (out of
    memory, a tokeniser error) must not keep the others from being indexed, so after a failure
    each article is tried alone."""
    try:
        return list(articles_terms(articles))
    except Exception as error:
        if len(articles) == 1:
            return [f"{type(error).__name__}: {error}"[:200]]
        return [result for article in articles for result in terms_or_failures([article])]


def untokenised(articles: list[Article]) -> list[ArticleTerms | str]:
    """Each article's passages with no terms: for a snapshot searched elsewhere (Xapian
    shards, `ShardedLiveIndex`), which keeps the texts, articles and vocabulary only."""
    return [[[] for _ in article.texts] for article in articles]


def tokenise(
    articles: list[Article], workers: int | None, progress: ProgressCallback | None
) -> list[ArticleTerms | str]:
    """The terms of each article (or why it failed), in order; several processes when there
    are many."""
    workers = workers or os.cpu_count() or 1
    parallel = workers > 1 and len(articles) >= PARALLEL_MIN_ARTICLES
    executor = _worker_pool(workers) if parallel else None
    batches = [articles[at : at + BATCH_ARTICLES] for at in range(0, len(articles), BATCH_ARTICLES)]
    try:
        mapped = (
            executor.map(terms_or_failures, batches)
            if executor
            else map(terms_or_failures, batches)
        )
        return _collected(itertools.chain.from_iterable(mapped), articles, progress)
    finally:
        if executor is not None:
            executor.shutdown()


def _collected(
    results: Iterator[ArticleTerms | str],
    articles: list[Article],
    progress: ProgressCallback | None,
) -> list[ArticleTerms | str]:
    """The results for `articles`, in order, `progress` told after each one."""
    sizes = [sum(len(p.encode()) for p in article.texts) for article in articles]
    started, done_bytes, collected = time.monotonic(), 0, []
    for number, terms in enumerate(results, start=1):
        collected.append(terms)
        done_bytes += sizes[number - 1]
        if progress is not None:
            elapsed = time.monotonic() - started
            progress(Progress(number, len(articles), done_bytes, sum(sizes), elapsed))
    return collected


def _worker_pool(workers: int) -> ProcessPoolExecutor:
    """Processes that die with this one. Not forked: a reload runs beside answering threads,
    and a forked child could inherit the pyvi lock held by one of them."""
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=die_with, initargs=(os.getpid(),)
    )


Stamp = tuple[int, ...]


def file_stamp(path: Path) -> Stamp | None:
    """What git looks at to tell a file changed without reading it: modification and change
    times, size and inode (a same-size, same-mtime rewrite still moves the ctime)."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino


def _read_changes(
    paths: list[Path], known: dict[str, Article], stamps: dict[str, Stamp]
) -> tuple[list[Article], dict[str, Stamp]]:
    """(new or changed articles, the stamps of the files read). A file whose stamp has not
    moved is not read at all; one of `known` that turned unreadable keeps its previous
    version, with a warning."""
    fresh: list[Article] = []
    stale: set[str] = set()
    new_stamps: dict[str, Stamp] = {}
    for path in paths:
        previous = known.get(path.name)
        article, stamp = _read_one(path, previous, stamps.get(path.name))
        if stamp is not None:
            new_stamps[path.name] = stamp
        if article is not None:
            fresh.append(article)
        elif stamp is None and previous is not None:
            stale.add(path.name)
    for source in sorted(stale):
        log.warning("%s is unreadable now; serving its previous version", shown_name(source))
    return fresh, new_stamps


def _read_one(
    path: Path, previous: Article | None, known_stamp: Stamp | None
) -> tuple[Article | None, Stamp | None]:
    """(the article, when new or changed; the file's stamp, when it was read or has not
    moved since `known_stamp`). (None, None): the file cannot be read or holds no article."""
    stamp = file_stamp(path)
    if previous is not None and stamp is not None and known_stamp == stamp:
        return None, stamp
    raw = read_bytes(path)
    if raw is None:
        return None, None
    if previous is not None and previous.digest == content_digest(raw):
        return None, stamp or ()
    article = parse_article(path.name, raw)
    return (article, stamp or ()) if article is not None else (None, None)


def sync(
    folder: Path,
    store: IndexStore,
    previous: SearchIndex | None = None,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    save: bool = True,
    tokenising: bool = True,
) -> SyncReport:
    """The index for the articles now in `folder`, saved to `store` unless `save` is False
    (the caller then saves when `unsaved`). Raises CorpusError when nothing can be served; a
    file that turned unreadable keeps its previous version, with a warning. Not `tokenising`:
    the passages get no terms (`untokenised`), so the snapshot holds no term matrix."""
    paths = article_paths(folder)
    base = previous if previous is not None else (store.load() or SearchIndex.empty())
    known = {article.source: article for article in base.articles}
    fresh, stamps = _read_changes(paths, known, base.stamps)
    removed = _gone(known, paths)
    terms = tokenise(fresh, workers, progress) if tokenising else untokenised(fresh)
    changes = _tokenised(fresh, terms, known, stamps)
    index = _with_changes(base, changes, removed, stamps)
    restamped = stamps != base.stamps
    if not index.articles:
        raise CorpusError(f"no readable {ARTICLE_SUFFIX} article in corpus folder: {folder}")
    added = [article.source for article, _ in changes]
    report = SyncReport(index, added, removed, unsaved=bool(added or removed or restamped))
    if save and report.unsaved:
        store.save(index)
    return report


def _with_changes(
    base: SearchIndex,
    changes: list[tuple[Article, ArticleTerms]],
    removed: list[str],
    stamps: dict[str, Stamp],
) -> SearchIndex:
    """`base` with the new or changed articles, without the removed ones (itself when there
    are none), and with the files' stamps."""
    index = base.updated(changes, set(removed)) if changes or removed else base
    return replace(index, stamps=stamps)


def _gone(known: dict[str, Article], paths: list[Path]) -> list[str]:
    """The sources of `known` whose file is no longer in the folder, sorted."""
    on_disk = {path.name for path in paths}
    return sorted(source for source in known if source not in on_disk)


def _tokenised(
    fresh: list[Article],
    results: list[ArticleTerms | str],
    known: dict[str, Article],
    stamps: dict[str, Stamp],
) -> list[tuple[Article, ArticleTerms]]:
    """The fresh articles that were tokenised, with their terms. One that failed is skipped
    with a warning (its previous version, if any, still served), and its stamp forgotten: it
    is tried again when it changes or at restart."""
    changes: list[tuple[Article, ArticleTerms]] = []
    for article, terms in zip(fresh, results, strict=True):
        if isinstance(terms, str):
            kept = "; serving its previous version" if article.source in known else ""
            log.warning(
                "skipped %s: could not be indexed (%s)%s", shown_name(article.source), terms, kept
            )
            stamps.pop(article.source, None)
        else:
            changes.append((article, terms))
    return changes


def load_index(folder: Path, cache_dir: Path | None = None) -> SearchIndex:
    """The index of `folder`, from the cache in `cache_dir` where it is still valid."""
    return sync(folder, IndexStore(cache_dir, folder)).index
