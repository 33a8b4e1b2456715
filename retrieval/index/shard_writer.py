"""Writing a snapshot's articles into Xapian shards: `python -m bot index --xapian DIR`.

`write_shards` brings DIR/0 … DIR/N-1 in line with a `SearchIndex`: an article whose stamp a
shard already holds is left alone, a new or changed one is rewritten (its passages deleted by
their article term, then added with their records), one no longer in the corpus, or now in
another shard, is deleted. The terms are the snapshot's own (`TermCounts`), so Xapian holds
exactly the term lists and lengths of the in-process index. Last, each shard is told its
number, and the archive's mean raw idf (for the idf floor rank-bm25 applies) and its common
terms (whose weights a searcher must scale) are written to every shard.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import xapian

from retrieval.index.bm25 import TermCounts, mean_raw_idf
from retrieval.index.corpus import Article
from retrieval.index.indexer import Progress, ProgressCallback
from retrieval.index.search_index import SearchIndex, term_code_version
from retrieval.index.shards import (
    ARTICLE_META,
    COMMON_SHARE,
    COMMON_TERMS_META,
    LAYOUT,
    LAYOUT_4_TERMS_META,
    MEAN_IDF_META,
    RECORD_SLOT,
    SHARD_META,
    STAMP_SEPARATOR,
    ArticleStamp,
    PassageTerms,
    article_key,
    article_term,
    is_passage_term,
    passage_record,
    shard_name,
    shard_of,
    stored_term,
)

if TYPE_CHECKING:
    from scipy import sparse


@dataclass(frozen=True, slots=True)
class ShardReport:
    written: int  # articles added or rewritten
    removed: int  # articles deleted from a shard
    unchanged: int


def stamp_of(article: Article) -> str:
    return STAMP_SEPARATOR.join((article.digest, term_code_version(), LAYOUT))


def shard_paths(folder: Path, shards: int) -> list[Path]:
    return [folder / str(number) for number in range(shards)]


# Changesets kept for `xapian-replicate` (which otherwise copies a whole shard each time, and
# a server reading the replica must then reconnect): Xapian reads it when a shard is opened.
KEPT_CHANGESETS = "100"


@contextmanager
def _writable(paths: list[Path]) -> Iterator[list[xapian.WritableDatabase]]:
    os.environ.setdefault("XAPIAN_MAX_CHANGESETS", KEPT_CHANGESETS)
    with ExitStack() as stack:
        databases = []
        for path in paths:
            database = xapian.WritableDatabase(str(path), xapian.DB_CREATE_OR_OPEN)
            stack.callback(database.close)
            databases.append(database)
        yield databases


def held_articles(database: xapian.Database) -> dict[str, ArticleStamp]:
    """Article key -> stamp, of every article a shard holds."""
    prefix = ARTICLE_META.encode()
    return {
        key[len(prefix) :].decode(): ArticleStamp.decoded(database.get_metadata(key))
        for key in database.metadata_keys(prefix)
    }


def write_shards(
    index: SearchIndex, folder: Path, shards: int, progress: ProgressCallback | None = None
) -> ShardReport:
    """DIR/0 … DIR/shards-1 brought in line with `index` (see the module's docstring)."""
    if index.counts is None:
        raise ValueError("a snapshot without term counts has no terms to write to shards")
    folder.mkdir(parents=True, exist_ok=True)
    paths = shard_paths(folder, shards)
    with _writable(paths) as databases:
        held = [held_articles(database) for database in databases]
        for database in databases:
            _drop_layout_4_terms(database)
        removed = _remove_gone(index, databases, held)
        changed = [
            (number, article)
            for number, article in enumerate(index.articles)
            if _stamp_in(held, shards, article) != stamp_of(article)
        ]
        _write_articles(index, index.counts, databases, changed, progress)
        if changed or removed or not all(map(_lists_common_terms, databases)):
            for database in databases:
                database.commit()
            _write_archive_metadata(paths, databases)
    unchanged = len(index.articles) - len(changed)
    return ShardReport(len(changed), removed, unchanged)


def _stamp_in(held: list[dict[str, ArticleStamp]], shards: int, article: Article) -> str | None:
    found = held[shard_of(article.source, shards)].get(article_key(article.source))
    return found.stamp if found is not None else None


def _remove_gone(
    index: SearchIndex,
    databases: list[xapian.WritableDatabase],
    held: list[dict[str, ArticleStamp]],
) -> int:
    """Delete from each shard the articles that are not in `index`, or belong elsewhere."""
    sources = {article.source for article in index.articles}
    removed = 0
    for number, (database, stamps) in enumerate(zip(databases, held, strict=True)):
        for key, stamp in stamps.items():
            if stamp.source in sources and shard_of(stamp.source, len(databases)) == number:
                continue
            database.delete_document(article_term(stamp.source))
            database.set_metadata(ARTICLE_META + key, "")
            removed += 1
    return removed


def _write_articles(
    index: SearchIndex,
    counts: TermCounts,
    databases: list[xapian.WritableDatabase],
    changed: list[tuple[int, Article]],
    progress: ProgressCallback | None,
) -> None:
    """Rewrite each changed article (its number in `index.articles`, whose term `counts`
    these are) in its shard."""
    names = list(counts.ids)
    by_passage = counts.counts.tocsc()  # a passage's terms: one slice, not a scan
    started = time.monotonic()
    sizes = [sum(len(text.encode()) for text in article.texts) for _, article in changed]
    done_bytes = 0
    for done, (number, article) in enumerate(changed, 1):
        database = databases[shard_of(article.source, len(databases))]
        start = int(index.article_starts[number])
        database.delete_document(article_term(article.source))
        passages = _passage_terms(by_passage, names, article, start)
        for number, terms in enumerate(passages):
            database.add_document(_document(article.source, number, terms))
        database.set_metadata(
            ARTICLE_META + article_key(article.source),
            ArticleStamp(article.source, stamp_of(article)).encoded(),
        )
        done_bytes += sizes[done - 1]
        if progress is not None:
            elapsed = time.monotonic() - started
            progress(Progress(done, len(changed), done_bytes, sum(sizes), elapsed))


def _passage_terms(
    by_passage: sparse.csc_matrix, names: list[str], article: Article, start: int
) -> Iterator[dict[str, int]]:
    """Each passage's terms and counts, read from the term counts stored by passage."""
    for number in range(len(article.texts)):
        begin, end = by_passage.indptr[start + number], by_passage.indptr[start + number + 1]
        ids, counts = by_passage.indices[begin:end], by_passage.data[begin:end]
        yield {names[i]: int(n) for i, n in zip(ids.tolist(), counts.tolist(), strict=True)}


def _document(source: str, number: int, terms: dict[str, int]) -> xapian.Document:
    document = xapian.Document()
    for term, count in terms.items():
        document.add_term(stored_term(term), count)
    document.add_boolean_term(article_term(source))
    document.add_value(RECORD_SLOT, passage_record(source, number, PassageTerms.of(terms)))
    return document


def _drop_layout_4_terms(database: xapian.WritableDatabase) -> None:
    """Layout 4 kept each article's terms in the metadata; its articles are all rewritten
    (their stamps name the layout), and these values are dropped with them."""
    for key in list(database.metadata_keys(LAYOUT_4_TERMS_META.encode())):
        database.set_metadata(key, "")


def _lists_common_terms(database: xapian.Database) -> bool:
    """Whether a shard holds the archive's common terms (shards written before did not)."""
    return bool(database.get_metadata(COMMON_TERMS_META))


def archive_statistics(paths: list[Path]) -> tuple[float, list[str]]:
    """From every term of the archive, with its global document frequency (Xapian merges
    the shards' terms): the mean raw idf, as rank-bm25 takes it for its idf floor, and the
    terms COMMON_SHARE of the passages or more hold, as Xapian stores them."""
    archive = xapian.Database()
    for path in paths:
        archive.add_database(xapian.Database(str(path)))
    held = [(item.term, item.termfreq) for item in archive.allterms() if is_passage_term(item.term)]
    frequencies = np.fromiter((frequency for _, frequency in held), np.int64, len(held))
    passages = archive.get_doccount()
    common = [term.decode() for term, frequency in held if frequency >= COMMON_SHARE * passages]
    return mean_raw_idf(frequencies, passages), common


def _write_archive_metadata(paths: list[Path], databases: list[xapian.WritableDatabase]) -> None:
    """Each shard's number among them, and the archive's mean idf and common terms, in every
    shard."""
    mean, common = archive_statistics(paths)
    for number, database in enumerate(databases):
        database.set_metadata(SHARD_META, shard_name(number, len(databases)))
        database.set_metadata(MEAN_IDF_META, repr(mean))
        database.set_metadata(COMMON_TERMS_META, json.dumps(common, ensure_ascii=False))
        database.commit()
