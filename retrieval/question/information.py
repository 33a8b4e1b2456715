"""How much of a question a text holds: the question's terms found in it, and their idf mass.

Ranking weighs a passage's sentences with it (`confidence.sentence_share`), the reply chooses
an excerpt and an answering sentence with it: one measure, below both.
"""

from __future__ import annotations

import math
from collections.abc import Set

from retrieval.index.backend import SearchBackend
from retrieval.language.aliases import contract_aliases
from retrieval.language.text import fold
from retrieval.language.tokens import (
    BIGRAM_PREFIX,
    SYLLABLE,
    SYLLABLE_PREFIX,
    Terms,
    canonical_numbers,
    syllable_pairs,
)


def matched_terms(text: str, wanted: frozenset[str]) -> set[str]:
    """The terms of `wanted` that occur in `text`: folded syllables and syllable pairs, and
    whole words where their syllables stand in order with their marks ("bí_thư" is found in
    "Bí thư", not in "bị thu")."""
    syllables = [s.lower() for s in SYLLABLE.findall(canonical_numbers(contract_aliases(text)))]
    folded = [fold(s) for s in syllables]
    present = {SYLLABLE_PREFIX + s for s in folded}
    present |= {BIGRAM_PREFIX + pair for pair in syllable_pairs(folded)}
    words = [w for w in wanted if not w.startswith((SYLLABLE_PREFIX, BIGRAM_PREFIX))]
    longest = max((w.count("_") + 1 for w in words), default=0)
    present |= {
        "_".join(syllables[start : start + length])
        for length in range(1, longest + 1)
        for start in range(len(syllables) - length + 1)
    }
    return present & wanted


def wanted_terms(terms: Terms) -> frozenset[str]:
    """Every term the question ranks on (`Terms.all`): words, folded syllables and pairs."""
    return frozenset(terms.all())


def information(found: Set[str], bm25: SearchBackend) -> float:
    """The idf mass of `found`, exactly rounded: the same whatever order the set iterates in,
    so ties between excerpts break the same way in every run."""
    return math.fsum(bm25.idf_of(term) for term in found)
