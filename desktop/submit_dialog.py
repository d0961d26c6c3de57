"""Confirms a drop: the job's name (editable, defaulted from the files) and OCR language."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from ocrjobs.domain.model import NamedBytes

Source = Path | NamedBytes
MAX_LISTED = 200


class SubmitDialog(QDialog):
    """Window-modal sheet opened with ``open()``; read :attr:`name` and :attr:`language`."""

    def __init__(
        self,
        files: Sequence[Source],
        default_name: str,
        languages: Sequence[str],
        language: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.files = list(files)
        self.setWindowTitle(self.tr("New OCR job"))
        self.name_edit = QLineEdit(default_name)
        self.name_edit.selectAll()
        self.name_edit.setAccessibleName(self.tr("Job name"))
        self.language_box = QComboBox()
        self.language_box.setEditable(True)
        self.language_box.setAccessibleName(self.tr("OCR language"))
        self.language_box.addItems(list(languages))
        if "+" not in language and len(languages) > 1 and "eng+por" not in languages:
            self.language_box.addItem("eng+por")
        self.language_box.setCurrentText(language)
        listing = QListWidget()
        listing.setAccessibleName(self.tr("Files to send"))
        for f in self.files[:MAX_LISTED]:
            listing.addItem(f.name if isinstance(f, NamedBytes) else str(f))
        if len(self.files) > MAX_LISTED:
            listing.addItem(self.tr("… and {n} more").format(n=len(self.files) - MAX_LISTED))
        listing.setMaximumHeight(160)
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&Language:"), self.language_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Create job"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("%n file(s) or folder(s) dropped:", "", len(self.files))))
        layout.addWidget(listing)
        note = QLabel(
            self.tr("Files that are not images or PDFs are listed after the upload, with reasons.")
        )
        note.setObjectName("muted")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(480, 360)

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    @property
    def language(self) -> str:
        return self.language_box.currentText().strip()
