"""The one answering function every adapter calls, and the `Answer` it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from retrieval.excerpt import Excerpt, make_excerpt
from retrieval.index import SearchIndex
from retrieval.search import MIN_COVERAGE, Query, rank, understand

DEFAULT_TOP_K = 3

USAGE_HINT = (
    "Hãy gõ một câu hỏi về các bài viết, có dấu hoặc không dấu, ví dụ: "
    "«Ai chủ trì Hội nghị sơ kết Thông tri 18?»"
)
NO_ANSWER = (
    "Xin lỗi, các bài viết hiện có không có thông tin trả lời câu hỏi này. "
    "Gõ /sources để xem danh sách bài viết."
)
NOT_MENTIONED = (
    "Các bài viết không nhắc đến {names}, nên không trả lời được câu hỏi này. "
    "Gõ /sources để xem danh sách bài viết."
)
UNDERSTOOD_PREFIX = "Bạn hỏi: "


@dataclass(frozen=True, slots=True)
class Hit:
    source: str
    paragraph: int
    title: str
    score: float
    passage: str
    excerpt: Excerpt

    def citation(self) -> str:
        return f"Nguồn: {self.source}, đoạn {self.paragraph}"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "paragraph": self.paragraph,
            "score": round(self.score, 6),
            "passage": self.passage,
            "excerpt": self.excerpt.text,
        }


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    understood: str  # the question as the bot read it (diacritics restored); "" when empty
    restored: bool  # True when `understood` differs from what was typed: show it to the user
    answered: bool
    hits: tuple[Hit, ...]
    reply: str

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answered": self.answered,
            "reply": self.reply,
            "hits": [hit.to_json() for hit in self.hits],
        }


def plain_excerpt(excerpt: Excerpt) -> str:
    return excerpt.text


def render_reply(
    understood: str,
    restored: bool,
    hits: tuple[Hit, ...],
    show_excerpt: Callable[[Excerpt], str] = plain_excerpt,
) -> str:
    """Text reply: what was understood (when restored), then each excerpt over its citation."""
    blocks = [f"{UNDERSTOOD_PREFIX}{understood}"] if restored else []
    blocks += [f"{show_excerpt(hit.excerpt)}\n— {hit.citation()} ({hit.title})" for hit in hits]
    return "\n\n".join(blocks)


def _hits(query: Query, index: SearchIndex, top_k: int, skip: int) -> tuple[Hit, ...]:
    hits = []
    for ranked in rank(query, index, top_k + skip).ranked[skip:]:
        passage = index.passages[ranked.position]
        excerpt = make_excerpt(passage.text, query.terms, index.bm25)
        hits.append(
            Hit(
                passage.source,
                passage.paragraph,
                passage.title,
                ranked.score,
                passage.text,
                excerpt,
            )
        )
    return tuple(hits)


def answer(question: str, index: SearchIndex, top_k: int = DEFAULT_TOP_K, skip: int = 0) -> Answer:
    """Answer one question from the index: the best `top_k` hits after the first `skip`."""
    query = understand(question, index)
    if not query.typed:
        return Answer(question, "", False, False, (), USAGE_HINT)
    restored = query.understood.lower() != query.typed.lower()
    best = rank(query, index, 1)
    if best.unmentioned:
        names = ", ".join(f"«{name}»" for name in best.unmentioned)
        reply = NOT_MENTIONED.format(names=names)
        return Answer(question, query.understood, restored, False, (), reply)
    if not best.ranked or best.ranked[0].coverage < MIN_COVERAGE:
        return Answer(question, query.understood, restored, False, (), NO_ANSWER)
    hits = _hits(query, index, top_k, skip)
    reply = render_reply(query.understood, restored, hits)
    return Answer(question, query.understood, restored, True, hits, reply)
