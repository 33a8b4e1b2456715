"""Bringing the index in line with the corpus folder, tokenising only what changed.

Each file's content hash is compared with the snapshot's (from memory or from disk): unchanged
articles are kept as they are, new or changed ones are cleaned and tokenised (in parallel on
all cores when there are many), removed ones dropped. The result is saved for the next start.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Container, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
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
from retrieval.index.search_index import Additions, ArticleTerms, SearchIndex, articles_terms
from retrieval.index.store import IndexStore
from retrieval.language.text import shown_name

log = logging.getLogger(__name__)

# Below this many articles to tokenise, starting worker processes costs more than it saves.
PARALLEL_MIN_ARTICLES = 16
# At most this many articles are read and segmented together: numpy's part, sending the
# batch's terms back and adding them up with the others' are paid once a batch.
BATCH_ARTICLES = 96
AHEAD_PER_WORKER = 4  # batches given to each worker before the first is taken back
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


@dataclass(frozen=True, slots=True)
class Job:
    """A file to read, and the content hash of the version the index holds, if any."""

    path: Path
    known_digest: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a job's file: read (`article`, unless unchanged or unreadable), and
    tokenised unless `failure` says why not."""

    article: Article | None = None  # new or changed
    unchanged: bool = False  # the same content as the version the index holds
    failure: str | None = None


@dataclass
class Batch:
    """A worker's answer for a batch of jobs: one outcome each, the tokenised articles' terms
    and syllables, and the warnings logged on the way (a worker has no log of its own)."""

    outcomes: list[Outcome]
    additions: Additions
    warnings: list[logging.LogRecord]


_WORKER_WARNINGS: list[logging.LogRecord] = []


class _Keeping(logging.Handler):
    """In a worker process: keeps each record, to send it back with the batch."""

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info = record.getMessage(), None, None
        _WORKER_WARNINGS.append(record)


def start_worker(parent: int) -> None:
    """Worker initializer: die with `parent`; keep warnings for the parent to log."""
    die_with(parent)
    root = logging.getLogger()
    root.addHandler(_Keeping(logging.WARNING))
    root.setLevel(logging.WARNING)


def read_and_tokenise(jobs: list[Job], tokenising: bool = True) -> Batch:
    """Each job's file read, cleaned and, when new or changed, tokenised (not `tokenising`:
    its passages get no terms, for a snapshot searched elsewhere, `ShardedLiveIndex`)."""
    outcomes = [_read(job) for job in jobs]
    articles = [outcome.article for outcome in outcomes if outcome.article is not None]
    results = iter(_terms_of(articles) if tokenising else _no_terms(articles))
    added: list[tuple[Article, ArticleTerms]] = []
    for at, outcome in enumerate(outcomes):
        if outcome.article is not None:
            terms = next(results)
            if isinstance(terms, str):
                outcomes[at] = replace(outcome, failure=terms)
            else:
                added.append((outcome.article, terms))
    warnings = _WORKER_WARNINGS[:]
    _WORKER_WARNINGS.clear()
    return Batch(outcomes, Additions.of(added), warnings)


def _terms_of(articles: list[Article]) -> list[ArticleTerms | str]:
    return terms_or_failures(articles) if articles else []


def _no_terms(articles: list[Article]) -> list[ArticleTerms | str]:
    return [[[] for _ in article.texts] for article in articles]


def _read(job: Job) -> Outcome:
    raw = read_bytes(job.path)
    if raw is None:
        return Outcome()
    if job.known_digest is not None and job.known_digest == content_digest(raw):
        return Outcome(unchanged=True)
    return Outcome(parse_article(job.path.name, raw))


def read_all(
    jobs: list[Job],
    workers: int | None,
    progress: ProgressCallback | None,
    tokenising: bool = True,
) -> Iterator[tuple[list[Job], Batch]]:
    """The batches of `jobs`, each with its answer, in order, `progress` told after each;
    several processes when there are many."""
    read = functools.partial(read_and_tokenise, tokenising=tokenising)
    workers = workers or os.cpu_count() or 1
    size = _batch_size(len(jobs), workers)
    batches = [jobs[at : at + size] for at in range(0, len(jobs), size)]
    sizes = [sum(_size(job.path) for job in batch) for batch in batches]
    told = _teller(len(jobs), sum(sizes), progress)
    if workers == 1 or len(jobs) < PARALLEL_MIN_ARTICLES:
        answers: Iterator[Batch] = map(read, batches)
        yield from _told(batches, answers, sizes, told)
        return
    with _worker_pool(workers) as executor:
        answers = _in_order(executor, read, batches, AHEAD_PER_WORKER * workers)
        yield from _told(batches, answers, sizes, told)


