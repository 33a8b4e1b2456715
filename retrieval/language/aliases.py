"""Abbreviations and full forms: "Thành phố Hồ Chí Minh", "TP.HCM" and "TPHCM" are one term.

`contract_aliases` rewrites every known form of a concept (from `aliases.tsv`) into its
abbreviation before tokenising, in passages and questions alike, so either form in a question
meets either form in a passage. Matching ignores case and diacritics (a bare "uy ban nhan dan"
is "UBND" too) and treats a space in a form as "a dot, a hyphen, spaces or nothing".
"""

from __future__ import annotations

import functools
import re
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
    """Every known form, one group each, and the abbreviation of each group. The forms are
    tried longest pattern first; grouped by their first character (the order within a group
    kept), so that the scan tries at each position only the forms that can start there."""
    by_first: dict[str, list[str]] = {}
    for pattern in sorted(alias_table(), key=len, reverse=True):
        first = pattern[: 2 if pattern.startswith("\\") else 1]  # a character, maybe escaped
        by_first.setdefault(first, []).append(pattern)
    branches = (
        first + "(?:" + "|".join(f"({pattern[len(first) :]})" for pattern in patterns) + ")"
        for first, patterns in by_first.items()
    )
    regex = re.compile(rf"(?<![0-9a-z])(?:{'|'.join(branches)})(?![0-9a-z])")
    grouped = [pattern for patterns in by_first.values() for pattern in patterns]
    return regex, tuple(alias_table()[pattern] for pattern in grouped)


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


def contract_with_sources(text: str) -> Contracted:
    """`text` with every known form of a concept replaced by its abbreviation, and a map back."""
    regex, abbreviations = _alias_regex()
    out: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    here = position = 0

    def emit(piece: str, start: int, end: int) -> None:
        nonlocal here
        if piece or start != end:
            out.append(piece)
            pieces.append((here, here + len(piece), start, end))
            here += len(piece)

    for match in regex.finditer(fold_aligned(text)):
        emit(text[position : match.start()], position, match.start())
        emit(abbreviations[match.lastindex - 1], match.start(), match.end())  # type: ignore[operator]
        position = match.end()
    emit(text[position:], position, len(text))
    return Contracted("".join(out), tuple(pieces))


def contract_aliases(text: str) -> str:
    """`text` with every known form of a concept replaced by its abbreviation."""
    return contract_with_sources(text).text
