"""Vietnamese text normalisation: Unicode NFC, one tone-mark placement, accent folding, sentences.

Every string that enters the index or a question goes through `normalize`, so "Thành uỷ" and
"Thành ủy", "hoà" and "hòa" (same word, different tone-mark placement) become identical.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook, dot below
SHAPE_MARKS = frozenset("\u0302\u0306\u031b")  # circumflex, breve, horn
VOWELS = frozenset("aeiouy")
# A text with at least this share of capital letters is typed in capitals throughout.
MOSTLY_UPPER = 0.6

# Letters, with any marks left apart: a text split at them holds them at its odd places.
_WORDS = re.compile(r"((?:[^\W\d_][\u0300-\u036f]*)+)")
# Soft hyphen, zero-width and bidi controls, word joiners, BOM, variation selectors (the
# U+FE0F after an emoji or a letter), and lone surrogates (from broken UTF-16 in JSON).
_INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufe00-\ufe0f"
    "\U000e0100-\U000e01ef\ud800-\udfff]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_OTHER_SPACE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")  # not " "
_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’»)]))\s+")
_OPENING = '"“‘«(-–— '
# "…,” - Bí thư Nguyễn Văn Nên nói.": after a closing quote, a dash opens the quote's attribution.
_ATTRIBUTION = re.compile(r"[\"”’»][.!?…]?$")
_DASHES = ("-", "–", "—")


def letters(word: str) -> list[str]:
    """Split a word into letters, each an NFD base character followed by its combining marks."""
    result: list[str] = []
    for char in unicodedata.normalize("NFD", word):
        if unicodedata.combining(char) and result:
            result[-1] += char
        else:
            result.append(char)
    return result


def _is_vowel(letter: str) -> bool:
    return letter[0].lower() in VOWELS


def _vowel_cluster(letters: list[str]) -> list[int]:
    """Indices of the syllable's vowel nucleus, not counting the glide of "qu" and "gi"."""
    indices = [i for i, letter in enumerate(letters) if _is_vowel(letter)]
    head = "".join(letter[0] for letter in letters[:2]).lower()
    if head in ("qu", "gi") and len(indices) > 1 and indices[0] == 1:
        indices = indices[1:]
    return indices


def _tone_position(letters: list[str], cluster: list[int]) -> int:
    """Where the tone mark goes, following the traditional rule ("hòa", "thủy", "quốc")."""
    shaped = [i for i in cluster if SHAPE_MARKS & set(letters[i])]
    if shaped:
        return shaped[-1]
    if len(cluster) == 3:
        return cluster[1]
    if len(cluster) == 2:
        has_final_consonant = cluster[-1] < len(letters) - 1
        return cluster[1] if has_final_consonant else cluster[0]
    return cluster[0]


@functools.lru_cache(maxsize=1 << 16)
def place_tone(word: str) -> str:
    """Move the single tone mark of a Vietnamese syllable to its canonical vowel."""
    parts = letters(word)
    toned = [i for i, letter in enumerate(parts) for mark in letter if mark in TONE_MARKS]
    if len(toned) != 1:  # none, or several (not Vietnamese: moving one would not settle)
        return unicodedata.normalize("NFC", word)
    tone = next(mark for mark in parts[toned[0]] if mark in TONE_MARKS)
    cluster = _vowel_cluster(parts)
    if not cluster:
        return unicodedata.normalize("NFC", word)
    parts[toned[0]] = parts[toned[0]].replace(tone, "")
    target = _tone_position(parts, cluster)
    parts[target] += tone
    return unicodedata.normalize("NFC", "".join(parts))


def normalize(text: str) -> str:
    """NFC, canonical tone marks, invisible and control characters removed, spaces collapsed."""
    text = _INVISIBLE.sub("", text)  # first: removing one may bring a mark next to its letter
    text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    if "  " in text or _OTHER_SPACE.search(text):  # most texts have single " " only
        text = _SPACES.sub(" ", text)
    text = " ".join(map(_PIECES.__getitem__, text.split(" ")))  # no word holds a space
    return unicodedata.normalize("NFC", text)  # a mark left outside a word may compose now


def shown_day(day: date) -> str:
    """A day as Vietnamese readers write it: 12/08/2025."""
    return f"{day:%d/%m/%Y}"


def shown_name(name: str) -> str:
    """A file name safe to show on a terminal or in a chat: control and format characters
    (bidi overrides that reorder what follows, escapes) written as \\uXXXX."""
    return "".join(
        f"\\u{ord(char):04x}" if unicodedata.category(char) in ("Cc", "Cf", "Cs") else char
        for char in name
    )


class Memo(dict[K, V]):
    """`function` of each key, computed once: a lookup is as fast as a dict's (a `Memo` of
    character codes is a `str.translate` table). Emptied when it holds `limit` keys, as a flood
    of rare ones would otherwise keep it growing."""

    def __init__(self, function: Callable[[K], V], limit: int = 1 << 18) -> None:
        super().__init__()
        self.function, self.limit = function, limit

    def __missing__(self, key: K) -> V:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.function(key)
        return value


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _tones_placed(piece: str) -> str:
    """`piece`, text without spaces, with the tone mark of each of its words placed."""
    parts = _WORDS.split(piece)
    parts[1::2] = map(place_tone, parts[1::2])
    return "".join(parts)


# Each piece of text between spaces met, its tone marks placed: `normalize` looks most up.
_PIECES = Memo[str, str](_tones_placed)
# A text decomposes character by character, and how its marks are reordered cannot matter once
# every mark is gone: folding each character folds the text.
_FOLDS = Memo[int, str](lambda code: _folded(chr(code)))


def fold(text: str) -> str:
    """Strip every diacritic: "Thành ủy" -> "Thanh uy", "Đảng" -> "Dang"."""
    return text.translate(_FOLDS)


def has_diacritics(text: str) -> bool:
    return fold(text) != text


def case_tells(text: str) -> bool:
    """Capitals mark names and abbreviations only when the text is not typed in capitals
    throughout."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) < MOSTLY_UPPER * len(letters)


def comparable(text: str) -> str:
    """The form two texts are compared in: normalised, lower-case, single spaces."""
    return " ".join(normalize(text).lower().split())


def sentences(text: str) -> list[str]:
    """Split a paragraph after . ! ? or … where the next part starts with a capital or digit.
    A ";" separates the items of one list ("các đồng chí: A, …; B, …"): it ends no sentence;
    nor does a quote followed by its attribution ("“…” - Bí thư Nguyễn Văn Nên nói.")."""
    merged: list[str] = []
    for part in _SENTENCE_BREAK.split(text.strip()):
        starts_lower = part.lstrip(_OPENING)[:1].islower()
        attributes = part.startswith(_DASHES) and bool(merged and _ATTRIBUTION.search(merged[-1]))
        if merged and (starts_lower or attributes):
            merged[-1] += " " + part
        elif part:
            merged.append(part)
    return merged
