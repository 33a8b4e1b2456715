import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from retrieval.index.bm25 import Bm25, top_k


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
