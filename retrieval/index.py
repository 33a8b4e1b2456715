"""The search index: passages, their BM25 matrix and the corpus vocabulary, cached on disk.

pyvi is slow, so each article's terms are cached under the hash of its raw bytes and of the
code that turns text into terms: a warm start re-tokenises nothing, a changed article (or a
changed tokeniser) only itself. A cache that cannot be read is rebuilt; one that cannot be
written is skipped with a warning — the index still serves.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.bm25 import Bm25
from retrieval.corpus import Article, Passage, load_articles
from retrieval.restore import Vocabulary
from retrieval.tokens import analyze, stopwords

log = logging.getLogger(__name__)

# The files whose code decides what terms a text gets: any change to them invalidates the cache.
_TERM_CODE = ("text.py", "corpus.py", "tokens.py", "stopwords.txt", "aliases.py", "aliases.tsv")

_PACKAGE_DIR = Path(__file__).parent

ArticleTerms = list[list[str]]


@functools.cache
def term_code_version() -> str:
    digest = hashlib.sha256()
    for name in _TERM_CODE:
        digest.update((_PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def _article_key(article: Article) -> str:
    return f"{article.digest}:{term_code_version()}"


@dataclass(frozen=True)
class TermCache:
    """Per-article passage terms on disk, keyed by content hash and tokeniser version."""

    folder: Path | None

    @property
    def path(self) -> Path | None:
        return None if self.folder is None else self.folder / "terms.pickle"

    def load(self) -> dict[str, ArticleTerms]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            with self.path.open("rb") as handle:
                entries = pickle.load(handle)
            if not isinstance(entries, dict):
                raise TypeError("not a term table")
            return entries
        except Exception as error:  # any damage means: rebuild, never trust
            log.warning(
                "index cache %s unreadable (%s); rebuilding", self.path, type(error).__name__
            )
            return {}

    def save(self, entries: dict[str, ArticleTerms]) -> None:
        if self.folder is None or self.path is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(entries, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError as error:
            log.warning("index cache %s not written (%s); serving anyway", self.folder, error)


def article_terms(article: Article) -> ArticleTerms:
    return [analyze(text).all() for text in article.paragraphs]


@dataclass(frozen=True)
class SearchIndex:
    articles: tuple[Article, ...]
    passages: tuple[Passage, ...]
    bm25: Bm25
    vocabulary: Vocabulary
    article_starts: np.ndarray  # position of each article's first passage, ascending

    def article_span(self, position: int) -> tuple[int, int]:
        """[start, end) positions of the passages of the article holding passage `position`."""
        number = int(np.searchsorted(self.article_starts, position, side="right")) - 1
        starts = self.article_starts
        end = int(starts[number + 1]) if number + 1 < len(starts) else len(self.passages)
        return int(starts[number]), end

    def article_mentions(self, position: int, terms: tuple[str, ...]) -> bool:
        """Whether every term occurs in the article holding passage `position`."""
        start, end = self.article_span(position)
        ids = [self.bm25.vocabulary.get(term) for term in terms]
        if any(term_id is None for term_id in ids):
            return False
        return all(self.bm25.weights[term_id, start:end].nnz > 0 for term_id in ids)

    @classmethod
    def from_articles(cls, articles: list[Article], cache: TermCache) -> SearchIndex:
        cached = cache.load()
        entries: dict[str, ArticleTerms] = {}
        for article in articles:
            key = _article_key(article)
            entries[key] = cached.get(key) or article_terms(article)
        if entries.keys() != cached.keys():
            cache.save(entries)
        passages = [p for article in articles for p in article.passages()]
        terms = [t for article in articles for t in entries[_article_key(article)]]
        # Function words are known spellings too, though a small corpus may never use them.
        stopword_phrases = [word.replace("_", " ") for word in stopwords()]
        vocabulary = Vocabulary.of([*(p.text for p in passages), *stopword_phrases])
        sizes = [len(article.paragraphs) for article in articles]
        starts = np.cumsum([0, *sizes[:-1]])
        return cls(tuple(articles), tuple(passages), Bm25.build(terms), vocabulary, starts)

    @classmethod
    def load(cls, corpus_dir: Path, cache_dir: Path | None = None) -> SearchIndex:
        """Index every article in `corpus_dir`; raises CorpusError when nothing can be served."""
        return cls.from_articles(load_articles(corpus_dir), TermCache(cache_dir))
