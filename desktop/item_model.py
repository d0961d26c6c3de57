"""A job's items as a list model: thumbnail, original name, status, error and review flag.

Built for jobs of thousands of items: rows are indexed off the UI thread
(:func:`prepare_rows`), changes are signalled as runs of rows, and the review count is
kept as items change instead of recounted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap

from ocrjobs.domain.model import JobItem
from ocrjobs.domain.status import ItemStatus

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
THUMB_SIZE = QSize(56, 56)
AnyIndex = QModelIndex | QPersistentModelIndex

ITEM_COLORS = {
    ItemStatus.PENDING: "#8a94a6",
    ItemStatus.PROCESSING: "#2f7de1",
    ItemStatus.DONE: "#1f9d55",
    ItemStatus.ERROR: "#d64545",
}
REVIEW_COLOR = "#c26a00"
FLAG_SIZE = 22
MAX_THUMBNAILS = 1000
"""Thumbnails kept per model (~12 KiB each); scrolling back re-decodes evicted ones."""


@dataclass(frozen=True, slots=True)
class ItemRows:
    """A job's items ready for :meth:`ItemListModel.set_rows` (see :func:`prepare_rows`)."""

    items: tuple[JobItem, ...]
    row_of: Mapping[UUID, int]
    review: frozenset[UUID]
    """The items that need review from their confidence alone."""


def prepare_rows(items: Iterable[JobItem]) -> ItemRows:
    """Index a job's items for the model; plain Python, meant for a task thread.

    For thousands of items the index and the review flags cost tens of milliseconds;
    made here they cost the UI thread nothing when the rows are swapped in.
    """
    rows = tuple(items)
    return ItemRows(
        rows,
        {it.id: i for i, it in enumerate(rows)},
        frozenset(it.id for it in rows if it.low_confidence),
    )


