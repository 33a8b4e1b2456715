import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from retrieval.index.bm25 import Bm25, leading, merged_sums, top_k


def random_corpus(rng: random.Random, size: int) -> list[list[str]]:
    vocabulary = [f"t{i}" for i in range(40)]
    return [
        [rng.choice(vocabulary[: rng.randint(1, 40)]) for _ in range(rng.randint(0, 25))]
        for _ in range(size)
    ]


@pytest.mark.parametrize("seed", range(8))
def test_scores_equal_rank_bm25_okapi_on_random_corpora(seed: int) -> None:
    rng = random.Random(seed)
    documents = random_corpus(rng, rng.randint(1, 60))
    reference, ours = BM25Okapi(documents), Bm25.build(documents)
    for _ in range(30):
        query = [rng.choice([f"t{i}" for i in range(45)]) for _ in range(rng.randint(0, 8))]
        np.testing.assert_allclose(ours.scores(query), reference.get_scores(query), atol=1e-6)


def test_scores_equal_rank_bm25_okapi_on_the_seed_corpus(seed_index) -> None:
    from retrieval.language.tokens import analyze

    documents = [analyze(p.text).all() for p in seed_index.passages]
    reference = BM25Okapi(documents)
    for question in ("Ai chủ trì Hội nghị sơ kết Thông tri 18?", "tu soi tu sua", "Covid-19"):
        query = analyze(question).all()
        np.testing.assert_allclose(
            seed_index.bm25.scores(query), reference.get_scores(query), atol=1e-6
        )


def test_top_k_is_best_first_positive_only_and_stable() -> None:
    scores = np.array([0.0, 2.0, 5.0, 2.0, -1.0, 7.0])
    assert top_k(scores, 3) == [5, 2, 1]
    assert top_k(scores, 10) == [5, 2, 1, 3]
    assert top_k(np.zeros(4), 2) == []


def test_top_k_keeps_the_first_of_passages_tied_at_the_cut() -> None:
    scores = np.array([1.0, 3.0, 2.0, 2.0, 2.0, 0.0, 2.0])
    assert top_k(scores, 3) == [1, 2, 3]
    assert top_k(scores, 10) == [1, 2, 3, 4, 6, 0]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0, 3.5]), max_size=40),
    st.integers(min_value=0, max_value=45),
)
def test_top_k_is_the_positive_scores_sorted_by_score_then_position(
    values: list[float], k: int
) -> None:
    scores = np.array(values)
    ordered = sorted((i for i, score in enumerate(values) if score > 0), key=lambda i: -values[i])
    assert top_k(scores, k) == ordered[:k]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5]), max_size=60), st.integers(0, 65))
def test_leading_picks_the_k_largest_values_ties_at_the_top_included(
    values: list[float], k: int
) -> None:
    """Copies of a passage tie at the largest partial sum: any k of them are the k largest."""
    chosen = leading(np.array(values), k)
    assert len(set(chosen.tolist())) == chosen.size == min(k, len(values))
    assert sorted(values[i] for i in chosen) == sorted(values)[len(values) - chosen.size :]


positions_and_sums = st.dictionaries(
    st.integers(min_value=0, max_value=5000), st.floats(0.01, 50.0), max_size=300
)


@settings(max_examples=300, deadline=None)
@given(positions_and_sums, positions_and_sums)
def test_merged_sums_hold_every_position_once_with_its_values_added(
    first: dict[int, float], second: dict[int, float]
) -> None:
    """Whether the shorter is searched in the longer (sizes far apart) or both sorted."""
    expected = {p: first.get(p, 0.0) + second.get(p, 0.0) for p in sorted(first | second)}
    arrays = [
        (np.array(sorted(side), dtype=np.int32), np.array([side[p] for p in sorted(side)]))
        for side in (first, second)
    ]
    merged, sums = merged_sums(*arrays[0], *arrays[1])
    assert merged.tolist() == list(expected) and sums.tolist() == list(expected.values())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=10), min_size=1, max_size=40),
    st.lists(st.integers(0, 39), max_size=30),
)
def test_a_lookup_gives_each_position_the_frequency_its_passage_holds(
    documents: list[list[str]], asked: list[int]
) -> None:
    """From a common term's table or by a binary search of a rarer one's row alike."""
    bm25 = Bm25.build(documents)
    positions = np.array(sorted({p % len(documents) for p in asked}), dtype=np.int32)
    for term in "abcdefgh":
        term_id = bm25.term_id(term)
        if term_id is None:
            continue
        held, frequencies = bm25.segments[0].frequencies_at(term_id, positions)
        expected = [Counter(documents[p])[term] for p in positions]
        assert held.tolist() == [f > 0 for f in expected]
        assert frequencies.tolist() == [f for f in expected if f]


