"""The answering sentence leads the reply, on a made-up corpus."""

import pytest

from retrieval.answer import answer
from retrieval.people import names_title_holder, position_given
from retrieval.question import Asking, Asks, asks
from retrieval.sentence_kinds import answers
from retrieval.texts import LEAD_PREFIX

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
        ("Ai cắt băng khánh thành cầu Bình Lợi?", Asks.WHO),
        ("Cầu Bình Lợi khánh thành khi nào?", Asks.WHEN),
        ("cau binh loi khanh thanh khi nao", Asks.WHEN),
        ("Cầu Bình Lợi có bao nhiêu làn xe?", Asks.HOW_MANY),
        ("Ông Lê Minh Tấn giữ chức vụ gì?", Asks.POSITION),
        ("Đoàn có những sở nào?", Asks.WHICH),
        ("Cầu Bình Lợi thay cho gì?", None),
    ],
)
def test_question_types(index, question, kind) -> None:
    asking = asks(answer(question, index).understood)
    assert (asking.kind if asking else None) is kind


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
    from retrieval.lead import Candidates, answering_sentence
    from retrieval.question import understand

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


def test_sentence_kinds() -> None:
    assert answers("Ông Nguyễn Văn A phát biểu.", Asking(Asks.WHO, (0, 0)))
    assert not answers("Thành ủy tổ chức hội nghị.", Asking(Asks.WHO, (0, 0)))
    assert answers("Chiều 12/8, hội nghị diễn ra.", Asking(Asks.WHEN, (0, 0)))
    assert answers("Chiều 12/8, hội nghị diễn ra.", Asking(Asks.WHEN, (0, 0), "ngày"))
    assert answers("Năm 2022, thành phố đề ra 8 nhiệm vụ.", Asking(Asks.WHEN, (0, 0)))
    assert not answers("Năm 2022, thành phố đề ra 8 nhiệm vụ.", Asking(Asks.WHEN, (0, 0), "ngày"))
    assert not answers("Tháng 9 có hội nghị.", Asking(Asks.WHEN, (0, 0), "ngày"))
    assert not answers("Có 27 tập thể.", Asking(Asks.WHEN, (0, 0)))
    assert answers("Có 27 tập thể.", Asking(Asks.HOW_MANY, (0, 0)))
    assert answers("Có 27 tập thể.", Asking(Asks.HOW_MANY, (0, 0), "tập"))
    assert not answers("Covid-19 lần thứ tư có 27 tập thể.", Asking(Asks.HOW_MANY, (0, 0), "ca"))
    assert not answers("Ngày 4-3, hội nghị diễn ra.", Asking(Asks.HOW_MANY, (0, 0)))
    assert answers("Ông Trần Văn B, Chủ tịch UBND, dự.", Asking(Asks.POSITION, (0, 0)))
    assert not answers("Ông Trần Văn B dự họp.", Asking(Asks.POSITION, (0, 0)))
    assert answers("Dự có các sở Y tế, sở Tư pháp.", Asking(Asks.WHICH, (0, 0), "sở"))
    assert not answers("Các sở đều dự.", Asking(Asks.WHICH, (0, 0), "sở"))


def test_the_frame_is_cut_at_its_own_place_only() -> None:
    asking = asks("Mãi Hải là ai")
    assert asking is not None and asking.kind is Asks.WHO
    assert asking.without_frame("Mãi Hải là ai").split() == ["Mãi", "Hải", "là"]


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
    from retrieval.lead import Candidates, answering_sentence
    from retrieval.question import understand

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
    assert asks("Giám đốc Sở Tài chính là ai?") == Asking(Asks.WHO, (25, 27), "", True)
    assert not asks("Ai cắt băng khánh thành cầu Bình Lợi?").identity  # who did, not who is


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
    asking = asks(question)
    assert asking is not None and asking.kind is Asks.WHEN and asking.focus == focus


def test_a_year_does_not_answer_which_day_a_lower_passage_naming_the_day_leads(index) -> None:
    from retrieval.lead import Candidates, answering_sentence
    from retrieval.question import understand

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
    asking = asks(result.understood)
    assert asking is not None and asking.kind is Asks.POSITION and asking.identity
    assert asking.focus == "lê minh tấn"
    lead_line = result.reply.split("\n")[0]
    assert lead_line.startswith(LEAD_PREFIX) and "Lê Minh Tấn, Giám đốc Sở Giao thông" in lead_line


def test_who_holds_a_title_is_not_taken_for_a_person() -> None:
    asking = asks("Giám đốc Sở Giao thông là ai?")
    assert asking is not None and asking.kind is Asks.WHO and asking.identity


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
