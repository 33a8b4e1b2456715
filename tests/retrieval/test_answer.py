import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from retrieval.index.indexer import load_index
from retrieval.language.text import comparable, fold
from retrieval.language.tokens import analyze
from retrieval.reply.answer import Tier, answer
from retrieval.reply.excerpt import (
    ELLIPSIS,
    FIRST_EXCERPT_CHARS,
    MAX_EXCERPT_CHARS,
    QueryWords,
    mark_spans,
)
from retrieval.reply.phrases import LEAD_PREFIX, NO_ANSWER, RELATED, UNDERSTOOD_PREFIX, USAGE_HINT

LEAD_QUESTION = "Ai chủ trì Hội nghị sơ kết Thông tri 18?"
LEAD_SOURCE = "000_00398351a5c5dbd5.txt"

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")


def test_lead_paragraph_question_finds_the_lead(seed_index) -> None:
    result = answer(LEAD_QUESTION, seed_index)
    assert result.answered
    top = result.hits[0]
    assert top.source == LEAD_SOURCE and top.paragraph == 3
    assert "Nguyễn Văn Nên" in top.excerpt.text
    assert f"{LEAD_SOURCE}, đoạn 3" in result.reply


@pytest.mark.parametrize(
    "question",
    [
        "Ai chủ trì Hội nghị sơ kết Thông tri 18?",
        "Trưởng Ban Nội chính Thành ủy là ai?",
        "phong trào toàn dân bảo vệ an ninh Tổ quốc",
        "Sai phạm không có động cơ vụ lợi được xem xét thế nào?",
    ],
)
def test_question_without_diacritics_ranks_like_the_accented_one(seed_index, question) -> None:
    accented, bare = answer(question, seed_index), answer(fold(question), seed_index)
    assert bare.answered and accented.answered
    assert bare.hits[0].source == accented.hits[0].source
    assert bare.hits[0].paragraph == accented.hits[0].paragraph
    assert bare.reply.startswith(UNDERSTOOD_PREFIX)
    assert not accented.reply.startswith(UNDERSTOOD_PREFIX)


def test_old_and_new_tone_placement_and_case_give_the_same_answer(seed_index) -> None:
    old = answer("Trưởng Ban Nội chính Thành ủy là ai", seed_index)
    new = answer("TRƯỞNG BAN NỘI CHÍNH THÀNH UỶ LÀ AI", seed_index)
    assert [h.paragraph for h in old.hits] == [h.paragraph for h in new.hits]


@pytest.mark.parametrize("question", ["giá vàng hôm nay", "là của ai gì", "thời tiết ngày mai"])
def test_questions_sharing_no_content_word_get_the_no_answer_reply(seed_index, question) -> None:
    result = answer(question, seed_index)
    assert result.tier is Tier.NONE and result.hits == () and result.reply == NO_ANSWER
    assert "/sources" in result.reply and result.to_json()["tier"] == "none"


def test_a_question_the_articles_only_touch_gets_related_passages(seed_index) -> None:
    result = answer("Hướng dẫn đăng ký xe máy online", seed_index)
    assert result.tier is Tier.RELATED and not result.answered and not result.lead
    assert result.hits and result.reply.startswith(RELATED)
    assert LEAD_PREFIX not in result.reply
    assert result.to_json()["tier"] == "related" and result.to_json()["hits"]


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "!!!", "???!!!", "😀🎉"])
def test_empty_question_gets_the_usage_hint(seed_index, question) -> None:
    result = answer(question, seed_index)
    assert not result.answered and result.reply == USAGE_HINT


def test_huge_question_is_answered_from_its_first_part(seed_index) -> None:
    question = "Trưởng Ban Nội chính Thành ủy là ai? " + "xin cảm ơn " * 10_000
    assert len(question) > 100_000
    result = answer(question, seed_index)
    assert result.answered and result.hits[0].source == "003_dc0f3aaaadfe3394.txt"


def test_answered_reply_has_at_least_three_hits_best_first(seed_index) -> None:
    result = answer("Phó Chính ủy Bộ Tư lệnh TPHCM là ai?", seed_index)
    scores = [hit.score for hit in result.hits]
    assert len(result.hits) >= 3 and scores == sorted(scores, reverse=True)
    for hit in result.hits:
        assert f"Nguồn: {hit.source}, đoạn {hit.paragraph}" in result.reply


def test_excerpt_is_short_marked_and_taken_from_the_passage(seed_index) -> None:
    for question in ("không gian văn hóa Hồ Chí Minh", "tu soi tu sua", "Covid-19 lần thứ tư"):
        for number, hit in enumerate(answer(question, seed_index).hits):
            text = hit.excerpt.text
            assert len(text) <= (FIRST_EXCERPT_CHARS if number == 0 else MAX_EXCERPT_CHARS)
            assert text.strip(ELLIPSIS) in hit.passage
            assert hit.excerpt.marks, "matched words are marked"
            for start, end in hit.excerpt.marks:
                assert text[start:end].strip() == text[start:end] != ""