def test_a_table_is_made_for_a_term_most_passages_hold_and_none_for_a_rare_one() -> None:
    bm25 = Bm25.build([["a"] * 300, ["a", "b"]] + [["a", f"x{i}"] for i in range(38)])
    segment = bm25.segments[0]
    for term in ("a", "b"):
        segment.frequencies_at(bm25.ids[term], np.array([0, 1, 2]))
    assert list(segment.tables) == [bm25.ids["a"]]
    held, frequencies = segment.frequencies_at(bm25.ids["a"], np.array([0, 1, 2]))
    assert held.tolist() == [True, True, True] and frequencies.tolist() == [300, 1, 1]


def full_candidates(bm25: Bm25, query: list[str], k: int) -> tuple[list[int], np.ndarray]:
    scores = bm25.scores(query)
    positions = top_k(scores, k)
    return positions, scores[positions]


@pytest.mark.parametrize("seed", range(6))
def test_bounded_candidates_equal_scoring_every_passage(seed: int) -> None:
    """The max-score path gives the very hits and scores of scoring every passage, ties
    included (each passage is there twice), with common and repeated query terms."""
    rng = random.Random(seed)
    documents = random_corpus(rng, rng.randint(20, 150)) * 2
    bm25 = Bm25.build(documents)
    bounded = 0
    for _ in range(60):
        query = [rng.choice([f"t{i}" for i in range(45)]) for _ in range(rng.randint(1, 8))]
        k = rng.choice([1, 3, 10, 40])
        found = bm25.bounded_candidates(query, k)
        bounded += found is not None
        positions, scores = bm25.candidates(query, k)
        expected_positions, expected_scores = full_candidates(bm25, query, k)
        assert positions == expected_positions
        assert np.array_equal(scores, expected_scores)  # the same sums, to the last bit
        if found is not None:
            assert found[0] == expected_positions
            assert np.array_equal(found[1], expected_scores)
    assert bounded > 0


def rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The term ids whose rows max-score reads from now on, in order."""
    read: list[int] = []
    with_row = Bm25._with_row

    def spy(self: Bm25, positions, partial, term_id: int, term_ids: list[int]):
        read.append(term_id)
        return with_row(self, positions, partial, term_id, term_ids)

    monkeypatch.setattr(Bm25, "_with_row", spy)
    return read


def test_a_leader_scoring_less_than_it_promised_does_not_keep_rows_coming(monkeypatch) -> None:
    """A code held by one long passage that holds nothing else leads after its row, though
    its full score is low; the passages of the next row, scored as leaders too, prove that
    the rest of the query cannot reach theirs: no further row is read."""
    common = ["p1", "p2", "p3", "p4"]
    documents = (
        [["code", *(f"u{i}" for i in range(6))]]
        + [["place", "pair", *common]] * 6
        + [[*common, f"v{i}"] for i in range(30)]
        + [[f"w{i}", f"x{i}"] for i in range(30)]
    )
    bm25 = Bm25.build(documents)
    query = ["code", "place", "pair", *common]
    read = rows_read(monkeypatch)
    found = bm25.bounded_candidates(query, 2)
    assert read == [bm25.ids["code"], bm25.ids["place"]]
    assert found is not None and found[0] == full_candidates(bm25, query, 2)[0]


def test_max_score_stops_reading_rows_once_they_cost_more_than_scoring_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Four terms, each in a quarter of the passages and none beside another: no bound prunes,
    and merging each row into the candidates read so far soon costs more than scoring every
    passage, so max-score gives up before reading them all."""
    bm25 = Bm25.build([[f"w{i % 4}"] for i in range(100)])
    read = rows_read(monkeypatch)
    query = ["w0", "w1", "w2", "w3"]
    assert bm25.bounded_candidates(query, 5) is None
    assert 0 < len(read) < len(query)
    assert bm25.candidates(query, 5)[0] == full_candidates(bm25, query, 5)[0]


def test_candidates_fall_back_to_scoring_every_passage() -> None:
    """Where every passage holds every query term, bounds prune nothing: reading the rows
    costs less than looking the candidates up. Where an idf is negative (a tiny corpus),
    bounds tell nothing. Both are answered by scoring every passage."""
    common = Bm25.build([["a", "b", "c"]] * 60 + [[f"rare{i}"] for i in range(40)])
    negative = Bm25.build([["a"], ["a"], ["a", "b"]])
    for bm25, query, k in ((common, ["a", "b", "c"], 5), (negative, ["a", "b"], 2)):
        assert bm25.bounded_candidates(query, k) is None
        positions, scores = bm25.candidates(query, k)
        expected_positions, expected_scores = full_candidates(bm25, query, k)
        assert positions == expected_positions
        assert np.array_equal(scores, expected_scores)


def test_scores_at_equal_the_full_scores_there() -> None:
    rng = random.Random(3)
    bm25 = Bm25.build(random_corpus(rng, 80))
    positions = np.array([5, 0, 79, 5, 40])
    for _ in range(20):
        query = [rng.choice([f"t{i}" for i in range(45)]) for _ in range(rng.randint(0, 6))]
        assert np.array_equal(bm25.scores_at(query, positions), bm25.scores(query)[positions])
