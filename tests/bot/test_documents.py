"""Uploaded files as articles: formats read by their libraries, names from titles, paths kept
inside the corpus folder."""

from __future__ import annotations

import os

import pytest

from bot.documents import Document, corpus_file, read_document, save_article
from tests.documents import HTML, pdf_file, word_file


def test_a_pdf_paragraph_printed_over_several_lines_is_one_paragraph() -> None:
    data = pdf_file([["Kenh dao moi"], ["Kenh dao dai hai", "cay so va rong", "ba muoi met."]])
    document = read_document("kenh.pdf", data)
    assert document == Document("Kenh dao moi", ("Kenh dao dai hai cay so va rong ba muoi met.",))


def test_a_web_page_gives_its_title_and_article_without_the_sites_chrome() -> None:
    document = read_document("trang.html", HTML.encode())
    assert document.title == "Cầu Bạch Đằng 2 khánh thành"
    assert len(document.paragraphs) == 2 and "Trang chủ" not in " ".join(document.paragraphs)


def test_a_word_file_titles_its_article_by_its_title_property() -> None:
    document = read_document("x.docx", word_file("Tiêu đề", ["Đoạn một.", "", "Đoạn hai."]))
    assert document == Document("Tiêu đề", ("Đoạn một.", "Đoạn hai."))


def test_the_file_name_is_the_titles_words_without_diacritics() -> None:
    assert (
        Document("Cầu Bạch Đằng 2 khánh thành!", ()).file_name()
        == "cau-bach-dang-2-khanh-thanh.txt"
    )
    assert Document("«»", ()).file_name() == "bai-viet.txt"


def test_saving_is_atomic_and_never_overwrites_unless_asked(tmp_path) -> None:
    document = Document("Tin mới", ("Một đoạn.",))
    path = save_article(tmp_path, document, replace=False)
    assert path.read_text(encoding="utf-8") == "Tin mới\nMột đoạn.\n"
    with pytest.raises(FileExistsError):
        save_article(tmp_path, Document("Tin mới", ("Khác.",)), replace=False)
    save_article(tmp_path, Document("Tin mới", ("Khác.",)), replace=True)
    assert path.read_text(encoding="utf-8").endswith("Khác.\n")
    assert os.listdir(tmp_path) == [path.name]


def test_only_an_article_directly_in_the_corpus_folder_can_be_named(tmp_path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    assert corpus_file(folder, "a.txt") == folder / "a.txt"
    for name in ("../outside.txt", "/etc/passwd", "link.txt", "a", ".a.txt", "missing.txt"):
        assert corpus_file(folder, name) is None, name
