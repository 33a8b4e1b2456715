"""Telegram HTML for answers and bot texts: everything escaped, at most 4096 characters each.

Telegram counts a message's length after entity parsing (tags gone, entities decoded) in UTF-16
code units. Texts are built from plain pieces, so the visible length is known before markup is
added; a reply is split between blocks, and a block that alone is too long is trimmed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo

from telegram import LinkPreviewOptions

from bot.listing import dated_source
from bot.texts import MORE_ARTICLES, NEW_ARTICLE
from retrieval.index.corpus import Article, Provenance
from retrieval.language.text import shown_day
from retrieval.reply.answer import Answer, Hit, HitBlock, UnderstoodBlock
from retrieval.reply.excerpt import with_marks
from retrieval.reply.topics import TopicMatch

MAX_MESSAGE_UNITS = 4096
BLOCK_SEPARATOR = "\n\n"
ELLIPSIS = "…"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # citations link to articles: no big previews
# A link Telegram takes as it is: http(s), no space, quote or angle bracket, not too long.
_LINKABLE = re.compile(r"https?://[^\s<>\"'\x00-\x1f\x7f]{1,2000}", re.IGNORECASE)


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


@dataclass(frozen=True, slots=True)
class Block:
    """A piece of a message: its HTML and its visible (parsed) length."""

    markup: str
    units: int

    @classmethod
    def of(cls, markup: str, visible: str) -> Block:
        return cls(markup, utf16_units(visible))

    @classmethod
    def plain(cls, text: str, tag: str | None = None) -> Block:
        text = trim_plain(text, MAX_MESSAGE_UNITS)
        body = escape(text)
        return cls.of(f"<{tag}>{body}</{tag}>" if tag else body, text)

    def then(self, other: Block, separator: str) -> Block:
        """This block, `separator`, then `other`, as one block."""
        units = self.units + utf16_units(separator) + other.units
        return Block(f"{self.markup}{separator}{other.markup}", units)


def linked(text: str, url: str | None) -> str:
    """`text` escaped, as a link to `url` when Telegram would take it (else plain)."""
    if url is None or not _LINKABLE.fullmatch(url):
        return escape(text)
    return f'<a href="{html.escape(url, quote=True)}">{escape(text)}</a>'


def citation(hit: Hit) -> Block:
    """ "Nguồn: file, đoạn N · title · date" in italics, the title linking to the article
    when its URL is known."""
    source = trim_plain(hit.citation(), MAX_MESSAGE_UNITS // 4)
    when = f" · {shown_day(hit.day)}" if hit.day else ""
    markup = f"{escape(source)} · {linked(hit.short_title, hit.provenance.url)}{when}"
    return Block.of(f"<i>{markup}</i>", f"{source} · {hit.short_title}{when}")


def hit_block(hit: Hit, label: str = "") -> Block:
    """The excerpt with matched words in bold, over its citation; never longer than a message.
    `label` (plain text) goes before the excerpt, in bold."""
    cited = citation(hit)
    room = MAX_MESSAGE_UNITS - cited.units - utf16_units(label) - 1
    excerpt = hit.excerpt.text
    if utf16_units(excerpt) <= room:
        markup = with_marks(hit.excerpt, "<b>", "</b>", escape)
    else:  # only hostile input gets here: excerpts are at most FIRST_EXCERPT_CHARS long
        excerpt = trim_plain(excerpt, room)
        markup = escape(excerpt)
    head = f"<b>{escape(label)}</b>" if label else ""
    return Block.of(f"{head}{markup}", f"{label}{excerpt}").then(cited, "\n")


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
    related passages (in bold), then each cited excerpt, its title linking to the article and
    its date when known."""
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


def title_block(title: str, provenance: Provenance, tag: str | None = None) -> Block:
    """A title, cut to fit a message, linking to its article when the URL is known."""
    title = trim_plain(title, MAX_MESSAGE_UNITS // 4)
    markup = linked(title, provenance.url)
    return Block.of(f"<{tag}>{markup}</{tag}>" if tag else markup, title)


def topic_messages(topics: list[str], match: TopicMatch, zone: tzinfo) -> list[str]:
    """A new article for its subscribers: the topics it matches, its title verbatim (linking
    to the article), the best excerpt for them (matched words in bold), its source and date."""
    named = ", ".join(f"«{topic}»" for topic in topics)
    excerpt = match.excerpt
    source = dated_source(match.source, match.provenance, zone)
    blocks = [
        Block.plain(NEW_ARTICLE.format(topics=named)),
        title_block(match.title, match.provenance, "b"),
        Block.of(with_marks(excerpt, "<b>", "</b>", escape), excerpt.text),
        Block.plain(f"Nguồn: {source}", "i"),
    ]
    return pack(blocks, separator="\n")


def article_list_messages(
    heading: str, articles: Iterable[Article], zone: tzinfo, more: int = 0
) -> list[str]:
    """A list of articles, one a line: the title linking to the article, then its file and
    date; "… và N bài khác." when `more` were left out."""
    lines = [Block.plain(heading)]
    for article in articles:
        bullet = Block.plain("• ").then(title_block(article.title, article.provenance), "")
        source = dated_source(article.source, article.provenance, zone)
        lines.append(bullet.then(Block.plain(source), " — "))
    if more:
        lines.append(Block.plain(MORE_ARTICLES.format(count=more)))
    return pack(lines, separator="\n")
