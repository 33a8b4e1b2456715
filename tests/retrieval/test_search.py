"""Ranking: within the best candidate's article, the paragraph holding most of the question
leads; the other candidates keep their score order; a headline gives way to its article's
body."""

from __future__ import annotations

from retrieval.index.corpus import Passage
from retrieval.index.indexer import load_index
from retrieval.index.search_index import SearchIndex
from retrieval.question.reading import understand
from retrieval.ranking.search import Ranked, bodies_before_headlines, fullest_of_article_first, rank
from retrieval.reply.answer import answer


class TwoArticles:
    """Passages 0-2 are one article, 3-5 another; 0 and 3 are their headlines."""

    passages = tuple(
        Passage(source, paragraph, title, title if paragraph == 1 else f"{title}, đoạn {paragraph}")
        for source, title in (("a.txt", "Tin A"), ("b.txt", "Tin B"))
        for paragraph in (1, 2, 3)
    )

    def article_span(self, position: int) -> tuple[int, int]:
        return (0, 3) if position < 3 else (3, 6)

    def is_headline(self, position: int) -> bool:
        return self.passages[position].is_headline


def test_the_fullest_paragraph_of_the_best_article_leads() -> None:
    ranked = [Ranked(1, 9.0, 0.5, 0, 0.5), Ranked(3, 8.0, 0.95, 0, 0.95)]
    ranked.append(Ranked(2, 7.0, 0.8, 0, 0.8))
    order = fullest_of_article_first(TwoArticles(), ranked)  # type: ignore[arg-type]
    # passage 3 holds more of the question, but its article is not the best one
    assert [r.position for r in order] == [2, 1, 3]


def test_equal_coverage_keeps_the_score_order() -> None:
    ranked = [Ranked(1, 9.0, 0.8, 0, 0.8), Ranked(2, 7.0, 0.8, 0, 0.8), Ranked(4, 6.0, 0.9, 0, 0.9)]
    order = fullest_of_article_first(TwoArticles(), ranked)  # type: ignore[arg-type]
    assert [r.position for r in order] == [1, 2, 4]
    assert fullest_of_article_first(TwoArticles(), []) == []  # type: ignore[arg-type]


def test_a_headline_gives_way_to_its_articles_body() -> None:
    ranked = [Ranked(0, 9.0, 0.9, 0, 0.9), Ranked(4, 8.0, 0.7, 0, 0.7), Ranked(1, 5.0, 0.3, 0, 0.3)]
    order = bodies_before_headlines(TwoArticles(), ranked)  # type: ignore[arg-type]
    # the body of the headline's article leads where the headline led; the headline goes last
    assert [r.position for r in order] == [1, 4, 0]


def test_a_leading_headline_vouches_for_its_body_not_for_a_weak_paragraph() -> None:
    # headline A leads, but A's body scores little; B's body and headline together score more
    ranked = [Ranked(0, 9.0, 0.9, 0, 0.9), Ranked(4, 8.0, 0.7, 0, 0.7), Ranked(3, 7.0, 0.8, 0, 0.8)]
    ranked.append(Ranked(1, 1.0, 0.2, 0, 0.2))
    order = bodies_before_headlines(TwoArticles(), ranked)  # type: ignore[arg-type]
    assert [r.position for r in order] == [4, 1, 0, 3]


def test_a_headline_whose_body_is_no_candidate_keeps_its_place() -> None:
    ranked = [Ranked(4, 9.0, 0.7, 0, 0.7), Ranked(0, 8.0, 0.9, 0, 0.9), Ranked(3, 5.0, 0.3, 0, 0.3)]
    order = bodies_before_headlines(TwoArticles(), ranked)  # type: ignore[arg-type]
    assert [r.position for r in order] == [4, 0, 3]


ARTICLES = {
    "tong_dai.txt": "Bệnh viện Nhi đồng mở tổng đài đặt lịch khám\n\nBệnh viện Nhi đồng 1 mở "
    "tổng đài để phụ huynh đặt lịch khám qua điện thoại, giúp rút ngắn thời gian chờ.\n",
    "tiem.txt": "Tiêm chủng mùa thu\n\nTrẻ được tiêm chủng miễn phí tại các trạm y tế.\n",
    "mua.txt": "Mưa lớn ở miền Trung\n\nMưa lớn kéo dài khiến nhiều tuyến đường ngập sâu.\n",
    "cau.txt": "Khánh thành cầu mới\n\nCây cầu dài 1.200 mét nối hai bờ sông.\n",
    "can_tho.txt": "Triều cường ở Cần Thơ\n\nTriều cường dâng cao ở Cần Thơ, nước sông tràn "
    "bờ, ngập nhiều tuyến đường.\n",
    "kham.txt": "Khám sốt\n\nTrẻ sốt được khám miễn phí tại trạm y tế phường, phụ huynh đặt "
    "lịch qua điện thoại.\n",
}