def _batch_size(jobs: int, workers: int) -> int:
    """BATCH_ARTICLES, or fewer where there are not as many for each worker: the few dozen
    articles of a reload are still shared by all of them."""
    return max(1, min(BATCH_ARTICLES, -(-jobs // workers)))


def _told(
    batches: list[list[Job]],
    answers: Iterator[Batch],
    sizes: list[int],
    told: Callable[[int, int], None],
) -> Iterator[tuple[list[Job], Batch]]:
    for batch, answer, size in zip(batches, answers, sizes, strict=True):
        yield batch, answer
        told(len(batch), size)


def _in_order(
    executor: ProcessPoolExecutor,
    read: Callable[[list[Job]], Batch],
    batches: list[list[Job]],
    ahead: int,
) -> Iterator[Batch]:
    """The workers' answers, in order, at most `ahead` batches given out and not taken back:
    only those are held at once."""
    pending: deque[Future[Batch]] = deque()
    for batch in batches:
        pending.append(executor.submit(read, batch))
        if len(pending) > ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _size(path: Path) -> int:
    stamp = file_stamp(path)
    return stamp[2] if stamp is not None else 0


def _teller(
    files: int, total: int, progress: ProgressCallback | None
) -> Callable[[int, int], None]:
    """A function to call after each batch with its files and bytes: tells `progress`."""
    started = time.monotonic()
    done = [0, 0]

    def told(batch_files: int, batch_bytes: int) -> None:
        done[0] += batch_files
        done[1] += batch_bytes
        if progress is not None:
            elapsed = time.monotonic() - started
            progress(Progress(done[0], files, done[1], total, elapsed))

    return told


def _worker_pool(workers: int) -> ProcessPoolExecutor:
    """Processes that die with this one. Not forked: a reload runs beside answering threads,
    and a forked child could inherit the pyvi lock held by one of them."""
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=start_worker, initargs=(os.getpid(),)
    )


Stamp = tuple[int, ...]
# name -> `Stamp` of every article file of a folder, UNREADABLE where it cannot be stat'ed
Signature = dict[str, Stamp]
UNREADABLE = (-1,)  # the stamp of an entry that cannot be stat'ed (a dangling link, a loop)


def _stamp_of(status: os.stat_result) -> Stamp:
    """What git looks at to tell a file changed without reading it: modification and change
    times, size and inode (a same-size, same-mtime rewrite still moves the ctime)."""
    return status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino


def file_stamp(path: Path) -> Stamp | None:
    """The file's `Stamp`; None where it cannot be stat'ed."""
    try:
        return _stamp_of(path.stat())
    except OSError:
        return None


def is_article_name(name: str) -> bool:
    """Whether a file of this name is an article: what `article_paths` takes (`Path.suffix`),
    without making a `Path` of each of the folder's names."""
    return name.endswith(ARTICLE_SUFFIX) and len(name) > len(ARTICLE_SUFFIX)


@contextlib.contextmanager
def _listed(folder: Path) -> Iterator[tuple[int, list[str]]]:
    """The folder open (a descriptor to stat its files by name, relative to it) and the
    names of its article files, in the order the folder lists them."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            names = [name for name in os.listdir(descriptor) if is_article_name(name)]
        except OSError:
            os.close(descriptor)
            raise
    except OSError as error:
        raise CorpusError(f"corpus folder not readable: {folder} ({error.strerror})") from None
    try:
        yield descriptor, names
    finally:
        os.close(descriptor)


def article_names(folder: Path) -> set[str]:
    """The names of the folder's article files: a listing without a stat of each, some seven
    times cheaper than `folder_signature`."""
    with _listed(folder) as (_, names):
        return set(names)


def folder_signature(folder: Path) -> Signature:
    """The stamp of every article file, from one listing of the folder, each file stat'ed by
    its name in the folder open (no path resolved from the root, no `DirEntry` made): under
    half a second for 100,000 files. An entry that cannot be stat'ed counts as present but
    UNREADABLE: the sync it triggers warns about it once, and it does not trigger another
    until it changes."""
    signature: Signature = {}
    with _listed(folder) as (descriptor, names):
        for name in names:
            try:
                signature[name] = _stamp_of(os.stat(name, dir_fd=descriptor))
            except OSError:
                signature[name] = UNREADABLE
    return signature


def _jobs(
    folder: Path, signature: Signature, base: SearchIndex
) -> tuple[list[Job], dict[str, Stamp | None], dict[str, Stamp]]:
    """(the files to read, by name, each with its stamp now and the content hash of the
    version `base` holds; the stamps of the files of `base` whose stamp has not moved, which
    are not read at all). Only the files read are made `Path`s, sorted, and looked up."""
    known = base.article_numbers
    # set operations on the dicts' views, not a loop over every file: an UNREADABLE stamp
    # is never stored (a file read gets its stamp, one that could not be stat'ed `()`)
    moved = {name for name, _ in signature.items() - base.stamps.items()}
    names = sorted(moved | (signature.keys() - known.keys()))
    unmoved = dict(signature)
    for name in names:
        del unmoved[name]
    digests = base.articles.digests
    jobs = [Job(folder / name, _digest_of(digests, known.get(name))) for name in names]
    job_stamps = {
        name: None if signature[name] == UNREADABLE else signature[name] for name in names
    }
    return jobs, job_stamps, unmoved


def _digest_of(digests: Sequence[str], number: int | None) -> str | None:
    """The content hash of article `number`; None for a file no article was read from."""
    return None if number is None else digests[number]


def _read_changes(
    job_stamps: dict[str, Stamp | None],
    known: Container[str],
    stamps: dict[str, Stamp],
    read: Iterator[tuple[list[Job], Batch]],
) -> Additions:
    """The new or changed articles, tokenised, and the stamps of the files read into
    `stamps`. One of `known` that turned unreadable keeps its previous version, with a
    warning; one that could not be tokenised is skipped with a warning (its previous version,
    if any, still served), and its stamp forgotten: it is tried again when it changes or at
    restart."""
    additions, stale = Additions(), []
    for batch, answer in read:
        for record in answer.warnings:
            logging.getLogger(record.name).handle(record)
        for job, outcome in zip(batch, answer.outcomes, strict=True):
            name = job.path.name
            if outcome.failure is not None:
                kept = "; serving its previous version" if name in known else ""
                log.warning(
                    "skipped %s: could not be indexed (%s)%s",
                    shown_name(name),
                    outcome.failure,
                    kept,
                )
            elif outcome.unchanged or outcome.article is not None:
                stamps[name] = job_stamps[name] or ()
            elif name in known:
                stale.append(name)
        additions.add(answer.additions)
    for source in sorted(stale):
        log.warning("%s is unreadable now; serving its previous version", shown_name(source))
    return additions


def sync(
    folder: Path,
    store: IndexStore,
    previous: SearchIndex | None = None,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    save: bool = True,
    tokenising: bool = True,
    signature: Signature | None = None,
) -> SyncReport:
    """The index for the articles now in `folder`, saved to `store` (folded first: see
    `SearchIndex.folded`) unless `save` is False (the caller then saves when `unsaved`).
    Raises CorpusError when nothing can be served; a file that turned unreadable keeps its
    previous version, with a warning. Not `tokenising`: the passages get no terms, and a
    snapshot made from nothing holds no term counts at all (`SearchIndex.counts`).
    `signature`: the folder's, just taken by the caller, so that its files are not listed
    and stat'ed twice."""
    if signature is None:
        signature = {path.name: file_stamp(path) or UNREADABLE for path in article_paths(folder)}
    base = previous if previous is not None else store.load()
    if base is None:
        base = SearchIndex.empty(with_terms=tokenising)
    known = base.article_numbers
    jobs, job_stamps, stamps = _jobs(folder, signature, base)
    read = read_all(jobs, workers, progress, tokenising)
    additions = _read_changes(job_stamps, known, stamps, read)
    removed = sorted(source for source in known if source not in signature)
    added = additions.sources
    index = _with_changes(base, additions, removed, stamps)
    restamped = stamps != base.stamps
    if not index.articles:
        raise CorpusError(f"no readable {ARTICLE_SUFFIX} article in corpus folder: {folder}")
    unsaved = bool(added or removed or restamped)
    if save and unsaved:
        index = index.folded()
        store.save(index)
    return SyncReport(index, added, removed, unsaved=unsaved)


def _with_changes(
    base: SearchIndex,
    additions: Additions,
    removed: list[str],
    stamps: dict[str, Stamp],
) -> SearchIndex:
    """`base` with the new or changed articles, without the removed ones (itself when there
    are none), and with the files' stamps."""
    changed = additions.sources or removed
    index = base.with_additions(additions, set(removed)) if changed else base
    return replace(index, stamps=stamps)


def load_index(folder: Path, cache_dir: Path | None = None) -> SearchIndex:
    """The index of `folder`, from the cache in `cache_dir` where it is still valid."""
    return sync(folder, IndexStore(cache_dir, folder)).index
