"""Near-topic questions on a made-up corpus: any name or number the articles lack is caught."""

import pytest

from retrieval.language.text import fold
from retrieval.question.distinctive import distinctive_units
from retrieval.reply.answer import answer
from retrieval.reply.phrases import LEAD_PREFIX

ARTICLES = {
    "festival.txt": "Festival hoa Đà Lạt\n\nUBND tỉnh Lâm Đồng khai mạc Festival hoa Đà Lạt lần "
    "thứ mười vào tối 20/12.\n\nÔng Trần Văn Hiệp, Phó Chủ tịch UBND tỉnh, phát biểu khai mạc.\n",
    "quyet_dinh.txt": "Quyết định 15\n\nQuyết định 15 của UBND tỉnh quy định giá đất ở nông thôn "
    "từ năm 2025.\n",
    "le_hoi.txt": "Lễ hội hoa\n\nLễ hội hoa khai mạc tối thứ bảy.\n",
    "quy_che.txt": "Quy chế học vụ\n\nĐiều 16. Cảnh báo học vụ. Sinh viên bị cảnh báo học vụ khi "
    "điểm trung bình dưới 1,0 trong 30 ngày đầu khóa.\n",
    "ky_hop.txt": "Kỳ họp HĐND\n\nBà Nguyễn Thị Lan, Chủ tịch HĐND TPHCM, khai mạc kỳ họp thứ mười "
    "về ngân sách.\n\nHĐND TPHCM khóa XI dành 300 tỷ đồng phòng, chống dịch Covid-19.\n",
    "lam_dong.txt": "Tin Bảo Lộc\n\nLễ hội hoa của thành phố khai mạc tối thứ bảy, với nhiều "
    "chương trình biểu diễn văn nghệ, triển lãm và hội chợ kéo dài suốt tuần cho du khách.\n",
}


@pytest.mark.parametrize(
    ("covered", "near", "missing"),
    [
        ("Ai khai mạc Festival hoa Đà Lạt?", "Ai khai mạc Festival hoa Nha Trang?", "Nha Trang"),
        (
            "Phó Chủ tịch UBND tỉnh Lâm Đồng là ai?",
            "Phó Chủ tịch UBND tỉnh Khánh Hòa là ai?",
            "Khánh Hòa",
        ),
        ("Quyết định 15 quy định gì?", "Quyết định 16 quy định gì?", "Quyết định 16"),
        ("giá đất nông thôn từ năm 2025", "giá đất nông thôn từ năm 2031", "2031"),
        ("ÔNG TRẦN VĂN HIỆP PHÁT BIỂU GÌ", "ÔNG TRẦN VĂN HÙNG PHÁT BIỂU GÌ", "TRẦN VĂN HÙNG"),
    ],
)
def test_a_missing_name_or_number_turns_an_answer_into_not_covered(
    index, covered, near, missing
) -> None:
    assert answer(covered, index).answered
    result = answer(near, index)
    assert not result.answered and f"«{missing}»" in result.reply
    assert not answer(fold(near), index).answered


def test_units_are_names_numbers_and_abbreviations_not_sentence_capitals() -> None:
    texts = [u.text for u in distinctive_units("Quyết định 15 của UBND tỉnh Lâm Đồng có gì mới?")]
    assert texts == ["Quyết định 15", "UBND", "Lâm Đồng"]
    assert distinctive_units("Ai khai mạc lễ hội?") == []
    assert distinctive_units("AI KHAI MẠC FESTIVAL HOA") == []  # capitals say nothing here


def test_a_name_is_not_cut_inside_a_word() -> None:
    # pyvi reads "Biên phòng" as one word: the law is about border guards, not about "Biên"
    assert [u.text for u in distinctive_units("Luật Biên phòng Việt Nam")] == [
        "Biên phòng",
        "Việt Nam",
    ]
    # an unmarked edge ("Marble") may be a foreign word that pyvi glues to its neighbour
    assert [u.text for u in distinctive_units("Lumen và Food Marble dụng gì?")] == ["Food Marble"]
    # nor a function word pyvi glues on ("cầu_là"): the name is "Chùa Cầu", not "Cầu là"
    assert [u.text for u in distinctive_units("Vua đặt tên cho Chùa Cầu là gì?")] == ["Chùa Cầu"]


def test_a_name_read_from_bare_text_is_not_cut_inside_a_word_in_any_marks() -> None:
    # "Luat Bien phong" read by a corpus that writes "biến" but never "biên": pyvi does not glue
    # "Biến phòng", yet the user may mean pyvi's word "biên phòng", so the name is still the pair
    misread = "Luật Biến phòng Việt Nam"
    assert [u.text for u in distinctive_units(misread)] == ["Biến", "Việt Nam"]
    assert [u.text for u in distinctive_units(misread, read_from_bare=True)] == [
        "Biến phòng",
        "Việt Nam",
    ]
    # but not the syllable before a name, too often a word of the list in some marks ("đưa đón")
    assert [u.text for u in distinctive_units("thi đua Đơn vị", read_from_bare=True)] == ["Đơn vị"]


