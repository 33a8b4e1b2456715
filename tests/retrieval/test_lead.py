"""The answering sentence leads the reply, on a made-up corpus."""

import pytest

from retrieval.question.expectation import AnswerKind, Expectation, expectation_of
from retrieval.question.people import names_title_holder, position_given
from retrieval.question.sentence_kinds import gives_expected
from retrieval.reply.answer import answer
from retrieval.reply.phrases import LEAD_PREFIX

ARTICLES = {
    "cau.txt": "Khánh thành cầu Bình Lợi\n\nCầu Bình Lợi mới được xây dựng để thay cầu sắt cũ "
    "đã xuống cấp nghiêm trọng sau nhiều năm sử dụng. Công trình giúp giảm ùn tắc cho cả khu "
    "vực phía đông.\n\nNgày 15/9, cầu Bình Lợi chính thức khánh thành và thông xe.\n\n"
    "Ông Lê Minh Tấn, Giám đốc Sở Giao thông, cắt băng khánh thành cầu Bình Lợi.\n\n"
    "Cầu Bình Lợi dài 1.200 mét với 6 làn xe.\n",
    "doan.txt": "Đoàn công tác thăm cầu Bình Lợi\n\nÔng Lê Minh Tấn thăm công trình cầu Bình "
    "Lợi cùng đoàn công tác của thành phố.\n\nĐoàn gồm ông Lê Minh Tấn, Giám đốc Sở Giao "
    "thông, và các sở Xây dựng, sở Tài chính, sở Công Thương.\n",
    "hoi_thao.txt": "Hội thảo chuyển đổi số\n\nSáng 9/10, Sở Thông tin và Truyền thông tổ "
    "chức hội thảo chuyển đổi số cho doanh nghiệp nhỏ và vừa tại khu công nghệ cao.\n\n"
    "Chủ trì hội thảo có ông Võ Văn Hùng, Giám đốc Sở Thông tin và Truyền thông.\n\n"
    "Các doanh nghiệp chia sẻ kinh nghiệm ứng dụng phần mềm quản lý.\n",
    "y_te.txt": "Họp bàn phòng dịch\n\nÔng Trần Văn Phúc, Phó Giám đốc Sở Y tế, chủ trì buổi "
    "làm việc với các bệnh viện về dịch sốt xuất huyết.\n\nBà Lê Thị Hoa, Giám đốc Sở Y tế, đề "
    "nghị các bệnh viện báo cáo hằng tuần.\n",
}


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Ai cắt băng khánh thành cầu Bình Lợi?", AnswerKind.WHO),
        ("Cầu Bình Lợi khánh thành khi nào?", AnswerKind.WHEN),
        ("cau binh loi khanh thanh khi nao", AnswerKind.WHEN),
        ("Cầu Bình Lợi có bao nhiêu làn xe?", AnswerKind.HOW_MANY),
        ("Ông Lê Minh Tấn giữ chức vụ gì?", AnswerKind.POSITION),
        ("Đoàn có những sở nào?", AnswerKind.WHICH),
        ("Cầu Bình Lợi thay cho gì?", None),
    ],
)
def test_question_types(index, question, kind) -> None:
    expected = expectation_of(answer(question, index).understood)
    assert (expected.kind if expected else None) is kind


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Ai cắt băng khánh thành cầu Bình Lợi?", "Ông Lê Minh Tấn"),
        ("Cầu Bình Lợi khánh thành khi nào?", "Ngày 15/9"),
        ("Cầu Bình Lợi có bao nhiêu làn xe?", "6 làn xe"),
        ("Ông Lê Minh Tấn giữ chức vụ gì?", "Lê Minh Tấn, Giám đốc Sở Giao thông"),
        ("Đoàn gồm những sở nào?", "sở Xây dựng"),
    ],
)
def test_the_answering_sentence_comes_first(index, question, expected) -> None:
    result = answer(question, index)
    assert result.lead
    assert result.reply.startswith(LEAD_PREFIX) and expected in result.reply.split("\n")[0]
    assert expected in result.hits[0].excerpt.text
    assert result.hits[0].excerpt.marks


def test_a_sentence_of_the_asked_kind_holding_little_of_the_question_does_not_lead(index) -> None:
    from retrieval.question.reading import understand
    from retrieval.reply.lead import Candidates, answering_sentence

    query = understand("Hội thảo chuyển đổi số có bao nhiêu doanh nghiệp nhỏ và vừa?", index)
    weak = (
        "Hội thảo chuyển đổi số thu hút nhiều người. Trời nắng nóng cả ngày. "
        "Cầu Bình Lợi có 6 doanh nghiệp thi công."
    )
    strong = "Hội thảo chuyển đổi số có 60 doanh nghiệp nhỏ và vừa."

    def lead(passage: str):  # type: ignore[no-untyped-def]
        candidates = Candidates([(5, passage)], 1, None)
        return answering_sentence(candidates, passage, query, index.bm25)

    assert lead(weak) is None
    assert lead(strong) is not None


