"""Scoring the bot on question files: top-1, top-3, abstention confusion, per kind, failures.

A file holds one JSON object per line: {"id", "kind", "question", "sources": [file names],
"gold": verbatim excerpt or null}; `sources: []` means the corpus has no answer. A hit is
correct when it comes from an accepted source and its passage contains the gold excerpt,
both compared in `comparable` form.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.answer import Answer, Hit
from retrieval.text import comparable, fold


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    kind: str
    question: str
    sources: tuple[str, ...]
    gold: str

    @property
    def answerable(self) -> bool:
        return bool(self.sources)

    def accepts(self, hit: Hit) -> bool:
        return hit.source in self.sources and comparable(self.gold) in comparable(hit.passage)


def read_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        case_id = str(row.get("id", f"{path.stem}:{number}"))
        sources = tuple(row.get("sources") or ())
        cases.append(
            Case(case_id, row.get("kind", "?"), row["question"], sources, row.get("gold") or "")
        )
    return cases


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    asked: str
    answer: Answer

    @property
    def rank_of_gold(self) -> int | None:
        """1-based rank of the first accepted hit, None when no hit is accepted."""
        for rank, hit in enumerate(self.answer.hits, start=1):
            if self.case.accepts(hit):
                return rank
        return None

    @property
    def top1(self) -> bool:
        return self.answer.answered and self.rank_of_gold == 1

    @property
    def top3(self) -> bool:
        rank = self.rank_of_gold
        return self.answer.answered and rank is not None and rank <= 3


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _answerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.answerable]

    def _unanswerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.case.answerable]

    @property
    def answerable(self) -> int:
        return len(self._answerable())

    @property
    def unanswerable(self) -> int:
        return len(self._unanswerable())

    @property
    def top1(self) -> int:
        return sum(o.top1 for o in self._answerable())

    @property
    def top3(self) -> int:
        return sum(o.top3 for o in self._answerable())

    @property
    def abstained_correctly(self) -> int:
        return sum(not o.answer.answered for o in self._unanswerable())

    @property
    def answered_wrongly(self) -> int:
        """Questions the corpus does not answer that got an answer anyway."""
        return self.unanswerable - self.abstained_correctly

    @property
    def abstained_wrongly(self) -> int:
        return sum(not o.answer.answered for o in self._answerable())

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """kind -> (correct, total); correct is top-1 or, for no-answer kinds, abstained."""
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            row = table[outcome.case.kind]
            row[0] += outcome.top1 if outcome.case.answerable else not outcome.answer.answered
            row[1] += 1
        return {kind: (good, total) for kind, (good, total) in sorted(table.items())}

    def failures(self) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if (o.case.answerable and not o.top1) or (not o.case.answerable and o.answer.answered)
        ]


def evaluate(
    cases: Iterable[Case], ask: Callable[[str], Answer], strip_diacritics: bool = False
) -> Report:
    report = Report()
    for case in cases:
        asked = fold(case.question) if strip_diacritics else case.question
        report.outcomes.append(Outcome(case, asked, ask(asked)))
    return report
