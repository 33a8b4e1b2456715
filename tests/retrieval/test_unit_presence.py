"""A name the corpus writes a little otherwise is mentioned, and found in the article writing it.

"Ghandi" for "Gandhi", "Superbowl 50" for "Super Bowl 50", "Bill Gate" for "Bill Gates" and
"Linux Ubuntu" for a passage writing both apart are the user's spelling, not news the articles
lack; a name the corpus does not write, or only as scattered Vietnamese syllables, still is.
"""

import pytest

from retrieval.index.search_index import looks_foreign
from retrieval.language.restore import one_letter_moved
from retrieval.question.distinctive import distinctive_units
from retrieval.question.reading import understand
from retrieval.reply.topics import article_positions

ARTICLES = {
    "gandhi.txt": "Mahatma Gandhi\n\nMahatma Gandhi lãnh đạo phong trào bất bạo động giành độc "
    "lập cho Ấn Độ.\n",
    "super_bowl.txt": "Bóng bầu dục\n\nTrận Super Bowl 50 diễn ra tại sân vận động Levi ở "
    "bang California.\n",
    "facebook.txt": "Mạng xã hội\n\nMạng xã hội Facebook có ba tỷ người dùng mỗi tháng.\n",
    "gates.txt": "Quỹ từ thiện\n\nTỷ phú Bill Gates thành lập quỹ từ thiện cùng vợ.\n",
    "linux.txt": "Máy chủ\n\nMáy chủ của trường chạy hệ điều hành Linux, bản phân phối Ubuntu "
    "mới nhất.\n\nPhòng máy dùng Debian.\n",
    "bong_da.txt": "Bóng đá\n\nĐội tuyển Việt Nam đánh bại đội khách Malaysia với tỷ số hai "
    "bàn trắng.\n",
    "jansson.txt": "Cầu thủ\n\nCầu thủ Erik Jansson ghi hai bàn thắng.\n",
    "bach_dang.txt": "Lịch sử\n\nTrận Bạch Đằng năm 1288 chôn vùi quân Nguyên.\n\nNăm 1300 ông "
    "mất.\n",
    "janssen.txt": "Huấn luyện viên\n\nHuấn luyện viên Erik Janssen khen ngợi toàn đội.\n",
    "hop.txt": "Cuộc họp\n\nÔng Hải chủ trì cuộc họp, bà Châu phát biểu bế mạc.\n",
    "diem.txt": "Học vụ\n\nSinh viên bị cảnh báo khi điểm trung bình dưới 1,0 hoặc trên 8.5.\n",
    "xuong.txt": "Phân xưởng\n\nCông nhân tổ K ca đêm được nghỉ sớm.\n",
}


def unmentioned(index, question: str) -> list[str]:
    """The question's names and numbers no article mentions, as the ranking reports them."""
    units = understand(question, index).units
    return [unit.text for unit in units if not index.mentions_anywhere(unit.text, unit.terms)]


def mentioned_in(index, question: str, source: str) -> bool:
    """Whether the article `source` mentions every name and number of the question."""
    start = article_positions(index)[source]
    return all(index.article_mentions(start, u.terms) for u in understand(question, index).units)


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("Trận Superbowl 50 diễn ra ở đâu?", "super_bowl.txt"),  # a space less
        ("Mạng Face Book có bao nhiêu người dùng?", "facebook.txt"),  # a space more
        ("Tỷ phú Bill Gate thành lập quỹ gì?", "gates.txt"),  # an "s" less
        ("Phong trào của Ghandi là gì?", "gandhi.txt"),  # a letter moved
        ("Cầu thủ Erik Jasnson ghi mấy bàn?", "jansson.txt"),  # a letter moved, in a full name
        ("Máy chủ chạy Linux Ubuntu bản nào?", "linux.txt"),  # both words in one passage
        ("Trận Vietnam - Malaysia có tỷ số bao nhiêu?", "bong_da.txt"),  # both rules at once
        ("Ai thắng trận Bạch Đằng 1288?", "bach_dang.txt"),  # a year after "năm", in one passage
    ],
)
def test_a_name_written_a_little_otherwise_is_mentioned_in_the_article_writing_it(
    index, question, source
) -> None:
    assert unmentioned(index, question) == []
    assert mentioned_in(index, question, source)
    assert not mentioned_in(index, question, "hop.txt")