def test_no_lead_without_a_question_type(index) -> None:
    result = answer("Cầu Bình Lợi thay cầu sắt cũ", index)
    assert not result.lead and not result.reply.startswith(LEAD_PREFIX)


@pytest.mark.parametrize(
    ("sentence", "kind", "focus", "gives"),
    [
        ("Ông Nguyễn Văn A phát biểu.", AnswerKind.WHO, "", True),
        ("Thành ủy tổ chức hội nghị.", AnswerKind.WHO, "", False),
        ("Chiều 12/8, hội nghị diễn ra.", AnswerKind.WHEN, "", True),
        ("Chiều 12/8, hội nghị diễn ra.", AnswerKind.WHEN, "ngày", True),
        ("Năm 2022, thành phố đề ra 8 nhiệm vụ.", AnswerKind.WHEN, "", True),
        ("Năm 2022, thành phố đề ra 8 nhiệm vụ.", AnswerKind.WHEN, "ngày", False),
        ("Tháng 9 có hội nghị.", AnswerKind.WHEN, "ngày", False),
        ("Có 27 tập thể.", AnswerKind.WHEN, "", False),
        ("Có 27 tập thể.", AnswerKind.HOW_MANY, "", True),
        ("Có 27 tập thể.", AnswerKind.HOW_MANY, "tập", True),
        ("Covid-19 lần thứ tư có 27 tập thể.", AnswerKind.HOW_MANY, "ca", False),
        ("Ngày 4-3, hội nghị diễn ra.", AnswerKind.HOW_MANY, "", False),
        ("Ông Trần Văn B, Chủ tịch UBND, dự.", AnswerKind.POSITION, "", True),
        ("Ông Trần Văn B dự họp.", AnswerKind.POSITION, "", False),
        ("Dự có các sở Y tế, sở Tư pháp.", AnswerKind.WHICH, "sở", True),
        ("Các sở đều dự.", AnswerKind.WHICH, "sở", False),
    ],
)
def test_sentence_kinds(sentence, kind, focus, gives) -> None:
    assert gives_expected(sentence, Expectation(kind, (0, 0), focus)) is gives


def test_the_frame_is_cut_at_its_own_place_only() -> None:
    expected = expectation_of("Mãi Hải là ai")
    assert expected is not None and expected.kind is AnswerKind.WHO
    assert expected.without_frame("Mãi Hải là ai").split() == ["Mãi", "Hải", "là"]


@pytest.mark.parametrize(
    ("question", "holder"),
    [
        ("Giám đốc Sở Y tế là ai?", "Lê Thị Hoa"),
        ("Phó Giám đốc Sở Y tế là ai?", "Trần Văn Phúc"),
        ("giam doc so y te la ai", "Lê Thị Hoa"),
    ],
)
def test_who_holds_a_title_names_that_holder_not_a_deputy(index, question, holder) -> None:
    reply = answer(question, index).reply
    (lead,) = [line for line in reply.split("\n") if line.startswith(LEAD_PREFIX)]
    assert holder in lead


def test_title_holder_sentences() -> None:
    title = ["giam", "doc", "so", "y", "te"]
    assert names_title_holder("Giám đốc Sở Y tế Lê Thị Hoa phát biểu.", title)
    assert names_title_holder("Bà Lê Thị Hoa, Ủy viên Ban, Giám đốc Sở Y tế, dự.", title)
    assert not names_title_holder("Phó Giám đốc Sở Y tế Trần Văn Phúc dự.", title)
    assert not names_title_holder("Ông Trần Văn Phúc; Giám đốc Sở Y tế vắng.", title)
    assert not names_title_holder("Giám đốc Sở Y tế vắng mặt.", title)


def test_the_paragraph_after_the_best_one_can_complete_the_answer(index) -> None:
    result = answer("Ai chủ trì hội thảo chuyển đổi số cho doanh nghiệp nhỏ và vừa?", index)
    assert result.lead and result.hits[0].source == "hoi_thao.txt"
    assert result.hits[0].paragraph == 3 and "Võ Văn Hùng" in result.hits[0].excerpt.text
    assert {h.paragraph for h in result.hits if h.source == "hoi_thao.txt"} >= {2, 3}


