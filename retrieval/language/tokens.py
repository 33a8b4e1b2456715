"""Tokenising: pyvi word segmentation -> the terms BM25 ranks on.

A text becomes three views, kept apart by a prefix so they never collide:
- words: pyvi's segmented words, lower-case, stopwords dropped ("bí_thư", "thành_ủy");
- syllables: every content syllable accent-folded ("~bi", "~thu"), so a question typed
  without diacritics, or segmented differently by pyvi, still meets the passage;
- bigrams: adjacent folded content syllables ("^bi_thu"), which keep word order and tell
  "thành ủy" from "Lê Thanh Liêm" when the marks are missing.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.language.aliases import contract_aliases
from retrieval.language.pyvi_model import word_list
from retrieval.language.segment import segment as pyvi_segment
from retrieval.language.segment import segment_all as pyvi_segment_all
from retrieval.language.text import Memo, fold

SYLLABLE = re.compile(r"[^\W_]+")  # a syllable as written: letters and digits between the rest
SYLLABLE_PREFIX = "~"
BIGRAM_PREFIX = "^"
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


@functools.cache
def stopwords() -> frozenset[str]:
    text = (Path(__file__).parent / "stopwords.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


@functools.cache
def question_words() -> tuple[str, ...]:
    """The stopwords of the list's "# question words" section: ai, gì, nào, bao_nhiêu… (the
    question particles after it, such as "hả" and "chưa", are not among them)."""
    text = (Path(__file__).parent / "stopwords.txt").read_text(encoding="utf-8")
    section = text.split("# question words\n", 1)[1].split("\n#", 1)[0]
    return tuple(line.strip() for line in section.splitlines() if line.strip())


def _without_punctuation(token: str) -> str:
    """A word of pyvi's output, lower-case, without the punctuation at the edges of its
    syllables; "" for punctuation alone."""
    syllables = (_EDGE_PUNCTUATION.sub("", part) for part in token.lower().split("_"))
    return "_".join(part for part in syllables if part)


_WORDS = Memo(_without_punctuation)
_FOLDED = Memo(fold)


def _folded_syllables(word: str) -> tuple[str, ...]:
    """A word's folded syllables: "bí_thư" -> ("bi", "thu")."""
    return tuple(map(_FOLDED.__getitem__, word.split("_")))


_FOLDED_SYLLABLES = Memo(_folded_syllables)


def words_of(segmented: str) -> list[str]:
    """The words of pyvi's output, lower-case, syllables joined by "_", punctuation gone."""
    return [word for word in map(_WORDS.__getitem__, segmented.split()) if word]


def segment(text: str) -> list[str]:
    """pyvi words of a normalised text, lower-case, syllables joined by "_", punctuation gone."""
    return words_of(pyvi_segment(text))


@functools.cache
def folded_lexicon_pairs() -> frozenset[str]:
    """pyvi's two-syllable words without their marks, joined by "_" ("bien_phong"): the words
    a question typed without marks may mean, whichever marks the corpus reads into it."""
    pairs = (line.split(" ") for line in word_list().split("\n"))
    return frozenset(fold("_".join(parts)) for parts in pairs if len(parts) == 2)


def is_stopword(word: str) -> bool:
    return word in stopwords()


@dataclass(frozen=True, slots=True)
class Terms:
    words: tuple[str, ...]
    syllables: tuple[str, ...]  # folded
    bigrams: tuple[str, ...]  # folded, "a_b"

    def all(self) -> list[str]:
        """The single term list BM25 sees: every view, each with its prefix."""
        return [
            *self.words,
            *map(SYLLABLE_PREFIX.__add__, self.syllables),
            *map(BIGRAM_PREFIX.__add__, self.bigrams),
        ]


# Numbers, dates and units in one written form, so "5,0" meets "5.0", "24 tháng 12" meets
# "24/12" (pyvi splits "24-12" alike), "100g" meets "100 g", "1.200" meets "1200",
# "số 05" meets "5", "covid19" meets "Covid-19", "khóa XI" meets "khóa 11".
# Each pattern starts with the character it is about (a digit, a comma), and what must not or
# must stand before it is checked after it ("\d(?<![\d.,]\d)" is "(?<![\d.,])\d"): the regex
# engine then skips every other position at once, instead of testing the condition there.
_THOUSANDS = re.compile(r"\d(?<![\d.,]\d)\d{0,2}(?:\.\d{3})+(?![.,]?\d)")
# A Roman numeral of two letters or more (II-XXXIX) after the word it numbers ("Đại hội XIII",
# "Quân khu VII"). One letter is too often a letter ("ông X"), and after a word in capitals it
# may be a syllable ("XI MĂNG", "VI KHUẨN").
_ROMAN = re.compile(
    r"(?<![^\W\d_])([^\W\d_]+)(\s+)(X{0,3}(?:IX|IV|VI{0,3}|I{1,3})|X{1,3})(?![^\W\d_])"
)
_ROMAN_AFTER_SPACE = re.compile(r"\s[IVX]+(?![^\W\d_])")  # in every match of _ROMAN
_DIGIT = re.compile(r"\d")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_NEXT_WORD = re.compile(r"\s+([^\W\d_]{2,})")
# Each form with what its match must hold, in lower case: a text whose lower case lacks it is
# not scanned for the form (no form writes what another needs, so the text as given tells).
_NUMBER_FORMS = (
    (re.compile(r",(?<=\d,)(?=\d)"), ".", ","),  # decimal comma
    (re.compile(r"(\d(?<!\w\d)\d?)\s+tháng\s+(\d{1,2})\b", re.IGNORECASE), r"\1/\2", "tháng"),
    (re.compile(r"(\d(?<!\w\d)\d?/\d{1,2})\s+năm\s+(\d{4})\b", re.IGNORECASE), r"\1/\2", "năm"),
    (re.compile(r"(\d)(?=[a-zµ]{1,3}\b)"), r"\1 ", ""),  # a unit glued to its number
    (re.compile(r"(\d)(?<=[^\W\d_]{3}\d)"), r" \1", ""),  # a number glued to its name: "covid19"
    # "Nghị quyết số 5", "số" in any case spelt out as IGNORECASE reads it (an "s" is also a
    # long "ſ"), so that the scan skips to each "s" at once
    (re.compile(r"[sSſ](?<!\w[sSſ])[ốỐ]\s+(?=\d)"), "", "ố"),
    (re.compile(r"0(?<![\d.,]0)0*(?=\d)"), "", "0"),  # leading zeros
)


