"""Ranking: within the best candidate's article, the paragraph holding most of the question
leads; the other candidates keep their score order."""

from __future__ import annotations

from retrieval.search import Ranked, fullest_of_article_first


class TwoArticles:
    """Passages 0-1 are one article, 2-3 another."""

    def article_span(self, position: int) -> tuple[int, int]:
        return (0, 2) if position < 2 else (2, 4)


def test_the_fullest_paragraph_of_the_best_article_leads() -> None:
    ranked = [Ranked(0, 9.0, 0.5, 0), Ranked(2, 8.0, 0.95, 0), Ranked(1, 7.0, 0.8, 0)]
    order = fullest_of_article_first(TwoArticles(), ranked)  # type: ignore[arg-type]
    # passage 2 holds more of the question, but its article is not the best one
    assert [r.position for r in order] == [1, 0, 2]


def test_equal_coverage_keeps_the_score_order() -> None:
    ranked = [Ranked(0, 9.0, 0.8, 0), Ranked(1, 7.0, 0.8, 0), Ranked(3, 6.0, 0.9, 0)]
    order = fullest_of_article_first(TwoArticles(), ranked)  # type: ignore[arg-type]
    assert [r.position for r in order] == [0, 1, 3]
    assert fullest_of_article_first(TwoArticles(), []) == []  # type: ignore[arg-type]
