"""Searching Xapian shards served by stock `xapian-tcpsrv`: the remote search backend.

`ShardSet` holds one connection per shard, to its primary or, once that fails, to its next
replica (one log line; back to the primary once it answers again, found by a thread of its
own), and searches the shards as one Xapian database, whose statistics
(passages, document frequencies, total length) are the whole archive's. A shard none of
whose servers answers is left out, and retried now and then: the archive is then incomplete,
which the reply says. `XapianBackend` is the `SearchBackend` of one snapshot's passages:
Xapian's BM25Weight, each query term scaled to rank-bm25's idf, finds the candidates, each
with its terms and counts (its record, read as the match's collapse key: no document is
fetched); they are then scored with `Bm25`'s own formula, so the scores, and all that ranking
reads, are those of the in-process index. Xapian's idf is already ours but for the terms a
third of the passages hold: the frequencies of the archive's common terms (which the writer
lists) are read once per change of the shards, any other term goes in as it is, and the
match tells its frequency; one found common after all is weighed again, and matched again.
The passages of the articles ranking then looks into are read in one match on their article
terms, the shards at once, and kept until the shards change. The i-th shard of a `ShardSet`
must be DIR/i: each shard's metadata says which it is, and a server holding another counts
as failed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
import xapian

from retrieval.index.bm25 import EPSILON, K1, B, floored_idf, okapi_term_weight
from retrieval.index.compact import Articles
from retrieval.index.indexer import ProgressCallback
from retrieval.index.live import LiveIndex
from retrieval.index.search_index import SearchIndex
from retrieval.index.shards import (
    COMMON_TERMS_META,
    MEAN_IDF_META,
    NO_TERMS,
    RECORD_SLOT,
    SHARD_META,
    PassageTerms,
    ShardState,
    article_term,
    counts_of,
    holding,
    record_of,
    shard_name,
    stored_term,
    weighed_alike,
    xapian_idf,
)
from retrieval.index.store import IndexStore

log = logging.getLogger(__name__)

Endpoint = tuple[str, int]  # host, port of one xapian-tcpsrv
T = TypeVar("T")

TIMEOUT_MS = 2000  # a server that does not answer a request within this counts as down
CONNECT_TIMEOUT_MS = 1000
RETRY_SECONDS = 5.0  # a shard without a server, or a primary given up, is tried again this often
REOPEN_SECONDS = 1.0  # how often a question checks for newly replicated changes
TIED = 1e-9  # Xapian's weights this close (relative) may be equal scores of ours
# Passages' terms kept between questions at most (each ~2.5 KB as a string). A question reads
# the articles it looks into in one request anyway, so keeping more saves few requests, and
# what it held stays with the process (freed to the allocator, not to the system).
CACHED_PASSAGES = 1_000
COORDINATOR_CACHE = "coordinator"  # the coordinator's snapshots, under BOT_INDEX_DIR


class WrongShard(Exception):
    """A server holds another shard than the one it is listed for."""


def remote(endpoint: Endpoint) -> xapian.Database:
    host, port = endpoint
    return xapian.remote_open(host, port, TIMEOUT_MS, CONNECT_TIMEOUT_MS)


def endpoint_name(endpoint: Endpoint) -> str:
    return f"{endpoint[0]}:{endpoint[1]}"


@dataclass
class _Shard:
    number: int
    endpoints: tuple[Endpoint, ...]  # the primary, then its replicas
    serving: int = 0  # the endpoint in use, or last tried
    database: xapian.Database | None = None
    down_since: float | None = None  # monotonic: when it was last tried and none answered
    down_at: float | None = None  # wall time: when none answered first, for the operator


class ShardSet:
    """The shards, searched as one database; see the module's docstring."""

    def __init__(
        self,
        shards: Sequence[Sequence[Endpoint]],
        opener: Callable[[Endpoint], xapian.Database] = remote,
    ) -> None:
        self._shards = [_Shard(n, tuple(endpoints)) for n, endpoints in enumerate(shards)]
        self._open = opener
        self._lock = threading.RLock()
        self._archive: xapian.Database | None = None
        self._reopened_at = 0.0
        self._seen: tuple[int, ...] = ()
        self._failing_back: threading.Thread | None = None  # see `_fail_back_later`
        self.generation = 0  # changes whenever what the shards hold may have changed
        with self._lock:
            for shard in self._shards:
                self._connect(shard, range(len(shard.endpoints)))

    @property
    def complete(self) -> bool:
        return all(shard.database is not None for shard in self._shards)

    def states(self) -> list[ShardState]:
        """Each shard's server, as the last question found them (read without waiting for
        one in flight: a scrape must not wait on a server that hangs)."""
        return [
            ShardState(shard.number, endpoint_name(shard.endpoints[shard.serving]), shard.serving)
            if shard.database is not None
            else ShardState(shard.number, None, shard.serving, shard.down_at)
            for shard in self._shards
        ]

    def run(self, operation: Callable[[xapian.Database], T]) -> T:
        """`operation` on the archive; a shard failing meanwhile is replaced by its next
        replica, or left out, and the operation run again."""
        with self._lock:
            for _ in self._shards:
                try:
                    return operation(self._current())
                except (xapian.DatabaseError, xapian.NetworkError):
                    self._recover()
            return operation(self._current())

    def refresh(self) -> None:
        """See changes written or replicated since the last look (at most every
        REOPEN_SECONDS). A remote database may have moved on by itself, so a change is told
        by the archive's size, not by what `reopen` returns."""
        now = time.monotonic()
        if now - self._reopened_at >= REOPEN_SECONDS:
            self._reopened_at = now
            seen = self.run(_revision)
            if seen != self._seen:
                self._seen = seen
                self.generation += 1

    def _current(self) -> xapian.Database:
        self._retry_down()
        if self._archive is None:
            archive = xapian.Database()
            for shard in self._shards:
                if shard.database is not None:
                    archive.add_database(shard.database)
            self._archive = archive
        return self._archive

    def _retry_down(self) -> None:
        now = time.monotonic()
        for shard in self._shards:
            if shard.down_since is not None and now - shard.down_since >= RETRY_SECONDS:
                self._connect(shard, range(len(shard.endpoints)))

    def _recover(self) -> None:
        """Find the shards whose server failed and move each to its next replica."""
        for shard in self._shards:
            if shard.database is None:
                continue
            try:
                shard.database.reopen()
            except (xapian.DatabaseError, xapian.NetworkError) as error:
                # a server gone: its next replica; a database replaced under its server (a
                # full copy by xapian-replicate): a new connection to it first
                after = 1 if isinstance(error, xapian.NetworkError) else 0
                failed = f"{endpoint_name(shard.endpoints[shard.serving])} failed ({error})"
                shard.database = None
                first = shard.serving + after
                self._connect(shard, range(first, first + len(shard.endpoints)), [failed])

    def _connect(
        self, shard: _Shard, order: Iterable[int], failed: list[str] | None = None
    ) -> None:
        """Connect `shard` to the first of its endpoints, in `order` (taken modulo their
        count), that answers, or mark it down when none does; one log line when that is
        news: an endpoint `failed`, or the shard was down."""
        failures = list(failed or [])
        for at in order:
            endpoint = shard.endpoints[at % len(shard.endpoints)]
            try:
                shard.database = self._opened(shard, endpoint)
            except (xapian.DatabaseError, xapian.NetworkError, WrongShard) as error:
                failures.append(f"{endpoint_name(endpoint)} failed ({error})")
                continue
            if failures or shard.down_since is not None:
                why = "; ".join(failures) or "a server answers again"
                name = endpoint_name(endpoint)
                log.warning("shard %d: %s; now served by %s", shard.number, why, name)
            shard.serving, shard.down_since, shard.down_at = at % len(shard.endpoints), None, None
            self._changed()
            if shard.serving > 0:
                self._fail_back_later()
            return
        if shard.down_since is None:
            names = ", ".join(endpoint_name(endpoint) for endpoint in shard.endpoints)
            log.error("shard %d: no server answers (%s); searching the others", shard.number, names)
            self._changed()
            shard.down_at = time.time()
        shard.down_since = time.monotonic()

    def _fail_back_later(self) -> None:
        """Watch, in a thread of its own, for the primaries given up to answer again: a
        replica may lag behind its primary, and a question must not wait on a connection to
        a host that may hang. The thread ends once no shard is on a replica, or this set is
        gone. Called with the lock held, as the thread decides to end."""
        if self._failing_back is None:
            self._failing_back = threading.Thread(
                target=_failing_back,
                args=(weakref.ref(self),),
                name="shards-fail-back",
                daemon=True,
            )
            self._failing_back.start()

    def back_to_primaries(self) -> bool:
        """Each shard served by a replica back on its primary, where that answers (connected
        outside the lock); whether some shard is on a replica still."""
        on_replicas = [s for s in self._shards if s.database is not None and s.serving > 0]
        for shard in on_replicas:
            try:
                primary = self._opened(shard, shard.endpoints[0])
            except (xapian.Error, WrongShard):
                continue
            with self._lock:
                if shard.database is None or shard.serving == 0:
                    continue  # it failed over meanwhile: that stands
                shard.database, shard.serving = primary, 0
                self._changed()
            name = endpoint_name(shard.endpoints[0])
            log.warning(
                "shard %d: its primary %s answers again; now served by it", shard.number, name
            )
        with self._lock:
            on_replica = any(s.database is not None and s.serving > 0 for s in self._shards)
            if not on_replica:
                self._failing_back = None  # a failover from now on starts another
            return on_replica

    def _opened(self, shard: _Shard, endpoint: Endpoint) -> xapian.Database:
        """The database at `endpoint`, which must hold `shard`."""
        database = self._open(endpoint)
        held = database.get_metadata(SHARD_META).decode() or "none"
        listed = shard_name(shard.number, len(self._shards))
        if held != listed:
            raise WrongShard(f"holds shard {held}, listed as {listed}")
        return database

    def _changed(self) -> None:
        """The shards searched, or what they hold, changed: rebuild the archive, and let the
        backends forget what they read."""
        self._archive = None
        self.generation += 1


