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

from retrieval.text import fold

ALIASES_FILE = Path(__file__).parent / "aliases.tsv"
_SEPARATOR = r"[\s.\-–]*"


def fold_aligned(text: str) -> str:
    """Lower-case, accent-folded `text` with one character per character of the input."""
    return "".join(fold(char).lower()[:1] or char for char in text)


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
def _alias_regex() -> re.Pattern[str]:
    longest_first = sorted(alias_table(), key=len, reverse=True)
    alternatives = "|".join(f"({pattern})" for pattern in longest_first)
    return re.compile(rf"(?<![0-9a-z])(?:{alternatives})(?![0-9a-z])")


def contract_aliases(text: str) -> str:
    """`text` with every known form of a concept replaced by its abbreviation."""
    regex = _alias_regex()
    abbreviations = [alias_table()[p] for p in sorted(alias_table(), key=len, reverse=True)]
    pieces: list[str] = []
    position = 0
    for match in regex.finditer(fold_aligned(text)):
        pieces.append(text[position : match.start()])
        pieces.append(abbreviations[match.lastindex - 1])  # type: ignore[operator]
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)
