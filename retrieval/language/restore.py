"""Diacritics restoration from the corpus vocabulary: "bi thu thanh uy" -> "bí thư thành ủy".

A question typed without marks is read as the likeliest sequence of corpus spellings: each
spelling weighed by how often the corpus writes it after the previous one (a bigram model,
decoded with Viterbi), so neighbours decide between forms ("thanh uy" -> "thành ủy", "Le Thanh
Liem" -> "Lê Thanh Liêm") and the decision for one syllable carries to the next ("cua co the"
-> "của cơ thể"). In a question typed with marks, a bare word is respelt only on clear evidence
from its neighbours. The restored question is what pyvi segments, so a bare question is
tokenised like its accented twin.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrieval.language.text import Memo, case_tells, fold, has_diacritics
from retrieval.language.tokens import SYLLABLE, question_words, stopwords

# Below this share of marked syllables a question counts as typed without diacritics: then
# every bare syllable is restored, not only those the corpus never writes bare.
MARKED_SHARE_OF_ACCENTED_QUESTION = 0.5
# In an accented question, a bare word is respelt only on this much evidence from its neighbours.
RESPELL_MIN_SUPPORT = 2
# Shorter words are too easily one edit from another word to count as a misspelt name.
NEAR_SPELLING_MIN_CHARS = 5
TWO_EDITS_MIN_CHARS = 9
# A word of a name this long may also be written one letter moved ("Ghandi" for "Gandhi").
MOVED_LETTER_MIN_CHARS = 6
# Absolute discounting of the bigram estimate: each pair seen gives up this much of a sighting
# to the spellings never seen after the same word, shared out by their corpus-wide frequency.
# A word seen before many different words thus passes on more than one always followed by the
# same few (Ney, Essen & Kneser 1994); it suits counts as sparse as one archive's.
PAIR_DISCOUNT = 0.5


# A pair of spellings is keyed by their two numbers in one integer: the first shifted by this.
_PAIR_SHIFT = 32
_SECOND = (1 << _PAIR_SHIFT) - 1
# Pairs added to `Sightings` wait until they are this many, or as many as those merged.
PAIRS_MERGED_FROM = 1 << 20


# Each syllable's lower case, made once: hashed once, not again where it is counted.
_LOWER = Memo(str.lower)


class Sightings:
    """The lower-case syllables and pairs of neighbouring syllables of texts, counted in the
    order they first occur: what `Vocabulary.add` of each text adds, made where the texts are
    tokenised, and added up batch after batch. Held as numbers, not as dicts of strings and
    tuples, which cost the process adding up the batches most of its time: each syllable is
    numbered once (`words`), and a pair keyed by its two numbers in one integer."""

    def __init__(self) -> None:
        self.words: list[str] = []  # each syllable, in the order first seen: its number
        self.counts: list[int] = []  # by number
        self.total = 0
        self._pairs = _KeyCounts()
        self._numbers: dict[str, int] | None = None  # made by the first `add`

    @classmethod
    def of(cls, texts: Iterable[str]) -> Sightings:
        lowered = [list(map(_LOWER.__getitem__, SYLLABLE.findall(text))) for text in texts]
        sizes = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered))
        syllables = list(itertools.chain.from_iterable(lowered))
        sightings = cls()
        sightings.words = list(dict.fromkeys(syllables))
        numbers = dict(zip(sightings.words, range(len(sightings.words)), strict=True))
        numbered = np.fromiter(map(numbers.__getitem__, syllables), np.int64, len(syllables))
        sightings.counts = np.bincount(numbered, minlength=len(numbers)).tolist()
        sightings.total = len(syllables)
        within = np.ones(len(syllables), dtype=bool)  # the syllable after it is in its text
        within[np.cumsum(sizes)[sizes > 0] - 1] = False
        keys = numbered[:-1][within[:-1]] << _PAIR_SHIFT | numbered[1:][within[:-1]]
        sightings._pairs = _KeyCounts(*_in_order_first_seen(keys, np.ones(keys.size, np.int64)))
        return sightings

    def add(self, other: Sightings) -> None:
        """`other`'s texts after these ones."""
        numbers = self._numbering()
        before = len(self.words)
        renumbered = [numbers.setdefault(word, len(numbers)) for word in other.words]
        self.words += [other.words[at] for at, n in enumerate(renumbered) if n >= before]
        self.counts += [0] * (len(self.words) - before)
        for number, count in zip(renumbered, other.counts, strict=True):
            self.counts[number] += count
        self.total += other.total
        keys, counts = other._pairs.merged()
        numbered = np.array(renumbered, dtype=np.int64)
        self._pairs.add(
            numbered[keys >> _PAIR_SHIFT] << _PAIR_SHIFT | numbered[keys & _SECOND], counts
        )

    def syllables(self) -> Iterator[tuple[str, int]]:
        """Each syllable and its count, in the order first seen."""
        return zip(self.words, self.counts, strict=True)

    def pairs(self) -> Iterator[tuple[tuple[str, str], int]]:
        """Each pair of syllables and its count, in the order first seen."""
        keys, counts = self._pairs.merged()
        words = self.words
        firsts, seconds = (keys >> _PAIR_SHIFT).tolist(), (keys & _SECOND).tolist()
        for first, second, count in zip(firsts, seconds, counts.tolist(), strict=True):
            yield (words[first], words[second]), count

    def _numbering(self) -> dict[str, int]:
        if self._numbers is None:
            self._numbers = dict(zip(self.words, range(len(self.words)), strict=True))
        return self._numbers


