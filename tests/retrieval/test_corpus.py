import logging
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from retrieval.index.corpus import (
    MAX_PASSAGE_CHARS,
    CorpusError,
    Provenance,
    clean_paragraphs,
    load_articles,
    make_title,
    parse_article,
    pieces_of,
    published_date,
)

PAGE = """Thông tin lý luận Thông tin lý luận
Hội nghị sơ kết Thông tri 18

Ngày 4-3, Thành uỷ tổ chức hội nghị. Đồng chí Nguyễn Văn Nên chủ trì.
Chia sẻ
6-3-1-1512.jpg
Đại biểu dự hội nghị
Bí thư trao bằng khen cho các tập thể. Ảnh: VIỆT DŨNG
Bí thư trao bằng khen cho các tập thể. Ảnh: VIỆT DŨNG
Hội nghị đánh giá cao kết quả phối hợp.

Hội nghị đánh giá cao kết quả phối hợp.
THANH TUYỀN
Tin cùng chuyên mục
Một bài khác không thuộc bài này (17/5/2022)
"""


def test_cleaning_keeps_prose_and_drops_site_chrome() -> None:
    assert clean_paragraphs(PAGE) == [
        "Hội nghị sơ kết Thông tri 18",
        "Ngày 4-3, Thành ủy tổ chức hội nghị. Đồng chí Nguyễn Văn Nên chủ trì.",
        "Hội nghị đánh giá cao kết quả phối hợp.",
    ]


def test_passages_are_numbered_paragraphs_with_source_and_title(make_corpus) -> None:
    folder = make_corpus({"a.txt": PAGE})
    (article,) = load_articles(folder)
    passages = article.passages()
    assert [p.paragraph for p in passages] == [1, 2, 3]
    assert {p.source for p in passages} == {"a.txt"}
    assert {p.title for p in passages} == {"Hội nghị sơ kết Thông tri 18"}
    assert passages[1].text.startswith("Ngày 4-3, Thành ủy")  # tone mark normalised


def test_a_file_starting_with_its_lead_gets_a_short_title() -> None:
    lead = "Ngày 30-1, Thành ủy tổ chức hội nghị công tác xây dựng Đảng " * 4
    title = make_title([lead.strip()])
    assert len(title) <= 120 and title.endswith("…") and lead.startswith(title[:-1])


def test_bad_files_are_skipped_with_a_warning_naming_them(make_corpus, caplog) -> None:
    folder = make_corpus(
        {"good.txt": PAGE, "empty.txt": "", "chrome.txt": "Chia sẻ\nVideo Video\n"}
    )
    (folder / "latin1.txt").write_bytes(b"Th\xe0nh \xfby ban")
    (folder / "notes.md").write_text("not an article", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        articles = load_articles(folder)
    assert [a.source for a in articles] == ["good.txt"]
    for name in ("empty.txt", "chrome.txt", "latin1.txt"):
        assert name in caplog.text
    assert "notes.md" not in caplog.text


def test_missing_or_empty_folder_is_an_error_naming_the_path(tmp_path: Path, make_corpus) -> None:
    with pytest.raises(CorpusError, match="nowhere"):
        load_articles(tmp_path / "nowhere")
    empty = make_corpus({})
    with pytest.raises(CorpusError, match=str(empty)):
        load_articles(empty)


def test_a_long_paragraph_becomes_bounded_passages_cited_by_its_paragraph() -> None:
    sentence = "Bệnh viện tiếp nhận {} ca bệnh trong tuần qua, phần lớn là trẻ nhỏ."
    long_line = " ".join(sentence.format(n) for n in range(400))
    article = parse_article("dai.txt", f"Tiêu đề\n{long_line}\nĐoạn cuối.".encode())
    assert article is not None
    assert all(len(text) <= MAX_PASSAGE_CHARS for text in article.texts)
    assert " ".join(article.texts[1:-1]) == long_line  # whole sentences, nothing lost
    assert all(text.endswith("nhỏ.") for text in article.texts[1:-1])
    numbers = [p.paragraph for p in article.passages()]
    assert numbers[0] == 1 and set(numbers[1:-1]) == {2} and numbers[-1] == 3


def test_a_sentence_or_word_longer_than_the_bound_is_cut() -> None:
    words = " ".join(["chữ"] * 100)
    pieces = pieces_of(words, 50)
    assert all(45 < len(p) <= 50 for p in pieces[:-1]) and " ".join(pieces) == words
    blob = "x" * 120
    assert pieces_of(blob, 50) == ["x" * 50, "x" * 50, "x" * 20]


def test_a_long_paragraph_that_repeats_itself_is_prose_not_a_doubled_label() -> None:
    sentence = "Bệnh viện tiếp nhận nhiều ca bệnh trong tuần qua."
    assert clean_paragraphs(f"Tiêu đề\nTin nổi bật Tin nổi bật\n{sentence} {sentence}") == [
        "Tiêu đề",
        f"{sentence} {sentence}",
    ]


DATED = "URL: https://tin.example.vn/cau-rong.html\nPublished: 2025-08-11T23:30:00+00:00\n"


def test_a_stated_url_and_date_are_kept_and_not_article_text() -> None:
    article = parse_article("cau.txt", f"{DATED}Cầu Rồng khánh thành\nĐoạn một.\n".encode())
    assert article is not None
    assert article.title == "Cầu Rồng khánh thành" and len(article.texts) == 2
    assert article.provenance == Provenance(
        "https://tin.example.vn/cau-rong.html", "2025-08-11T23:30:00+00:00"
    )
    assert article.passages()[1].provenance == article.provenance


def test_the_publication_day_is_the_one_in_the_zone_asked() -> None:
    saigon = ZoneInfo("Asia/Ho_Chi_Minh")
    assert published_date("2025-08-11T23:30:00+00:00", saigon) == date(2025, 8, 12)
    assert published_date("2025-08-11", saigon) == date(2025, 8, 11)
    assert published_date("2025-08-11T23:30:00", saigon) == date(2025, 8, 11)


@pytest.mark.parametrize(
    "first_line",
    ["URL: ftp://tin.example.vn/x", "Published: hôm qua", "Published: 2025-13-45", "Url là gì"],
)
def test_a_line_that_does_not_parse_as_provenance_is_the_title(first_line: str) -> None:
    article = parse_article("x.txt", f"{first_line}\nĐoạn một.\n".encode())
    assert article is not None
    assert article.title == first_line and article.provenance == Provenance()


def test_provenance_written_as_a_header_reads_back() -> None:
    stated = Provenance("https://tin.example.vn/a.html", "2025-08-12")
    article = parse_article("a.txt", f"{stated.header()}Tiêu đề\nĐoạn.\n".encode())
    assert article is not None and article.provenance == stated