def test_continuation_is_used_only_when_it_completes_the_best_paragraph(index) -> None:
    from retrieval.question.reading import understand
    from retrieval.reply.lead import Candidates, answering_sentence

    question = "Ai chủ trì hội thảo chuyển đổi số cho doanh nghiệp nhỏ và vừa?"
    query = understand(question, index)
    event, chair = ARTICLES["hoi_thao.txt"].split("\n\n")[1:3]
    unrelated = "Ông Lê Minh Tấn thăm công trình cầu Bình Lợi."

    def lead(following: str | None):  # type: ignore[no-untyped-def]
        candidates = Candidates([(10, event), (20, unrelated)], 2, following and (11, following))
        return answering_sentence(candidates, event, query, index.bm25)

    position, sentence = lead(chair)
    assert position == 11 and "Võ Văn Hùng" in sentence.text
    assert lead(None) is None
    assert lead("Các doanh nghiệp chia sẻ kinh nghiệm với ông Trần Văn Ba.") is None
    # a name beside a little of what the best paragraph lacks ("chủ", not "chủ trì") is no answer
    assert lead("Ông Trần Văn Ba, chủ một doanh nghiệp nhỏ, cũng dự.") is None


def test_a_person_with_another_title_is_no_answer_to_who_holds_this_one(index) -> None:
    # The articles name the director of Giao thông beside "sở Tài chính", never its director.
    result = answer("Giám đốc Sở Tài chính là ai?", index)
    assert not result.lead and LEAD_PREFIX not in result.reply
    assert expectation_of("Giám đốc Sở Tài chính là ai?") == Expectation(
        AnswerKind.WHO, (25, 27), "", True
    )
    assert not expectation_of(
        "Ai cắt băng khánh thành cầu Bình Lợi?"
    ).identity  # who did, not who is


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("Cầu Bình Lợi khánh thành ngày nào?", "ngày"),
        ("Cầu Bình Lợi khánh thành hôm nào?", "ngày"),
        ("Cầu Bình Lợi khánh thành năm nào?", ""),
        ("Cầu Bình Lợi khánh thành khi nào?", ""),
    ],
)
def test_a_when_question_says_whether_it_asks_for_a_day(question, focus) -> None:
    expected = expectation_of(question)
    assert expected is not None and expected.kind is AnswerKind.WHEN and expected.focus == focus


def test_a_year_does_not_answer_which_day_a_lower_passage_naming_the_day_leads(index) -> None:
    from retrieval.question.reading import understand
    from retrieval.reply.lead import Candidates, answering_sentence

    year = "Năm 2023, thành phố khởi công cầu Bình Lợi và hẹn ngày khánh thành."
    day = "Ngày 15/9, cầu Bình Lợi chính thức khánh thành và thông xe."

    def lead(question: str):  # type: ignore[no-untyped-def]
        candidates = Candidates([(10, year), (20, day)], 2, None)
        return answering_sentence(candidates, year, understand(question, index), index.bm25)

    position, sentence = lead("Cầu Bình Lợi khánh thành ngày nào?")
    assert position == 20 and "15/9" in sentence.text
    position, sentence = lead("Cầu Bình Lợi khánh thành khi nào?")
    assert position == 10 and "2023" in sentence.text


@pytest.mark.parametrize("question", ["Lê Minh Tấn là ai?", "Ai là ông Lê Minh Tấn?"])
def test_who_a_person_is_answered_by_the_title_beside_the_name(index, question) -> None:
    result = answer(question, index)
    expected = expectation_of(result.understood)
    assert expected is not None and expected.kind is AnswerKind.POSITION and expected.identity
    assert expected.focus == "lê minh tấn"
    lead_line = result.reply.split("\n")[0]
    assert lead_line.startswith(LEAD_PREFIX) and "Lê Minh Tấn, Giám đốc Sở Giao thông" in lead_line


def test_who_holds_a_title_is_not_taken_for_a_person() -> None:
    expected = expectation_of("Giám đốc Sở Giao thông là ai?")
    assert expected is not None and expected.kind is AnswerKind.WHO and expected.identity


def test_how_a_sentence_gives_a_persons_title() -> None:
    person = ["phan", "van", "mai"]
    assert position_given("Dự có Phan Văn Mãi, Ủy viên Trung ương Đảng.", person) == 2
    assert position_given("Phó Bí thư Phan Văn Mãi phát biểu.", person) == 1
    assert position_given("Bí thư Thành ủy TPHCM Phan Văn Mãi tặng quà.", person) == 1
    for sentence in (
        "Đồng chí Phan Văn Mãi và ông Nên dự.",  # a word of address is no title
        "Ông Phan Văn Mãi, ông Nên dự.",
        "Gặp Phan Văn Mãi, ăn cơm.",  # the sentence's first word is capitalised anyway
        "“Gặp Phan Văn Mãi, ăn cơm.”",
        "Hôm qua, Phan Văn Mãi đến.",
        "Ông Trần Văn Ba, Giám đốc Sở, dự.",  # somebody else
    ):
        assert position_given(sentence, person) == 0
