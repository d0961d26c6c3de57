"""Search hits as a table model: job, file, page, snippet."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from ocrjobs.services.search import SearchHit

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
LEAD = 24
"""Characters kept before the match, so the matched word shows in a narrow column."""


def lead_in(snippet: str, query: str) -> str:
    """The snippet starting shortly before the first query word it contains."""
    lower = snippet.lower()
    found = [p for p in (lower.find(w.lower()) for w in query.split()) if p >= 0]
    if not found or min(found) <= LEAD:
        return snippet
    return "…" + snippet[min(found) - LEAD :].lstrip()


AnyIndex = QModelIndex | QPersistentModelIndex


class HitColumn(IntEnum):
    JOB = 0
    FILE = 1
    PAGE = 2
    SNIPPET = 3


class SearchHitModel(QAbstractTableModel):
    """Rows are :class:`SearchHit`; :meth:`set_hits` replaces them all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._query = ""

    def set_hits(self, hits: Iterable[SearchHit], query: str = "") -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self._query = query
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HitColumn)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            HitColumn.JOB: self.tr("Job"),
            HitColumn.FILE: self.tr("File"),
            HitColumn.PAGE: self.tr("Page"),
            HitColumn.SNIPPET: self.tr("Text"),
        }.get(HitColumn(section))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.hit(index.row()) if index.isValid() else None
        if hit is None:
            return None
        column = HitColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column is HitColumn.JOB:
                return hit.job_name
            if column is HitColumn.FILE:
                return hit.item.original_name
            if column is HitColumn.PAGE:
                return str(hit.item.page_number) if hit.item.page_number else ""
            if role == Qt.ItemDataRole.ToolTipRole:
                return hit.snippet
            return lead_in(hit.snippet, self._query)
        if role == HIT_ROLE:
            return hit
        return None