def row_ranges(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ``rows`` as ``(first, last)`` runs of consecutive rows."""
    ranges: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if ranges and row == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], row)
        else:
            ranges.append((row, row))
    return ranges


class ItemListModel(QAbstractListModel):
    """Rows are ``JobItem``; :meth:`update` replaces rows in place by id.

    An item needs review when its confidence is low (``JobItem.low_confidence``) or when its
    word boxes, once fetched, say so (:meth:`set_words_review`); such rows carry a flag.
    The count of such items is kept up to date as rows change
    (:attr:`review_count_changed`), never recounted over all rows.

    Thumbnails (:meth:`set_thumbnails`) are kept for the last ``MAX_THUMBNAILS`` items
    given, so a long job holds a bounded number of pixmaps; rows without one show the
    placeholder.
    """

    review_count_changed = Signal(int)

    def __init__(
        self, placeholder: QIcon, parent: QObject | None = None, *, flag: QIcon | None = None
    ) -> None:
        super().__init__(parent)
        self._items: list[JobItem] = []
        self._row_of: Mapping[UUID, int] = {}
        self._thumbs: dict[UUID, QPixmap] = {}
        self._flagged: dict[UUID, QPixmap] = {}
        self._words_review: set[UUID] = set()
        self._review: set[UUID] = set()
        """Every item that needs review now (confidence or word boxes)."""
        self._review_count = 0
        self._placeholder = placeholder
        self._flag = flag or QIcon()

    def set_items(self, items: Iterable[JobItem]) -> None:
        """Show ``items`` (indexed here: prefer :meth:`set_rows` for long jobs)."""
        self.set_rows(prepare_rows(items))

    def set_rows(self, rows: ItemRows) -> None:
        """Show prepared rows. Thumbnails and word-box flags of items still shown stay."""
        self.beginResetModel()
        self._items = list(rows.items)
        self._row_of = rows.row_of
        self._thumbs = {k: v for k, v in self._thumbs.items() if k in rows.row_of}
        self._flagged = {}
        self._words_review = {k for k in self._words_review if k in rows.row_of}
        self._review = set(rows.review)
        for item_id in self._words_review:
            if self._items[rows.row_of[item_id]].status is ItemStatus.DONE:
                self._review.add(item_id)
        self.endResetModel()
        self._review_changed()

    def update(self, items: Iterable[JobItem]) -> list[JobItem]:
        """Replace known items; returns those that changed (one ``dataChanged`` per run)."""
        changed: list[JobItem] = []
        rows: list[int] = []
        for it in items:
            row = self._row_of.get(it.id)
            if row is None or self._items[row] == it:
                continue
            self._items[row] = it
            self._flagged.pop(it.id, None)
            self._note_review(it)
            changed.append(it)
            rows.append(row)
        for first, last in row_ranges(rows):
            self.dataChanged.emit(self.index(first, 0), self.index(last, 0), [])
        self._review_changed()
        return changed

    def set_thumbnails(self, thumbs: Iterable[tuple[UUID, QImage]]) -> None:
        """Show decoded thumbnails (a batch: one ``dataChanged`` per run of rows)."""
        rows: list[int] = []
        for item_id, image in thumbs:
            row = self._row_of.get(item_id)
            if row is None or image.isNull():
                continue
            self._thumbs.pop(item_id, None)
            self._thumbs[item_id] = QPixmap.fromImage(image)
            self._flagged.pop(item_id, None)
            rows.append(row)
        while len(self._thumbs) > MAX_THUMBNAILS:  # the oldest first
            oldest = next(iter(self._thumbs))
            del self._thumbs[oldest]
            self._flagged.pop(oldest, None)
        for first, last in row_ranges(rows):
            self.dataChanged.emit(
                self.index(first, 0), self.index(last, 0), [Qt.ItemDataRole.DecorationRole]
            )

    def has_thumbnail(self, item_id: UUID) -> bool:
        return item_id in self._thumbs

    def set_words_review(self, item_id: UUID, review: bool) -> None:
        """Record what the item's word boxes say (``PageWords.needs_review``)."""
        row = self._row_of.get(item_id)
        if row is None or (item_id in self._words_review) == review:
            return
        if review:
            self._words_review.add(item_id)
        else:
            self._words_review.discard(item_id)
        self._flagged.pop(item_id, None)
        self._note_review(self._items[row])
        idx = self.index(row, 0)
        self.dataChanged.emit(idx, idx, [])
        self._review_changed()

    def needs_review(self, item: JobItem) -> bool:
        """Low confidence, or low-confidence word boxes (when they were fetched)."""
        return item.low_confidence or (
            item.status is ItemStatus.DONE and item.id in self._words_review
        )

    def review_count(self) -> int:
        """How many items need review (from the loaded rows, no query)."""
        return len(self._review)

    def _note_review(self, item: JobItem) -> None:
        if self.needs_review(item):
            self._review.add(item.id)
        else:
            self._review.discard(item.id)

    def _review_changed(self) -> None:
        if len(self._review) != self._review_count:
            self._review_count = len(self._review)
            self.review_count_changed.emit(self._review_count)

    def _decoration(self, it: JobItem) -> QIcon | QPixmap:
        base = self._thumbs.get(it.id)
        if not self.needs_review(it) or self._flag.isNull():
            return base or self._placeholder
        flagged = self._flagged.get(it.id)
        if flagged is None:
            flagged = QPixmap(THUMB_SIZE)
            flagged.fill(QColor(0, 0, 0, 0))
            painter = QPainter(flagged)
            under = base or self._placeholder.pixmap(THUMB_SIZE)
            painter.drawPixmap(
                (THUMB_SIZE.width() - under.width()) // 2,
                (THUMB_SIZE.height() - under.height()) // 2,
                under,
            )
            size = FLAG_SIZE
            painter.setBrush(QColor("white"))
            painter.setPen(QColor(REVIEW_COLOR))
            x, y = THUMB_SIZE.width() - size, THUMB_SIZE.height() - size
            painter.drawEllipse(x, y, size - 1, size - 1)
            self._flag.paint(painter, x + 3, y + 3, size - 6, size - 6)
            painter.end()
            self._flagged[it.id] = flagged
        return flagged

    def item(self, row: int) -> JobItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, item_id: UUID) -> int | None:
        return self._row_of.get(item_id)

    def items(self) -> list[JobItem]:
        return list(self._items)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def status_text(self, item: JobItem) -> str:
        if item.expired:
            return self.tr("Expired")
        return {
            ItemStatus.PENDING: self.tr("Pending"),
            ItemStatus.PROCESSING: self.tr("Processing"),
            ItemStatus.DONE: self.tr("Done"),
            ItemStatus.ERROR: self.tr("Error"),
        }[item.status]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        it = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            second = self.status_text(it)
            if it.status is ItemStatus.ERROR and it.error_msg:
                second += " — " + it.error_msg.splitlines()[0][:80]
            elif it.status is ItemStatus.DONE and it.confidence is not None:
                second += " — " + self.tr("confidence {c:.0f}%").format(c=it.confidence)
            if self.needs_review(it):
                second += " — ⚑ " + self.tr("needs review")
            page = f" · p. {it.page_number}" if it.page_number else ""
            return f"{it.original_name}{page}\n{second}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(it)
        if role == Qt.ItemDataRole.ToolTipRole:
            if it.error_msg:
                return it.error_msg
            tip = f"{it.original_name}\n{it.s3_key}"
            if self.needs_review(it):
                tip += "\n" + self.tr("Many words were read with low confidence: check the text.")
            return tip
        if role == Qt.ItemDataRole.ForegroundRole and it.status is ItemStatus.ERROR:
            return QColor(ITEM_COLORS[ItemStatus.ERROR])
        if role == Qt.ItemDataRole.ForegroundRole and self.needs_review(it):
            return QColor(REVIEW_COLOR)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = f"{it.original_name}, {self.status_text(it)}"
            if self.needs_review(it):
                text += ", " + self.tr("needs review")
            return text
        if role == ITEM_ROLE:
            return it
        return None