def roman_value(numeral: str) -> int:
    """The value of a Roman numeral of I, V and X ("XIV" -> 14)."""
    values = [_ROMAN_VALUES[letter] for letter in numeral]
    following = [*values[1:], 0]
    pairs = zip(values, following, strict=True)
    return sum(-value if value < after else value for value, after in pairs)


def _arabic(match: re.Match[str]) -> str:
    word, space, numeral = match.groups()
    following = _NEXT_WORD.match(match.string, match.end())
    in_capitals = word.isupper() or (following is not None and following.group(1).isupper())
    if len(numeral) < 2 or in_capitals:
        return match.group()
    return f"{word}{space}{roman_value(numeral)}"


def canonical_numbers(text: str) -> str:
    """`text` with its numbers, dates and units in the one form the index keeps."""
    if _ROMAN_AFTER_SPACE.search(text):
        text = _ROMAN.sub(_arabic, text)
    if not _DIGIT.search(text):  # every other form is of digits
        return text
    text = _THOUSANDS.sub(lambda match: match.group().replace(".", ""), text)
    lowered = text.lower()
    for pattern, replacement, needed in _NUMBER_FORMS:
        if needed in lowered:
            text = pattern.sub(replacement, text)
    return text


def syllable_pairs(folded: Sequence[str]) -> list[str]:
    """Each pair of neighbouring folded syllables, as one term: "a_b"."""
    return list(map("_".join, itertools.pairwise(folded)))


def wording_pairs(text: str) -> frozenset[str]:
    """The folded pairs of neighbouring syllables of `text` as written, function words
    included ("ông quynh bị" -> "ong_quynh", "quynh_bi"): how a text is worded, which the
    terms, without their function words, do not say."""
    folded = [fold(syllable.lower()) for syllable in SYLLABLE.findall(contract_aliases(text))]
    return frozenset(syllable_pairs(folded))


# Nouns that name what they number and stand before it in the text, in digits or Roman
# numerals: "Điều 30" is a law's article 30, not any "30", so "điều" (also "thing", a
# stopword) stays before one. Not "khoản", "mục": a clause is written "2.", not "Khoản 2";
# not "quận", "phường": news writes "Q.1", "P.5".
NUMBERING_NOUNS = frozenset({"điều", "chương", "khóa"})


def terms_of_words(words: Sequence[str]) -> Terms:
    content, syllables = _content_and_syllables(words)
    return Terms(tuple(content), tuple(syllables), tuple(syllable_pairs(syllables)))


def _content_and_syllables(words: Sequence[str]) -> tuple[list[str], list[str]]:
    """The content words of `words` (stopwords dropped but a numbering noun before its number),
    and their folded syllables."""
    stop = stopwords()
    content = [
        word
        for word, after in itertools.zip_longest(words, words[1:], fillvalue="")
        if word not in stop or (word in NUMBERING_NOUNS and after.isdigit())
    ]
    syllables = list(itertools.chain.from_iterable(map(_FOLDED_SYLLABLES.__getitem__, content)))
    return content, syllables


# The term of each folded syllable and of each pair of them, made once: a passage's terms are
# then strings already hashed when they are counted.
_SYLLABLE_TERMS = Memo(SYLLABLE_PREFIX.__add__)
_BIGRAM_TERMS = Memo[tuple[str, str], str](lambda pair: BIGRAM_PREFIX + "_".join(pair))


def _all_terms_of_words(words: Sequence[str]) -> list[str]:
    """`terms_of_words(words).all()`."""
    content, syllables = _content_and_syllables(words)
    return [
        *content,
        *map(_SYLLABLE_TERMS.__getitem__, syllables),
        *map(_BIGRAM_TERMS.__getitem__, itertools.pairwise(syllables)),
    ]


def _prepared(text: str) -> str:
    """What pyvi segments: known abbreviations contracted, numbers in one form, lower case
    (pyvi segments "Phan Văn" and "phan văn" differently, and a question in capitals must get
    the same terms as the same question in lower case)."""
    return canonical_numbers(contract_aliases(text)).lower()


def analyze(text: str) -> Terms:
    """The terms of a normalised text (a passage or a question as understood)."""
    return terms_of_words(words_of(pyvi_segment(_prepared(text))))


def all_terms_of(texts: Sequence[str]) -> list[list[str]]:
    """`analyze(text).all()` of each text, faster than one at a time (pyvi's segmentation
    shared, each syllable's and pair's term made once)."""
    segmented = pyvi_segment_all([_prepared(text) for text in texts])
    return [_all_terms_of_words(words_of(words)) for words in segmented]
