"""The window's status bar: backend mode, connection state, queue depth, items per minute."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from ocrjobs.adapters.ports import QueueDepth


class StatusBar(QStatusBar):
    """Permanent fields on the right; transient messages on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode_label = QLabel()
        self.connection_label = QLabel()
        self.depth_label = QLabel()
        self.rate_label = QLabel()
        self.worker_label = QLabel()
        for label, name in (
            (self.mode_label, self.tr("Backend")),
            (self.connection_label, self.tr("Connection")),
            (self.depth_label, self.tr("Queue depth")),
            (self.rate_label, self.tr("Items per minute")),
            (self.worker_label, self.tr("Worker")),
        ):
            label.setAccessibleName(name)
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)
        self.set_connection(None, "")
        self.set_depth(None)
        self.set_rate(0.0)

    def set_mode(self, text: str, tooltip: str = "") -> None:
        self.mode_label.setText(text)
        self.mode_label.setToolTip(tooltip)

    def set_worker(self, text: str, tooltip: str = "") -> None:
        self.worker_label.setText(text)
        self.worker_label.setToolTip(tooltip)
        self.worker_label.setVisible(bool(text))

    def set_connection(self, ok: bool | None, message: str) -> None:
        if ok is None:
            self.connection_label.setText("● " + self.tr("Connecting…"))
            self.connection_label.setStyleSheet("color: #8a94a6;")
        elif ok:
            self.connection_label.setText("● " + self.tr("Connected"))
            self.connection_label.setStyleSheet("color: #1f9d55;")
        else:
            self.connection_label.setText("● " + self.tr("Offline"))
            self.connection_label.setStyleSheet("color: #d64545;")
        self.connection_label.setToolTip(message)

    def set_depth(self, depth: QueueDepth | None) -> None:
        if depth is None:
            self.depth_label.setText(self.tr("Queue: –"))
            return
        self.depth_label.setText(
            self.tr("Queue: {visible} waiting, {in_flight} in progress").format(
                visible=depth.visible, in_flight=depth.in_flight
            )
        )

    def set_rate(self, per_minute: float) -> None:
        self.rate_label.setText(self.tr("{rate:.0f} items/min").format(rate=per_minute))
