"""How the archive is laid out in Xapian shards, for the writer and the searcher alike.

An article always goes to the same shard, by a stable hash of its file name. Each passage is
one Xapian document: our terms with their counts as its terms and wdf (so Xapian's document
length is ours), a boolean term naming its article, and as its data the article's name, the
passage's place in it and its terms (read back to score candidates as `Bm25` does). Each
shard's metadata names the articles it holds with their stamp (content hash and term code),
and the mean raw idf of the whole archive, where rank-bm25 floors a negative idf.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

ARTICLE_PREFIX = "A"  # boolean term of a passage's article; our terms are never upper-case
LONG_TERM_PREFIX = "H"  # a term longer than Xapian allows, stored as its hash
MAX_TERM_BYTES = 240  # Xapian refuses terms over 245 bytes
ARTICLE_META = "tin-bot:article:"  # + article key -> ArticleStamp as JSON
MEAN_IDF_META = "tin-bot:mean-idf"  # the mean raw idf of every term of every shard
STAMP_SEPARATOR = ":"


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


@dataclass(frozen=True, slots=True)
class StoredPassage:
    """What a passage's Xapian document holds as data."""

    source: str
    number: int  # 0-based place of the passage among its article's
    terms: dict[str, int]  # term -> count

    def encoded(self) -> bytes:
        fields = {"source": self.source, "number": self.number, "terms": self.terms}
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def decoded(cls, data: bytes) -> StoredPassage:
        fields = json.loads(data)
        return cls(fields["source"], fields["number"], fields["terms"])

    @property
    def length(self) -> int:
        return sum(self.terms.values())


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


def xapian_idf(document_frequency: np.ndarray, corpus_size: int) -> np.ndarray:
    """The idf Xapian's BM25Weight gives a term: log((N - n + 0.5) / (n + 0.5)), where that
    ratio is under 2 replaced by ratio / 2 + 1 (so never below 0)."""
    ratio = (corpus_size - document_frequency + 0.5) / (document_frequency + 0.5)
    return np.log(np.where(ratio < 2, ratio * 0.5 + 1, ratio))