def _failing_back(shards: weakref.ref[ShardSet]) -> None:
    """Every RETRY_SECONDS, `ShardSet.back_to_primaries`, while some shard is on a replica and
    the set is still in use."""
    while True:
        time.sleep(RETRY_SECONDS)
        alive = shards()
        if alive is None or not alive.back_to_primaries():
            return
        del alive  # held only while it works


def _revision(archive: xapian.Database) -> tuple[int, ...]:
    """The archive reopened, told apart from before by its passages, its total length and its
    last document id (a rewritten article gets new ones)."""
    archive.reopen()
    return archive.get_doccount(), archive.get_total_length(), archive.get_lastdocid()


@dataclass(frozen=True, slots=True)
class _Statistics:
    passages: int
    average_length: float
    idf_floor: float
    common: list[str]  # COMMON_TERMS_META: their frequencies are read with these


def _statistics(archive: xapian.Database) -> _Statistics:
    passages = archive.get_doccount()
    average = archive.get_total_length() / passages if passages else 1.0
    mean_idf = archive.get_metadata(MEAN_IDF_META)
    common = json.loads(archive.get_metadata(COMMON_TERMS_META) or b"[]")
    return _Statistics(passages, average, EPSILON * float(mean_idf or 0.0), common)


def _any_of(terms: Iterable[str]) -> xapian.Query:
    return xapian.Query(xapian.Query.OP_OR, [xapian.Query(stored_term(t)) for t in terms])


