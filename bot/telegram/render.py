"""Telegram HTML for answers and bot texts: everything escaped, at most 4096 characters each.

Telegram counts a message's length after entity parsing (tags gone, entities decoded) in UTF-16
code units. Texts are built from plain pieces, so the visible length is known before markup is
added; a reply is split between blocks, and a block that alone is too long is trimmed.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from bot.texts import NEW_ARTICLE
from retrieval.language.text import shown_name
from retrieval.reply.answer import Answer, Hit, HitBlock, UnderstoodBlock
from retrieval.reply.excerpt import with_marks
from retrieval.reply.topics import TopicMatch

MAX_MESSAGE_UNITS = 4096
BLOCK_SEPARATOR = "\n\n"
ELLIPSIS = "…"


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def trim_plain(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units, with "…" where cut."""
    if utf16_units(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    while utf16_units(cut) > limit - 1:
        cut = cut[:-1]
    return cut + ELLIPSIS


def escape(text: str) -> str:
    return html.escape(text, quote=False)


class Block:
    """A piece of a message: its HTML and its visible (parsed) length."""

    def __init__(self, markup: str, visible: str) -> None:
        self.markup = markup
        self.units = utf16_units(visible)

    @classmethod
    def plain(cls, text: str, tag: str | None = None) -> Block:
        text = trim_plain(text, MAX_MESSAGE_UNITS)
        body = escape(text)
        return cls(f"<{tag}>{body}</{tag}>" if tag else body, text)


def hit_block(hit: Hit, label: str = "") -> Block:
    """The excerpt with matched words in bold, over its citation; never longer than a message.
    `label` (plain text) goes before the excerpt, in bold."""
    citation = trim_plain(f"{hit.citation()} · {hit.short_title}", MAX_MESSAGE_UNITS // 4)
    room = MAX_MESSAGE_UNITS - utf16_units(citation) - utf16_units(label) - 1
    excerpt = hit.excerpt.text
    if utf16_units(excerpt) <= room:
        markup = with_marks(hit.excerpt, "<b>", "</b>", escape)
    else:  # only hostile input gets here: excerpts are at most FIRST_EXCERPT_CHARS long
        excerpt = trim_plain(excerpt, room)
        markup = escape(excerpt)
    head = f"<b>{escape(label)}</b>" if label else ""
    visible = f"{label}{excerpt}\n{citation}"
    return Block(f"{head}{markup}\n<i>{escape(citation)}</i>", visible)


def pack(blocks: Iterable[Block], separator: str = BLOCK_SEPARATOR) -> list[str]:
    """Join blocks into as few messages as fit, never splitting a block."""
    messages: list[str] = []
    current: list[Block] = []
    used = 0
    for block in blocks:
        extra = block.units + (utf16_units(separator) if current else 0)
        if current and used + extra > MAX_MESSAGE_UNITS:
            messages.append(separator.join(b.markup for b in current))
            current, used, extra = [], 0, block.units
        current.append(block)
        used += extra
    if current:
        messages.append(separator.join(b.markup for b in current))
    return messages


def answer_messages(answer: Answer) -> list[str]:
    """The answer as Telegram HTML messages: what was understood (in italics), the notice of
    related passages (in bold), then each cited excerpt."""
    if not answer.shows_hits:
        return pack([Block.plain(answer.reply)])
    return pack(
        hit_block(block.hit, block.label)
        if isinstance(block, HitBlock)
        else Block.plain(block.text, "i" if isinstance(block, UnderstoodBlock) else "b")
        for block in answer.blocks
    )


def text_messages(text: str) -> list[str]:
    """A plain bot text (help, source list) as escaped messages, split between lines."""
    return pack((Block.plain(line) for line in text.split("\n")), separator="\n")


def topic_messages(topics: list[str], match: TopicMatch) -> list[str]:
    """A new article for its subscribers: the topics it matches, its title verbatim, the best
    excerpt for them (matched words in bold) and its source file."""
    named = ", ".join(f"«{topic}»" for topic in topics)
    excerpt = match.excerpt
    blocks = [
        Block.plain(NEW_ARTICLE.format(topics=named)),
        Block.plain(match.title, "b"),
        Block(with_marks(excerpt, "<b>", "</b>", escape), excerpt.text),
        Block.plain(f"Nguồn: {shown_name(match.source)}", "i"),
    ]
    return pack(blocks, separator="\n")
