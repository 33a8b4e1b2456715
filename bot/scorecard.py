"""`python -m bot eval`: the figures table, the floors (`--require`) and the failures list."""

from __future__ import annotations

import argparse
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from retrieval.evaluation.scoring import Evaluation, Figure, Outcome, Report
from retrieval.reply.answer import Tier

# column name -> its heading; a figure is named "hit@1" (the bot, as typed) or
# "hit@1:bare", "hit@1:bm25", "hit@1:bm25-bare"
LABELS = {"": "bot", "bare": "bot:bare", "bm25": "bm25", "bm25-bare": "bm25:bare"}
_REQUIREMENT = re.compile(r"^\s*([\w@\[\]:.%-]+)\s*(>=|<=)\s*([\w@\[\]:.%-]+)\s*$")
PERCENT = "%"  # "excerpt-has-gold%": a count figure as a percentage of its total
_COMPARE: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<=": operator.le}


@dataclass(frozen=True, slots=True)
class Requirement:
    """A floor or a ceiling: "hit@1>=500", "answerable-abstained<=12", "hit@10>=hit@10:bm25",
    "answer-line-has-gold%>=90" (a percentage of the figure's total)."""

    figure: str
    comparison: str
    bound: str  # a number or another figure's name

    @classmethod
    def parse(cls, text: str) -> Requirement:
        match = _REQUIREMENT.match(text)
        if match is None:
            raise argparse.ArgumentTypeError(
                f"{text!r}: expected FIGURE>=BOUND or FIGURE<=BOUND, e.g. hit@1>=500"
            )
        return cls(*match.groups())

    def __str__(self) -> str:
        return f"{self.figure}{self.comparison}{self.bound}"


Reports = dict[str, Report]  # column name -> report


def figures_of(reports: Reports) -> dict[str, Figure]:
    """Every figure of every column, by its full name."""
    named: dict[str, Figure] = {}
    for column, report in reports.items():
        suffix = f":{column}" if column else ""
        named.update({name + suffix: figure for name, figure in report.metrics().items()})
    return named


def reports_of(bot: Evaluation, baseline: Evaluation | None) -> Reports:
    reports = {"": bot.typed, "bare": bot.bare}
    if baseline is not None:
        reports |= {"bm25": baseline.typed, "bm25-bare": baseline.bare}
    return reports


class UnknownFigure(Exception):
    pass


def _value(name: str, figures: dict[str, Figure]) -> float:
    if name in figures:
        return figures[name].value
    counted = figures.get(name.replace(PERCENT, "", 1)) if PERCENT in name else None
    if counted is not None and counted.total is not None:
        return 100 * counted.value / counted.total if counted.total else 100.0
    try:
        return float(name)
    except ValueError:
        known = ", ".join(sorted(n for n in figures if ":" not in n))
        raise UnknownFigure(
            f"unknown figure {name!r} (figures: {known}; add :bare, :bm25 or :bm25-bare)"
        ) from None


def unmet(requirements: list[Requirement], figures: dict[str, Figure]) -> list[str]:
    """One line per requirement the figures miss."""
    misses = []
    for requirement in requirements:
        value = _value(requirement.figure, figures)
        bound = _value(requirement.bound, figures)
        if not _COMPARE[requirement.comparison](value, bound):
            misses.append(f"{requirement} ({requirement.figure} is {value:g}, bound {bound:g})")
    return misses


def table(reports: Reports) -> str:
    """Figures as rows, columns as the bot and the baseline, as typed and bare."""
    columns = list(reports)
    rows = {column: reports[column].metrics() for column in columns}
    names = list(dict.fromkeys(name for figures in rows.values() for name in figures))
    header = ["figure", *(LABELS[c] for c in columns)]
    lines = [header, *([name, *(_cell(rows[c], name) for c in columns)] for name in names)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(_aligned(line, widths)) for line in lines)


def _cell(figures: dict[str, Figure], name: str) -> str:
    return str(figures[name]) if name in figures else "-"


def _aligned(cells: list[str], widths: list[int]) -> list[str]:
    """The first cell left-aligned, the figures right-aligned."""
    first, *rest = zip(cells, widths, strict=True)
    return [first[0].ljust(first[1]), *(cell.rjust(width) for cell, width in rest)]


def describe(outcome: Outcome) -> str:
    hits = ", ".join(f"{h.source}#{h.paragraph}" for h in outcome.answer.hits[:3]) or "no hits"
    case = outcome.case
    return f"FAIL {case.id} [{case.kind}] {outcome.asked!r} -> {outcome.answer.tier}: {hits}"


def print_evaluation(title: str, reports: Reports, show_failures: bool) -> None:
    bot = reports[""]
    print(f"== {title}: {len(bot.answerable)} answerable, {len(bot.unanswerable)} no-answer")
    print(table(reports))
    print("per kind (bot, as typed; right: hit@1, or no `answer` tier for no-answer kinds):")
    for kind, row in bot.by_kind().items():
        tiers = " · ".join(f"{tier} {row.tiers[tier]}" for tier in Tier)
        print(f"  {kind:<24} {row.right}/{row.total}  ({tiers})")
    if show_failures:
        for outcome in bot.failures():
            print("  " + describe(outcome))
