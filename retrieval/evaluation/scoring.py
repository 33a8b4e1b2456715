"""Scoring an answering function on question files: ranking, abstention, the shown answer.

A file holds one JSON object per line: {"id", "kind", "question", "sources": [file names],
"gold": verbatim excerpt or null}; `sources: []` means the corpus has no answer. A hit is
correct when it comes from an accepted source and its passage contains the gold excerpt,
both compared in `comparable` form. A question about when ("hôm qua…") states the day it is
asked on, "today": "YYYY-MM-DD" (in the operator's time zone); without it, it is asked today.

Every question is asked twice, as typed and with its diacritics stripped, so one run gives
both columns of every figure (and how well the bare questions' marks were restored).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from retrieval.language.text import comparable, fold, has_diacritics, normalize
from retrieval.language.tokens import SYLLABLE
from retrieval.reply.answer import Answer, Hit, Tier

LEAD_CHARS = 400
RANKS = (1, 3, 10)
MRR_DEPTH = 10


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    kind: str
    question: str
    sources: tuple[str, ...]
    gold: str
    today: date | None = None  # the day it is asked on; None: the day the eval runs

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
        today = date.fromisoformat(row["today"]) if row.get("today") else None
        kind, gold = row.get("kind", "?"), row.get("gold") or ""
        cases.append(Case(case_id, kind, row["question"], sources, gold, today))
    return cases


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    asked: str
    answer: Answer

    @property
    def gold_in_lead(self) -> bool:
        """The gold excerpt starts within the first LEAD_CHARS characters of the reply."""
        if not (self.case.answerable and self.answer.shows_hits):
            return False
        position = comparable(self.answer.reply).find(comparable(self.case.gold))
        return 0 <= position < LEAD_CHARS

    @property
    def rank_of_gold(self) -> int | None:
        """1-based rank of the first accepted hit among those shown (an answer's or related
        passages); None when none is."""
        for rank, hit in enumerate(self.answer.hits, start=1):
            if self.case.accepts(hit):
                return rank
        return None

    @property
    def answer_line_right(self) -> bool:
        """The reply shows "Trả lời:" over the right passage's excerpt holding the gold."""
        return self.answer.lead and self.hit_at(1) and self.excerpt_has_gold

    @property
    def excerpt_has_gold(self) -> bool:
        """The first hit's excerpt, what the user reads first, holds the gold answer."""
        hits = self.answer.hits
        return bool(hits) and comparable(self.case.gold) in comparable(hits[0].excerpt.text)

    @property
    def article_first(self) -> bool:
        """The first hit comes from an accepted source, whichever of its paragraphs (for
        questions about when: the article published then is first)."""
        hits = self.answer.hits
        return bool(hits) and hits[0].source in self.case.sources

    def hit_at(self, depth: int) -> bool:
        rank = self.rank_of_gold
        return rank is not None and rank <= depth

    @property
    def reciprocal_rank(self) -> float:
        rank = self.rank_of_gold
        return 1 / rank if rank is not None and rank <= MRR_DEPTH else 0.0

    @property
    def failed(self) -> bool:
        return not self.hit_at(1) if self.case.answerable else self.answer.answered


@dataclass
class KindRow:
    right: int = 0
    tiers: Counter[Tier] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.tiers.values())


@dataclass
class Report:
    """The outcomes of one answering function on one way of asking (typed or bare)."""

    outcomes: list[Outcome] = field(default_factory=list)
    restored_words: int = 0  # bare-typed words that came back exactly as originally spelled
    restorable_words: int = 0  # bare-typed words whose folded form the corpus knows

    @property
    def answerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.case.answerable]

    @property
    def unanswerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.case.answerable]

    def metrics(self) -> dict[str, Figure]:
        """Every figure by name, as `--require` and the eval table name them."""
        answerable, unanswerable = self.answerable, self.unanswerable
        figures = _ranking_figures(answerable) | _tier_figures(answerable)
        figures |= _first_read_figures(answerable)
        figures |= _answer_line_figures(answerable, self.outcomes)
        figures |= _abstention_figures(unanswerable)
        if self.restorable_words:
            figures["restored"] = Figure(self.restored_words / self.restorable_words, None)
        return figures

    def by_kind(self) -> dict[str, KindRow]:
        """Each kind's questions: how many went right (hit@1 or, for no-answer kinds, no
        `answer` tier) and how many got each tier."""
        table: dict[str, KindRow] = {}
        for outcome in self.outcomes:
            row = table.setdefault(outcome.case.kind, KindRow())
            row.right += not outcome.failed
            row.tiers[outcome.answer.tier] += 1
        return dict(sorted(table.items()))

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]


