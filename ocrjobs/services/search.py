"""Full-text search across every job's OCR text (FTS5 on SQLite, FULLTEXT on MySQL)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from ocrjobs.domain.model import JobItem
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

SNIPPET_RADIUS = 60


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One item whose text matched: the item, its job's name and a snippet around the match."""

    item: JobItem
    job_name: str
    snippet: str


def snippet(text: str, query: str, radius: int = SNIPPET_RADIUS) -> str:
    """The text around the first query word found (case-insensitive), one line."""
    flat = " ".join(text.split())
    lower = flat.lower()
    positions = [lower.find(w.lower()) for w in query.split() if w]
    found = [p for p in positions if p >= 0]
    at = min(found) if found else 0
    start = max(0, at - radius)
    end = min(len(flat), at + radius)
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def search_text(ctx: Context, query: str, limit: int = 50) -> list[SearchHit]:
    """Items whose OCR text contains every word of ``query`` (prefixes match on MySQL)."""
    t0 = time.perf_counter()
    with ctx.uow() as uow:
        rows = uow.repo.search_text(query, limit)
    hits = [SearchHit(item, name, snippet(item.ocr_text or "", query)) for item, name in rows]
    log.info("search %r: %d hits in %.3fs", query, len(hits), time.perf_counter() - t0)
    return hits
