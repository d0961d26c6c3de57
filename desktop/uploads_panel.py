"""Submissions in flight: one line per job being uploaded, with progress and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ocrjobs.domain.model import Progress


class _UploadRow(QWidget):
    def __init__(self, name: str, cancel_icon: QIcon, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLabel(name)
        self.name.setMinimumWidth(160)
        self.stage = QLabel()
        self.stage.setObjectName("muted")
        self.stage.setMinimumWidth(110)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.setAccessibleName(self.tr("Upload progress of {name}").format(name=name))
        self.cancel = QToolButton()
        self.cancel.setIcon(cancel_icon)
        self.cancel.setAutoRaise(True)
        self.cancel.setToolTip(self.tr("Cancel this upload"))
        self.cancel.setAccessibleName(self.tr("Cancel upload of {name}").format(name=name))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.name)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.stage)
        layout.addWidget(self.cancel)


class UploadsPanel(QFrame):
    """Hidden when idle; ``cancel_requested(task_id)`` when the user cancels a submission."""

    cancel_requested = Signal(int)

    def __init__(self, cancel_icon: QIcon, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("uploads")
        self.setAccessibleName(self.tr("Uploads"))
        self._icon = cancel_icon
        self._rows: dict[int, _UploadRow] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 6, 12, 6)
        self.hide()

    def add(self, task_id: int, name: str) -> None:
        row = _UploadRow(name, self._icon, self)
        row.stage.setText(self.tr("Checking…"))
        row.bar.setRange(0, 0)
        row.cancel.clicked.connect(lambda: self.cancel_requested.emit(task_id))
        self._rows[task_id] = row
        self._layout.addWidget(row)
        self.show()

    def update_progress(self, task_id: int, p: Progress) -> None:
        row = self._rows.get(task_id)
        if row is None:
            return
        stages = {
            "checking": self.tr("Checking…"),
            "uploading": self.tr("Uploading…"),
            "saving": self.tr("Saving…"),
            "queueing": self.tr("Queueing…"),
            "done": self.tr("Done"),
        }
        row.bar.setRange(0, max(1, p.total))
        row.bar.setValue(p.done)
        row.bar.setFormat(self.tr("%v of %m files"))
        row.stage.setText(stages.get(p.stage, p.stage))
        if p.stage in ("saving", "queueing", "done"):
            row.cancel.setEnabled(p.stage == "saving")

    def set_stage(self, task_id: int, text: str, *, cancellable: bool = False) -> None:
        row = self._rows.get(task_id)
        if row is not None:
            row.stage.setText(text)
            row.cancel.setEnabled(cancellable)
            if cancellable:
                row.bar.setRange(0, 1)
                row.bar.setValue(0)
                row.bar.setFormat(self.tr("held in the outbox"))
                row.cancel.setToolTip(self.tr("Discard this held submission"))

    def remove(self, task_id: int) -> None:
        row = self._rows.pop(task_id, None)
        if row is not None:
            self._layout.removeWidget(row)
            row.deleteLater()
        if not self._rows:
            self.hide()

    def task_ids(self) -> list[int]:
        return list(self._rows)
