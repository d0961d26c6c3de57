"""A non-modal message strip above the job table: a human message and expandable details."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Banner(QFrame):
    """Shows one message at a time; never blocks the window. ``Details`` toggles the log text."""

    dismissed = Signal()

    def __init__(self, icons: dict[Level, QIcon], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName(self.tr("Message banner"))
        self._icons = icons
        self._icon = QLabel()
        self._icon.setFixedSize(20, 20)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toggle = QPushButton(self.tr("Details"))
        self.toggle.setCheckable(True)
        self.toggle.setFlat(True)
        self.toggle.setAccessibleName(self.tr("Show details"))
        self.toggle.toggled.connect(self._toggle)
        self.action = QPushButton()
        self.action.setAccessibleName(self.tr("Banner action"))
        self.action.clicked.connect(self._run_action)
        self._callback: Callable[[], None] | None = None
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.setAccessibleName(self.tr("Dismiss message"))
        close.clicked.connect(self.dismiss)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAcceptDrops(False)
        self.details.setMaximumHeight(140)
        self.details.setAccessibleName(self.tr("Message details"))
        self.details.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.message, 1)
        top.addWidget(self.action, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.details)
        self.level = Level.INFO
        self.hide()

    def show_message(
        self,
        level: Level,
        message: str,
        details: str = "",
        *,
        action: str = "",
        callback: Callable[[], None] | None = None,
    ) -> None:
        """Replace the current message; ``details`` (if any) are behind the Details button.

        ``action`` labels an optional button that runs ``callback`` and hides the banner.
        """
        self._callback = callback
        self.action.setText(action)
        self.action.setVisible(bool(action and callback))
        self.level = level
        self.setProperty("level", str(level))
        self.style().unpolish(self)
        self.style().polish(self)
        self._icon.setPixmap(self._icons[level].pixmap(18, 18))
        self.message.setText(message)
        self.details.setPlainText(details)
        self.toggle.setVisible(bool(details))
        self.toggle.setChecked(False)
        self.details.hide()
        self.show()

    def _run_action(self) -> None:
        callback, self._callback = self._callback, None
        self.hide()
        if callback is not None:
            callback()

    def _toggle(self, on: bool) -> None:
        self.details.setVisible(on)
        self.toggle.setText(self.tr("Hide details") if on else self.tr("Details"))

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
