"""The search index: one immutable snapshot of passages, BM25 and vocabulary.

A snapshot is never changed in place. `updated` returns a new one with some articles added,
replaced or removed, so a question in flight keeps reading the snapshot it started with while
a reload builds the next (see `retrieval/index/live.py`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from pathlib import Path

import numpy as np

from retrieval.index.backend import NoTerms, SearchBackend
from retrieval.index.bm25 import Bm25, TermCounts, TermTally
from retrieval.index.compact import Articles, Passages
from retrieval.index.corpus import Article, published_date
from retrieval.language.restore import Sightings, Vocabulary
from retrieval.language.tokens import (
    BIGRAM_PREFIX,
    SYLLABLE_PREFIX,
    all_terms_of,
    stopwords,
    syllable_pairs,
)

_RETRIEVAL_DIR = Path(__file__).parent.parent
# The files whose code decides what terms a text gets: any change to them invalidates caches.
_TERM_CODE = (
    "language/text.py",
    "index/corpus.py",
    "language/tokens.py",
    "language/segment.py",
    "language/pyvi_model.py",
    "language/stopwords.txt",
    "language/aliases.py",
    "language/aliases.tsv",
)

ArticleTerms = list[list[str]]  # one term list per passage of an article
# One way the corpus writes a unit's syllable: how many of the unit's syllables it stands for
# (2 when joined with the next), and the corpus's syllables for them.
Spelling = tuple[int, tuple[str, ...]]
# A trailing "s" is added or dropped only where this much is left without it ("Gate(s)").
TRAILING_S_MIN_STEM = 3
# A word is split in two only into pieces this long: a lone letter beside another word is too
# common ("ông A", "100 m") to tell that an abbreviation ("ABC") was meant as two words.
SPLIT_PIECE_MIN_CHARS = 2
# A Vietnamese syllable has one group of vowels, ends in one of these (or its vowels) and has
# none of the letters Vietnamese does not write.
_VOWELS = re.compile(r"[aeiouy]+")
_VIETNAMESE_FINALS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
_FOREIGN_LETTERS = frozenset("fjwz")


@functools.cache
def term_code_version() -> str:
    digest = hashlib.sha256()
    for name in _TERM_CODE:
        digest.update((_RETRIEVAL_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def articles_terms(articles: Sequence[Article]) -> list[ArticleTerms]:
    """The terms of each passage of each article: the slow step (segmenting), done once per
    article; the passages of several articles are segmented together, which is faster."""
    terms = iter(all_terms_of([text for article in articles for text in article.texts]))
    return [[next(terms) for _ in article.texts] for article in articles]


@dataclass
class Additions:
    """New or changed articles, in order, held compactly, with what their passages' terms and
    syllables add up to: what a worker sends back for a batch, and what a sync adds the
    batches up into (the batches' texts are never joined into one string or buffer)."""

    parts: list[Articles] = field(default_factory=list)
    tally: TermTally = field(default_factory=TermTally)
    sightings: Sightings = field(default_factory=Sightings)

    @classmethod
    def of(cls, added: Iterable[tuple[Article, ArticleTerms]]) -> Additions:
        pairs = list(added)
        articles = [article for article, _ in pairs]
        tally = TermTally.of(terms for _, article_terms in pairs for terms in article_terms)
        sightings = Sightings.of(text for article in articles for text in article.texts)
        return cls([Articles.of(articles)], tally, sightings)

    @property
    def sources(self) -> list[str]:
        """The articles' file names, in order."""
        return [source for part in self.parts for source in part.sources]

    def articles(self) -> Articles:
        return Articles.joined(self.parts)

    def add(self, other: Additions) -> None:
        """`other`'s articles after these ones."""
        self.parts += other.parts
        self.tally.add(other.tally)
        self.sightings.add(other.sightings)


def base_vocabulary() -> Vocabulary:
    """Function words are known spellings too, though a small corpus may never use them:
    added in one order (a set's depends on the process's string hashing), so that the cache
    a build saves is the same bytes from one run to the next."""
    return Vocabulary.of(word.replace("_", " ") for word in sorted(stopwords()))


@dataclass(frozen=True)
class SearchIndex:
    articles: Articles  # and their passages' texts, held compactly
    counts: TermCounts | None  # None: the terms are searched elsewhere (`ShardedLiveIndex`)
    bm25: SearchBackend  # Bm25 in process, or XapianBackend over shards (NoTerms until then)
    vocabulary: Vocabulary
    # source -> the stat fields (mtime, ctime, size, inode) of the file each article was read
    # from: a file with the same stamp is not read again to check its hash
    stamps: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # time zone -> `published_days` in it, made on first use
    _days_in: dict[tzinfo, np.ndarray] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def empty(cls, with_terms: bool = True) -> SearchIndex:
        """No article; not `with_terms`: nor any term counts, ever (see `counts`)."""
        if not with_terms:
            return cls(Articles.of([]), None, NoTerms(), base_vocabulary())
        counts = TermCounts.empty()
        return cls(Articles.of([]), counts, Bm25.from_counts(counts), base_vocabulary())

    @classmethod
    def build(cls, articles: Iterable[tuple[Article, ArticleTerms]]) -> SearchIndex:
        return cls.empty().updated(list(articles), set())

    @property
    def passages(self) -> Passages:
        """Every article's passages, laid end to end: a `Passage` is made when one is read."""
        return Passages(self.articles)

    @property
    def article_starts(self) -> np.ndarray:
        """The position of each article's first passage, ascending."""
        return self.articles.starts

    def text_at(self, position: int) -> str:
        """The text of passage `position` (without making its `Passage`)."""
        return self.articles.texts[position]

    def is_headline(self, position: int) -> bool:
        """Whether passage `position` is its article's headline line itself."""
        return self.articles.is_headline(position)

    def article_span(self, position: int) -> tuple[int, int]:
        """[start, end) positions of the passages of the article holding passage `position`."""
        return self.articles.span(self.articles.number_at(position))

    def published_days(self, zone: tzinfo) -> np.ndarray:
        """Each passage's publication day in `zone`, as a proleptic ordinal (`date.toordinal`),
        0 for an article that states none; only the dated articles' dates are read."""
        days = self._days_in.get(zone)
        if days is None:
            articles = self.articles
            per_article = np.zeros(len(articles), dtype=np.int64)
            for number in np.flatnonzero(articles.published.lengths()).tolist():
                per_article[number] = published_date(articles.published[number], zone).toordinal()
            days = np.repeat(per_article, articles.sizes())
            self._days_in[zone] = days
        return days

    @property
    def states_dates(self) -> bool:
        """Whether some article states when it was published (a stated date is never empty)."""
        return self.articles.published.utf8_bytes > 0

    def published_on(self, position: int, zone: tzinfo) -> date | None:
        """The day the article of passage `position` was published, in `zone`, if it says."""
        published = self.articles.published[self.articles.number_at(position)]
        return published_date(published, zone) if published else None

    def article_mentions(self, position: int, terms: tuple[str, ...]) -> bool:
        """Whether every term occurs in the article holding passage `position`."""
        start, end = self.article_span(position)
        return all(self.bm25.occurs_between(term, start, end) for term in terms)

    def mentions_anywhere(self, text: str, terms: tuple[str, ...]) -> bool:
        """Whether some article mentions the name or number `text`, whose terms are `terms`
        (`as_written` gives it the terms of a spelling a little otherwise), or `text`, one
        word, spelt one letter off."""
        if self._knows_all(terms):
            return True
        return " " not in text and self.vocabulary.has_near_spelling(text)

    def as_written(self, terms: tuple[str, ...]) -> tuple[str, ...]:
        """The terms of a name or number (`distinctive.Unit.terms`) as the corpus spells it,
        where it writes it a little otherwise (`_written_together`: "Superbowl 50" as "Super
        Bowl 50", "Bill Gate" as "Bill Gates", "Ghandi" as "Gandhi"), or writes the words of a
        foreign name in one passage though not side by side (`_written_apart`): then it counts
        as mentioned, and `article_mentions` finds it in the articles that write it. Unchanged
        when the corpus writes it as it is, or not at all."""
        if self._knows_all(terms):
            return terms
        syllables = _syllables_of(terms)
        spellings = [self._spellings(syllables, at) for at in range(len(syllables))]
        written = (
            self._written_together(spellings)
            or self._written_apart(syllables, spellings)
            or self._year_apart(syllables, spellings)
        )
        return written or terms

    def _spellings(self, syllables: tuple[str, ...], at: int) -> list[Spelling]:
        """The ways the corpus writes the unit's syllable at `at`: as it is, joined with the next
        ("super bowl" -> "superbowl"), split in two ("vietnam" -> "viet nam"), with a trailing
        "s" more or less, or else as the one corpus word a slip away
        (`Vocabulary.near_forms`). Numbers only as they are: "2024" is no "20 24"."""
        word = syllables[at]
        spellings: list[Spelling] = [(1, (word,))]
        if word.isalpha():
            spellings += _respellings(word, syllables[at + 1 : at + 2])
        known = [spelling for spelling in spellings if self._knows_all(_terms_of(spelling[1]))]
        return known + self._slip_of(word)

    def _slip_of(self, word: str) -> list[Spelling]:
        """The one corpus word a slip away from `word`, a word the corpus never writes
        (`Vocabulary.near_forms`); none when there are several, or `word` is a number."""
        if not word.isalpha() or self.bm25.knows(SYLLABLE_PREFIX + word):
            return []
        slips = (
            form
            for form in self.vocabulary.near_forms(word)
            if self.bm25.knows(SYLLABLE_PREFIX + form)
        )
        near = list(itertools.islice(slips, 2))
        return [(1, (near[0],))] if len(near) == 1 else []

    def _written_together(self, spellings: list[list[Spelling]]) -> tuple[str, ...] | None:
        """The terms of the first sequence of `spellings` covering the unit whose neighbouring
        syllables the corpus writes together; None when there is none."""

        def written_on(at: int, written: tuple[str, ...]) -> tuple[str, ...] | None:
            if at == len(spellings):
                return written
            for taken, spelled in spellings[at]:
                longer = written + spelled
                if self._knows_all(_terms_of(longer[max(len(written) - 1, 0) :])):
                    found = written_on(at + taken, longer)
                    if found:
                        return found
            return None

        written = written_on(0, ())
        return _terms_of(written) if written else None

    def _written_apart(
        self, syllables: tuple[str, ...], spellings: list[list[Spelling]]
    ) -> tuple[str, ...] | None:
        """The terms of each word of a name of foreign words, as the corpus writes it, when one
        passage writes them all ("Linux Ubuntu" for "Linux, bản phân phối Ubuntu"); None
        otherwise. Never for Vietnamese syllables ("Hải Phòng"), which stand apart in many a
        passage, nor for numbers."""
        if len(syllables) < 2 or not all(looks_foreign(word) for word in syllables):
            return None
        terms: list[str] = []
        for options in spellings:
            spelled = next((spelled for taken, spelled in options if taken == 1), None)
            if spelled is None:
                return None
            terms += _terms_of(spelled)
        return tuple(terms) if self.bm25.together(terms) else None

    def _year_apart(
        self, syllables: tuple[str, ...], spellings: list[list[Spelling]]
    ) -> tuple[str, ...] | None:
        """The terms of a name and of the year after it, when one passage writes both though
        not side by side: "Bạch Đằng 1288" is written "trận Bạch Đằng năm 1288". Only a year:
        "Nghị quyết 57" is no "nghị quyết" beside any 57."""
        if len(syllables) < 2 or not _is_year(syllables[-1]):
            return None
        name = self._written_together(spellings[:-1])
        if name is None:
            return None
        terms = [*name, SYLLABLE_PREFIX + syllables[-1]]
        return tuple(terms) if self.bm25.together(terms) else None

    def _knows_all(self, terms: Iterable[str]) -> bool:
        return all(self.bm25.knows(term) for term in terms)

    def updated(self, added: list[tuple[Article, ArticleTerms]], removed: set[str]) -> SearchIndex:
        """A new snapshot without the articles named in `removed` (or re-added), with `added`
        appended. Only the changed articles' terms are needed: nothing is re-tokenised."""
        return self.with_additions(Additions.of(added), removed)

    def with_additions(self, additions: Additions, removed: set[str]) -> SearchIndex:
        """`updated`, the added articles' terms tallied already (`additions` is emptied)."""
        new = additions.articles()
        gone = self._numbers_of(removed | set(new.sources))
        kept = np.setdiff1d(np.arange(len(self.articles)), gone)
        articles = Articles.joined([self.articles.taking(kept), new])
        vocabulary = self._vocabulary_after(gone, additions.sightings)
        if self.counts is None:  # the tally, of passages given no terms, holds none
            return SearchIndex(articles, None, self.bm25, vocabulary)
        counts = self.counts.updated(self.articles.positions_of(kept), additions.tally)
        earlier = self.bm25.segments if isinstance(self.bm25, Bm25) else ()
        bm25 = Bm25.from_counts(counts, earlier=earlier)
        return SearchIndex(articles, counts, bm25, vocabulary)

    @property
    def is_folded(self) -> bool:
        """Whether the term counts are one matrix: a snapshot whose reloads added passages
        beside it (`TermCounts.with_segment`) is not saved until they are folded in, for
        saving writes every byte of the matrix and reads every page of the mapped cache
        (which would count as this process's memory). The cache then lags behind: the next
        start re-reads the articles added since (found by their stamps), no more."""
        return self.counts is None or self.counts.added is None

    def folded(self) -> SearchIndex:
        """This snapshot, its term counts one matrix (a copy, unless they are already)."""
        if self.counts is None or self.counts.added is None:
            return self
        counts = self.counts.folded()
        return replace(self, counts=counts, bm25=Bm25.from_counts(counts))

    @functools.cached_property
    def article_numbers(self) -> dict[str, int]:
        """Each article's number by its file name: what a reload looks names up in, made at
        the first (the names are decoded one by one from the texts' buffer)."""
        return {source: number for number, source in enumerate(self.articles.sources)}

    def _numbers_of(self, sources: set[str]) -> np.ndarray:
        """The numbers of the articles read from those files, ascending."""
        numbers = self.article_numbers
        return np.array(sorted(numbers[s] for s in sources if s in numbers), dtype=np.int64)

    def _vocabulary_after(self, gone: np.ndarray, added: Sightings) -> Vocabulary:
        """The vocabulary without the texts of the articles numbered `gone`, with `added`."""
        vocabulary = self.vocabulary.copy()
        for number in gone.tolist():
            for text in self.articles[number].texts:
                vocabulary.add(text, sign=-1)
        vocabulary.add_sightings(added)
        return vocabulary


def looks_foreign(word: str) -> bool:
    """Whether a folded word can be no Vietnamese syllable ("linux", "ubuntu", "malaysia",
    "bill", "john"). Letters without a vowel ("thpt") are an abbreviation, not foreign."""
    vowels = list(_VOWELS.finditer(word))
    if not word.isalpha() or not vowels:
        return False
    final = word[vowels[-1].end() :]
    foreign_letters = bool(_FOREIGN_LETTERS & set(word))
    return foreign_letters or len(vowels) > 1 or final not in _VIETNAMESE_FINALS


def _respellings(word: str, following: tuple[str, ...]) -> list[Spelling]:
    """Other ways to write `word`, a word of letters: joined with the `following` syllable if
    any, split in two, with a trailing "s" more or less."""
    spellings: list[Spelling] = []
    if following and following[0].isalpha():
        spellings.append((2, (word + following[0],)))
    cuts = range(SPLIT_PIECE_MIN_CHARS, len(word) - SPLIT_PIECE_MIN_CHARS + 1)
    spellings += [(1, (word[:cut], word[cut:])) for cut in cuts]
    spellings += [(1, (other,)) for other in _trailing_s_more_or_less(word)]
    return spellings


def _syllables_of(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The folded syllables of a unit's terms as `distinctive_units` makes them: its one
    syllable, or its pairs of neighbouring syllables."""
    if len(terms) == 1 and terms[0].startswith(SYLLABLE_PREFIX):
        return (terms[0].removeprefix(SYLLABLE_PREFIX),)
    pairs = [term.removeprefix(BIGRAM_PREFIX).split("_") for term in terms]
    return (pairs[0][0], *(second for _, second in pairs))


def _terms_of(syllables: tuple[str, ...]) -> tuple[str, ...]:
    """A unit's terms for its folded syllables, as `distinctive_units` makes them."""
    if len(syllables) == 1:
        return (SYLLABLE_PREFIX + syllables[0],)
    return tuple(BIGRAM_PREFIX + pair for pair in syllable_pairs(syllables))


def _is_year(syllable: str) -> bool:
    """Four digits from 1000 to 2099."""
    return syllable.isdigit() and len(syllable) == 4 and "1000" <= syllable < "2100"


def _trailing_s_more_or_less(word: str) -> list[str]:
    """`word` without its trailing "s", or with one ("gates" <-> "gate")."""
    stem = word.removesuffix("s")
    if len(stem) < TRAILING_S_MIN_STEM:
        return []
    return [stem] if stem != word else [word + "s"]
