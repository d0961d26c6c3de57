"""Search box and status filter above the job table."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from ocrjobs.domain.status import JobStatus

SEARCH_DELAY_MS = 300


class FilterBar(QWidget):
    """Emits ``changed(status or None, search text)`` (search debounced)."""

    changed = Signal(object, str)

    def __init__(self, search_icon: QIcon, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search jobs by name…"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(search_icon, QLineEdit.ActionPosition.LeadingPosition)
        self.search.setAcceptDrops(False)
        self.search.setAccessibleName(self.tr("Search jobs"))
        self.status = QComboBox()
        self.status.setAccessibleName(self.tr("Filter by status"))
        self.status.addItem(self.tr("All statuses"), None)
        labels = {
            JobStatus.PENDING: self.tr("Pending"),
            JobStatus.PROCESSING: self.tr("Processing"),
            JobStatus.DONE: self.tr("Done"),
            JobStatus.ERROR: self.tr("Error"),
            JobStatus.EXPIRED: self.tr("Expired"),
        }
        for st, label in labels.items():
            self.status.addItem(label, st.value)
        self.count = QLabel()
        self.count.setObjectName("muted")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.status.currentIndexChanged.connect(lambda _i: self._emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 3)
        status_label = QLabel(self.tr("Status:"))
        status_label.setBuddy(self.status)
        layout.addWidget(status_label)
        layout.addWidget(self.status, 1)
        layout.addStretch(1)
        layout.addWidget(self.count)

    def current_status(self) -> JobStatus | None:
        value = self.status.currentData()
        return JobStatus(value) if value else None

    def _emit(self) -> None:
        self._timer.stop()
        self.changed.emit(self.current_status(), self.search.text())

    def set_count(self, shown: int, total: int) -> None:
        self.count.setText(self.tr("{shown} of {total} jobs").format(shown=shown, total=total))