def _source(index: SearchIndex, candidate: Ranked) -> str:
    return index.passages[candidate.position].source


def test_within_an_article_the_paragraph_holding_more_beyond_the_headline_leads(
    make_corpus, tmp_path
) -> None:
    folder = make_corpus(
        {
            "ha_long.txt": "Vịnh Hạ Long ở Quảng Ninh\n\nVịnh Hạ Long ở Quảng Ninh có gần hai "
            "nghìn hòn đảo đá vôi.\n\nĐỉnh Hương được in trên tiền.\n\nDu khách đi thuyền.\n",
            "hue.txt": "Cố đô Huế\n\nHuế có sông Hương và núi Ngự.\n",
            "da_lat.txt": "Đà Lạt\n\nĐà Lạt có hồ Xuân Hương và nhiều đồi thông.\n",
        }
    )
    index = load_index(folder, tmp_path / "cache")
    question = "Hòn đảo nào ở vịnh Hạ Long tỉnh Quảng Ninh được in trên tiền?"
    first, second = rank(understand(question, index), index, 3).ranked[:2]
    # the paragraph introducing the subject holds more of the question, and scores more...
    assert index.passages[second.position].paragraph == 2
    assert second.coverage > first.coverage and second.score > first.score
    # ...but beyond the headline's words, the answer holds more
    assert index.passages[first.position].paragraph == 3


def test_a_headline_the_question_restates_is_no_mere_subject(make_corpus, tmp_path) -> None:
    folder = make_corpus(
        {
            "ky_ket.txt": "Ký kết quy chế, chương trình phối hợp giữa Bộ Tư lệnh với các Ban "
            "của Thành ủy\n\nChiều 12/8, Bộ Tư lệnh, Ban Tuyên giáo, Ban Nội chính Thành ủy ký "
            "kết quy chế, chương trình phối hợp.\n\nTheo Quy chế Phối hợp, hai bên nâng cao "
            "chất lượng dự báo tình hình.\n",
            "hue.txt": "Cố đô Huế\n\nHuế có sông Hương và núi Ngự.\n",
            "da_lat.txt": "Đà Lạt\n\nĐà Lạt có hồ Xuân Hương và nhiều đồi thông.\n",
        }
    )
    index = load_index(folder, tmp_path / "cache")
    question = "Bộ Tư lệnh ký kết quy chế phối hợp với những Ban nào của Thành ủy?"
    first = rank(understand(question, index), index, 3).ranked[0]
    # the headline holds most of the question: its words tell which paragraph answers
    assert index.passages[first.position].paragraph == 2


def test_a_candidate_holding_more_of_the_question_outranks_one_bm25_prefers(index) -> None:
    query = understand("trẻ sốt xuất huyết khám miễn phí ở trạm y tế", index)
    first, second = rank(query, index, 2).ranked
    bm25 = index.bm25.scores(query.terms.all())
    assert _source(index, first) == "kham.txt" and first.coverage > second.coverage
    assert bm25[first.position] < bm25[second.position]  # "tiêm chủng miễn phí tại các trạm y tế"


def test_a_candidate_whose_article_lacks_a_named_place_is_demoted_not_dropped(index) -> None:
    best = rank(understand("Cây cầu dài 1.200 mét ở Cần Thơ nối hai bờ sông", index), index, 3)
    top = best.ranked[0]
    assert _source(index, top) == "cau.txt" and top.missing_units == 1 and top.score > 0


def test_the_reply_quotes_the_body_when_the_question_restates_the_headline(index) -> None:
    result = answer("Bệnh viện Nhi đồng mở tổng đài đặt lịch khám nhằm mục đích gì?", index)
    assert result.answered
    assert (result.hits[0].source, result.hits[0].paragraph) == ("tong_dai.txt", 2)