@dataclass(frozen=True, slots=True)
class Figure:
    """A count out of a total, or a plain value (total None: a share or a mean)."""

    value: float
    total: int | None

    @classmethod
    def count(cls, value: int, of: list[Outcome]) -> Figure:
        return cls(value, len(of))

    def __str__(self) -> str:
        if self.total is not None:
            return f"{self.value:g}/{self.total}"
        return f"{self.value:.3f}"


def _ranking_figures(answerable: list[Outcome]) -> dict[str, Figure]:
    """hit@k for each depth of RANKS, the mean reciprocal rank, and article@1: the first hit
    from the right article."""
    figures = {
        f"hit@{depth}": Figure.count(sum(o.hit_at(depth) for o in answerable), answerable)
        for depth in RANKS
    }
    figures["article@1"] = Figure.count(sum(o.article_first for o in answerable), answerable)
    figures[f"mrr@{MRR_DEPTH}"] = Figure(
        sum(o.reciprocal_rank for o in answerable) / max(len(answerable), 1), None
    )
    return figures


def _tier_figures(answerable: list[Outcome]) -> dict[str, Figure]:
    """How many answerable questions got each tier, and a name no article mentions."""
    figures = {
        f"tier-{tier}": Figure.count(sum(o.answer.tier is tier for o in answerable), answerable)
        for tier in Tier
    }
    figures["not-mentioned"] = Figure.count(
        sum(bool(o.answer.unmentioned) for o in answerable), answerable
    )
    return figures


def _first_read_figures(answerable: list[Outcome]) -> dict[str, Figure]:
    """What the user reads first holds the gold: the top of the reply, the first excerpt."""
    right = [o for o in answerable if o.hit_at(1)]
    return {
        "gold-in-lead": Figure.count(sum(o.gold_in_lead for o in answerable), answerable),
        "excerpt-has-gold": Figure.count(sum(o.excerpt_has_gold for o in right), right),
    }


def _answer_line_figures(answerable: list[Outcome], outcomes: list[Outcome]) -> dict[str, Figure]:
    """How often answers open with "Trả lời:", and how often that line holds the gold."""
    answered = [o for o in answerable if o.answer.answered]
    leading = [o for o in outcomes if o.answer.lead]
    return {
        "answer-line-shown": Figure.count(sum(o.answer.lead for o in answered), answered),
        "answer-line-has-gold": Figure.count(sum(o.answer_line_right for o in leading), leading),
    }


def _abstention_figures(unanswerable: list[Outcome]) -> dict[str, Figure]:
    """How many no-answer questions got no `answer` tier, in all and by kind."""
    figures = {
        "abstained": Figure.count(sum(not o.answer.answered for o in unanswerable), unanswerable)
    }
    kinds = Counter(o.case.kind for o in unanswerable)
    for kind in sorted(kinds):
        abstained = sum(not o.answer.answered for o in unanswerable if o.case.kind == kind)
        figures[f"abstained[{kind}]"] = Figure(abstained, kinds[kind])
    return figures


def restoration_counts(
    question: str, understood: str, known: Callable[[str], bool]
) -> tuple[int, int]:
    """(exactly restored, restorable): the words of `question`, asked without diacritics, that
    the corpus knows in folded form, and how many of them `understood` spells as the original.
    A question typed without diacritics in the first place has nothing to compare with."""
    if not has_diacritics(question):
        return 0, 0
    original = [s.lower() for s in SYLLABLE.findall(normalize(question))]
    restored = [s.lower() for s in SYLLABLE.findall(understood)]
    if len(original) != len(restored):
        return 0, sum(known(fold(s)) for s in original)
    pairs = [(o, r) for o, r in zip(original, restored, strict=True) if known(fold(o))]
    return sum(o == r for o, r in pairs), len(pairs)


@dataclass(frozen=True, slots=True)
class Evaluation:
    typed: Report  # the questions as written
    bare: Report  # the same questions with their diacritics stripped


Asker = Callable[[str, date | None], Answer]  # a question, and the day it is asked on


def evaluate(
    cases: Iterable[Case],
    ask: Asker,
    known: Callable[[str], bool] | None = None,
) -> Evaluation:
    """Ask every case as typed and folded, on its day; `known` says whether the corpus has a
    folded syllable, to score how well the bare questions' diacritics are restored (None: not
    scored, for a system that restores nothing)."""
    typed, bare = Report(), Report()
    for case in cases:
        typed.outcomes.append(Outcome(case, case.question, ask(case.question, case.today)))
        asked = fold(case.question)
        result = ask(asked, case.today)
        bare.outcomes.append(Outcome(case, asked, result))
        if known is not None:
            exact, restorable = restoration_counts(case.question, result.understood, known)
            bare.restored_words += exact
            bare.restorable_words += restorable
    return Evaluation(typed, bare)