class XapianBackend:
    """The `SearchBackend` of one snapshot's passages, over a `ShardSet`."""

    def __init__(self, shards: ShardSet, articles: Articles):
        self._shards = shards
        self._articles = articles
        sources = list(articles.sources)
        self._start_of = dict(zip(sources, articles.starts.tolist(), strict=True))
        self._sizes = dict(zip(sources, articles.sizes().tolist(), strict=True))
        self._lock = threading.RLock()
        self._generation = -1
        self._statistics_cache: _Statistics | None = None
        self._frequencies: dict[str, int] = {}
        self._idfs: dict[str, float] = {}
        self._at: dict[int, PassageTerms] = {}  # position -> its passage's terms, as read

    @property
    def corpus_size(self) -> int:
        return self._statistics().passages

    @property
    def complete(self) -> bool:
        return self._shards.complete

    # `knows` and `idf_of`, asked of every term of a question many times, answer from what was
    # read without a look for changes: each question's `candidates` looks first.
    def knows(self, term: str) -> bool:
        frequency = self._frequencies.get(term)
        return (frequency if frequency is not None else self._frequencies_of([term])[0]) > 0

    def idf_of(self, term: str) -> float:
        idf = self._idfs.get(term)
        return idf if idf is not None else float(self._idf([term])[0])

    def candidates(self, query: Sequence[str], k: int) -> tuple[list[int], np.ndarray]:
        with self._lock:
            if len(self._at) > CACHED_PASSAGES:
                self._at.clear()  # the statistics, small, are kept until the shards change
            weighted, unknown = self._weighted(query)
            records, read = self._shards.run(lambda archive: _ranked(archive, weighted, k, unknown))
            self._frequencies.update(read)
            if not weighed_alike(np.array(list(read.values()), np.int64), self.corpus_size).all():
                weighted, _ = self._weighted(query)  # a term common after all: its weight now
                records, _ = self._shards.run(lambda archive: _ranked(archive, weighted, k, []))
            found = self._placed(records)
            scores = self._scores(query, [passage for _, passage in found])
        ranked = sorted((-s, p) for (p, _), s in zip(found, scores.tolist(), strict=True) if s > 0)
        best = [position for _, position in ranked[:k]]
        return best, -np.array([score for score, _ in ranked[:k]], dtype=np.float64)

    def scores_at(self, query: Sequence[str], positions: np.ndarray) -> np.ndarray:
        return self._scores(query, self._passages(positions.tolist()))

    def _scores(self, query: Sequence[str], passages: list[PassageTerms]) -> np.ndarray:
        """As `Bm25.scores_at`, term by term in the query's order, from the stored counts:
        each distinct passage scored once (the passages tied at the cut are often copies)."""
        statistics = self._statistics()
        idf = self._idf(query)
        numbers: dict[PassageTerms, int] = {}
        copy_of = [numbers.setdefault(passage, len(numbers)) for passage in passages]
        distinct = list(numbers)
        lengths = np.array([passage.length for passage in distinct], dtype=np.float64)
        total = np.zeros(len(distinct))
        for term, weight in zip(query, idf.tolist(), strict=True):
            counts = counts_of(term, distinct)
            saturated = okapi_term_weight(counts, lengths, statistics.average_length, K1, B)
            total += np.where(counts > 0, weight * saturated, 0.0)
        return total[np.array(copy_of, dtype=np.intp)]

    def present(self, term: str, positions: np.ndarray) -> np.ndarray:
        return holding(term, self._passages(positions.tolist()))

    def occurs_between(self, term: str, start: int, end: int) -> bool:
        return bool(self.present(term, np.arange(start, end)).any())

    def together(self, terms: Sequence[str]) -> bool:
        if not all(self.knows(term) for term in terms):
            return False
        query = xapian.Query(xapian.Query.OP_AND, [xapian.Query(stored_term(t)) for t in terms])
        return bool(self._shards.run(lambda archive: _boolean(archive, query, 1).size() > 0))

    def _fresh(self) -> None:
        """Forget what was read when the shards changed (a reopen, a failover)."""
        self._shards.refresh()
        if self._generation != self._shards.generation:
            self._forget()

    def _forget(self) -> None:
        self._generation = self._shards.generation
        self._statistics_cache = None
        self._frequencies.clear()
        self._idfs.clear()
        self._at.clear()

    def _statistics(self) -> _Statistics:
        with self._lock:
            self._fresh()
            if self._statistics_cache is None:
                statistics = self._statistics_cache = self._shards.run(_statistics)
                self._frequencies_of(statistics.common)
                return statistics
            return self._statistics_cache

    def _frequencies_of(self, terms: Sequence[str]) -> list[int]:
        """The archive's document frequency of each term (one request for those not known)."""
        with self._lock:
            self._fresh()
            missing = sorted({term for term in terms if term not in self._frequencies})
            if missing:
                self._frequencies.update(self._shards.run(lambda db: _frequencies(db, missing)))
            return [self._frequencies[term] for term in terms]

    def _idf(self, terms: Sequence[str]) -> np.ndarray:
        """Each term's idf, as `Bm25` weighs it; remembered until the shards change."""
        with self._lock:
            self._fresh()
            missing = sorted({term for term in terms if term not in self._idfs})
            if missing:
                frequencies = np.array(self._frequencies_of(missing), dtype=np.int64)
                statistics = self._statistics()
                idf = floored_idf(frequencies, statistics.passages, statistics.idf_floor)
                self._idfs.update(zip(missing, idf.tolist(), strict=True))
            return np.array([self._idfs[term] for term in terms], dtype=np.float64)

    def _weighted(self, query: Sequence[str]) -> tuple[xapian.Query, list[str]]:
        """`query` for Xapian's BM25Weight, each term scaled from Xapian's idf to ours (and
        by how often the query repeats it, as rank-bm25 counts it again); and the terms
        whose frequencies are not known yet, left as Xapian weighs them: the same as ours
        for any term under a third of the passages hold (`weighed_alike`), which a term not
        among the archive's common ones is, and the match tells their frequencies (no
        request of its own: `candidates` checks)."""
        counted = Counter(query)
        self._statistics()  # and the common terms' frequencies, once per change of the shards
        unknown = [term for term in counted if term not in self._frequencies]
        terms = [term for term in counted if self._frequencies.get(term, 0) > 0]
        frequencies = np.array([self._frequencies[term] for term in terms], np.int64)
        ratios = self._idf(terms) / xapian_idf(frequencies, self.corpus_size)
        scales = dict(zip(terms, ratios.tolist(), strict=True)) | dict.fromkeys(unknown, 1.0)
        parts = [
            xapian.Query(
                xapian.Query.OP_SCALE_WEIGHT,
                xapian.Query(stored_term(term)),
                max(counted[term] * scale, 0.0),
            )
            for term, scale in scales.items()
        ]
        return xapian.Query(xapian.Query.OP_OR, parts), unknown

    def _placed(self, records: Iterable[bytes]) -> list[tuple[int, PassageTerms]]:
        """The snapshot positions and terms of passages' records (of the passages the
        snapshot holds)."""
        placed = []
        for record in records:
            (source, number), passage = record_of(record)
            if source in self._start_of and number < self._sizes[source]:
                placed.append((self._start_of[source] + number, passage))
        return placed

    def _passages(self, positions: list[int]) -> list[PassageTerms]:
        """The terms of the passages at `positions`; none for one its shard does not hold.
        The articles not read yet are read first, all in one match. Passages read already
        are given without a look for changes, as `knows` answers (asked hundreds of times a
        question, after `candidates` has looked)."""
        try:
            return [self._at[position] for position in positions]
        except KeyError:
            pass
        with self._lock:
            self._fresh()
            missing = [position for position in positions if position not in self._at]
            if missing:
                numbers = np.searchsorted(self._articles.starts, missing, side="right") - 1
                self._read_articles({self._articles.sources[n] for n in numbers.tolist()})
            return [self._at[position] for position in positions]

    def _read_articles(self, sources: set[str]) -> None:
        """The passages' terms of every position of each article of `sources`."""
        ordered = sorted(sources)
        terms = [article_term(source) for source in ordered]
        records = self._shards.run(lambda archive: _records(archive, terms))
        for source in ordered:
            start = self._start_of[source]
            self._at.update(dict.fromkeys(range(start, start + self._sizes[source]), NO_TERMS))
        self._at.update(self._placed(records))


