"""A job's audit trail (DynamoDB): time, action, actor and details, oldest first."""

from __future__ import annotations

import json
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ocrjobs.domain.model import AuditEvent


class AuditDialog(QDialog):
    """Non-modal list of audit events; one row per event, details as compact JSON."""

    def __init__(
        self, job_name: str, events: Sequence[AuditEvent], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit trail — {name}").format(name=job_name))
        self.tree = QTreeWidget()
        self.tree.setAccessibleName(self.tr("Audit events"))
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels(
            [self.tr("Time"), self.tr("Action"), self.tr("Actor"), self.tr("Details")]
        )
        for e in events:
            details = json.dumps(e.details, ensure_ascii=False, default=str, sort_keys=True)
            row = QTreeWidgetItem(
                [
                    e.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                    e.action,
                    e.actor,
                    details,
                ]
            )
            row.setToolTip(3, details)
            self.tree.addTopLevelItem(row)
        header = self.tree.header()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("%n event(s), oldest first", "", len(events))))
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(860, 420)
