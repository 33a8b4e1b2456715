"""The answering sentence leads the reply, on a made-up corpus."""

import pytest

from retrieval.answer import LEAD_PREFIX, answer
from retrieval.index import SearchIndex
from retrieval.indexer import load_index
from retrieval.lead import Asks, answers, asks

ARTICLES = {
    "cau.txt": "Khánh thành cầu Bình Lợi\n\nCầu Bình Lợi mới được xây dựng để thay cầu sắt cũ "
    "đã xuống cấp nghiêm trọng sau nhiều năm sử dụng. Công trình giúp giảm ùn tắc cho cả khu "
    "vực phía đông.\n\nNgày 15/9, cầu Bình Lợi chính thức khánh thành và thông xe.\n\n"
    "Ông Lê Minh Tấn, Giám đốc Sở Giao thông, cắt băng khánh thành cầu Bình Lợi.\n\n"
    "Cầu Bình Lợi dài 1.200 mét với 6 làn xe.\n",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> SearchIndex:
    folder = tmp_path_factory.mktemp("lead")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_index(folder, tmp_path_factory.mktemp("cache"))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Ai cắt băng khánh thành cầu Bình Lợi?", Asks.WHO),
        ("Cầu Bình Lợi khánh thành khi nào?", Asks.WHEN),
        ("cau binh loi khanh thanh khi nao", Asks.WHEN),
        ("Cầu Bình Lợi có bao nhiêu làn xe?", Asks.HOW_MANY),
        ("Cầu Bình Lợi thay cầu nào?", None),
    ],
)
def test_question_types(index, question, kind) -> None:
    assert asks(answer(question, index).understood) is kind


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Ai cắt băng khánh thành cầu Bình Lợi?", "Ông Lê Minh Tấn"),
        ("Cầu Bình Lợi khánh thành khi nào?", "Ngày 15/9"),
        ("Cầu Bình Lợi có bao nhiêu làn xe?", "6 làn xe"),
    ],
)
def test_the_answering_sentence_comes_first(index, question, expected) -> None:
    result = answer(question, index)
    assert result.lead is not None
    assert result.reply.startswith(LEAD_PREFIX) and expected in result.reply.split("\n")[0]
    assert expected in result.shown[0].excerpt.text
    assert result.shown[0].excerpt.marks


def test_no_lead_without_a_question_type(index) -> None:
    result = answer("Cầu Bình Lợi thay cầu sắt cũ", index)
    assert result.lead is None and not result.reply.startswith(LEAD_PREFIX)


def test_sentence_kinds() -> None:
    assert answers("Ông Nguyễn Văn A phát biểu.", Asks.WHO)
    assert not answers("Thành ủy tổ chức hội nghị.", Asks.WHO)
    assert answers("Chiều 12/8, hội nghị diễn ra.", Asks.WHEN)
    assert not answers("Có 27 tập thể.", Asks.WHEN)
    assert answers("Có 27 tập thể.", Asks.HOW_MANY)
    assert not answers("Ngày 4-3, hội nghị diễn ra.", Asks.HOW_MANY)