def _ranked(
    archive: xapian.Database, query: xapian.Query, k: int, asked: list[str]
) -> tuple[list[bytes], dict[str, int]]:
    """The records of the passages Xapian's BM25Weight (with our k1 and b) ranks first: the k
    best, and every passage tied with the k-th (to TIED: our scores are Xapian's to rounding).
    Of passages with equal scores, ours keeps the first by position, Xapian the first by
    document id, so every passage of a tie is wanted; so Xapian need not order ties
    (DONT_CARE, a little faster). A first match finds the k-th weight without reading any
    record; a second reads the records of the passages at or above it, as the match's
    collapse key (each passage's is its own, so none is collapsed). Reading them in the first
    match would read those of every passage that ever enters its running k best, and the
    k-th ties with others in most questions, which a second match had to find anyway. With
    them, the archive's frequency of each of the `asked` terms, as the first match knew it."""
    enquire = xapian.Enquire(archive)
    enquire.set_weighting_scheme(xapian.BM25Weight(K1, 0, 0, B, 0))
    enquire.set_docid_order(xapian.Enquire.DONT_CARE)
    enquire.set_query(query)
    best = enquire.get_mset(0, k)
    frequencies = {term: best.get_termfreq(stored_term(term)) for term in asked}
    if best.size() == k > 0:
        enquire.set_cutoff(0, best[k - 1].weight * (1 - TIED))
    enquire.set_collapse_key(RECORD_SLOT)
    return _collapse_keys(enquire.get_mset(0, archive.get_doccount())), frequencies


