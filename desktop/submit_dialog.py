"""Confirms a drop: the job's name (editable, defaulted from the files) and OCR language(s).

The language picker offers the engine's installed languages and their pairs (``eng+por``);
a typed combination is accepted only when every part of it is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
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
MAX_PAIRED = 6
"""Pairs are offered when at most this many languages are installed (15 pairs)."""


def language_choices(installed: Sequence[str], default: str) -> list[str]:
    """Single languages, then pairs of them; the default first when it is a combination."""
    singles = list(dict.fromkeys(code for code in installed if code))
    pairs = ["+".join(p) for p in combinations(singles, 2)] if len(singles) <= MAX_PAIRED else []
    if "eng" in singles and "por" in singles and "eng+por" not in pairs:
        pairs.insert(0, "eng+por")
    choices = singles + pairs
    if default and default not in choices:
        choices.insert(0, default)
    return choices


def normalize_language(text: str) -> str:
    """``" eng + por+eng "`` → ``"eng+por"``: no spaces, no repeats, order kept."""
    parts = [part.strip() for part in text.split("+")]
    return "+".join(dict.fromkeys(part for part in parts if part))


def unknown_languages(language: str, installed: Sequence[str]) -> list[str]:
    """The parts of ``language`` that are not installed."""
    return [part for part in language.split("+") if part and part not in installed]


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
        self.language_box.setToolTip(
            self.tr("Installed OCR languages; combine them with “+”, e.g. eng+por")
        )
        self.installed = list(languages)
        self.language_box.addItems(language_choices(self.installed, language))
        self.language_box.setCurrentText(language)
        self.language_note = QLabel()
        self.language_note.setObjectName("warning")
        self.language_note.setWordWrap(True)
        self.language_note.hide()
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
        form.addRow("", self.language_note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Create job"))
        self.ok_button = ok
        self.language_box.currentTextChanged.connect(self._check_language)
        self._check_language()
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

    def _check_language(self) -> None:
        language = self.language
        missing = unknown_languages(language, self.installed) if self.installed else []
        if not language:
            self.language_note.setText(self.tr("Choose an OCR language."))
        elif missing:
            self.language_note.setText(
                self.tr("Not installed for OCR: {codes}. Installed: {installed}.").format(
                    codes=", ".join(missing), installed=", ".join(self.installed)
                )
            )
        self.language_note.setVisible(not language or bool(missing))
        self.ok_button.setEnabled(bool(language) and not missing)

    @property
    def language(self) -> str:
        """The chosen language(s), normalised (``eng+por``)."""
        return normalize_language(self.language_box.currentText())
