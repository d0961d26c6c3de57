"""The drop sheet's language picker: installed languages, pairs, default from settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.submit_dialog import SubmitDialog, language_choices, normalize_language

pytestmark = pytest.mark.gui


def test_choices_offer_singles_then_pairs() -> None:
    assert language_choices(["eng", "por"], "eng") == ["eng", "por", "eng+por"]
    assert language_choices(["deu", "eng", "por"], "por+eng")[:4] == [
        "por+eng",
        "deu",
        "eng",
        "por",
    ]
    assert "deu+eng" in language_choices(["deu", "eng", "por"], "eng")
    assert normalize_language(" eng + por+eng ") == "eng+por"


def test_dialog_defaults_and_validates(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SubmitDialog([tmp_path / "a.png"], "a", ["deu", "eng", "por"], "por")
    qtbot.addWidget(dialog)
    items = [dialog.language_box.itemText(i) for i in range(dialog.language_box.count())]
    assert items[:3] == ["deu", "eng", "por"]
    assert "eng+por" in items
    assert dialog.language == "por"
    assert dialog.ok_button.isEnabled()
    dialog.language_box.setCurrentText("eng + deu")
    assert dialog.language == "eng+deu"
    assert dialog.ok_button.isEnabled()
    dialog.language_box.setCurrentText("eng+xyz")
    assert not dialog.ok_button.isEnabled()
    assert "xyz" in dialog.language_note.text()
    dialog.language_box.setCurrentText("")
    assert not dialog.ok_button.isEnabled()


def test_window_offers_backend_languages_with_settings_default(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.backend.languages = ["eng", "por"]
    window.request_job([tmp_path / "x.png"])
    dialog = window.submit_dialog
    assert dialog is not None
    settings = window.backend.settings
    assert settings is not None
    assert dialog.language == settings.default_language
    items = [dialog.language_box.itemText(i) for i in range(dialog.language_box.count())]
    assert settings.default_language in items
    assert "eng+por" in items
    dialog.reject()
