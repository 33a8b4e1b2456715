"""Questions about when, read: every relative expression typed with its marks and bare, the
calendar's edges (weeks from Monday, months, years, midnight in the operator's zone), what is
not read as one, absolute dates, and the topic a reply names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from retrieval.language.text import fold
from retrieval.language.tokens import canonical_numbers
from retrieval.question.when import (
    Dated,
    Days,
    PastDays,
    Today,
    absolute_dates,
    read_expressions,
    topic_of,
)
from tests.retrieval.test_answer import SAIGON

THURSDAY = date(2025, 8, 14)


def days_of(question: str, today: date = THURSDAY) -> Days | None:
    return read_expressions(question).when.days(today)


def day(text: str) -> date:
    return date.fromisoformat(text)


def span(first: str, last: str) -> Days:
    return Days(day(first), day(last))


@pytest.mark.parametrize(
    ("question", "days", "phrase"),
    [
        ("Giá xăng hôm nay bao nhiêu?", span("2025-08-14", "2025-08-14"), "hôm nay"),
        ("Hôm qua thành ủy họp về gì?", span("2025-08-13", "2025-08-13"), "hôm qua"),
        ("hôm kia có mưa không", span("2025-08-12", "2025-08-12"), "hôm kia"),
        ("Tuần này có bao nhiêu ca sốt xuất huyết", span("2025-08-11", "2025-08-17"), "tuần này"),
        ("tuần trước có quyết định gì", span("2025-08-04", "2025-08-10"), "tuần trước"),
        ("Tháng này giá vàng", span("2025-08-01", "2025-08-31"), "tháng này"),
        ("tháng trước giá xăng giảm bao nhiêu", span("2025-07-01", "2025-07-31"), "tháng trước"),
        ("Năm nay du lịch thế nào", span("2025-01-01", "2025-12-31"), "năm nay"),
        ("năm ngoái giá điện tăng", span("2024-01-01", "2024-12-31"), "năm ngoái"),
        ("giá vàng 3 ngày qua", span("2025-08-11", "2025-08-14"), "trong 3 ngày qua"),
        ("Giá xăng RON 95 hôm qua", span("2025-08-13", "2025-08-13"), "hôm qua"),
        ("ở Quận 7 tuần trước có gì", span("2025-08-04", "2025-08-10"), "tuần trước"),
        ("Trong 10 ngày vừa qua có gì", span("2025-08-04", "2025-08-14"), "trong 10 ngày qua"),
        ("ba ngày gần đây có mưa không", span("2025-08-11", "2025-08-14"), "trong 3 ngày qua"),
    ],
)
def test_each_relative_expression_names_its_days_typed_and_bare(question, days, phrase) -> None:
    for asked in (question, fold(question), question.upper()):
        when = read_expressions(asked).when
        assert when.days(THURSDAY) == days, asked
        assert when.phrase == phrase and not when.newest_first


@pytest.mark.parametrize(
    ("question", "meant"),
    [
        ("hnay có tin gì", "hôm nay"),
        ("bữa nay giá vàng", "hôm nay"),
        ("sáng nay ai phát biểu", "hôm nay"),
        ("ngày hôm qua có gì mới", "hôm qua"),
        ("hqua ai thắng", "hôm qua"),
        ("hum qua có họp không", "hôm qua"),
        ("chiều hôm qua mưa ở đâu", "hôm qua"),
        ("tuần rồi thành ủy họp gì", "tuần trước"),
        ("tháng vừa rồi giá xăng", "tháng trước"),
        ("năm trước điểm chuẩn bao nhiêu", "năm ngoái"),
        ("năm rồi giá điện tăng mấy lần", "năm ngoái"),
    ],
)
def test_informal_variants_mean_what_readers_mean(question, meant) -> None:
    for asked in (question, fold(question)):
        when = read_expressions(asked).when
        assert when.phrase == meant, asked
        assert when.days(THURSDAY) == read_expressions(meant).when.days(THURSDAY)


def test_the_past_week_is_the_last_seven_days() -> None:
    assert read_expressions("tuần qua có gì mới").when.periods == (PastDays(7),)


@pytest.mark.parametrize(
    "question",
    [
        "Tin mới nhất về cầu Rồng Xanh",
        "gần đây giá vàng",
        "mới đây ai được bổ nhiệm",
        "những ngày gần đây có mưa không",
    ],
)
def test_newest_first_expressions_name_no_days(question) -> None:
    for asked in (question, fold(question)):
        when = read_expressions(asked).when
        assert when.newest_first and when.days(THURSDAY) is None, asked


@pytest.mark.parametrize(
    "question",
    [
        "Một tuần trước khi vào bệnh viện, bé có triệu chứng gì?",  # a duration
        "hai năm trước ông giữ chức vụ gì",  # a duration
        "10 năm nay giá nhà tăng bao nhiêu",  # a duration
        "trong 2 tuần trước khi nghỉ",  # a duration
        "Trong 2 năm trước ông làm gì",  # a duration: the capital only opens the question
        "mấy năm nay giá nhà tăng",  # a duration
        "những ngày qua",  # no count of days
        "tuần trước đó ai chủ trì",  # relative to another time
        "Tuấn này là ai",  # marked otherwise
        "Việt Nam thắng trước Thái Lan",  # marked otherwise
        "Hiện nay có bao nhiêu trường",  # no day
        "qua cầu Rồng",  # "qua" alone
        "giá vàng",
    ],
)
def test_what_is_not_a_day_is_not_read_as_one(question) -> None:
    when = read_expressions(question).when
    assert when.days(THURSDAY) is None and not when.newest_first


@pytest.mark.parametrize(
    ("today", "question", "days"),
    [
        # a week runs Monday to Sunday
        (day("2025-08-11"), "tuần này", span("2025-08-11", "2025-08-17")),  # Monday
        (day("2025-08-17"), "tuần này", span("2025-08-11", "2025-08-17")),  # Sunday
        (day("2025-08-11"), "tuần trước", span("2025-08-04", "2025-08-10")),
        (day("2025-08-17"), "tuần trước", span("2025-08-04", "2025-08-10")),
        # months and years turn over
        (day("2025-01-15"), "tháng trước", span("2024-12-01", "2024-12-31")),
        (day("2025-03-31"), "tháng trước", span("2025-02-01", "2025-02-28")),
        (day("2024-03-01"), "tháng trước", span("2024-02-01", "2024-02-29")),
        (day("2025-12-31"), "tháng này", span("2025-12-01", "2025-12-31")),
        (day("2025-01-01"), "hôm qua", span("2024-12-31", "2024-12-31")),
        (day("2025-01-01"), "năm ngoái", span("2024-01-01", "2024-12-31")),
        (day("2025-01-02"), "hôm kia", span("2024-12-31", "2024-12-31")),
        (day("2025-01-02"), "tuần trước", span("2024-12-23", "2024-12-29")),
        (day("2025-03-02"), "5 ngày qua", span("2025-02-25", "2025-03-02")),
    ],
)
def test_the_calendar_edges(today, question, days) -> None:
    assert days_of(question, today) == days


def test_today_is_the_operators_day_at_midnight() -> None:
    just_after = datetime(2025, 8, 13, 17, 30, tzinfo=UTC).astimezone(SAIGON)  # 00:30 there
    assert Today.at(just_after) == Today(THURSDAY, SAIGON)
    assert Today.at(just_after - timedelta(hours=1)).day == THURSDAY - timedelta(days=1)
    with pytest.raises(ValueError):
        Today.at(datetime(2025, 8, 14, 9, 0))  # no time zone: no day


def test_several_expressions_name_all_their_days() -> None:
    when = read_expressions("hôm qua và hôm nay giá vàng mới nhất").when
    assert when.days(THURSDAY) == span("2025-08-13", "2025-08-14")
    assert when.newest_first and when.phrase == "hôm qua và hôm nay"


def test_expressions_are_spelt_in_the_understood_question_and_taken_out_of_it() -> None:
    expressions = read_expressions("Hom qua gia xang tang bao nhieu")
    assert expressions.spelt_in("Hom qua giá xăng tăng bao nhiêu") == (
        "Hôm qua giá xăng tăng bao nhiêu"
    )
    assert expressions.removed_from("Hôm qua giá xăng tăng bao nhiêu") == (
        "giá xăng tăng bao nhiêu"
    )
    unchanged = "  giá   xăng "
    assert read_expressions(unchanged).removed_from(unchanged) == unchanged


@pytest.mark.parametrize(
    ("question", "dated", "days"),
    [
        ("Ngày 12/8 mưa ở đâu", Dated(12, 8, None), span("2025-08-12", "2025-08-12")),
        ("ngày 20 tháng 8 ai phát biểu", Dated(20, 8, None), span("2024-08-20", "2024-08-20")),
        ("ngay 12/8/2024", Dated(12, 8, 2024), span("2024-08-12", "2024-08-12")),
        ("12 tháng 8 năm 2024", Dated(12, 8, 2024), span("2024-08-12", "2024-08-12")),
        ("tháng 8/2025 giá xăng", Dated(None, 8, 2025), span("2025-08-01", "2025-08-31")),
        ("tháng 9 năm 2024", Dated(None, 9, 2024), span("2024-09-01", "2024-09-30")),
        ("tháng 12 có gì", Dated(None, 12, None), span("2024-12-01", "2024-12-31")),
        ("năm 2024 du lịch", Dated(None, None, 2024), span("2024-01-01", "2024-12-31")),
    ],
)
def test_absolute_dates_name_the_latest_such_day_not_after_today(question, dated, days) -> None:
    [(_, found)] = absolute_dates(canonical_numbers(question))
    assert found == dated and found.days(THURSDAY) == days


def test_no_real_day_names_no_days() -> None:
    [(_, found)] = absolute_dates(canonical_numbers("ngày 31/2/2024"))
    assert found.days(THURSDAY) is None
    assert absolute_dates(canonical_numbers("Nghị quyết 57 và điều 12")) == []


@pytest.mark.parametrize(
    ("rest", "topic"),
    [
        ("thành ủy họp về gì?", "thành ủy họp"),
        ("có tin gì về cầu Rồng Xanh?", "cầu Rồng Xanh"),
        ("có quyết định gì về giá điện", "giá điện"),
        ("giá xăng tăng", "giá xăng tăng"),
        ("có gì mới?", ""),
    ],
)
def test_the_topic_a_reply_names(rest, topic) -> None:
    assert topic_of(rest) == topic
