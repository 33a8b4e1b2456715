"""The operator page, GET / on the operator listener: one HTML page with the replies of the
last DAYS days as a chart (`chart.py`), the votes, answer times, the corpus and its last
reload, the inbox, the Xapian shards (where the bot searches them), each feed's last fetch, and
(only with BOT_KEEP_QUESTIONS) the questions the archive could not answer. No script, no
external asset; every value is HTML-escaped."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from html import escape

from bot.operator.chart import replies_chart
from bot.operator.kept import RECENT_DAYS, Unanswered
from bot.operator.metrics import FeedOutcome
from bot.operator.votes import VOTED_TIERS, VoteCounts
from retrieval.index.shards import ShardState
from retrieval.reply.answer import Tier

DAYS = 14
_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 60em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { text-align: left; padding: 0.2em 1em 0.2em 0; border-bottom: 1px solid #ddd; }
h2 { margin-top: 1.5em; font-size: 1.1em; }
"""


@dataclass(frozen=True)
class Overview:
    """What the page shows, gathered by the listener."""

    days: list[tuple[datetime.date, Counter[Tier]]]
    votes: tuple[VoteCounts, VoteCounts] | None  # today's and all; None: not counted
    p50_ms: float | None
    p95_ms: float | None
    articles: int
    passages: int
    reloaded: float | None  # wall time of the last reload that changed the index
    pending: int | None  # None: no inbox
    feeds: list[tuple[str, FeedOutcome | None]]  # each BOT_FEEDS entry, and its last fetch
    unanswered: list[Unanswered] | None  # None: BOT_KEEP_QUESTIONS is off
    zone: datetime.tzinfo
    shards: list[ShardState] = field(default_factory=list)  # none: the index is in process


def _table(head: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    cells = "".join(f"<th>{escape(str(title))}</th>" for title in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(value))}</td>" for value in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


def _when(at: float | None, zone: datetime.tzinfo) -> str:
    return datetime.datetime.fromtimestamp(at, zone).strftime("%Y-%m-%d %H:%M") if at else "-"


def _ms(value: float | None) -> str:
    return f"{value:.0f} ms" if value is not None else "-"


def _shards_line(states: list[ShardState], zone: datetime.tzinfo) -> str:
    """The shards in a line: how many answer, each on a replica ("shard 0 on its replica
    b:17002"), and each no server answers for, since when."""
    answering = [state for state in states if state.server is not None]
    notes = [f"{len(answering)} of {len(states)} answering"]
    notes += [f"shard {s.number} on its replica {s.server}" for s in answering if s.place > 0]
    notes += [
        f"shard {s.number}: no server answers since {_when(s.down_at, zone)}"
        for s in states
        if s.server is None
    ]
    return "; ".join(notes)


def page_html(view: Overview) -> str:
    votes = view.votes
    vote_rows: list[tuple[object, ...]] = (
        [(tier.value, votes[0].of(tier), votes[1].of(tier)) for tier in VOTED_TIERS]
        if votes is not None
        else []
    )
    status = [
        ("answer time p50", _ms(view.p50_ms)),
        ("answer time p95", _ms(view.p95_ms)),
        ("corpus", f"{view.articles} articles, {view.passages} passages"),
        ("last reload", _when(view.reloaded, view.zone)),
        ("inbox pending", "-" if view.pending is None else view.pending),
    ]
    if view.shards:
        status.append(("Xapian shards", _shards_line(view.shards, view.zone)))
    sections = [
        f"<h1>tin-bot</h1><h2>Replies per day, last {len(view.days)} days</h2>",
        replies_chart(view.days),
        "<h2>Status</h2>",
        _table(("", ""), list(status)),
        "<h2>Votes</h2>",
        _table(("tier", "today", "since first start"), vote_rows),
    ]
    if view.feeds:
        rows = [
            (feed, _when(outcome.at, view.zone), outcome.result)
            if outcome is not None
            else (feed, "-", "not fetched yet")
            for feed, outcome in view.feeds
        ]
        sections += ["<h2>Feeds</h2>", _table(("feed", "last fetch", "result"), list(rows))]
    if view.unanswered is not None:
        groups = [(group.count, group.understood, group.outcomes()) for group in view.unanswered]
        sections += [
            f"<h2>Questions not answered, last {RECENT_DAYS} days</h2>",
            _table(("asked", "understood as", "replies"), list(groups)),
        ]
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        "<title>tin-bot</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )
