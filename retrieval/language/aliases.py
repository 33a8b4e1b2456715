"""Abbreviations and full forms: "Thành phố Hồ Chí Minh", "TP.HCM" and "TPHCM" are one term.

`contract_aliases` rewrites every known form of a concept (from `aliases.tsv`) into its
abbreviation before tokenising, in passages and questions alike, so either form in a question
meets either form in a passage. Matching ignores case and diacritics (a bare "uy ban nhan dan"
is "UBND" too) and treats a space in a form as "a dot, a hyphen, spaces or nothing".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from retrieval.language.text import Memo, fold

ALIASES_FILE = Path(__file__).parent / "aliases.tsv"
# Abbreviations of a common noun that articles complete with a name or leave out: "HĐND TP" is
# written "HĐND TPHCM", "HĐND TP Hà Nội" or "HĐND thành phố". At the end of a name it names
# nothing (inside one, "TP Thủ Đức", it is part of it).
GENERIC_ENDS = frozenset({"TP"})
_SEPARATOR = r"[\s.\-–]*"


_ALIGNED_FOLDS = Memo[int, str](lambda code: fold(chr(code)).lower()[:1] or chr(code))


def fold_aligned(text: str) -> str:
    """Lower-case, accent-folded `text` with one character per character of the input (itself
    where folding leaves none)."""
    return text.translate(_ALIGNED_FOLDS)


def _form_pattern(form: str) -> str:
    words = fold_aligned(form).split()
    return _SEPARATOR.join(re.escape(word) for word in words)


@functools.cache
def alias_table() -> dict[str, str]:
    """Folded-form regex source -> abbreviation, from aliases.tsv."""
    table: dict[str, str] = {}
    for line in ALIASES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        abbreviation, _, forms = line.partition("\t")
        for form in [abbreviation, *forms.split("|")]:
            if form.strip():
                table[_form_pattern(form)] = abbreviation.strip()
    return table


@functools.cache
def abbreviations() -> frozenset[str]:
    return frozenset(alias_table().values())


@functools.cache
def _alias_regex() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """Every known form, tried longest pattern first, in one regex: each form ends in an empty
    group of its own (`Match.lastindex` tells which matched), and the abbreviation of each
    group. The forms share the branches of their common openings (`_trie`), so that the scan
    tries at each position only the forms that can go on with its characters."""
    table = alias_table()
    patterns = sorted(table, key=len, reverse=True)
    numbers: list[int] = []  # the form of each group, in the order the groups are written
    body = _trie([(_tokens(pattern), number) for number, pattern in enumerate(patterns)], numbers)
    regex = re.compile(rf"(?<![0-9a-z])(?:{body})(?![0-9a-z])")
    return regex, tuple(table[patterns[number]] for number in numbers)


# A form's tokens left to match, and the form's number.
Alternative = tuple[tuple[str, ...], int]


def _tokens(pattern: str) -> tuple[str, ...]:
    """A form's pattern as its tokens: each character of its words (escaped), a separator
    between two of them."""
    tokens: list[str] = []
    for number, word in enumerate(pattern.split(_SEPARATOR)):
        tokens += [_SEPARATOR] if number else []
        tokens += re.findall(r"\\.|.", word, re.DOTALL)
    return tuple(tokens)


def _trie(alternatives: list[Alternative], numbers: list[int]) -> str:
    """The regex of `alternatives`, tried in their order, those of each branch (`_branches`)
    written once with their first token in common; each form's number added to `numbers` as
    its group is written."""
    written: list[str] = []
    for branch in _branches(alternatives):
        tokens, number = branch[0]
        if len(branch) == 1:
            numbers.append(number)
            written.append("".join(tokens) + "()")
        else:
            rest = _trie([(tokens[1:], number) for tokens, number in branch], numbers)
            written.append(f"{tokens[0]}(?:{rest})")
    return "|".join(written)


def _branches(alternatives: list[Alternative]) -> list[list[Alternative]]:
    """The alternatives in the order they are tried, those opening with the same letter as one
    branch. An alternative is moved up to an earlier one of its letter only past others opening
    with other letters, which cannot match where it does; one opening with a separator (which
    may match nothing) or with nothing left could, and nothing is moved past it."""
    branches: list[list[Alternative]] = []
    by_letter: dict[str, list[Alternative]] = {}  # the branches opened since the last barrier
    for alternative in alternatives:
        tokens = alternative[0]
        if tokens and tokens[0].isalnum():
            if tokens[0] not in by_letter:
                by_letter[tokens[0]] = []
                branches.append(by_letter[tokens[0]])
            by_letter[tokens[0]].append(alternative)
        else:
            branches.append([alternative])
            by_letter = {}
    return branches


class Contracted(NamedTuple):
    text: str
    pieces: tuple[tuple[int, int, int, int], ...]  # (start, end) here -> (start, end) in the input

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Where the contracted text's [start, end) came from in the input."""
        first = next(p for p in self.pieces if p[0] <= start < p[1] or p[0] == start)
        last = next(p for p in reversed(self.pieces) if p[0] < end <= p[1] or p[1] == end)

        def at(piece: tuple[int, int, int, int], offset: int, is_end: bool) -> int:
            here_start, here_end, there_start, there_end = piece
            if here_end - here_start == there_end - there_start:
                return there_start + offset - here_start
            return there_end if is_end else there_start

        return at(first, start, False), at(last, end, True)


def _replacements(text: str) -> Iterator[tuple[int, int, str]]:
    """Where each known form is in `text` ([start, end)), and its abbreviation."""
    regex, abbreviations = _alias_regex()
    for match in regex.finditer(fold_aligned(text)):
        yield match.start(), match.end(), abbreviations[match.lastindex - 1]  # type: ignore[operator]


def contract_with_sources(text: str) -> Contracted:
    """`text` with every known form of a concept replaced by its abbreviation, and a map back."""
    out: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    here = position = 0

    def emit(piece: str, start: int, end: int) -> None:
        nonlocal here
        if piece or start != end:
            out.append(piece)
            pieces.append((here, here + len(piece), start, end))
            here += len(piece)

    for start, end, abbreviation in _replacements(text):
        emit(text[position:start], position, start)
        emit(abbreviation, start, end)
        position = end
    emit(text[position:], position, len(text))
    return Contracted("".join(out), tuple(pieces))


def contract_aliases(text: str) -> str:
    """`text` with every known form of a concept replaced by its abbreviation (what
    `contract_with_sources` gives, without the map back)."""
    out: list[str] = []
    position = 0
    for start, end, abbreviation in _replacements(text):
        out += (text[position:start], abbreviation)
        position = end
    out.append(text[position:])
    return "".join(out)
