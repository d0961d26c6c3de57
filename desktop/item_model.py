"""A job's items as a list model: thumbnail, original name, status and error."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap

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


class ItemListModel(QAbstractListModel):
    """Rows are ``JobItem``; :meth:`update` replaces rows in place by id."""

    def __init__(self, placeholder: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[JobItem] = []
        self._row_of: dict[UUID, int] = {}
        self._thumbs: dict[UUID, QPixmap] = {}
        self._placeholder = placeholder

    def set_items(self, items: Iterable[JobItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._row_of = {it.id: i for i, it in enumerate(self._items)}
        self._thumbs = {}
        self.endResetModel()

    def update(self, items: Iterable[JobItem]) -> list[JobItem]:
        """Replace known items; returns those that changed."""
        changed = []
        for it in items:
            row = self._row_of.get(it.id)
            if row is None or self._items[row] == it:
                continue
            self._items[row] = it
            changed.append(it)
            idx = self.index(row, 0)
            self.dataChanged.emit(idx, idx, [])
        return changed

    def set_thumbnail(self, item_id: UUID, image: QImage) -> None:
        row = self._row_of.get(item_id)
        if row is None or image.isNull():
            return
        self._thumbs[item_id] = QPixmap.fromImage(image)
        idx = self.index(row, 0)
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

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
            page = f" · p. {it.page_number}" if it.page_number else ""
            return f"{it.original_name}{page}\n{second}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbs.get(it.id) or self._placeholder
        if role == Qt.ItemDataRole.ToolTipRole:
            return it.error_msg or f"{it.original_name}\n{it.s3_key}"
        if role == Qt.ItemDataRole.ForegroundRole and it.status is ItemStatus.ERROR:
            return QColor(ITEM_COLORS[ItemStatus.ERROR])
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{it.original_name}, {self.status_text(it)}"
        if role == ITEM_ROLE:
            return it
        return None
