"""The one answering function every adapter calls, and the `Answer` it returns.

Every reply is one of three tiers, so that a passage plain search would show is never hidden:
`answer` when the bot is confident its best passage answers; `related` when it is not, but
passages share the question's content words (they are shown under a line saying they may not
answer, naming the question's names the articles never mention); `none` when nothing does.

A question naming days ("hôm qua") is answered from the articles published on them; when none
of those matches, the reply says so and shows the best matches of other days as `related`.
Each hit carries its article's publication day, shown on its source line.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from retrieval.index.corpus import NO_PROVENANCE, Passage, Provenance
from retrieval.index.search_index import SearchIndex
from retrieval.language.text import shown_day, shown_name
from retrieval.question.reading import Question, understand
from retrieval.question.when import DEFAULT_ZONE_NAME, Today
from retrieval.ranking.confidence import is_confident
from retrieval.ranking.search import (
    RERANK_CANDIDATES,
    Ranked,
    published_on_date,
    rank,
    score_one,
    shares_content_words,
    signals,
)
from retrieval.reply.excerpt import FIRST_EXCERPT_CHARS, Excerpt, make_excerpt
from retrieval.reply.lead import Candidates, Lead, answering_sentence
from retrieval.reply.phrases import (
    LEAD_PREFIX,
    NO_ANSWER,
    NOT_MENTIONED,
    NOTHING_ON_DAYS,
    NOTHING_ON_DAYS_ABOUT,
    PARTLY_UNAVAILABLE,
    RELATED,
    UNDERSTOOD_PREFIX,
    USAGE_HINT,
)

DEFAULT_TOP_K = 3
CITED_TITLE_CHARS = 60


@dataclass(frozen=True, slots=True)
class Hit:
    source: str
    paragraph: int
    title: str
    score: float
    passage: str
    excerpt: Excerpt
    provenance: Provenance = NO_PROVENANCE  # the article's URL and publication date, if stated
    day: date | None = None  # its publication day in the operator's time zone, if stated

    def citation(self) -> str:
        return f"Nguồn: {shown_name(self.source)}, đoạn {self.paragraph}"

    @property
    def short_title(self) -> str:
        """The article's title, cut at a word to CITED_TITLE_CHARS: a reminder, not a quote."""
        if len(self.title) <= CITED_TITLE_CHARS:
            return self.title
        return self.title[:CITED_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",:;") + "…"

    def to_json(self) -> dict[str, Any]:
        """The hit for `ask --json`; "published" is its day in the zone it was asked in."""
        return {
            "source": self.source,
            "paragraph": self.paragraph,
            "score": round(self.score, 6),
            "passage": self.passage,
            "excerpt": self.excerpt.text,
            "url": self.provenance.url,
            "published": self.day.isoformat() if self.day else None,
        }


class Tier(enum.StrEnum):
    ANSWER = "answer"  # confident: excerpts, the answering sentence when one qualifies
    RELATED = "related"  # not confident: the nearest passages, under a line saying so
    NONE = "none"  # nothing in the corpus shares the question's content words


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    understood: str  # the question as the bot read it (diacritics restored); "" when empty
    restored: bool  # True when `understood` differs from what was typed: show it to the user
    tier: Tier
    hits: tuple[Hit, ...]  # best first: the one with the answering sentence, then by score
    reply: str
    lead: bool = False  # whether the first hit's excerpt is the answering sentence
    unmentioned: tuple[str, ...] = ()  # the question's names the articles never mention
    # The line saying no article published on the days asked matches ("Không có bài nào đăng
    # hôm qua về …"), when none does: the hits are the best matches of other days.
    elsewhere: str = ""
    partial: bool = False  # part of the archive did not answer (a shard without a server)

    @property
    def answered(self) -> bool:
        return self.tier is Tier.ANSWER

    @property
    def shows_hits(self) -> bool:
        """Whether the reply quotes passages: an answer, or related passages."""
        return self.tier is not Tier.NONE

    @property
    def blocks(self) -> tuple[ReplyBlock, ...]:
        """The reply's layout (empty when no passage is shown), for adapters that mark words."""
        if not self.shows_hits:
            return ()
        shown_notice = notice(self.tier, self.unmentioned, self.elsewhere)
        blocks = reply_blocks(self.understood, self.restored, shown_notice, self.hits, self.lead)
        return (NoticeBlock(PARTLY_UNAVAILABLE), *blocks) if self.partial else blocks

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "understood": self.understood,
            "tier": self.tier.value,
            "answered": self.answered,
            "reply": self.reply,
            "hits": [hit.to_json() for hit in self.hits],
        }