def test_a_full_name_is_a_unit_however_it_is_capitalised() -> None:
    for question in ("PHAN VĂN MÃI GIỮ CHỨC VỤ GÌ", "ông phan văn mãi giữ chức vụ gì"):
        assert [u.text.lower() for u in distinctive_units(question)] == ["phan văn mãi"]
    assert [u.text for u in distinctive_units("nguyen van hieu phat bieu")] == ["nguyen van hieu"]
    # only "Văn" and "Thị" as such: "cao vẫn" is no name, nor a marked word typed bare
    assert distinctive_units("huyết áp cao vẫn còn") == []
    texts = [u.text for u in distinctive_units("ông nguyễn văn Hiếu và Phan Văn Mãi")]
    assert texts == ["nguyễn văn Hiếu", "Phan Văn Mãi"]


def test_an_article_that_names_the_place_asked_about_ranks_above_one_that_does_not(index) -> None:
    def order(question: str) -> list[str]:
        hits = answer(question, index, top_k=5).hits
        return [hit.source for hit in hits if "Lễ hội hoa" in hit.passage and hit.paragraph == 2]

    assert order("Lễ hội hoa khai mạc khi nào?") == ["le_hoi.txt", "lam_dong.txt"]
    assert order("Lễ hội hoa ở Bảo Lộc khai mạc khi nào?") == ["lam_dong.txt", "le_hoi.txt"]


def test_a_name_some_article_mentions_is_never_called_unmentioned(index) -> None:
    result = answer("Quyết định 15 của UBND tỉnh Lâm Đồng có từ năm nào?", index)
    assert not result.unmentioned


@pytest.mark.parametrize(
    ("question", "units"),
    [
        ("Ngoài TP HCM còn nơi nào?", ["TP HCM"]),
        ("Năm 2022 Thành phố Hồ Chí Minh làm gì?", ["2022", "Thành phố Hồ Chí Minh"]),
        ("học sinh lớp 17 Trung học", ["17", "Trung"]),
        ("chiều cao của Robert năm 1 tuổi", ["Robert"]),  # "một tuổi" in the article
        ("Ngày 24 tháng 12 có gì?", ["24/12"]),
        ("điểm dưới 5,0 thì sao", ["5.0"]),
        ("Nghị quyết số 05 nói gì", ["Nghị quyết 5"]),
        ("Thi hành Thông tri 18-TT/TU", ["Thông", "18"]),  # its code is no unit
        ("Quyết định 123/QĐ-UBND", ["Quyết định 123"]),
        ("Điều 30 quy định gì?", ["Điều 30"]),  # a numbering noun names its number
        ("theo khoản 2 điều 16 thì sao", ["điều 16"]),  # a clause is written "2."
        ("Điều kiện tốt nghiệp là gì", []),
        ("FIFA ra đời năm nào?", ["FIFA"]),  # an acronym is a name even first
        ("UNESCO công nhận Huế năm nào", ["UNESCO", "Huế"]),
        ("AI LÀ CHỦ TỊCH FIFA", []),  # in a question in capitals, capitals say nothing
    ],
)
def test_sentence_capitals_and_words_after_a_number_are_no_part_of_a_name(
    question: str, units: list[str]
) -> None:
    assert [u.text for u in distinctive_units(question)] == units


def test_a_long_name_spelt_a_letter_or_two_off_is_the_users_typo_not_unmentioned(index) -> None:
    assert not answer("Ai khai mạc Festivl hoa Đà Lạt?", index).unmentioned
    assert not answer("Ai khai mạc Fesstivval hoa Đà Lạt?", index).unmentioned
    assert answer("Ai khai mạc Fsetivl hoa Đà Lạt?", index).unmentioned == ("Fsetivl",)


def test_a_generic_tp_at_the_end_of_a_name_names_nothing() -> None:
    def texts(question: str) -> list[str]:
        return [u.text for u in distinctive_units(question)]

    assert texts("Ai là Chủ tịch HĐND TP?") == ["Chủ tịch", "HĐND"]
    assert texts("Chủ tịch UBND Thành phố là ai?") == ["UBND"]
    assert texts("đưa TP trở lại trạng thái bình thường mới") == []
    assert texts("Chủ tịch UBND TP Thủ Đức là ai?") == ["UBND TP Thủ Đức"]  # a name follows


def test_the_city_an_article_names_answers_a_question_saying_tp(index) -> None:
    # The article writes "HĐND TPHCM"; "HĐND TP" is the same council, not an unmentioned one.
    for question in ("Ai là Chủ tịch HĐND TP?", "chu tich hdnd tp la ai"):
        result = answer(question, index)
        assert result.answered and not result.unmentioned
        assert result.lead
        lead_line = next(line for line in result.reply.split("\n") if line.startswith(LEAD_PREFIX))
        assert "Nguyễn Thị Lan" in lead_line


@pytest.mark.parametrize(
    "question",
    ["HĐND TPHCM khóa 11 dành bao nhiêu tiền chống dịch?", "ngân sách chống covid19 bao nhiêu"],
)
def test_a_number_written_otherwise_is_not_unmentioned(index, question) -> None:
    # The article writes "khóa XI" and "Covid-19".
    result = answer(question, index)
    assert result.answered and not result.unmentioned
    assert result.hits[0].source == "ky_hop.txt" and "300 tỷ" in result.hits[0].excerpt.text


def test_an_article_of_a_regulation_is_its_number_not_any_number(index) -> None:
    assert answer("Điều 16 quy định gì?", index).hits[0].source == "quy_che.txt"
    result = answer("Điều 30 quy định gì?", index)  # "30 ngày" is no article 30
    assert not result.answered and result.unmentioned == ("Điều 30",)
