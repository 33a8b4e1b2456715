"""Replies per tier per day as an SVG bar chart, drawn on the server: one stacked bar a day
(answer, related, none from the bottom), the day under each bar, the tallest day's count on
the axis, a legend. Inline SVG only: no script, no external asset, every text escaped."""

from __future__ import annotations

import datetime
from collections import Counter
from html import escape

from retrieval.reply.answer import Tier

WIDTH, HEIGHT = 720, 260
LEFT, BOTTOM, TOP = 40, 40, 30  # room for the axis, the days and the legend
COLOURS = {Tier.ANSWER: "#2e7d32", Tier.RELATED: "#f9a825", Tier.NONE: "#c62828"}


def _bar(x: float, width: float, per_tier: Counter[Tier], scale: float) -> list[str]:
    """A day's stacked rectangles, answer at the bottom."""
    shapes: list[str] = []
    bottom: float = HEIGHT - BOTTOM
    for tier, colour in COLOURS.items():
        height = per_tier[tier] * scale
        if height:
            bottom -= height
            shapes.append(
                f'<rect x="{x:.1f}" y="{bottom:.1f}" width="{width:.1f}" height="{height:.1f}"'
                f' fill="{colour}"><title>{escape(tier.value)}: {per_tier[tier]}</title></rect>'
            )
    return shapes


def replies_chart(days: list[tuple[datetime.date, Counter[Tier]]]) -> str:
    """The chart of `days` (oldest first) as an <svg> element."""
    tallest = max((sum(per_tier.values()) for _, per_tier in days), default=0)
    plot_height = HEIGHT - BOTTOM - TOP
    scale = plot_height / tallest if tallest else 0.0
    step = (WIDTH - LEFT) / max(len(days), 1)
    shapes = [
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}"'
        ' stroke="#555"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{tallest}</text>',
        f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end">0</text>',
    ]
    for number, (day, per_tier) in enumerate(days):
        x = LEFT + number * step
        shapes += _bar(x + step * 0.15, step * 0.7, per_tier, scale)
        label = escape(day.strftime("%d/%m"))
        shapes.append(
            f'<text x="{x + step / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{label}</text>"
        )
    for number, (tier, colour) in enumerate(COLOURS.items()):
        x = LEFT + number * 110
        shapes.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        shapes.append(f'<text x="{x + 16}" y="16">{escape(tier.value)}</text>')
    body = "\n".join(shapes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" font-size="11" font-family="sans-serif" role="img"'
        f' aria-label="replies per tier per day">\n{body}\n</svg>'
    )