class _KeyCounts:
    """Integer keys with counts, in the order first seen. Keys added wait beside those merged
    until they are as many (and at least PAIRS_MERGED_FROM), then are merged in by one sort of
    them all: a batch's keys cost no dict lookups, and the sorts add up to a few of the whole."""

    def __init__(self, keys: np.ndarray | None = None, counts: np.ndarray | None = None) -> None:
        """`keys` distinct, in the order first seen, and their `counts`; none by default."""
        self._keys = np.zeros(0, dtype=np.int64) if keys is None else keys
        self._counts = np.zeros(0, dtype=np.int64) if counts is None else counts
        self._waiting: list[tuple[np.ndarray, np.ndarray]] = []
        self._waiting_size = 0

    def add(self, keys: np.ndarray, counts: np.ndarray) -> None:
        self._waiting.append((keys, counts))
        self._waiting_size += keys.size
        if self._waiting_size >= max(self._keys.size, PAIRS_MERGED_FROM):
            self.merged()

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        """The distinct keys in the order first seen, and their counts."""
        if self._waiting:
            keys = np.concatenate([self._keys, *(keys for keys, _ in self._waiting)])
            counts = np.concatenate([self._counts, *(counts for _, counts in self._waiting)])
            self._keys, self._counts = _in_order_first_seen(keys, counts)
            self._waiting, self._waiting_size = [], 0
        return self._keys, self._counts


def _in_order_first_seen(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct key once, in the order of its first place in `keys`, with the sum of its
    counts (exact: a float64 holds every integer a count reaches)."""
    distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    sums = np.bincount(inverse, weights=counts, minlength=distinct.size).astype(np.int64)
    order = np.argsort(first)
    return distinct[order], sums[order]


class PairCounts:
    """How often each pair of spellings stands together.

    Each spelling is numbered once and a pair is keyed by one integer of its two numbers. The
    pairs loaded from the index cache stay two arrays, the keys ascending and their counts,
    searched by bisection: made into a dict of some 660,000 integers they cost a warm start a
    quarter of a second. The counts changed since (a reload's) are a dict over them, a pair
    gone counted 0 there; a copy shares the arrays and copies that dict."""

    def __init__(
        self,
        words: list[str] | None = None,
        keys: np.ndarray | None = None,
        counts: np.ndarray | None = None,
    ) -> None:
        self.words = words if words is not None else []  # number -> spelling
        self.numbers = _numbered(self.words)
        self._keys = np.zeros(0, np.int64) if keys is None else keys
        self._counts = np.zeros(0, np.int64) if counts is None else counts
        if self._keys.size != self._counts.size or np.any(np.diff(self._keys) <= 0):
            raise ValueError("pair keys not ascending, or not one count each")
        self._changed: dict[int, int] = {}  # pair key -> n, since the arrays; 0: gone

    @staticmethod
    def key(first: int, second: int) -> int:
        return first << _PAIR_SHIFT | second

    def get(self, first: str, second: str) -> int:
        one, other = self.numbers.get(first), self.numbers.get(second)
        if one is None or other is None:
            return 0
        return self._count(self.key(one, other))

    def add(self, first: str, second: str, count: int) -> int:
        """Count the pair `count` more times (fewer when negative; gone at 0): +1 when the
        pair is new, -1 when it is gone, else 0."""
        key = self.key(self._number(first), self._number(second))
        before = self._count(key)
        after = self._changed[key] = max(before + count, 0)
        return (after > 0) - (before > 0)

    def items(self) -> Iterator[tuple[tuple[str, str], int]]:
        words = self.words
        for key, count in self._counted():
            yield (words[key >> _PAIR_SHIFT], words[key & _SECOND]), count

    def copy(self) -> PairCounts:
        twin = PairCounts.__new__(PairCounts)
        twin.__dict__.update(self.__dict__)
        twin.words, twin.numbers = list(self.words), dict(self.numbers)
        twin._changed = dict(self._changed)
        return twin

    def __len__(self) -> int:
        return sum(1 for _ in self._counted())

    def __eq__(self, other: object) -> bool:
        """The same pairs counted the same, however their spellings are numbered."""
        return isinstance(other, PairCounts) and dict(self.items()) == dict(other.items())

    def _count(self, key: int) -> int:
        changed = self._changed.get(key)
        if changed is not None or not self._keys.size:
            return changed or 0
        at = int(np.searchsorted(self._keys, key))
        return int(self._counts[at]) if at < self._keys.size and self._keys[at] == key else 0

    def _counted(self) -> Iterator[tuple[int, int]]:
        """Each pair's key and count, every count above 0."""
        changed = self._changed
        for key, count in zip(self._keys.tolist(), self._counts.tolist(), strict=True):
            if key not in changed:
                yield key, count
        yield from ((key, count) for key, count in changed.items() if count > 0)

    def _number(self, spelled: str) -> int:
        number = self.numbers.get(spelled)
        if number is None:
            number = self.numbers[spelled] = len(self.words)
            self.words.append(spelled)
        return number


def _numbered(words: list[str]) -> dict[str, int]:
    """Each of `words` -> its place; ValueError when one is there twice."""
    numbers = dict(zip(words, range(len(words)), strict=True))
    if len(numbers) != len(words):
        raise ValueError("a spelling numbered twice")
    return numbers


@dataclass
class Vocabulary:
    """How the corpus spells each folded syllable, and how often two spellings stand together.

    Flat dicts of counts: cheap to copy (a live index copies, then updates, then swaps) and to
    update one article at a time (`add` with sign -1 removes a text). `openings`, `followers`
    and `total` are what `forms` and `pairs` add up to, kept up to date as they change."""

    forms: dict[str, dict[str, int]] = field(default_factory=dict)  # folded -> spelled -> n
    pairs: PairCounts = field(default_factory=PairCounts)
    total: int = 0  # syllables counted in `forms`
    # spelled -> how many pairs it opens, and how many distinct spellings follow it there
    openings: dict[str, int] = field(default_factory=dict)
    followers: dict[str, int] = field(default_factory=dict)

    @classmethod
    def counted(
        cls,
        forms: dict[str, dict[str, int]],
        words: list[str],
        pairs: np.ndarray,
        counts: np.ndarray,
    ) -> Vocabulary:
        """The vocabulary of `forms` and of the pairs whose spellings' numbers in `words` are
        the rows of `pairs` (n x 2), counted `counts`: as the index cache holds it. Its sums
        are made in arrays: a warm start makes one of some 100,000 spellings and 660,000
        pairs. ValueError for a number that names no spelling."""
        if pairs.size and (pairs.min() < 0 or pairs.max() >= len(words)):
            raise ValueError("a pair of unknown spellings")
        firsts = pairs[:, 0].astype(np.int64)
        keys = firsts << _PAIR_SHIFT | pairs[:, 1]
        openings = np.zeros(len(words), dtype=np.int64)
        np.add.at(openings, firsts, counts)
        followers = np.bincount(firsts, minlength=len(words))
        opening = np.flatnonzero(followers).tolist()
        opening_words = [words[number] for number in opening]
        return cls(
            forms,
            PairCounts(words, keys, counts),
            sum(map(sum, map(dict.values, forms.values()))),
            dict(zip(opening_words, openings[opening].tolist(), strict=True)),
            dict(zip(opening_words, followers[opening].tolist(), strict=True)),
        )

    def add(self, text: str, sign: int = 1) -> None:
        syllables = [s.lower() for s in SYLLABLE.findall(text)]
        self.total += sign * len(syllables)
        for spelled in syllables:
            spellings = self.forms.setdefault(fold(spelled), {})
            _bump(spellings, spelled, sign)
            if not spellings:
                del self.forms[fold(spelled)]
        for first, second in itertools.pairwise(syllables):
            self._add_pair(first, second, sign)

    def add_sightings(self, sightings: Sightings) -> None:
        """What `add` of each text of `sightings` does, in the same order."""
        self.total += sightings.total
        for spelled, count in sightings.syllables():
            spellings = self.forms.setdefault(fold(spelled), {})
            spellings[spelled] = spellings.get(spelled, 0) + count
        for (first, second), count in sightings.pairs():
            self._add_pair(first, second, count)

    def _add_pair(self, first: str, second: str, count: int) -> None:
        if change := self.pairs.add(first, second, count):
            _bump(self.followers, first, change)
        _bump(self.openings, first, count)

    @classmethod
    def of(cls, texts: Iterable[str]) -> Vocabulary:
        vocabulary = cls()
        for text in texts:
            vocabulary.add(text)
        return vocabulary

    def copy(self) -> Vocabulary:
        forms = {folded: dict(spellings) for folded, spellings in self.forms.items()}
        return Vocabulary(
            forms, self.pairs.copy(), self.total, dict(self.openings), dict(self.followers)
        )

    def has_near_spelling(self, word: str) -> bool:
        """Whether the corpus writes a word a typo away from `word` (`near_forms`: "Yamunagar"
        for the corpus's "Yamunanagar"); shorter words are too easily a typo of another word."""
        return next(self.near_forms(word), None) is not None

    def near_spelling(self, word: str) -> str | None:
        """The corpus's spelling of the one word a typo away from `word`, which the corpus
        never writes ("Metfomin" for "metformin"); None when there is none, or several."""
        if fold(word.lower()) in self.forms:
            return None
        near = list(itertools.islice(self.near_forms(word), 2))
        if len(near) != 1:
            return None
        spellings = self.forms[near[0]]
        return max(sorted(spellings), key=spellings.__getitem__)

    def near_forms(self, word: str) -> Iterator[str]:
        """The folded corpus words a typo away from `word`: one edit for a word of
        NEAR_SPELLING_MIN_CHARS letters, two from TWO_EDITS_MIN_CHARS, or one letter moved
        from MOVED_LETTER_MIN_CHARS ("Einstien", "Ghandi")."""
        folded = fold(word.lower())
        if len(folded) < NEAR_SPELLING_MIN_CHARS:
            return iter(())
        edits = 1 if len(folded) < TWO_EDITS_MIN_CHARS else 2
        movable = len(folded) >= MOVED_LETTER_MIN_CHARS
        return (
            form
            for form in self.forms
            if form != folded
            and (within_edits(form, folded, edits) or (movable and one_letter_moved(form, folded)))
        )

    def _spellings_of(self, neighbour: str) -> list[str]:
        """A typed neighbour's possible spellings: itself when marked, else the corpus's."""
        return [neighbour] if has_diacritics(neighbour) else list(self.forms.get(neighbour, ()))

    def context(self, syllable: str, left: str | None, right: str | None) -> Counter[str]:
        """How often each spelling of a folded syllable stands beside these neighbours."""
        support: Counter[str] = Counter()
        lefts = self._spellings_of(left) if left is not None else []
        rights = self._spellings_of(right) if right is not None else []
        for form in self.forms.get(syllable, ()):
            support[form] += sum(self.pairs.get(spelled, form) for spelled in lefts)
            support[form] += sum(self.pairs.get(form, spelled) for spelled in rights)
        return support

    def respell(self, typed: str, left: str | None, right: str | None) -> str:
        """The corpus spelling of a lower-case bare syllable of a question typed with marks:
        respelt only where its neighbours appear beside another spelling and never beside this
        one, at least RESPELL_MIN_SUPPORT times when the corpus also writes the word bare:
        "Long An" stays, "Thanh ủy" becomes "Thành ủy", "tượng trưng cho" stays though one
        article once wrote "chở bao".
        """
        candidates = self.forms.get(typed)
        if not candidates:
            return typed
        support = self.context(typed, left, right)
        needed = RESPELL_MIN_SUPPORT if typed in candidates else 1
        if max(support.values(), default=0) < needed or support[typed]:
            return typed  # a name, or a word as typed: too little evidence to respell it
        return max(candidates, key=lambda form: (support[form], candidates[form], form))

    def count(self, spelled: str) -> int:
        return self.forms.get(fold(spelled), {}).get(spelled, 0)

    def follows(self, previous: str | None, spelled: str) -> float:
        """log P(spelled | previous): the pair's count less PAIR_DISCOUNT, plus the discounted
        mass shared by the spelling's share of the corpus (half a sighting for one it never
        writes); only the share when nothing comes before, or a word never seen before another."""
        share = (self.count(spelled) + 0.5) / (self.total + 0.5)
        openings = self.openings.get(previous, 0) if previous is not None else 0
        if previous is None or not openings:
            return math.log(share)
        seen = max(self.pairs.get(previous, spelled) - PAIR_DISCOUNT, 0)
        passed_on = PAIR_DISCOUNT * self.followers[previous] * share
        return math.log((seen + passed_on) / openings)

    def likeliest(self, options: list[list[str]]) -> list[str]:
        """The likeliest sequence taking one spelling from each list of `options` (Viterbi over
        `follows`; ties go to the alphabetically last, as in `respell`)."""
        best: dict[str, tuple[float, list[str]]] = {"": (0.0, [])}
        for choices in options:
            step: dict[str, tuple[float, list[str]]] = {}
            for spelled in choices:
                score, path = max(
                    (score + self.follows(path[-1] if path else None, spelled), path)
                    for score, path in best.values()
                )
                step[spelled] = (score, [*path, spelled])
            best = step
        return max(best.values())[1] if options else []

    def posteriors(self, options: list[list[str]]) -> list[dict[str, float]]:
        """For each list of `options`, the probability of each spelling over every sequence
        `likeliest` weighs (forward-backward over `follows`)."""
        if not options:
            return []
        forward = [{spelled: self.follows(None, spelled) for spelled in options[0]}]
        for before, choices in itertools.pairwise(options):
            forward.append(
                {
                    spelled: _log_sum([forward[-1][p] + self.follows(p, spelled) for p in before])
                    for spelled in choices
                }
            )
        backward = [dict.fromkeys(options[-1], 0.0)]
        for later, earlier in itertools.pairwise(reversed(options)):
            backward.insert(
                0,
                {
                    spelled: _log_sum([self.follows(spelled, n) + backward[0][n] for n in later])
                    for spelled in earlier
                },
            )
        total = _log_sum(list(forward[-1].values()))
        return [
            {spelled: math.exp(ahead[spelled] + behind[spelled] - total) for spelled in ahead}
            for ahead, behind in zip(forward, backward, strict=True)
        ]

    def question_word(self, spelled: str, left: str | None, right: str | None) -> str:
        """A one-syllable question word typed bare ("nao") as the question word, unless its
        neighbours stand beside another spelling at least RESPELL_MIN_SUPPORT times and more
        often ("bat dau" -> "bắt đầu"): articles rarely ask questions, so the corpus alone
        would spell "nào" as the "não" a health corpus writes far more often."""
        support = self.context(fold(spelled), left, right)
        best = max(support, key=lambda form: (support[form], form), default=spelled)
        if support[best] >= RESPELL_MIN_SUPPORT and support[best] > support[spelled]:
            return best
        return spelled


def within_edits(first: str, second: str, limit: int) -> bool:
    """At most `limit` letters inserted, deleted or replaced turn one string into the other
    (Levenshtein, given up as soon as every alignment has cost more)."""
    if abs(len(first) - len(second)) > limit:
        return False
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i]
        for j, b in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def one_letter_moved(first: str, second: str) -> bool:
    """Whether moving one letter of `first` to another place gives `second` ("ghandi" ->
    "gandhi"): where the two differ, one is the other with its first letter moved to its end."""
    if len(first) != len(second) or first == second:
        return False
    start = next(i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b)
    end = len(first) - next(
        i for i, (a, b) in enumerate(zip(first[::-1], second[::-1], strict=True)) if a != b
    )
    one, other = first[start:end], second[start:end]
    return one[1:] + one[0] == other or other[1:] + other[0] == one


def _bump(counts: dict[Any, int], key: object, sign: int) -> None:
    count = counts.get(key, 0) + sign
    if count > 0:
        counts[key] = count
    else:
        counts.pop(key, None)


def _log_sum(logs: list[float]) -> float:
    """log(sum(exp(x) for x in logs)), without overflow."""
    top = max(logs)
    return top + math.log(math.fsum(math.exp(x - top) for x in logs))


def _match_case(form: str, typed: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return form.upper()
    if typed[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


def _question_words() -> tuple[dict[tuple[str, ...], tuple[str, ...]], dict[str, str]]:
    """The question words, folded -> spelled: phrases ("bao nhieu" -> "bao nhiêu"), restored
    whole whatever the corpus says, and single words ("nao" -> "nào"), weighed in context."""
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    words: dict[str, str] = {}
    for word in question_words():
        syllables = tuple(word.split("_"))
        if len(syllables) > 1:
            phrases[tuple(fold(s) for s in syllables)] = syllables
        else:
            words[fold(word)] = word
    return phrases, words


@functools.cache
def _function_syllables() -> frozenset[str]:
    """The one-syllable stopwords ("có", "của", "là"): a neighbour like these says nothing
    about which word a bare syllable is ("nao có" is "nào có" as often as "não có")."""
    return frozenset(word for word in stopwords() if "_" not in word)


@functools.cache
def _folded_function_syllables() -> frozenset[str]:
    return frozenset(fold(word) for word in _function_syllables())


def _says_nothing(neighbour: str | None, spelled: bool) -> bool:
    """Whether a neighbour is no evidence: missing, or a function word — as spelled when it
    is (restored, or typed with marks: "ban đầu" is evidence though "bạn" is a function
    word), else in any spelling ("co")."""
    if neighbour is None:
        return True
    if spelled or has_diacritics(neighbour):
        return neighbour in _function_syllables()
    return neighbour in _folded_function_syllables()


def _phrase_spellings(
    lowered: list[str], phrases: dict[tuple[str, ...], tuple[str, ...]]
) -> dict[int, str]:
    """Position -> spelling, for the syllables of the question-word phrases typed bare."""
    spelled: dict[int, str] = {}
    for folded, spelling in phrases.items():
        for start in range(len(lowered) - len(folded) + 1):
            if tuple(lowered[start : start + len(folded)]) == folded:
                spelled.update(enumerate(spelling, start=start))
    return spelled


def _is_markable(syllable: str, vocabulary: Vocabulary) -> bool:
    """Whether a syllable could carry marks: it does, or the corpus spells it with some."""
    if has_diacritics(syllable):
        return True
    return any(has_diacritics(form) for form in vocabulary.forms.get(syllable, ()))


def correct_typos(question: str, vocabulary: Vocabulary) -> str:
    """The question with each bare word the corpus never writes, of NEAR_SPELLING_MIN_CHARS
    letters or more, spelled as the one corpus word a typo away from it, when there is exactly
    one ("Metfomin" -> "Metformin"): BM25 would find nothing for it."""

    def corrected(match: re.Match[str]) -> str:
        typed = match.group()
        # never a number, and never a word typed with marks: those are meant as typed
        correctable = typed.isalpha() and not has_diacritics(typed)
        near = vocabulary.near_spelling(typed) if correctable else None
        return _match_case(near, typed) if near else typed

    return SYLLABLE.sub(corrected, question)


def restore_diacritics(question: str, vocabulary: Vocabulary) -> str:
    """The question with bare syllables spelled as the corpus spells them (question words as
    question words). A syllable typed with marks is never changed, nor a word in capitals in a
    question not typed in capitals throughout (an abbreviation). A question with marks on at
    least MARKED_SHARE_OF_ACCENTED_QUESTION of the syllables that can carry them ("Covid", "19"
    cannot) was typed with diacritics: its bare words are mostly meant bare."""
    matches = list(SYLLABLE.finditer(question))
    lowered = [m.group().lower() for m in matches]
    typed_bare = _typed_bare(lowered, vocabulary)
    phrases, words = _question_words()
    fixed = _fixed_spellings(question, matches, phrases)
    options = _options(lowered, fixed, vocabulary)
    restored = vocabulary.likeliest(options) if typed_bare else list(lowered)
    for i, syllable in enumerate(lowered):
        if i in fixed:
            restored[i] = fixed[i]
            continue
        left = restored[i - 1] if i > 0 else None
        right = lowered[i + 1] if i + 1 < len(lowered) else None
        if syllable in words:
            restored[i] = _question_word(words[syllable], left, right, typed_bare, vocabulary)
        elif not typed_bare:
            restored[i] = vocabulary.respell(syllable, left, right)
    return _respelt(question, matches, restored)


def reading_certainty(question: str, vocabulary: Vocabulary) -> float:
    """How sure the reading of a question typed bare is: the mean probability of the spelling
    `restore_diacritics` gives each syllable that may be a content word and that the corpus
    writes in more than one way (`Vocabulary.posteriors`); 1.0 for a question typed with
    marks. Off the corpus's topics the reading is bent into the corpus's own words ("thi dua"
    read "thì đưa" by a health archive that never writes "thi đua"), and unsure."""
    matches = list(SYLLABLE.finditer(question))
    lowered = [m.group().lower() for m in matches]
    if not _typed_bare(lowered, vocabulary):
        return 1.0
    options = _options(
        lowered, _fixed_spellings(question, matches, _question_words()[0]), vocabulary
    )
    chosen = vocabulary.likeliest(options)
    posteriors = vocabulary.posteriors(options)
    function_syllables = _folded_function_syllables()
    shares = [
        posterior[spelled]
        for syllable, choices, spelled, posterior in zip(
            lowered, options, chosen, posteriors, strict=True
        )
        if len(choices) > 1 and syllable not in function_syllables
    ]
    return statistics.fmean(shares) if shares else 1.0


def _options(lowered: list[str], fixed: dict[int, str], vocabulary: Vocabulary) -> list[list[str]]:
    """Each syllable's possible spellings in a question typed bare: the `fixed` one alone, or
    the corpus's."""
    return [[fixed[i]] if i in fixed else _spellings(s, vocabulary) for i, s in enumerate(lowered)]


def _typed_bare(lowered: list[str], vocabulary: Vocabulary) -> bool:
    """Whether fewer than MARKED_SHARE_OF_ACCENTED_QUESTION of the syllables that can carry
    marks carry them."""
    markable = [s for s in lowered if _is_markable(s, vocabulary)]
    marked = sum(has_diacritics(s) for s in markable)
    return marked < MARKED_SHARE_OF_ACCENTED_QUESTION * max(len(markable), 1)


def _fixed_spellings(
    question: str,
    matches: list[re.Match[str]],
    phrases: dict[tuple[str, ...], tuple[str, ...]],
) -> dict[int, str]:
    """Position -> spelling of the syllables never restored otherwise: those typed with marks,
    those of question-word phrases typed bare, and abbreviations ("NQ/TU") meant as typed."""
    lowered = [m.group().lower() for m in matches]
    fixed = {i: s for i, s in enumerate(lowered) if has_diacritics(s)}
    fixed |= _phrase_spellings(lowered, phrases)
    if case_tells(question):
        fixed |= {i: lowered[i] for i, m in enumerate(matches) if _is_acronym(m.group())}
    return fixed


def _question_word(
    spelled: str, left: str | None, right: str | None, typed_bare: bool, vocabulary: Vocabulary
) -> str:
    """A one-syllable question word, weighed on its neighbours where they say something: the
    left one as restored when the question was typed bare, the right one as typed."""
    evidence = [
        None if _says_nothing(left, spelled=typed_bare) else left,
        None if _says_nothing(right, spelled=False) else right,
    ]
    return vocabulary.question_word(spelled, *evidence)


def _respelt(question: str, matches: list[re.Match[str]], forms: list[str]) -> str:
    """The question with each syllable of `matches` replaced by its form, in its case."""
    pieces: list[str] = []
    position = 0
    for match, form in zip(matches, forms, strict=True):
        pieces.append(question[position : match.start()])
        pieces.append(_match_case(form, match.group()))
        position = match.end()
    pieces.append(question[position:])
    return "".join(pieces)


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.isalpha() and word.isupper()


def _spellings(syllable: str, vocabulary: Vocabulary) -> list[str]:
    """A bare syllable's possible spellings: the corpus's, or itself when the corpus lacks it."""
    return sorted(vocabulary.forms.get(syllable, ())) or [syllable]
