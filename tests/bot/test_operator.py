"""What the operator sees, piece by piece: the reply keyboard's callback data, votes, replies per
day and kept questions in their store, the metrics, the operator page, the settings and
`python -m bot questions`."""

from __future__ import annotations

import datetime
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.cli import main
from bot.feeds.crawler import RoundReport
from bot.operator.daily import DailyReplies
from bot.operator.kept import DAY_SECONDS, KeptQuestions
from bot.operator.metrics import CHAT, Metrics
from bot.operator.page import Overview, page_html
from bot.operator.votes import DOWN, UP, Votes
from bot.settings import SettingsError, load_settings
from bot.telegram.database import SqliteDatabase
from bot.telegram.keyboard import ballot_of, reply_markup, without_more
from bot.telegram.stores import OPERATOR_FILE
from retrieval.index.live import LiveIndex
from retrieval.index.shards import ShardState
from retrieval.index.store import IndexStore
from retrieval.reply.answer import Answer, Tier, answer
from tests.conftest import SEEDS_DIR

WEEK_AGO = time.time() - 7 * DAY_SECONDS


def database(folder: Path) -> SqliteDatabase:
    return SqliteDatabase(folder / OPERATOR_FILE)


def test_the_keyboard_holds_more_and_votes_within_64_bytes(seed_index) -> None:
    result = answer("Thành ủy TPHCM", seed_index, 3)
    markup = reply_markup(result, 17, 3, kept="0123456789ab")
    assert markup is not None
    (row,) = markup.inline_keyboard
    assert [button.text for button in row] == ["Thêm kết quả", "👍", "👎"]
    assert all(len(str(button.callback_data).encode()) <= 64 for button in row)
    ballot = ballot_of(str(row[2].callback_data))
    assert ballot is not None and (ballot.vote, ballot.tier, ballot.kept) == (
        DOWN,
        result.tier,
        "0123456789ab",
    )
    assert [b.text for b in without_more(markup).inline_keyboard[0]] == ["👍", "👎"]  # type: ignore[union-attr]
    assert reply_markup(answer("giá vàng hôm nay", seed_index, 3), 0, 3) is None
    assert ballot_of("vote:up:none") is None and ballot_of("vote:maybe:answer") is None


def test_one_vote_per_user_and_reply_changeable_without_ids_stored(tmp_path) -> None:
    votes = Votes(database(tmp_path), 1, b"token")
    reply = (55501, 7)
    assert votes.cast(reply, 4242, Tier.ANSWER, UP) is True
    assert votes.cast(reply, 4242, Tier.ANSWER, UP) is False  # the same vote again
    assert votes.cast(reply, 4242, Tier.ANSWER, DOWN) is True  # changed
    assert votes.cast(reply, 4343, Tier.ANSWER, UP) is True
    assert votes.cast((55501, 8), 4242, Tier.RELATED, DOWN) is True
    counts = Votes(database(tmp_path), 1, b"token").counts()  # reopened: they survive
    assert counts.line() == "answer 👍 1 👎 1, related 👍 0 👎 1"
    assert votes.counts(since=time.time() + 60).line() == "answer 👍 0 👎 0, related 👍 0 👎 0"
    stored = (tmp_path / OPERATOR_FILE).read_bytes()
    assert b"55501" not in stored and b"4242" not in stored


def test_replies_are_counted_per_day_and_tier(tmp_path) -> None:
    daily = DailyReplies(database(tmp_path), 1)
    today = datetime.date(2026, 3, 14)
    for tier in (Tier.ANSWER, Tier.ANSWER, Tier.NONE):
        daily.count(today, tier)
    daily.count(today - datetime.timedelta(days=20), Tier.RELATED)  # outside the window
    days = daily.last_days(today, 14)
    assert len(days) == 14 and days[0][0] == today - datetime.timedelta(days=13)
    assert days[-1] == (today, Counter({Tier.ANSWER: 2, Tier.NONE: 1}))
    assert sum(sum(per_tier.values()) for _, per_tier in days) == 3


def reply(question: str, understood: str, tier: Tier) -> Answer:
    return Answer(question, understood, question != understood, tier, (), "r")


def test_unanswered_questions_are_grouped_by_understood_form_and_pruned(tmp_path) -> None:
    kept = KeptQuestions(database(tmp_path), 1, days=30)
    for typed in ("gia vang hom nay", "giá vàng hôm nay", "Giá vàng hôm nay?"):
        kept.keep(reply(typed, "giá vàng hôm nay", Tier.NONE))
    kept.keep(reply("luat bien phong", "luật biên phòng", Tier.RELATED))
    disliked = kept.keep(reply("tu soi tu sua", "tự soi tự sửa", Tier.ANSWER))
    kept.keep(reply("bi thu", "bí thư", Tier.ANSWER))
    kept.vote(disliked, DOWN)
    groups = kept.unanswered(WEEK_AGO)
    assert [group.line() for group in groups] == [
        "3× giá vàng hôm nay (none 3)",
        "1× luật biên phòng (related 1)",
        "1× tự soi tự sửa (answer 1, 👎 1)",
    ]
    assert groups[0].to_json()["questions"] == [
        "gia vang hom nay",
        "giá vàng hôm nay",
        "Giá vàng hôm nay?",
    ]
    assert [g.understood for g in kept.unanswered(WEEK_AGO, frozenset({Tier.RELATED}))] == [
        "luật biên phòng"
    ]
    assert kept.prune(now=time.time() + 31 * DAY_SECONDS) == 6
    assert kept.unanswered(0) == []


