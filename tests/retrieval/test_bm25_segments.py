"""A snapshot whose reloads added passages beside the base matrix (`TermCounts.with_segment`)
answers every question exactly as one built whole from the same passages: the same
candidates and scores to the last bit, the same statistics."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retrieval.index.bm25 as bm25_module
from retrieval.index.bm25 import Bm25, TermCounts, TermTally
from retrieval.index.terms import TermIds

TERMS = [f"t{i}" for i in range(30)]
ASKED = [*TERMS, "unknown"]

passages = st.lists(st.lists(st.sampled_from(TERMS), max_size=12), min_size=1, max_size=25)
queries = st.lists(st.lists(st.sampled_from(ASKED), min_size=1, max_size=6), min_size=1, max_size=8)


def counts_of(documents: list[list[str]]) -> TermCounts:
    return TermCounts.empty().appended(TermTally.of(documents))


def assert_same_answers(ours: Bm25, whole: Bm25, asked: list[list[str]]) -> None:
    """Every question of `SearchBackend`, and the statistics under them, term by term."""
    assert ours.corpus_size == whole.corpus_size and ours.avgdl == whole.avgdl
    everywhere = np.arange(whole.corpus_size)
    for term in ASKED:
        assert ours.knows(term) == whole.knows(term)
        assert ours.idf_of(term) == whole.idf_of(term)
        assert np.array_equal(ours.present(term, everywhere), whole.present(term, everywhere))
        for start in range(whole.corpus_size):
            assert ours.occurs_between(term, start, start + 3) == whole.occurs_between(
                term, start, start + 3
            )
        ours_id, whole_id = ours.term_id(term), whole.term_id(term)
        if ours_id is not None and whole_id is not None:
            assert ours.document_frequency(ours_id) == whole.document_frequency(whole_id)
            assert ours.weight_bound(ours_id) == whole.weight_bound(whole_id)
    for query in asked:
        assert np.array_equal(ours.scores(query), whole.scores(query))
        assert np.array_equal(
            ours.scores_at(query, everywhere[::-1]), whole.scores_at(query, everywhere[::-1])
        )
        assert ours.together(query) == whole.together(query)
        for k in (1, 3, 10):
            found, expected = ours.candidates(query, k), whole.candidates(query, k)
            assert found[0] == expected[0] and np.array_equal(found[1], expected[1])
            bounded, whole_bounded = (
                ours.bounded_candidates(query, k),
                whole.bounded_candidates(query, k),
            )
            assert (bounded is None) == (whole_bounded is None)
            if bounded is not None and whole_bounded is not None:
                assert bounded[0] == whole_bounded[0]
                assert np.array_equal(bounded[1], whole_bounded[1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TERMS), max_size=12), max_size=25))
def test_a_tally_counts_each_passage_term_as_a_counter_does(documents: list[list[str]]) -> None:
    """Terms numbered in the order they first occur; each passage's counts, capped, and its
    number of distinct terms as `Counter` gives them."""
    counts = counts_of(documents)
    first_seen = dict.fromkeys(term for document in documents for term in document)
    assert list(counts.ids.items()) == [(term, n) for n, term in enumerate(first_seen)]
    dense = counts.counts.toarray()
    for at, document in enumerate(documents):
        column = {term: int(dense[counts.ids[term], at]) for term in document}
        assert column == Counter(document) and dense[:, at].sum() == len(document)
        assert counts.lengths[at] == len(document)


@settings(max_examples=100, deadline=None)
@given(
    batches=st.lists(
        st.lists(st.lists(st.sampled_from(TERMS), max_size=12), max_size=6), max_size=6
    ),
    slab_entries=st.integers(min_value=1, max_value=40),
)
def test_a_tally_of_batches_turns_term_major_alike_in_slabs_of_any_size(
    batches: list[list[list[str]]], slab_entries: int
) -> None:
    """Batch tallies added up, turned a few entries at a time, give the very matrix (values,
    index and pointer arrays and their types) of one tally turned at once."""
    summed = TermTally()
    for batch in batches:
        summed.add(TermTally.of(batch))
    slabbed_ids, whole_ids = TermIds(), TermIds()
    slabbed = summed.taken_by_term(slabbed_ids, slab_entries)
    whole = TermTally.of(document for batch in batches for document in batch).taken_by_term(
        whole_ids, slab_entries=1 << 30
    )
    assert slabbed_ids == whole_ids and slabbed.shape == whole.shape
    for name in ("data", "indices", "indptr"):
        found, expected = getattr(slabbed, name), getattr(whole, name)
        assert found.dtype == expected.dtype and np.array_equal(found, expected)
    assert summed.passages == 0


def test_a_tally_caps_a_count_at_its_type() -> None:
    cap = int(np.iinfo(bm25_module.TF_DTYPE).max)
    counts = counts_of([["a"] * (cap + 5) + ["b"]])
    assert counts.counts.toarray().tolist() == [[cap], [1]]


@settings(max_examples=60, deadline=None)
@given(base=passages, reloads=st.lists(passages, min_size=1, max_size=3), asked=queries)
def test_base_and_added_passages_answer_as_one_matrix(
    base: list[list[str]], reloads: list[list[list[str]]], asked: list[list[str]]
) -> None:
    counts = counts_of(base)
    for added in reloads:
        counts = counts.with_segment(TermTally.of(added))
    documents = base + [document for added in reloads for document in added]
    whole = counts_of(documents)
    assert counts.added is not None and counts.base.shape[1] == len(base)
    assert (counts.counts != whole.counts).nnz == 0 and counts.ids == whole.ids
    assert_same_answers(Bm25.from_counts(counts), Bm25.from_counts(whole), asked)
    folded = counts.folded()
    assert folded.added is None
    assert_same_answers(Bm25.from_counts(folded), Bm25.from_counts(whole), asked)


@settings(max_examples=40, deadline=None)
@given(base=passages, added=passages, data=st.data(), asked=queries)
def test_dropping_added_passages_leaves_the_base_shared(
    base: list[list[str]], added: list[list[str]], data: st.DataObject, asked: list[list[str]]
) -> None:
    """Dropping some of the added passages slices only the added matrix, and answers as a
    snapshot built of the passages left (terms no passage holds any more unknown)."""
    counts = counts_of(base).with_segment(TermTally.of(added))
    dropped = data.draw(st.sets(st.integers(len(base), len(base) + len(added) - 1)))
    kept = np.array([at for at in range(counts.passages) if at not in dropped], dtype=np.int64)
    left = counts.keeping(kept)
    assert left.base is counts.base
    documents = base + added
    whole = counts_of([documents[at] for at in kept.tolist()])
    assert_same_answers(Bm25.from_counts(left), Bm25.from_counts(whole), asked)


def test_a_snapshot_keeps_the_segment_and_tables_of_a_matrix_it_shares_and_no_other() -> None:
    documents = [["a", "b"], ["a"], ["a", "c"]]
    counts = counts_of(documents)
    first = Bm25.from_counts(counts)
    assert first.present("a", np.arange(3)).all() and list(first.segments[0].tables)
    later = counts.with_segment(TermTally.of([["a", "d"]]))
    second = Bm25.from_counts(later, earlier=first.segments)
    assert second.segments[0] is first.segments[0]
    assert_same_answers(second, Bm25.from_counts(counts_of([*documents, ["a", "d"]])), [ASKED])
    folded = Bm25.from_counts(later.folded(), earlier=second.segments)
    assert not any(s is t for s in folded.segments for t in second.segments)


def test_dropping_a_base_passage_folds_the_matrix() -> None:
    counts = counts_of([["a", "b"], ["b"]]).with_segment(TermTally.of([["c"], ["a"]]))
    left = counts.updated(np.array([1, 2, 3]), TermTally.of([["d"]]))
    assert left.added is None
    whole = counts_of([["b"], ["c"], ["a"], ["d"]])
    assert_same_answers(Bm25.from_counts(left), Bm25.from_counts(whole), [["a", "b", "c", "d"]])


def test_a_tally_smaller_than_a_slab_is_turned_term_major_in_one_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Slabs bound what turning a large tally holds at once (SLAB_ENTRIES entries each); a
    smaller one, whatever its batches, costs one turn."""
    summed = TermTally()
    for batch in ([["a", "b"]], [["b"]], [["c", "a"]]):
        summed.add(TermTally.of(batch))
    turned: list[tuple[int, int]] = []
    by_term = TermTally._slab_by_term

    def spy(self: TermTally, numbers: np.ndarray, first: int, end: int, rows: int):
        turned.append((first, end))
        return by_term(self, numbers, first, end, rows)

    monkeypatch.setattr(TermTally, "_slab_by_term", spy)
    summed.taken_by_term(TermIds())
    assert turned == [(0, 3)]