def test_excerpt_marks_the_matched_words(seed_index) -> None:
    hit = answer("tự soi tự sửa", seed_index).hits[0]
    marked = [hit.excerpt.text[s:e] for s, e in hit.excerpt.marks]
    assert any(comparable(m) == "tự soi tự sửa" for m in marked)


def test_json_contract_has_exactly_the_public_keys(seed_index) -> None:
    payload = json.loads(json.dumps(answer(LEAD_QUESTION, seed_index).to_json()))
    assert set(payload) == {"question", "understood", "tier", "answered", "reply", "hits"}
    assert payload["tier"] == "answer" and payload["answered"] is True
    keys = {"source", "paragraph", "score", "passage", "excerpt", "url", "published"}
    assert set(payload["hits"][0]) == keys
    assert payload["hits"][0]["source"] == LEAD_SOURCE
    assert payload["hits"][0]["url"] is None and payload["hits"][0]["published"] is None


def test_a_dated_article_gives_its_url_and_day_and_the_source_line_its_day_and_link(
    make_corpus,
) -> None:
    stated = "URL: https://tin.example.vn/cau.html\nPublished: 2025-08-11T20:00:00+00:00\n"
    body = "Cầu mới\n\nCầu Rạch Miễu hai được khánh thành vào tháng tám.\n"
    other = "Mùa lúa\n\nNông dân xã Tân Phú thu hoạch lúa sớm vì mưa lớn kéo dài.\n"
    folder = make_corpus({"cau.txt": stated + body, "mua.txt": other})
    result = answer("cau rach mieu khanh thanh khi nao", load_index(folder))
    hit = result.to_json()["hits"][0]
    assert (hit["url"], hit["published"]) == ("https://tin.example.vn/cau.html", "2025-08-12")
    assert "(Cầu mới) · 12/08/2025 https://tin.example.vn/cau.html" in result.reply
    assert result.hits[0].day == date(2025, 8, 12)  # in the default zone, Asia/Ho_Chi_Minh


def test_made_up_corpus_answers_and_abstains(make_corpus, tmp_path) -> None:
    folder = make_corpus(
        {
            "mua.txt": "Mùa lúa\n\nNông dân xã Tân Phú thu hoạch lúa sớm vì mưa lớn kéo dài.\n",
            "cau.txt": "Cầu mới\n\nCầu Rạch Miễu hai được khánh thành vào tháng tám.\n",
        }
    )
    index = load_index(folder, tmp_path / "cache")
    result = answer("cau rach mieu khanh thanh khi nao", index)
    assert result.answered and result.hits[0].source == "cau.txt"
    assert not answer("giá vàng thế giới tăng mạnh", index).answered


def test_the_first_excerpt_shows_more_of_what_follows_its_best_sentence(
    make_corpus, tmp_path
) -> None:
    tail = " ".join(
        f"Đợt {n} có thêm nhiều bệnh nhân được chuyển đến khoa cấp cứu của bệnh viện."
        for n in range(2, 12)
    )
    folder = make_corpus(
        {
            f"{name}.txt": f"Ngộ độc nấm\n\nBệnh viện {hospital} tiếp nhận bệnh nhân ngộ độc nấm "
            f"rừng. {tail}\n"
            for name, hospital in (("a", "Chợ Rẫy"), ("b", "Bạch Mai"))
        }
        | {"c.txt": "Mùa lúa\n\nNông dân xã Tân Phú thu hoạch lúa sớm vì mưa lớn kéo dài.\n"}
    )
    result = answer(
        "Bệnh viện Chợ Rẫy tiếp nhận bệnh nhân ngộ độc nấm rừng",
        load_index(folder, tmp_path / "cache"),
    )
    first, second = result.hits[:2]
    assert first.source == "a.txt" and first.excerpt.text.startswith("Bệnh viện Chợ Rẫy")
    assert MAX_EXCERPT_CHARS < len(first.excerpt.text) <= FIRST_EXCERPT_CHARS
    assert len(second.excerpt.text) <= MAX_EXCERPT_CHARS