def test_metrics_parse_and_hold_no_question(seed_index) -> None:
    metrics = Metrics()
    result = answer("câu hỏi bí mật về tự soi tự sửa", seed_index, 3)
    metrics.replied(result, 0.02, CHAT)
    metrics.voted(Tier.ANSWER, DOWN)
    metrics.failed(TimeoutError())
    metrics.feed_round(RoundReport(saved=["a.txt"], results={"https://x.example/rss": "changed"}))
    text = metrics.exposition().decode()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples["tin_bot_replies_total", (("adapter", "chat"), ("tier", result.tier.value))] == 1
    assert samples["tin_bot_votes_total", (("tier", "answer"), ("vote", "down"))] == 1
    assert samples["tin_bot_errors_total", (("kind", "TimeoutError"),)] == 1
    assert samples["tin_bot_feed_fetches_total", (("result", "changed"),)] == 1
    assert samples["tin_bot_feed_pages_total", (("result", "saved"),)] == 1
    assert samples["tin_bot_answer_seconds_count", ()] == 1
    assert "bí mật" not in text and "x.example" not in text


class _ShardedIndex:
    """A live index searched through two Xapian shards: shard 0 on its replica, shard 1 down."""

    def __init__(self, index) -> None:  # type: ignore[no-untyped-def]
        self.current, self.reloads, self.reloaded_at = index, 0, None

    def shard_states(self) -> list[ShardState]:
        return [ShardState(0, "b:17002", 1), ShardState(1, None, 0, DOWN_AT)]


DOWN_AT = datetime.datetime(2026, 3, 14, 21, 55, tzinfo=datetime.UTC).timestamp()


def test_metrics_say_which_shards_answer_and_which_run_on_a_replica(seed_index) -> None:
    samples = {}
    for live in (_ShardedIndex(seed_index), LiveIndex(SEEDS_DIR, IndexStore(None, SEEDS_DIR))):
        metrics = Metrics()
        metrics.observe_index(live)  # type: ignore[arg-type]
        text = metrics.exposition().decode()
        samples[type(live)] = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name.startswith("tin_bot_shard")
        }
    assert samples[_ShardedIndex] == {
        ("tin_bot_shard_up", (("shard", "0"),)): 1,
        ("tin_bot_shard_up", (("shard", "1"),)): 0,
        ("tin_bot_shard_on_replica", (("shard", "0"),)): 1,
        ("tin_bot_shard_on_replica", (("shard", "1"),)): 0,
    }
    assert samples[LiveIndex] == {}  # the whole index in process: no shard


def test_the_page_escapes_every_value_and_draws_the_chart() -> None:
    today = datetime.date(2026, 3, 14)
    days = [(today - datetime.timedelta(days=n), Counter({Tier.ANSWER: n})) for n in range(14)]
    hostile = "<script>alert(1)</script>"
    view = Overview(
        days=days[::-1],
        votes=None,
        p50_ms=12.0,
        p95_ms=40.0,
        articles=5,
        passages=105,
        reloaded=None,
        pending=0,
        feeds=[(f"https://x.example/{hostile}", None)],
        unanswered=[],
        zone=datetime.UTC,
    )
    html = page_html(view)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert html.count('fill="#2e7d32"') == 14  # 13 days' bars and the legend
    assert "12 ms" in html and "40 ms" in html and "5 articles, 105 passages" in html
    assert "Xapian shards" not in html
    sharded = page_html(replace(view, shards=_ShardedIndex(None).shard_states()))
    assert (
        "<td>Xapian shards</td><td>1 of 2 answering; shard 0 on its replica b:17002; "
        "shard 1: no server answers since 2026-03-14 21:55</td>"
    ) in sharded


@pytest.mark.parametrize("listen", ["0.0.0.0", "bot.example.org", "::"])
def test_a_listener_off_loopback_needs_its_token(monkeypatch, listen) -> None:
    monkeypatch.setenv("BOT_HTTP_PORT", "9100")
    monkeypatch.setenv("BOT_HTTP_LISTEN", listen)
    with pytest.raises(SettingsError, match="BOT_HTTP_TOKEN"):
        load_settings()
    monkeypatch.setenv("BOT_HTTP_TOKEN", "op-secret")
    assert "op-secret" in load_settings().secrets()
    monkeypatch.setenv("BOT_HTTP_LISTEN", "127.0.0.1")
    monkeypatch.delenv("BOT_HTTP_TOKEN")
    assert load_settings().http_loopback


def test_questions_command_prints_the_unanswered_ones(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    assert main(["questions"]) == 2
    assert "BOT_KEEP_QUESTIONS is off" in capsys.readouterr().err
    kept = KeptQuestions(database(tmp_path), 0, days=30)
    kept.keep(reply("gia vang", "giá vàng", Tier.NONE))
    kept.keep(reply("luat bien phong", "luật biên phòng", Tier.RELATED))
    monkeypatch.setenv("BOT_KEEP_QUESTIONS", "true")
    assert main(["questions", "--since", "7d", "--tier", "none"]) == 0
    assert capsys.readouterr().out == "1× giá vàng (none 1)\n"
    assert main(["questions", "--json"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 2 and '"understood": "giá vàng"' in rows[0]
    with pytest.raises(SystemExit):
        main(["questions", "--since", "soon"])
    assert "7d or 12h" in capsys.readouterr().err