@pytest.mark.parametrize(
    ("unit", "written"),
    [
        ("Superbowl 50", ("^super_bowl", "^bowl_50")),
        ("Face Book", ("~facebook",)),
        ("Vietnam", ("^viet_nam",)),
        ("Bill Gate", ("^bill_gates",)),
        ("Bill Gatess", ("^bill_gates",)),
        ("Erik Janson", ("^erik_jansson",)),  # one letter less, in a word of six
        ("Linux Ubuntu", ("~linux", "~ubuntu")),
        ("Vietnam Malaysia", ("^viet_nam", "~malaysia")),
    ],
)
def test_a_unit_takes_the_terms_of_the_corpus_spelling(index, unit, written) -> None:
    [typed] = distinctive_units(f"Tin về {unit}")
    assert typed.text == unit and index.as_written(typed.terms) == written


def test_a_unit_the_corpus_writes_as_it_is_is_left_as_it_is(index) -> None:
    [unit] = distinctive_units("Tin về Super Bowl 50")
    assert index.as_written(unit.terms) is unit.terms


@pytest.mark.parametrize(
    "question",
    [
        "Tỷ phú Bill Clinton thành lập quỹ gì?",  # a name the corpus does not write
        "Cầu thủ Erik Janssan ghi mấy bàn?",  # one letter off both Jansson and Janssen
        "Tỷ phú Bill Gaets thành lập quỹ gì?",  # a letter moved in a word of five
        "Máy chủ chạy Linux Debian bản nào?",  # in one article, but not in one passage
        "Ai chủ trì cuộc họp ở Hải Châu?",  # Vietnamese syllables, apart in one passage
        "Trận Super Bowl 51 diễn ra ở đâu?",  # a number is never written otherwise
        "Ai thắng trận Bạch Đằng 1300?",  # the year is in the article, not in that passage
        "Ai thắng trận Bạch Đằng 88?",  # a number that is no year stays beside its name
        "Xưởng KCA ở đâu?",  # no lone letter is split off: "K ca" is no abbreviation
        "Tổ Ks làm ca nào?",  # no "s" comes off a word of two letters
    ],
)
def test_a_name_the_corpus_does_not_write_stays_unmentioned(index, question) -> None:
    assert len(unmentioned(index, question)) == 1


@pytest.mark.parametrize("question", ["dưới 1.0 điểm", "trên 8,5"])  # written 1,0 and 8.5
def test_a_decimal_comma_or_point_is_the_same_number(index, question) -> None:
    assert unmentioned(index, question) == []
    assert mentioned_in(index, question, "diem.txt")
    assert not mentioned_in(index, question, "gandhi.txt")


def test_one_letter_moved_is_one_letter_taken_out_and_put_back_elsewhere() -> None:
    assert one_letter_moved("ghandi", "gandhi")
    assert one_letter_moved("jasnson", "jansson")
    assert one_letter_moved("abcdef", "bcdefa") and one_letter_moved("bcdefa", "abcdef")
    assert not one_letter_moved("gandhi", "gandhi")
    assert not one_letter_moved("abcdef", "cdefab")  # two letters moved
    assert not one_letter_moved("gandhi", "gandhy")  # a letter replaced
    assert not one_letter_moved("gandhi", "gandh")


def test_foreign_words_are_those_no_vietnamese_syllable_spells() -> None:
    for word in ("linux", "ubuntu", "malaysia", "carolina", "bill", "john", "vietnam", "gate"):
        assert looks_foreign(word), word
    for word in ("hai", "phong", "nguyen", "khuyen", "thpt", "quyet", "57", "ngoai"):
        assert not looks_foreign(word), word
