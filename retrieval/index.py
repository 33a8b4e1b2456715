"""The search index: one immutable snapshot of passages, BM25 and vocabulary.

A snapshot is never changed in place. `updated` returns a new one with some articles added,
replaced or removed, so a question in flight keeps reading the snapshot it started with while
a reload builds the next (see `retrieval/live.py`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.bm25 import Bm25, TermCounts
from retrieval.corpus import Article, Passage
from retrieval.distinctive import Unit
from retrieval.restore import Vocabulary
from retrieval.tokens import analyze, stopwords

_PACKAGE_DIR = Path(__file__).parent
# The files whose code decides what terms a text gets: any change to them invalidates caches.
_TERM_CODE = ("text.py", "corpus.py", "tokens.py", "stopwords.txt", "aliases.py", "aliases.tsv")

ArticleTerms = list[list[str]]  # one term list per passage of an article


@functools.cache
def term_code_version() -> str:
    digest = hashlib.sha256()
    for name in _TERM_CODE:
        digest.update((_PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def article_terms(article: Article) -> ArticleTerms:
    """The terms of each passage of an article: the slow step (pyvi), done once per article."""
    return [analyze(text).all() for text in article.texts]


def base_vocabulary() -> Vocabulary:
    """Function words are known spellings too, though a small corpus may never use them."""
    return Vocabulary.of(word.replace("_", " ") for word in stopwords())


@dataclass(frozen=True)
class SearchIndex:
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    counts: TermCounts
    bm25: Bm25
    vocabulary: Vocabulary
    article_starts: np.ndarray  # position of each article's first passage, ascending
    # source -> the stat fields (mtime, ctime, size, inode) of the file each article was read
    # from: a file with the same stamp is not read again to check its hash
    stamps: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> SearchIndex:
        counts = TermCounts.empty()
        return cls((), (), counts, Bm25.from_counts(counts), base_vocabulary(), np.zeros(0, int))

    @classmethod
    def build(cls, articles: Iterable[tuple[Article, ArticleTerms]]) -> SearchIndex:
        return cls.empty().updated(list(articles), set())

    def article_span(self, position: int) -> tuple[int, int]:
        """[start, end) positions of the passages of the article holding passage `position`."""
        number = int(np.searchsorted(self.article_starts, position, side="right")) - 1
        starts = self.article_starts
        end = int(starts[number + 1]) if number + 1 < len(starts) else len(self.passages)
        return int(starts[number]), end

    def article_mentions(self, position: int, terms: tuple[str, ...]) -> bool:
        """Whether every term occurs in the article holding passage `position`."""
        start, end = self.article_span(position)
        return all(self.bm25.occurs_between(term, start, end) for term in terms)

    def mentions_anywhere(self, unit: Unit) -> bool:
        """Whether some article mentions `unit`, or a one-word unit spelt one letter off."""
        if all(self.bm25.knows(term) for term in unit.terms):
            return True
        return " " not in unit.text and self.vocabulary.has_near_spelling(unit.text)

    def updated(self, added: list[tuple[Article, ArticleTerms]], removed: set[str]) -> SearchIndex:
        """A new snapshot without the articles named in `removed` (or re-added), with `added`
        appended. Only the changed articles' terms are needed: nothing is re-tokenised."""
        gone = removed | {article.source for article, _ in added}
        vocabulary = self.vocabulary.copy()
        kept: list[Article] = []
        kept_columns = [np.zeros(0, dtype=np.int64)]
        for article, start in zip(self.articles, self.article_starts.tolist(), strict=True):
            if article.source in gone:
                for text in article.texts:
                    vocabulary.add(text, sign=-1)
            else:
                kept.append(article)
                kept_columns.append(np.arange(start, start + len(article.texts)))
        counts = self.counts.keeping(np.concatenate(kept_columns))
        counts = counts.appended([terms for _, article_terms in added for terms in article_terms])
        for article, _ in added:
            for text in article.texts:
                vocabulary.add(text)
        articles = tuple(kept + [article for article, _ in added])
        sizes = [len(article.texts) for article in articles]
        starts = np.cumsum([0, *sizes[:-1]]) if articles else np.zeros(0, int)
        passages = tuple(
            [self.passages[i] for i in np.concatenate(kept_columns).tolist()]
            + [p for article, _ in added for p in article.passages()]
        )
        return SearchIndex(articles, passages, counts, Bm25.from_counts(counts), vocabulary, starts)