def notice(tier: Tier, unmentioned: tuple[str, ...], elsewhere: str = "") -> str:
    """The line a `related` reply opens with: its passages may not answer, and why."""
    if tier is not Tier.RELATED:
        return ""
    if elsewhere:
        return elsewhere
    if unmentioned:
        return NOT_MENTIONED.format(names=", ".join(f"«{name}»" for name in unmentioned))
    return RELATED


@dataclass(frozen=True, slots=True)
class UnderstoodBlock:
    """The question as the bot read it, shown when its diacritics were restored."""

    text: str  # UNDERSTOOD_PREFIX and the question


@dataclass(frozen=True, slots=True)
class NoticeBlock:
    """The line before related passages: they may not answer the question."""

    text: str


@dataclass(frozen=True, slots=True)
class HitBlock:
    """One excerpt over its citation; `label` is LEAD_PREFIX when it answers the question."""

    label: str
    hit: Hit


ReplyBlock = UnderstoodBlock | NoticeBlock | HitBlock


def reply_blocks(
    understood: str, restored: bool, notice: str, hits: tuple[Hit, ...], leads: bool
) -> tuple[ReplyBlock, ...]:
    """The reply's layout, decided once for every adapter: what was understood (when
    restored), the notice of related passages (when not confident), then each excerpt, the
    first labelled when it is the answering sentence."""
    blocks: list[ReplyBlock] = [UnderstoodBlock(UNDERSTOOD_PREFIX + understood)] if restored else []
    if notice:
        blocks.append(NoticeBlock(notice))
    for number, hit in enumerate(hits):
        blocks.append(HitBlock(LEAD_PREFIX if leads and number == 0 else "", hit))
    return tuple(blocks)


def plain_excerpt(excerpt: Excerpt) -> str:
    return excerpt.text


def render_reply(
    blocks: tuple[ReplyBlock, ...], show_excerpt: Callable[[Excerpt], str] = plain_excerpt
) -> str:
    """The blocks as plain text; `show_excerpt` marks the matched words its own way."""
    return "\n\n".join(
        f"{block.label}{show_excerpt(block.hit.excerpt)}\n— {block.hit.citation()} "
        f"({block.hit.short_title}){_dated(block.hit)}{_linked(block.hit)}"
        if isinstance(block, HitBlock)
        else block.text
        for block in blocks
    )


def _dated(hit: Hit) -> str:
    return f" · {shown_day(hit.day)}" if hit.day else ""


def _linked(hit: Hit) -> str:
    return f" {hit.provenance.url}" if hit.provenance.url else ""


def next_in_article(index: SearchIndex, position: int) -> Passage | None:
    """The paragraph after passage `position`, if its article has one."""
    _, end = index.article_span(position)
    return index.passages[position + 1] if position + 1 < end else None


def _hit(index: SearchIndex, ranked: Ranked, excerpt: Excerpt, zone: tzinfo) -> Hit:
    passage = index.passages[ranked.position]
    return Hit(
        passage.source,
        passage.paragraph,
        passage.title,
        ranked.score,
        passage.text,
        excerpt,
        passage.provenance,
        index.published_on(ranked.position, zone),
    )


def _names_every_unit(query: Question, index: SearchIndex, position: int, today: Today) -> bool:
    """Whether the passage at `position`, or the one before it in its article (which the
    answering paragraph may continue), names every name and number of the question (a date
    its article was published on counts): a sentence of the kind asked that names none of
    them ("ra đời năm 1993" for "FIFA ra đời năm nào?") is no answer to show as one."""
    start, _ = index.article_span(position)
    return all(
        published_on_date(index, position, unit, today)
        or all(
            index.bm25.occurs_between(term, max(start, position - 1), position + 1)
            for term in unit.terms
        )
        for unit in query.units
    )


def _hits(
    query: Question, index: SearchIndex, ranked: list[Ranked], page: tuple[int, int], today: Today
) -> tuple[tuple[Hit, ...], bool]:
    """One page of hits, and whether it opens with an answering sentence that names what the
    question names (only such a sentence may be shown as the answer). The order is the
    same for every page (`_ordered`), so pages never repeat or skip a hit. When no sentence
    leads, the best passage's excerpt, read as the answer, gets FIRST_EXCERPT_CHARS."""
    if not ranked:
        return (), False
    top_k, skip = page
    top_excerpt = make_excerpt(
        index.text_at(ranked[0].position),
        query.terms,
        index.bm25,
        query.wording,
        FIRST_EXCERPT_CHARS,
    )
    candidates = _candidates(index, ranked, top_k)
    lead = answering_sentence(candidates, top_excerpt.text, query, index.bm25)
    shown = _ordered(query, index, ranked, top_excerpt, lead, today)[skip : skip + top_k]
    hits = tuple(
        _hit(
            index,
            r,
            excerpt
            or make_excerpt(index.text_at(r.position), query.terms, index.bm25, query.wording),
            today.zone,
        )
        for r, excerpt in shown
    )
    labelled = lead is not None and skip == 0 and _names_every_unit(query, index, lead[0], today)
    return hits, labelled


