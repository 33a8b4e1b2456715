"""How the archive is laid out in Xapian shards, for the writer and the searcher alike.

An article always goes to the same shard, by a stable hash of its file name. Each passage is
one Xapian document: our terms with their counts as its terms and wdf (so Xapian's document
length is ours), a boolean term naming its article, and in value slot RECORD_SLOT its
record: its place (article and number) and its terms with their counts (`passage_record`). A
search reads each match's record as its collapse key, without fetching a document: the best
passages come with what scores them as `Bm25` does, and the passages of any number of articles
with one match on their article terms. Each shard's metadata holds, per article, its stamp
(content hash, term code and this layout's version), the shard's own number among how many,
and the mean raw idf of the whole archive, where rank-bm25 floors a negative idf.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ARTICLE_PREFIX = "A"  # boolean term of a passage's article; our terms are never upper-case
LONG_TERM_PREFIX = "H"  # a term longer than Xapian allows, stored as its hash
MAX_TERM_BYTES = 240  # Xapian refuses terms over 245 bytes
ARTICLE_META = "tin-bot:article:"  # + article key -> ArticleStamp as JSON
LAYOUT_4_TERMS_META = "tin-bot:terms:"  # + article key: layout 4's terms, dropped since
MEAN_IDF_META = "tin-bot:mean-idf"  # the mean raw idf of every term of every shard
COMMON_TERMS_META = "tin-bot:common-terms"  # JSON: the terms COMMON_SHARE of the archive holds
# Below the third of the passages from which Xapian's idf departs from ours (`weighed_alike`):
# a searcher reads the frequencies of the terms this share holds once per change of the shards,
# and weighs any other term of a question as Xapian does before knowing its frequency, with
# room for the archive to change between two writes.
COMMON_SHARE = 0.25
SHARD_META = "tin-bot:shard"  # "number/count": which shard of how many this one is
STAMP_SEPARATOR = ":"
LAYOUT = "5"  # this layout's version, in every stamp: another one's shards are rewritten
RECORD_SLOT = 0  # value slot of a passage's record (`passage_record`)
RECORD_SEPARATOR = "\x00"  # between the parts of a record; places and terms have no NUL


def article_key(source: str) -> str:
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:24]


def shard_of(source: str, shards: int) -> int:
    """The shard an article always goes to, among `shards`."""
    return int(article_key(source)[:15], 16) % shards


def article_term(source: str) -> str:
    return ARTICLE_PREFIX + article_key(source)


def stored_term(term: str) -> str:
    """Our term as Xapian stores it: itself, or the hash of one too long for Xapian."""
    if len(term.encode("utf-8")) <= MAX_TERM_BYTES:
        return term
    return LONG_TERM_PREFIX + hashlib.sha1(term.encode("utf-8")).hexdigest()


def is_passage_term(term: bytes) -> bool:
    """Whether a Xapian term is one of ours (not an article's boolean term)."""
    return not term.startswith(ARTICLE_PREFIX.encode())


def shard_name(number: int, count: int) -> str:
    return f"{number}/{count}"


def place_value(source: str, number: int) -> str:
    """A passage's place (its article, its 0-based number there) as its record holds it."""
    return f"{number}{STAMP_SEPARATOR}{source}"


def place_of(value: str) -> tuple[str, int]:
    number, source = value.split(STAMP_SEPARATOR, 1)
    return source, int(number)


@dataclass(frozen=True, slots=True)
class PassageTerms:
    """A passage's terms and counts as a shard stores them, UTF-8 "\nterm\tcount" for each
    (our terms hold no white space): looking one up is a search of the bytes (`counts_of`,
    `holding`), nothing is decoded or parsed that no question asks about."""

    length: int  # the sum of the counts, Xapian's document length
    text: bytes

    @classmethod
    def of(cls, terms: dict[str, int]) -> PassageTerms:
        lines = "".join(f"\n{term}\t{count}" for term, count in terms.items())
        return cls(sum(terms.values()), f"{lines}\n".encode())


def _line_start(term: str) -> bytes:
    return f"\n{term}\t".encode()


def counts_of(term: str, passages: Sequence[PassageTerms]) -> np.ndarray:
    """How often each of the passages holds `term` (float64)."""
    line = _line_start(term)
    counts = np.zeros(len(passages))
    for at, passage in enumerate(passages):
        start = passage.text.find(line)
        if start >= 0:
            start += len(line)
            counts[at] = int(passage.text[start : passage.text.index(b"\n", start)])
    return counts


def holding(term: str, passages: Sequence[PassageTerms]) -> np.ndarray:
    """Whether each of the passages holds `term`."""
    line = _line_start(term)
    held = (line in passage.text for passage in passages)
    return np.fromiter(held, dtype=bool, count=len(passages))


NO_TERMS = PassageTerms(0, b"\n")


def passage_record(source: str, number: int, terms: PassageTerms) -> bytes:
    """A passage's place, length and terms, as RECORD_SLOT holds them (read back without
    decoding its terms)."""
    place = f"{place_value(source, number)}{RECORD_SEPARATOR}{terms.length}{RECORD_SEPARATOR}"
    return place.encode() + terms.text


def record_of(value: bytes) -> tuple[tuple[str, int], PassageTerms]:
    """A passage's place and terms, from its record."""
    place, length, text = value.split(RECORD_SEPARATOR.encode(), 2)
    return place_of(place.decode()), PassageTerms(int(length), text)


@dataclass(frozen=True, slots=True)
class ArticleStamp:
    """An article as a shard's metadata names it: its source and what its terms came from."""

    source: str
    stamp: str  # the article's content digest and the term code version

    def encoded(self) -> str:
        return json.dumps({"source": self.source, "stamp": self.stamp}, ensure_ascii=False)

    @classmethod
    def decoded(cls, text: bytes) -> ArticleStamp:
        fields = json.loads(text)
        return cls(fields["source"], fields["stamp"])


@dataclass(frozen=True, slots=True)
class ShardState:
    """How a searcher reaches a shard: the server answering for it (None: none answers, since
    `down_at`, a wall time) and its place in the shard's list (0: the primary)."""

    number: int
    server: str | None
    place: int
    down_at: float | None = None


def weighed_alike(document_frequency: np.ndarray, corpus_size: int) -> np.ndarray:
    """Whether Xapian's BM25Weight gives each term our idf (to rounding): where
    (N - n + 0.5) / (n + 0.5) is 2 or more, both take its log."""
    return corpus_size - document_frequency + 0.5 >= 2 * (document_frequency + 0.5)


def xapian_idf(document_frequency: np.ndarray, corpus_size: int) -> np.ndarray:
    """The idf Xapian's BM25Weight gives a term: log((N - n + 0.5) / (n + 0.5)), where that
    ratio is under 2 replaced by ratio / 2 + 1 (so never below 0)."""
    ratio = (corpus_size - document_frequency + 0.5) / (document_frequency + 0.5)
    return np.log(np.where(ratio < 2, ratio * 0.5 + 1, ratio))
