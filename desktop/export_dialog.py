"""Asks how and where to export a job: format (txt, per-item txt, JSON, CSV, PDF) and path."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

PER_ITEM = "txt-items"
"""The combo's key for plain text, one file per item, into a folder."""
EXTENSIONS = {"txt": "txt", PER_ITEM: "", "json": "json", "csv": "csv", "pdf": "pdf"}


def safe_name(name: str) -> str:
    """A job name usable as a file name."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._") or "job"


class ExportDialog(QDialog):
    """Window-modal sheet opened with ``open()``; emits :attr:`export_requested` on OK."""

    export_requested = Signal(str, object, bool)
    """``(format, destination Path, per_item)`` as :func:`ocrjobs.services.export.export_job`
    takes them."""

    def __init__(self, job_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export “{name}”").format(name=job_name))
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        self._folder = Path(docs or Path.home())
        self._stem = safe_name(job_name)
        self.format_box = QComboBox()
        self.format_box.setAccessibleName(self.tr("Export format"))
        for key, label in (
            ("txt", self.tr("Text, all items in one file (.txt)")),
            (PER_ITEM, self.tr("Text, one file per item (into a folder)")),
            ("json", self.tr("JSON: text, confidence, word boxes (.json)")),
            ("csv", self.tr("CSV: one row per item (.csv)")),
            ("pdf", self.tr("Searchable PDF (.pdf)")),
        ):
            self.format_box.addItem(label, key)
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName(self.tr("Export destination"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("&Format:"), self.format_box)
        form.addRow(self.tr("&Save to:"), path_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Export"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.path_edit.textChanged.connect(lambda t: self.ok_button.setEnabled(bool(t.strip())))
        self._format_changed()
        self.resize(560, 140)

    @property
    def key(self) -> str:
        return str(self.format_box.currentData())

    @property
    def format(self) -> str:
        """The core's format name (``txt`` for both text choices)."""
        return "txt" if self.key == PER_ITEM else self.key

    @property
    def per_item(self) -> bool:
        return self.key == PER_ITEM

    @property
    def destination(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def _format_changed(self) -> None:
        """Keep the chosen folder and name; switch the extension to the format's."""
        current = self.path_edit.text().strip()
        if current:
            path = Path(current)
            self._folder, self._stem = path.parent, path.stem or path.name
        ext = EXTENSIONS[self.key]
        name = f"{self._stem}.{ext}" if ext else self._stem
        self.path_edit.setText(str(self._folder / name))

    def _browse(self) -> None:
        dialog = QFileDialog(self, self.tr("Export to"), str(self.destination))
        if self.per_item:
            dialog.setFileMode(QFileDialog.FileMode.Directory)
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        else:
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setDefaultSuffix(EXTENSIONS[self.key])
        dialog.fileSelected.connect(self.path_edit.setText)
        dialog.open()

    def accept(self) -> None:
        if not self.path_edit.text().strip():
            return
        self.export_requested.emit(self.format, self.destination, self.per_item)
        super().accept()