def _candidates(index: SearchIndex, ranked: list[Ranked], top_k: int) -> Candidates:
    """The ranked passages an answering sentence may come from, `top_k` of them shown, and
    the paragraph after the best one."""
    following = next_in_article(index, ranked[0].position)
    return Candidates(
        [(r.position, index.text_at(r.position)) for r in ranked],
        top_k,
        (ranked[0].position + 1, following.text) if following else None,
    )


def _ordered(
    query: Question,
    index: SearchIndex,
    ranked: list[Ranked],
    top_excerpt: Excerpt,
    lead: Lead | None,
    today: Today,
) -> list[tuple[Ranked, Excerpt | None]]:
    """Every candidate in the order the pages show them, with its excerpt where it is already
    made: the answering passage first (from the candidates, or the paragraph after the best
    one) with its sentence, then the others by rank; without a lead, the best one first with
    `top_excerpt`."""
    order: list[tuple[Ranked, Excerpt | None]] = [(ranked[0], top_excerpt)]
    order += [(r, None) for r in ranked[1:]]
    if lead is None:
        return order
    position, sentence = lead
    first = next((r for r in ranked if r.position == position), None)
    first = first or score_one(query, index, position, today)
    # the best passage, now behind the answering sentence, gets an ordinary excerpt
    return [(first, sentence), *((r, None) for r, _ in order if r.position != position)]


def answer(
    question: str,
    index: SearchIndex,
    top_k: int = DEFAULT_TOP_K,
    skip: int = 0,
    now: datetime | None = None,
) -> Answer:
    """Answer one question from the index: the best `top_k` hits after the first `skip`, in
    the tier the bot's confidence gives them. `now` is when it is asked, in the operator's
    time zone, which "hôm qua" and the articles' publication days are read in (default: the
    clock, in DEFAULT_ZONE_NAME's zone). The reply says first when part of the archive did
    not answer (its search backend is not `complete`)."""
    found = _answer(
        question, index, top_k, skip, Today.at(now or datetime.now(ZoneInfo(DEFAULT_ZONE_NAME)))
    )
    if index.bm25.complete:
        return found
    return replace(found, reply=f"{PARTLY_UNAVAILABLE}\n\n{found.reply}", partial=True)


def _answer(question: str, index: SearchIndex, top_k: int, skip: int, today: Today) -> Answer:
    query = understand(question, index)
    if not any(character.isalnum() for character in query.typed):  # empty, or only "!!!", "?"
        return Answer(question, "", False, Tier.NONE, (), USAGE_HINT)
    restored = query.restored
    # one fixed pool: pages stay consistent
    ranking = rank(query, index, RERANK_CANDIDATES, today)
    unmentioned = tuple(ranking.unmentioned)
    if ranking.judged is None or not shares_content_words(query, index, ranking.ranked):
        return Answer(question, query.understood, restored, Tier.NONE, (), NO_ANSWER)
    confident = (
        not unmentioned
        and not ranking.outside
        and is_confident(signals(query, index, ranking.judged))
    )
    tier = Tier.ANSWER if confident else Tier.RELATED
    hits, leads = _hits(query, index, ranking.ranked, (top_k, skip), today)
    lead = leads and confident  # related passages may open with it, never as "Trả lời:"
    elsewhere = _nothing_on_days(query) if ranking.outside else ""
    shown_notice = notice(tier, unmentioned, elsewhere)
    reply = render_reply(reply_blocks(query.understood, restored, shown_notice, hits, lead))
    return Answer(
        question, query.understood, restored, tier, hits, reply, lead, unmentioned, elsewhere
    )


def _nothing_on_days(query: Question) -> str:
    """The line saying no article published on the days the question names matches it,
    naming its topic as understood."""
    when = query.when.phrase
    if query.topic:
        return NOTHING_ON_DAYS_ABOUT.format(when=when, topic=query.topic)
    return NOTHING_ON_DAYS.format(when=when)
