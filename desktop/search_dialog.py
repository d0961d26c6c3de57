"""Find text across every job: a non-modal window listing the items whose text matches."""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.search_model import HitColumn, SearchHitModel
from desktop.tasks import TaskRunner
from ocrjobs.services import search as search_service
from ocrjobs.services.context import Context
from ocrjobs.services.search import SearchHit

log = logging.getLogger(__name__)

SEARCH_LIMIT = 200


class SearchDialog(QDialog):
    """Type words, press Enter: the search runs in the background; activating a hit emits
    :attr:`hit_activated` so the main window can select its job and item."""

    hit_activated = Signal(object, object)
    """``(job_id, item_id)`` of the hit the user opened."""
    searched = Signal(int)
    """How many hits the last search found."""

    def __init__(
        self,
        runner: TaskRunner,
        context: Callable[[], Context | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Find in text"))
        self.setModal(False)
        self._runner = runner
        self._context = context
        self._generation = 0
        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText(self.tr("Words to find in every job's text"))
        self.query_edit.setAccessibleName(self.tr("Text to find"))
        self.query_edit.setClearButtonEnabled(True)
        self.find_button = QPushButton(self.tr("Find"))
        self.find_button.setAutoDefault(False)
        self.find_button.clicked.connect(self.search)
        self.model = SearchHitModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Search results"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(HitColumn.SNIPPET, QHeaderView.ResizeMode.Stretch)
        for column, width in ((HitColumn.JOB, 160), (HitColumn.FILE, 160), (HitColumn.PAGE, 70)):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        self.summary = QLabel()
        self.summary.setObjectName("muted")
        row = QHBoxLayout()
        row.addWidget(self.query_edit, 1)
        row.addWidget(self.find_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        self.resize(760, 420)

    def search(self, query: str | None = None) -> None:
        """Search for ``query`` (default: the typed text) in the background."""
        if isinstance(query, str):
            self.query_edit.setText(query)
        text = self.query_edit.text().strip()
        ctx = self._context()
        if not text or ctx is None:
            return
        self._generation += 1
        generation = self._generation
        self.summary.setText(self.tr("Searching…"))
        self._runner.run(
            lambda: search_service.search_text(ctx, text, SEARCH_LIMIT),
            on_done=lambda hits: self._found(generation, text, hits),
            on_error=lambda exc: self._failed(generation, exc),
            label=f"search {text!r}",
        )

    def _found(self, generation: int, query: str, hits: list[SearchHit]) -> None:
        if generation != self._generation:
            return
        self.model.set_hits(hits, query)
        if hits:
            self.summary.setText(
                self.tr("%n item(s) found; double-click or press Enter to open one.", "", len(hits))
            )
            self.view.selectRow(0)
        else:
            self.summary.setText(self.tr("No text matches."))
        self.searched.emit(len(hits))

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        log.error("text search failed", exc_info=exc)
        message = getattr(exc, "message", None) or str(exc)
        self.summary.setText(self.tr("The search failed: {reason}").format(reason=message))

    def _activated(self, index: QModelIndex) -> None:
        hit = self.model.hit(index.row())
        if hit is not None:
            self.open_hit(hit.item.job_id, hit.item.id)

    def open_hit(self, job_id: UUID, item_id: UUID) -> None:
        self.hit_activated.emit(job_id, item_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # Enter opens the hit in the results, searches in the field; it never closes.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.view.hasFocus():
                self._activated(self.view.currentIndex())
            else:
                self.search()
            return
        super().keyPressEvent(event)