def test_behind_an_answering_sentence_the_best_passage_gets_an_ordinary_excerpt(
    make_corpus, tmp_path
) -> None:
    tail = " ".join(f"Đợt {n} có thêm nhiều doanh nghiệp đăng ký tham gia." for n in range(2, 14))
    folder = make_corpus(
        {
            "hoi_thao.txt": "Hội thảo chuyển đổi số\n\nSở Thông tin và Truyền thông tổ chức hội "
            f"thảo chuyển đổi số cho doanh nghiệp nhỏ. {tail}\n\n"
            "Chủ trì hội thảo có ông Võ Văn Hùng, Giám đốc Sở.\n",
            "lua.txt": "Mùa lúa\n\nNông dân xã Tân Phú thu hoạch lúa sớm vì mưa lớn kéo dài.\n",
        }
    )
    question = "Ai chủ trì hội thảo chuyển đổi số cho doanh nghiệp nhỏ?"
    result = answer(question, load_index(folder, tmp_path / "cache"))
    assert result.lead and "Võ Văn Hùng" in result.hits[0].excerpt.text
    best = result.hits[1]
    assert best.paragraph == 2 and len(best.passage) > FIRST_EXCERPT_CHARS
    assert len(best.excerpt.text) <= MAX_EXCERPT_CHARS


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Lịch thi THPT quốc gia 2024", "«THPT»"),
        ("Ai là Chủ tịch UBND thành phố Hải Phòng?", "Hải Phòng"),
        ("Tỉnh ủy Bình Dương tổ chức hội nghị sơ kết Thông tri 18 khi nào?", "«Bình Dương»"),
        ("Nghị quyết 57 của Bộ Chính trị nói về vấn đề gì?", "«Nghị quyết 57»"),
    ],
)
def test_near_topic_questions_name_what_the_articles_do_not_mention(
    seed_index, question, missing
) -> None:
    result = answer(question, seed_index)
    assert result.tier is Tier.RELATED and result.hits  # the nearest passages are still shown
    assert result.reply.startswith("Các bài viết không nhắc đến") and missing in result.reply


def test_pages_of_more_results_never_repeat_and_end_empty(seed_index) -> None:
    question = "Thành ủy TPHCM"
    seen = []
    for page in range(0, 60, 3):
        result = answer(question, seed_index, top_k=3, skip=page)
        assert result.answered
        seen += [(h.source, h.paragraph) for h in result.hits]
        if not result.hits:
            break
    assert len(seen) == len(set(seen)) and len(seen) >= 9
    assert answer(question, seed_index, top_k=3, skip=500).hits == ()


def test_only_whole_question_words_are_marked() -> None:
    text = "Ủy viên Ban Thường vụ Thành ủy Nguyễn Văn Hiếu phát biểu; Thành ủy họp."
    words = QueryWords.of(analyze("Thành ủy giao nhiệm vụ gì?"))
    marked = [text[start:end] for start, end in mark_spans(text, words)]
    assert marked == ["Thành ủy", "Thành ủy"]  # not the "Ủy" of "Ủy viên"
    bare = QueryWords(frozenset({("thanh", "uy"), ("hop",)}))  # words typed without marks
    assert [text[s:e] for s, e in mark_spans(text, bare)] == ["Thành ủy", "Thành ủy họp"]


def test_a_file_name_with_a_bidi_override_is_cited_escaped(make_corpus, tmp_path) -> None:
    folder = make_corpus(
        {
            "bai\u202etxt.viet.txt": "Hội nghị sơ kết\n\nThành ủy tổ chức hội nghị sơ kết.\n",
            "cau.txt": "Khánh thành cầu\n\nCầu Bình Lợi thông xe sau hai năm xây dựng.\n",
            "mua.txt": "Mưa lớn\n\nMưa lớn kéo dài khiến nhiều tuyến đường ngập sâu.\n",
        }
    )
    result = answer("Thành ủy tổ chức hội nghị sơ kết", load_index(folder, tmp_path / "cache"))
    assert "\u202e" not in result.reply and "bai\\u202etxt.viet.txt" in result.reply


def test_the_answer_line_only_over_a_sentence_naming_the_questions_names(
    make_corpus, tmp_path
) -> None:
    folder = make_corpus(
        {
            "bong_da.txt": "Bóng đá\n\nFIFA là liên đoàn bóng đá thế giới.\n\nCầu thủ tập luyện "
            "mỗi ngày.\n\nGiải Ngoại hạng Anh ra đời năm 1992 tại London.\n",
            "fifa.txt": "Liên đoàn\n\nLiên đoàn FIFA có trụ sở ở Zurich.\n",
            "linux.txt": "Linux\n\nDebian ra đời năm 1993.\n",
        }
    )
    index = load_index(folder, tmp_path / "cache")
    result = answer("FIFA ra đời năm nào?", index)
    top = result.hits[0]
    assert "1992" in top.excerpt.text and "FIFA" not in top.passage  # a year, of something else
    assert not result.lead and LEAD_PREFIX not in result.reply
