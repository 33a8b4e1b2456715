"""/stats: what an operator sees, and only an operator."""

from __future__ import annotations

import datetime

from bot.telegram.bootstrap import build_application
from bot.telegram.stats import Stats, stats_text
from bot.texts import UNKNOWN_COMMAND
from retrieval.reply.answer import Answer, Tier
from tests.bot.conftest import bot_settings, start_polling, stop_polling

ANSWERED = Answer("q", "q", False, Tier.ANSWER, (), "r")
RELATED = Answer("q", "q", False, Tier.RELATED, (), "r", False, ("X",))
NONE = Answer("q", "q", False, Tier.NONE, (), "r")


def test_outcomes_are_counted_since_start_and_today_and_times_are_percentiles() -> None:
    stats = Stats()
    monday, tuesday = datetime.date(2026, 11, 23), datetime.date(2026, 11, 24)
    for n in range(100):
        stats.record(ANSWERED, (n + 1) / 1000, on=monday)
    stats.record(RELATED, 0.5, on=tuesday)
    stats.record(NONE, 0.5, on=tuesday)
    assert stats.since_start == {Tier.ANSWER: 100, Tier.RELATED: 1, Tier.NONE: 1}
    assert stats.today == {Tier.RELATED: 1, Tier.NONE: 1}  # a new day starts afresh
    assert 49 <= (stats.percentile_ms(0.5) or 0) <= 52
    assert 94 <= (stats.percentile_ms(0.95) or 0) <= 98
    text = stats_text(stats, 5, 105, 0, None)
    assert "since start: 100 answer, 1 related, 1 none" in text
    assert "5 articles, 105 passages" in text and "inbox pending: 0" in text


async def test_stats_answer_admins_only(fake_api, seed_live) -> None:
    settings = bot_settings(fake_api, admin_ids="601")
    application = build_application(settings, seed_live)
    await start_polling(application)
    try:
        question = fake_api.send_text(601, "tu soi tu sua")
        await fake_api.wait_for(lambda: fake_api.replies_to(question))
        admin = fake_api.send_text(601, "/stats")
        stranger = fake_api.send_text(602, "/stats")
        await fake_api.wait_for(
            lambda: fake_api.replies_to(admin) and fake_api.replies_to(stranger)
        )
    finally:
        await stop_polling(application)
    (report,) = fake_api.replies_to(admin)
    assert "since start: 1 answer, 0 related, 0 none" in report.params["visible"]
    assert "5 articles" in report.params["visible"] and "p50" in report.params["visible"]
    (refusal,) = fake_api.replies_to(stranger)
    assert refusal.params["visible"] == UNKNOWN_COMMAND
