import pytest

from retrieval.question.expectation import AnswerKind, expectation_of
from retrieval.question.reading import understand, without_address

ARTICLES = {
    "cau.txt": "Khánh thành cầu Bình Lợi\n\nCầu Bình Lợi dài 1.200 mét với 6 làn xe.\n",
    "hop.txt": "Họp bàn phòng dịch\n\nSở Y tế họp với các bệnh viện về dịch sốt xuất huyết.\n",
    "den.txt": "Đèn cầu\n\nCầu có đèn chiếu sáng và có cả lối đi bộ.\n",
}


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ai là bí thư thành ủy hả bot", "ai là bí thư thành ủy"),
        ("Ai là bí thư thành ủy vậy bot?", "Ai là bí thư thành ủy?"),
        ("bot ơi, ai là bí thư thành ủy", "ai là bí thư thành ủy"),
        ("ai la bi thu ha bot", "ai la bi thu"),
        ("Ai đầu tư dự án BOT?", "Ai đầu tư dự án BOT?"),  # the toll contract, not the bot
        ("trạm thu phí bot", "trạm thu phí bot"),
        ("bot ơi", "bot ơi"),  # nothing else to ask
    ],
)
def test_words_calling_the_bot_are_not_part_of_the_question(typed, meant) -> None:
    assert without_address(typed) == meant


def test_the_question_is_read_once_with_what_it_asks(index) -> None:
    question = understand("cau binh loi co bao nhieu lan xe ha bot", index)
    assert question.understood.startswith("cầu bình lợi có bao nhiêu làn xe")
    assert question.restored and "bot" not in question.understood
    assert question.expected is not None and question.expected.kind is AnswerKind.HOW_MANY
    assert question.expected.focus == "làn"
    assert "~bot" not in question.terms.all()


def test_what_is_counted_is_the_noun_after_the_question_word() -> None:
    counted = expectation_of("Covid-19 có bao nhiêu ca nhiễm?")
    assert counted is not None and counted.focus == "ca"
    classified = expectation_of("nhà Nguyễn có tất cả mấy ông vua")
    assert classified is not None and classified.focus == "vua"  # "ông" only classifies it
    uncounted = expectation_of("Tỉ lệ vô sinh là bao nhiêu?")
    assert uncounted is not None and uncounted.kind is AnswerKind.HOW_MANY and uncounted.focus == ""


def test_how_is_not_which_and_someone_is_not_who() -> None:
    assert expectation_of("Tình hình bệnh nhân sau mổ như thế nào?") is None
    assert expectation_of("Làm sao nhận biết ai đó bị đột quỵ?") is None