def _collapse_keys(found: xapian.MSet) -> list[bytes]:
    """Each item's collapse key, read with the bindings' own iterator: iterating the MSet
    makes an item object of each, asking Xapian for all its fields (its percentage too),
    three times the cost, on the few hundred records a question reads."""
    keys, at, end = [], found._begin(), found._end()
    while at != end:
        keys.append(at.get_collapse_key())
        next(at)
    return keys


def _frequencies(archive: xapian.Database, terms: list[str]) -> dict[str, int]:
    enquire = xapian.Enquire(archive)
    enquire.set_query(_any_of(terms))
    mset = enquire.get_mset(0, 0)
    return {term: mset.get_termfreq(stored_term(term)) for term in terms}


def _records(archive: xapian.Database, terms: list[str]) -> list[bytes]:
    """The records of the passages holding any of those (boolean) terms."""
    query = xapian.Query(xapian.Query.OP_OR, [xapian.Query(term) for term in terms])
    size = archive.get_doccount()
    return _collapse_keys(_boolean(archive, query, size, RECORD_SLOT))


def _boolean(
    archive: xapian.Database, query: xapian.Query, size: int, slot: int | None = None
) -> xapian.MSet:
    """`size` passages matching `query`, unranked; given `slot`, each with its value there as
    its collapse key."""
    enquire = xapian.Enquire(archive)
    enquire.set_weighting_scheme(xapian.BoolWeight())
    if slot is not None:
        enquire.set_collapse_key(slot)
    enquire.set_query(query)
    return enquire.get_mset(0, size)


class ShardedLiveIndex(LiveIndex):
    """A `LiveIndex` whose snapshots search Xapian shards: the coordinator. The corpus folder
    gives the passages' texts, the articles (their spans and publication days) and the
    vocabulary that restores diacritics; the term x passage matrix and every BM25 statistic
    are left to the shards, so nothing is tokenised and no term matrix is built. Its
    term-less snapshots are cached apart (COORDINATOR_CACHE under `cache_dir`), where an
    in-process index, or `index --xapian`, never takes them for its own."""

    tokenising = False

    def __init__(
        self,
        folder: Path,
        cache_dir: Path | None,
        shards: ShardSet,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.shards = shards
        store = IndexStore(cache_dir / COORDINATOR_CACHE if cache_dir else None, folder)
        super().__init__(folder, store, progress)

    @property
    def current(self) -> SearchIndex:
        return self._served

    @current.setter
    def current(self, local: SearchIndex) -> None:
        backend = XapianBackend(self.shards, local.articles)
        self._served = replace(local, bm25=backend)

    def shard_states(self) -> list[ShardState]:
        return self.shards.states()
