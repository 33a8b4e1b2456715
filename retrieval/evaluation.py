"""Scoring the bot on question files: top-1, top-3, abstention confusion, per kind, failures.

A file holds one JSON object per line: {"id", "kind", "question", "sources": [file names],
"gold": verbatim excerpt or null}; `sources: []` means the corpus has no answer. A hit is
correct when it comes from an accepted source and its passage contains the gold excerpt,
both compared in `comparable` form.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.answer import Answer, Hit
from retrieval.text import comparable, fold, has_diacritics, normalize


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


LEAD_CHARS = 400


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    asked: str
    answer: Answer

    @property
    def gold_in_lead(self) -> bool:
        """The gold excerpt starts within the first LEAD_CHARS characters of the reply."""
        if not (self.case.answerable and self.answer.answered):
            return False
        position = comparable(self.answer.reply).find(comparable(self.case.gold))
        return 0 <= position < LEAD_CHARS

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
    restored_words: int = 0  # bare-typed words that came back exactly as originally spelled
    restorable_words: int = 0  # bare-typed words whose folded form the corpus knows

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
    def gold_in_lead(self) -> int:
        return sum(o.gold_in_lead for o in self._answerable())

    @property
    def near_topic(self) -> tuple[int, int]:
        """(abstained, total) over the no-answer questions whose kind says near-topic."""
        near = [o for o in self._unanswerable() if "near" in o.case.kind]
        return sum(not o.answer.answered for o in near), len(near)

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


_SYLLABLE = re.compile(r"[^\W_]+")


def restoration_counts(
    question: str, understood: str, known: Callable[[str], bool]
) -> tuple[int, int]:
    """(exactly restored, restorable): the words of `question`, asked without diacritics, that
    the corpus knows in folded form, and how many of them `understood` spells as the original.
    A question typed without diacritics in the first place has nothing to compare with."""
    if not has_diacritics(question):
        return 0, 0
    original = [s.lower() for s in _SYLLABLE.findall(normalize(question))]
    restored = [s.lower() for s in _SYLLABLE.findall(understood)]
    if len(original) != len(restored):
        return 0, sum(known(fold(s)) for s in original)
    pairs = [(o, r) for o, r in zip(original, restored, strict=True) if known(fold(o))]
    return sum(o == r for o, r in pairs), len(pairs)


def evaluate(
    cases: Iterable[Case],
    ask: Callable[[str], Answer],
    known: Callable[[str], bool],
    strip_diacritics: bool = False,
) -> Report:
    """Ask every case (folded when `strip_diacritics`), and every case folded to score how well
    diacritics are restored; `known` says whether the corpus has a folded syllable."""
    report = Report()
    for case in cases:
        asked = fold(case.question) if strip_diacritics else case.question
        result = ask(asked)
        report.outcomes.append(Outcome(case, asked, result))
        bare = result if strip_diacritics else ask(fold(case.question))
        exact, restorable = restoration_counts(case.question, bare.understood, known)
        report.restored_words += exact
        report.restorable_words += restorable
    return report
