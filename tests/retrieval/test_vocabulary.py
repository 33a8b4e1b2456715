"""The vocabulary's counts, numbered pairs and all, are those of plain dicts of tuples, whether
built text by text, updated, copied or loaded back from the index cache's arrays."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.index.store import _vocabulary_arrays, _vocabulary_of
from retrieval.language import restore
from retrieval.language.restore import PairCounts, Sightings, Vocabulary
from retrieval.language.tokens import SYLLABLE

SYLLABLES = ["thanh", "thành", "thánh", "ủy", "uy", "bí", "bi", "thư", "thu", "Lê", "le", "12"]
TEXTS = st.lists(st.sampled_from(SYLLABLES), max_size=8).map(" ".join)


def reference_pairs(texts: list[str]) -> Counter[tuple[str, str]]:
    """The pairs of neighbouring lower-case syllables of `texts`, as a dict of tuples."""
    pairs: Counter[tuple[str, str]] = Counter()
    for text in texts:
        pairs.update(itertools.pairwise(s.lower() for s in SYLLABLE.findall(text)))
    return pairs


def assert_counts(vocabulary: Vocabulary, texts: list[str]) -> None:
    """`vocabulary` counts exactly what `texts` hold, and answers every lookup so."""
    pairs = reference_pairs(texts)
    assert dict(vocabulary.pairs.items()) == pairs
    openings: Counter[str] = Counter()
    for (first, _), count in pairs.items():
        openings[first] += count
    assert vocabulary.openings == openings
    assert vocabulary.followers == Counter(first for first, _ in pairs)
    assert vocabulary.total == sum(len(SYLLABLE.findall(text)) for text in texts)
    words = [s.lower() for s in SYLLABLES] + ["absent"]
    for first, second in itertools.product(words, repeat=2):
        assert vocabulary.pairs.get(first, second) == pairs[first, second]


@pytest.mark.parametrize("loaded", [False, True], ids=["built", "loaded"])
@settings(max_examples=150, deadline=None)
@given(st.lists(TEXTS, max_size=12), st.lists(TEXTS, max_size=6), st.data())
def test_added_removed_and_copied_counts_are_those_of_the_texts_left(
    loaded: bool, kept: list[str], more: list[str], data: st.DataObject
) -> None:
    """Built text by text, or loaded from the cache's arrays (its pairs stay arrays, what
    changes after is counted over them)."""
    removed = data.draw(st.lists(st.sampled_from(kept), unique=True) if kept else st.just([]))
    vocabulary = Vocabulary.of(kept)
    if loaded:
        vocabulary = _vocabulary_of(_vocabulary_arrays(vocabulary))
    before = vocabulary.copy()
    for text in removed:
        vocabulary.add(text, sign=-1)
    left = list((Counter(kept) - Counter(removed)).elements())
    assert_counts(vocabulary, left)
    vocabulary.add_sightings(Sightings.of(more))
    assert_counts(vocabulary, left + more)
    assert_counts(before, kept)  # a copy is not changed by what changes the original
    assert _vocabulary_of(_vocabulary_arrays(vocabulary)) == vocabulary


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, max_size=12))
def test_a_vocabulary_loads_back_from_the_cache_arrays_unchanged(texts: list[str]) -> None:
    vocabulary = Vocabulary.of(texts)
    loaded = _vocabulary_of(_vocabulary_arrays(vocabulary))
    assert loaded == vocabulary
    assert list(loaded.forms.items()) == list(vocabulary.forms.items())  # in order
    assert_counts(loaded, texts)
    spellings = [s.lower() for s in SYLLABLES] + ["absent"]
    for previous, spelled in itertools.product([None, *spellings], spellings):
        assert loaded.follows(previous, spelled) == vocabulary.follows(previous, spelled)


def test_pairs_out_of_order_or_forms_of_missing_spellings_are_refused() -> None:
    with pytest.raises(ValueError, match="ascending"):
        Vocabulary.counted({}, ["a", "b"], np.array([[1, 0], [0, 1]]), np.array([1, 1]))
    with pytest.raises(ValueError, match="ascending"):
        PairCounts(["a"], np.array([0, 0]), np.array([1, 1]))
    arrays = _vocabulary_arrays(Vocabulary.of(["thành ủy", "bí thư"]))
    arrays["form_sizes"] = arrays["form_sizes"] + 1
    with pytest.raises(ValueError, match="form sizes"):
        _vocabulary_of(arrays)


def test_pairs_of_spellings_that_are_not_there_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        Vocabulary.counted({}, ["a"], np.array([[0, 1]]), np.array([1]))
    with pytest.raises(ValueError, match="unknown"):
        Vocabulary.counted({}, ["a"], np.array([[0, -1]]), np.array([1]))
    with pytest.raises(ValueError, match="twice"):
        PairCounts(["a", "a"])


def test_the_pairs_of_small_batches_are_sorted_once_when_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Batches' pairs wait beside those merged (PAIRS_MERGED_FROM at least), and are merged
    by one sort when the counts are read, not by one a batch."""
    batches = [Sightings.of([text]) for text in ("Thành ủy họp.", "Ủy ban họp.", "Thành ủy")]
    sorts: list[int] = []
    in_order = restore._in_order_first_seen

    def spy(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sorts.append(keys.size)
        return in_order(keys, counts)

    monkeypatch.setattr(restore, "_in_order_first_seen", spy)
    sightings = Sightings()
    for batch in batches:
        sightings.add(batch)
    assert sorts == []
    assert dict(sightings.pairs()) == {
        ("thành", "ủy"): 2,
        ("ủy", "họp"): 1,
        ("ủy", "ban"): 1,
        ("ban", "họp"): 1,
    }
    assert len(sorts) == 1


def counted_in_order(texts: list[str]) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """The lower-case syllables and pairs of `texts`, as dicts in the order first seen."""
    syllables: Counter[str] = Counter()
    for text in texts:
        syllables.update(s.lower() for s in SYLLABLE.findall(text))
    return syllables, reference_pairs(texts)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.one_of(TEXTS, st.just(""), st.just("Thành, ỦY. 12-Lê")), max_size=6)),
    st.sampled_from([1, 3, 1 << 20]),
)
def test_sightings_added_batch_after_batch_count_in_the_order_first_seen(
    batches: list[list[str]], merged_from: int
) -> None:
    """However the texts are batched, and however often the pairs waiting are merged."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(restore, "PAIRS_MERGED_FROM", merged_from)
        sightings = Sightings()
        for batch in batches:
            sightings.add(Sightings.of(batch))
    texts = [text for batch in batches for text in batch]
    syllables, pairs = counted_in_order(texts)
    assert list(sightings.syllables()) == list(syllables.items())
    assert list(sightings.pairs()) == list(pairs.items())
    assert sightings.total == sum(syllables.values())