def test_a_reload_adding_a_few_passages_to_many_keeps_them_beside_the_base() -> None:
    """At FOLD_SHARE as shipped: one passage added to a hundred stays beside the base (its
    matrix is not copied for a small reload); three more than 2 % of them are folded in."""
    base = counts_of([["a"]] * 98 + [["b"], ["c"]])
    one = base.updated(np.arange(100), TermTally.of([["d"]]))
    assert one.added is not None and one.base is base.base
    three = one.updated(np.arange(101), TermTally.of([["e"], ["f"]]))
    assert three.added is None and three.passages == 103


def test_added_passages_are_folded_in_past_their_share(monkeypatch: pytest.MonkeyPatch) -> None:
    base = counts_of([["a"], ["b"], ["c"], ["a", "b"]])
    monkeypatch.setattr(bm25_module, "FOLD_SHARE", 0.25)
    one = base.updated(np.arange(4), TermTally.of([["d"]]))
    assert one.added is not None and one.base is base.base  # 1 of 5 passages
    two = one.updated(np.arange(5), TermTally.of([["e"]]))
    assert two.added is None  # 2 of 6
    whole = counts_of([["a"], ["b"], ["c"], ["a", "b"], ["d"], ["e"]])
    assert (two.counts != whole.counts).nnz == 0
