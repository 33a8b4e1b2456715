"""The excerpt of a hit: the sentence(s) that best match the question and the sentences after
them, matched words marked.

News names what a question asks about in one sentence and gives the details in the next ones
("… hội nghị sơ kết." then "Chủ trì có …"), so the sentences after the best match are shown too
while they fit: in more room for the first hit, whose excerpt is read as the answer.

Marks are character spans into the excerpt text, not inline markup, so the text stays clean for
JSON and every adapter renders them its own way (bold on Telegram, ANSI bold on a terminal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from retrieval.index.backend import SearchBackend
from retrieval.language.text import fold, has_diacritics, sentences
from retrieval.language.tokens import SYLLABLE, Terms, wording_pairs
from retrieval.question.information import information, matched_terms, wanted_terms

MAX_EXCERPT_CHARS = 450
# The first hit's excerpt, the one read as the answer, shows more of what follows its best run:
# the answer is most often the sentence right after the one the question restates.
FIRST_EXCERPT_CHARS = 650
ELLIPSIS = "…"
# Each pair of neighbouring question syllables, function words included, that a run of
# sentences repeats adds this much to its information (about the idf of a common word): a
# question is most often worded after the sentence that answers it ("Ông Quynh bị gì?" after
# "Ông Quynh bị ung thư…"), and among runs holding the same question words, that one leads.
WORDING_PAIR_WEIGHT = 1.0

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Excerpt:
    text: str
    marks: tuple[Span, ...]  # (start, end) of matched words in `text`, merged, ascending


@dataclass(frozen=True, slots=True)
class QueryWords:
    """The question's content words as typed or restored, each a tuple of lower-case
    syllables, for marking matches: a word is marked only where all its syllables stand, so
    "Thành ủy" marks "Thành ủy" and not the "Ủy" of "Ủy viên"."""

    words: frozenset[tuple[str, ...]]
    # the words by their first syllable, folded: a text syllable can begin only those whose
    # first syllable folds as it does (`same` implies it), so only they are tried there
    by_first: dict[str, list[tuple[str, ...]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for word in self.words:
            by_first.setdefault(fold(word[0]), []).append(word)
        object.__setattr__(self, "by_first", by_first)

    @classmethod
    def of(cls, terms: Terms) -> QueryWords:
        return cls(frozenset(tuple(word.split("_")) for word in terms.words))

    @staticmethod
    def same(written: str, asked: str) -> bool:
        """A text syllable is the asked one: spelled alike, or alike once folded when the
        asked syllable carries no mark (a question typed without diacritics)."""
        lowered = written.lower()
        return lowered == asked or (not has_diacritics(asked) and fold(lowered) == asked)

    def lengths_at(self, syllables: list[str], start: int) -> list[int]:
        """The syllable counts of the question words that begin at `start`."""
        return [
            len(word)
            for word in self.by_first.get(fold(syllables[start].lower()), ())
            if all(
                start + k < len(syllables) and self.same(syllables[start + k], part)
                for k, part in enumerate(word)
            )
        ]


def _choose_sentences(
    passage: str, terms: Terms, bm25: SearchBackend, wording: frozenset[str], room: int
) -> str:
    """The run of consecutive sentences, within MAX_EXCERPT_CHARS where possible, that holds
    the most question information (idf of distinct matched terms, and WORDING_PAIR_WEIGHT for
    each pair of the question's `wording` it repeats), shorter runs winning ties; then the
    sentences after it, while the whole still fits in `room` characters."""
    wanted = wanted_terms(terms)
    parts = sentences(passage) or [passage]
    found = [matched_terms(part, wanted) for part in parts]
    worded = [wording_pairs(part) & wording for part in parts]
    first, last = _best_run(parts, found, worded, bm25)
    while last + 1 < len(parts) and len(" ".join(parts[first : last + 2])) <= room:
        last += 1
    return " ".join(parts[first : last + 1])


def _best_run(
    parts: list[str], found: list[set[str]], worded: list[frozenset[str]], bm25: SearchBackend
) -> tuple[int, int]:
    """(first, last) of the run of `parts` holding the most information (the idf of the terms
    `found` in them, WORDING_PAIR_WEIGHT for each pair of `worded`), shorter runs winning ties."""
    best, best_key = (0, 0), (-1.0, 0)
    for first in range(len(parts)):
        union: set[str] = set()
        repeated: set[str] = set()
        for last in range(first, len(parts)):
            length = len(" ".join(parts[first : last + 1]))
            if last > first and length > MAX_EXCERPT_CHARS:
                break
            union |= found[last]
            repeated |= worded[last]
            weight = information(union, bm25) + WORDING_PAIR_WEIGHT * len(repeated)
            key = (weight, -length)
            if key > best_key:
                best, best_key = (first, last), key
    return best


def mark_spans(text: str, words: QueryWords) -> list[Span]:
    """Spans of whole question words in `text`, neighbours separated by spaces merged."""
    found = list(SYLLABLE.finditer(text))
    syllables = [match.group() for match in found]
    marked = [False] * len(found)
    for start in range(len(found)):
        for length in words.lengths_at(syllables, start):
            marked[start : start + length] = [True] * length
    spans: list[Span] = []
    for match, is_marked in zip(found, marked, strict=True):
        if not is_marked:
            continue
        if spans and not text[spans[-1][1] : match.start()].strip():
            spans[-1] = (spans[-1][0], match.end())
        else:
            spans.append((match.start(), match.end()))
    return spans


def _window(text: str, spans: list[Span], room: int) -> tuple[int, int]:
    """The `room`-long stretch of `text` holding the most marked characters."""
    budget = room - 2 * len(ELLIPSIS)
    starts = [0] + [start for start, _ in spans]

    def marked_inside(start: int) -> int:
        end = start + budget
        return sum(min(e, end) - max(s, start) for s, e in spans if s < end and e > start)

    start = max(starts, key=lambda s: (marked_inside(s), -s))
    start = max(0, min(start - 40, len(text) - budget))
    if start > 0:
        start = text.find(" ", start) + 1 or start
    end = start + budget
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    return start, end


def make_excerpt(
    passage: str,
    terms: Terms,
    bm25: SearchBackend,
    wording: frozenset[str] = frozenset(),
    room: int = MAX_EXCERPT_CHARS,
) -> Excerpt:
    """The passage's best run of sentences for a question with these terms and `wording`
    (`wording_pairs`; none for a bare topic), and the sentences after it, fitted to `room`
    characters and marked."""
    return fit_excerpt(_choose_sentences(passage, terms, bm25, wording, room), terms, room)


def fit_excerpt(chosen: str, terms: Terms, room: int = MAX_EXCERPT_CHARS) -> Excerpt:
    """`chosen` cut around its matches to `room` characters, matched words marked."""
    words = QueryWords.of(terms)
    if len(chosen) > room:
        start, end = _window(chosen, mark_spans(chosen, words), room)
        prefix = ELLIPSIS if start > 0 else ""
        suffix = ELLIPSIS if end < len(chosen) else ""
        chosen = prefix + chosen[start:end].strip() + suffix
    return Excerpt(chosen, tuple(mark_spans(chosen, words)))


def with_marks(excerpt: Excerpt, opening: str, closing: str, escape: Callable[[str], str]) -> str:
    """The excerpt with each marked span wrapped, every piece of text passed through `escape`."""
    pieces: list[str] = []
    position = 0
    for start, end in excerpt.marks:
        pieces.append(escape(excerpt.text[position:start]))
        pieces.append(opening + escape(excerpt.text[start:end]) + closing)
        position = end
    pieces.append(escape(excerpt.text[position:]))
    return "".join(pieces)
