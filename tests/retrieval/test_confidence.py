"""Answer or abstain: the signals, the fitted confidence and its threshold, on a made-up corpus."""

from dataclasses import replace

from retrieval.index.bm25 import Bm25
from retrieval.language.tokens import analyze
from retrieval.question.information import wanted_terms
from retrieval.question.reading import understand
from retrieval.ranking.confidence import Signals, confidence, is_confident, sentence_share
from retrieval.ranking.search import RERANK_CANDIDATES, gives_what_is_asked, rank, signals
from retrieval.reply.answer import Tier, answer
from retrieval.reply.phrases import RELATED

ARTICLES = {
    "sot_xuat_huyet.txt": "Sốt xuất huyết tăng mạnh\n\nSố ca sốt xuất huyết ở Hà Nội tăng gấp "
    "ba so với cùng kỳ năm trước. Bác sĩ khuyên người dân diệt lăng quăng, ngủ màn.\n\n"
    "Trẻ em và người cao tuổi cần được theo dõi sát khi sốt cao liên tục.\n",
    "tiem_chung.txt": "Tiêm chủng mở rộng\n\nTrẻ được tiêm vắc xin sởi lúc 9 tháng tuổi trong "
    "chương trình tiêm chủng mở rộng. Mũi nhắc lại tiêm lúc 18 tháng tuổi.\n",
    "dinh_duong.txt": "Bữa sáng cho trẻ\n\nBữa sáng cân bằng cung cấp 30% năng lượng trong ngày "
    "cho trẻ từ 6 tuổi. Bé cần đủ chất đạm, chất béo, tinh bột và rau quả.\n",
}

CLEAR = Signals(0.9, 0.9, 0.9, 0.0, 1.0, 0)


def test_each_signal_moves_the_confidence_its_way() -> None:
    base = confidence(CLEAR)
    assert is_confident(CLEAR)
    assert confidence(replace(CLEAR, sentence_coverage=0.2)) < base
    assert confidence(replace(CLEAR, coverage=0.2, word_coverage=0.2)) < base
    assert confidence(replace(CLEAR, unknown_words=0.8)) < base
    assert confidence(replace(CLEAR, kind_answered=0.0)) < base
    assert not is_confident(Signals(0.2, 0.1, 0.3, 0.6, 0.0, 0))  # past the gates, below THRESHOLD


def test_a_passage_matching_only_syllables_of_other_words_is_refused() -> None:
    assert not is_confident(replace(CLEAR, word_coverage=0.1))  # "tổng kết" for "Tổng Bí thư"


def test_a_passage_whose_article_lacks_a_name_asked_is_never_an_answer() -> None:
    assert not is_confident(replace(CLEAR, missing_units=1))


def test_sentence_share_rewards_the_question_held_in_one_place() -> None:
    together = "Sốt xuất huyết tăng ở Hà Nội. Trời mưa."
    apart = "Sốt xuất huyết tăng. Trời mưa nhiều. Nắng gắt. Hà Nội mát."
    bm25 = Bm25.build([analyze(text).all() for text in (together, apart, "Tiêm chủng.")])
    terms = wanted_terms(analyze("sốt xuất huyết Hà Nội"))
    assert sentence_share(together, terms, bm25) > sentence_share(apart, terms, bm25)


def test_sentence_share_counts_two_sentences_in_a_row_together() -> None:
    """News names the subject in one sentence and gives the place in the next: the two count
    together, but not across a sentence between them."""
    next_to = "Sốt xuất huyết tăng mạnh. Nhất là ở Hà Nội."
    one_between = "Sốt xuất huyết tăng mạnh. Trời mưa nhiều. Nhất là ở Hà Nội."
    bm25 = Bm25.build([analyze(text).all() for text in (next_to, one_between, "Tiêm chủng.")])
    terms = wanted_terms(analyze("sốt xuất huyết Hà Nội"))
    assert sentence_share(next_to, terms, bm25) > sentence_share(one_between, terms, bm25)


def test_a_question_the_articles_answer_is_answered(index) -> None:
    result = answer("Trẻ được tiêm vắc xin sởi lúc mấy tháng tuổi?", index)
    assert result.answered and result.hits[0].source == "tiem_chung.txt"


def test_a_question_sharing_only_common_words_gets_related_passages(index) -> None:
    result = answer("Chương trình văn nghệ cho trẻ em diễn ra lúc mấy giờ?", index)
    assert result.tier is Tier.RELATED and result.reply.startswith(RELATED)


def test_a_passage_without_the_kind_of_answer_asked_is_less_sure(index) -> None:
    query = understand("Trẻ được tiêm vắc xin sởi lúc mấy tháng tuổi?", index)
    with_number = "Trẻ được tiêm vắc xin sởi lúc 9 tháng tuổi."
    without = "Trẻ được tiêm vắc xin sởi trong chương trình tiêm chủng mở rộng."
    assert gives_what_is_asked(query, with_number) and not gives_what_is_asked(query, without)
    assert gives_what_is_asked(understand("vắc xin sởi", index), without)  # asks for no kind


def test_the_words_of_an_unsure_bare_reading_count_only_as_far_as_it_is_sure(index) -> None:
    query = understand("tre duoc tiem vac xin soi luc may thang tuoi", index)
    assert understand("Trẻ được tiêm vắc xin sởi", index).certainty == 1.0  # typed with marks
    best = rank(query, index, RERANK_CANDIDATES).judged
    assert best is not None
    sure = signals(replace(query, certainty=1.0), index, best)
    unsure = signals(replace(query, certainty=0.5), index, best)
    assert unsure.word_coverage == sure.word_coverage * 0.5
    assert unsure.unknown_words == 1 - (1 - sure.unknown_words) * 0.5
    assert confidence(unsure) < confidence(sure)
