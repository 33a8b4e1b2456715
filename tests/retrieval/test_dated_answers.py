"""Questions about when, answered on a made-up corpus of dated articles, on a fixed day: the
days asked filter the articles, "mới nhất" puts the newest first, a date the question names
is met by an article published then, articles without a date are outside every range, and
when nothing on the days asked matches, the reply says so over the best matches of other
days, each with its date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.index.indexer import load_index
from retrieval.language.text import fold
from retrieval.question.reading import understand
from retrieval.reply.answer import NoticeBlock, Tier, answer
from tests.retrieval.test_answer import SAIGON

THURSDAY_NOON = datetime(2025, 8, 14, 12, 0, tzinfo=SAIGON)


def dated(published: str, title: str, *paragraphs: str) -> str:
    stated = f"Published: {published}\n" if published else ""
    return stated + "\n".join((title, *paragraphs)) + "\n"


ARTICLES = {
    "xang-hom-nay.txt": dated(
        "2025-08-14T08:00:00+07:00",
        "Giá xăng giảm 410 đồng mỗi lít",
        "Liên Bộ Công Thương - Tài chính điều chỉnh giá bán lẻ xăng dầu trong kỳ điều hành.",
        "Giá xăng RON 95 giảm 410 đồng, còn 19.870 đồng mỗi lít.",
    ),
    "xang-hom-qua.txt": dated(
        "2025-08-13T15:00:00+07:00",
        "Giá xăng tăng 200 đồng mỗi lít",
        "Liên Bộ Công Thương - Tài chính công bố giá bán lẻ xăng dầu mới.",
        "Giá xăng RON 95 tăng 200 đồng, lên 20.280 đồng mỗi lít.",
    ),
    "xang-thang-truoc.txt": dated(
        "2025-07-20",
        "Giá xăng giảm 500 đồng mỗi lít",
        "Giá bán lẻ xăng dầu giảm theo giá thế giới.",
        "Giá xăng RON 95 giảm 500 đồng, còn 20.080 đồng mỗi lít.",
    ),
    "xang-khong-ngay.txt": dated(
        "",
        "Giá xăng dầu được điều hành thế nào",
        "Giá xăng RON 95 và giá xăng E5 được tính từ giá xăng thế giới, cộng thuế và phí.",
        "Giá xăng bán lẻ được điều chỉnh mỗi tuần, giá xăng thế giới tăng thì giá xăng tăng.",
    ),
    "mua-ngap.txt": dated(
        "2025-08-12T18:00:00+07:00",
        "Mưa lớn, nhiều tuyến đường ngập sâu",
        "Mưa lớn chiều nay gây ngập đường Nguyễn Hữu Thọ và Hàm Nghi sâu 40 cm.",
    ),
    "mua-thang-sau.txt": dated(
        "2025-06-18T20:00:00+07:00",
        "Mưa trái mùa gây ngập ở Liên Chiểu",
        "Mưa lớn trái mùa chiều nay gây ngập đường Tôn Đức Thắng khoảng 20 cm.",
    ),
    # 17:30 on the 13th in UTC is 00:30 on the 14th in Ho Chi Minh City
    "vang-nua-dem.txt": dated(
        "2025-08-13T17:30:00+00:00",
        "Giá vàng miếng SJC vượt 124 triệu đồng",
        "Giá vàng miếng SJC được niêm yết 124,1 triệu đồng mỗi lượng bán ra.",
    ),
    "vang-sang-qua.txt": dated(
        "2025-08-13T09:00:00+07:00",
        "Giá vàng miếng SJC giảm về 122,9 triệu đồng",
        "Giá vàng miếng SJC giảm 500.000 đồng, còn 122,9 triệu đồng mỗi lượng bán ra.",
    ),
}


def sources(result) -> list[str]:
    return [hit.source for hit in result.hits]


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("Giá xăng hôm qua thế nào?", "xang-hom-qua.txt"),
        ("Giá xăng hôm nay thế nào?", "xang-hom-nay.txt"),
        ("Tháng trước giá xăng RON 95 bao nhiêu?", "xang-thang-truoc.txt"),
        ("Hôm kia mưa gây ngập những đường nào?", "mua-ngap.txt"),
        ("Giá vàng SJC hôm nay bao nhiêu?", "vang-nua-dem.txt"),
        ("Giá vàng SJC hôm qua bao nhiêu?", "vang-sang-qua.txt"),
    ],
)
def test_the_days_asked_decide_the_article_typed_and_bare(index, question, first) -> None:
    for asked in (question, fold(question)):
        result = answer(asked, index, now=THURSDAY_NOON)
        assert result.hits[0].source == first, asked
        assert result.elsewhere == ""


def test_only_articles_published_on_the_days_asked_are_shown(index) -> None:
    result = answer("giá xăng tháng này", index, top_k=10, now=THURSDAY_NOON)
    assert set(sources(result)[:2]) == {"xang-hom-nay.txt", "xang-hom-qua.txt"}
    assert all(hit.day is not None and hit.day.month == 8 for hit in result.hits)


def test_an_article_without_a_date_is_outside_every_range(index) -> None:
    anywhere = answer("giá xăng được điều hành thế nào", index, top_k=10, now=THURSDAY_NOON)
    assert anywhere.hits[0].source == "xang-khong-ngay.txt" and anywhere.hits[0].day is None
    this_year = answer("năm nay giá xăng được điều hành thế nào", index, 10, now=THURSDAY_NOON)
    assert "xang-khong-ngay.txt" not in sources(this_year)


def test_the_newest_come_first(index) -> None:
    for asked in ("giá xăng mới nhất", "gia xang moi nhat", "gần đây giá xăng thế nào"):
        result = answer(asked, index, top_k=10, now=THURSDAY_NOON)
        articles = list(dict.fromkeys(sources(result)))
        assert articles[:3] == ["xang-hom-nay.txt", "xang-hom-qua.txt", "xang-thang-truoc.txt"]


def test_nothing_on_the_days_asked_is_said_over_the_best_matches_of_other_days(index) -> None:
    for asked in ("Hôm kia giá xăng thế nào?", "hom kia gia xang the nao"):
        result = answer(asked, index, now=THURSDAY_NOON)
        notice = "Không có bài nào đăng hôm kia về «giá xăng»; các đoạn gần nhất:"
        assert result.tier is Tier.RELATED and not result.answered and not result.lead
        assert result.elsewhere == notice and notice in result.reply
        assert isinstance(result.blocks[-len(result.hits) - 1], NoticeBlock)
        assert all(hit.source.startswith("xang") for hit in result.hits)
        dated_hits = [hit for hit in result.hits if hit.day]
        assert dated_hits and all(f" · {hit.day:%d/%m/%Y}" in result.reply for hit in dated_hits)


def test_a_date_the_question_names_is_met_by_an_article_published_then(index) -> None:
    question = "Ngày 12/8 mưa gây ngập những đường nào?"
    result = answer(question, index, now=THURSDAY_NOON)
    assert result.hits[0].source == "mua-ngap.txt" and "12/8" not in result.hits[0].passage
    assert result.unmentioned == ()
    earlier = answer(question, index, now=datetime(2025, 8, 11, tzinfo=SAIGON))
    assert earlier.unmentioned == ("12/8",)  # the 12th of August 2024: no article then


def test_the_day_is_the_one_of_the_time_zone_asked_in(index) -> None:
    in_utc = datetime(2025, 8, 14, 5, 0, tzinfo=UTC)  # noon in Ho Chi Minh City
    result = answer("Giá vàng SJC hôm nay bao nhiêu?", index, now=in_utc)
    # in UTC the gold article of 00:30 in Ho Chi Minh City was published on the 13th
    assert result.elsewhere.startswith("Không có bài nào đăng hôm nay")
    assert result.hits[0].source.startswith("vang") and result.hits[0].day.isoformat() == (
        "2025-08-13"
    )


def test_without_a_clock_the_question_is_asked_now(index) -> None:
    assert answer("giá xăng RON 95", index).hits


def test_in_an_archive_that_states_no_date_the_date_words_are_words(make_corpus) -> None:
    undated = {name: text.split("\n", 1)[1] if text.startswith("Published:") else text
               for name, text in ARTICLES.items()}  # fmt: skip
    index = load_index(make_corpus(undated), make_corpus({}))
    question = "hôm qua giá xăng tăng bao nhiêu"
    result = answer(question, index, now=THURSDAY_NOON)
    assert not index.states_dates and not result.elsewhere and result.hits  # no "Không có bài…"
    assert "hôm_qua" in understand(question, index).terms.words  # a word to rank on
