"""How the adapters name an article in lists and citations: its file and, when stated, the day
it was published in BOT_TIMEZONE (dd/mm/yyyy, as Vietnamese readers write it)."""

from __future__ import annotations

from datetime import tzinfo

from retrieval.index.corpus import Provenance, published_date
from retrieval.language.text import shown_day, shown_name

NEWEST_LISTED = 5  # what /moi lists


def dated_source(source: str, provenance: Provenance, zone: tzinfo) -> str:
    """The file and its date, "file.txt · 12/08/2025", or the file alone when undated."""
    published = provenance.published
    day = f" · {shown_day(published_date(published, zone))}" if published else ""
    return f"{shown_name(source)}{day}"
