"""Preferences persist in QSettings (temp dir); the password only in the secret store."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.app import has_display, main
from desktop.job_table_model import Column
from desktop.main_window import MainWindow
from desktop.preferences import MemorySecrets, Preferences
from desktop.resources import Resources
from desktop.settings_dialog import SettingsDialog, aws_profiles
from desktop.tasks import TaskRunner
from ocrjobs.config import Settings
from ocrjobs.services.maintenance import CheckResult

pytestmark = pytest.mark.gui


def _settings_loader(**kw: object) -> Settings:
    return Settings(actor="t@t")


def test_settings_dialog_saves_and_reloads(
    qtbot: QtBot, tmp_path: Path, resources: Resources
) -> None:
    ini = tmp_path / "p.ini"
    secrets = MemorySecrets()
    prefs = Preferences(QSettings(str(ini), QSettings.Format.IniFormat), secrets)
    runner = TaskRunner()
    dialog = SettingsDialog(
        prefs, prefs.settings(_settings_loader), ["eng", "por"], runner, resources
    )
    qtbot.addWidget(dialog)
    dialog.region.setCurrentText("sa-east-1")
    dialog.bucket.setText("my-bucket")
    dialog.database.setText("mysql+pymysql://ocr@db.internal:3306/ocrjobs")
    dialog.password.setText("s3cret!")
    dialog.language.setCurrentText("por")
    dialog.poll.setValue(5.0)
    dialog.ui_language.setCurrentIndex(dialog.ui_language.findData("pt_BR"))
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.save()
    assert dialog.backend_changed
    assert dialog.language_changed
    runner.shutdown()

    text = ini.read_text(encoding="utf-8")
    assert "s3cret" not in text
    assert "my-bucket" in text
    assert list(secrets.values.values()) == ["s3cret!"]

    again = Preferences(QSettings(str(ini), QSettings.Format.IniFormat), secrets)
    s = again.settings(_settings_loader)
    assert s.aws_region == "sa-east-1"
    assert s.bucket == "my-bucket"
    assert s.default_language == "por"
    assert s.poll_interval == 5.0
    assert s.database_url == "mysql+pymysql://ocr:s3cret%21@db.internal:3306/ocrjobs"
    assert again.ui_language() == "pt_BR"


def test_connection_results_name_each_service(
    qtbot: QtBot, prefs: Preferences, resources: Resources
) -> None:
    runner = TaskRunner()
    dialog = SettingsDialog(prefs, Settings(actor="t"), ["eng"], runner, resources)
    qtbot.addWidget(dialog)
    dialog.show_results(
        [
            CheckResult("database", "sqlite:///x", True, "ok", 0.002),
            CheckResult("S3", "http://127.0.0.1:1 bucket b", False, "connection refused", 0.1),
            CheckResult("SQS", "q", True, "ok", 0.01),
            CheckResult("DynamoDB", "t", True, "ok", 0.01),
        ]
    )
    assert dialog.checks.topLevelItemCount() == 4
    assert "connection refused" in dialog.checks.topLevelItem(1).text(1)
    assert "S3" in dialog.test_state.text()
    runner.shutdown()


def test_aws_profiles_are_read_from_the_aws_config(tmp_path: Path) -> None:
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "config").write_text("[default]\nregion=us-east-1\n[profile ops]\nregion=sa-east-1\n")
    (aws / "credentials").write_text("[scanner]\naws_access_key_id=x\n")
    assert aws_profiles(tmp_path) == ["default", "ops", "scanner"]


def test_window_geometry_persists(
    qtbot: QtBot, window: MainWindow, prefs: Preferences, resources: Resources
) -> None:
    window.table.setColumnWidth(Column.ITEMS, 333)
    window.save_state()
    assert prefs.bytes_value("window/geometry") is not None
    other = MainWindow(resources, prefs, window.runner, window.backend)
    qtbot.addWidget(other)
    assert other.table.columnWidth(Column.ITEMS) == 333


def test_without_a_display_the_app_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert not has_display()
    assert main([]) == 3
    assert "no display" in capsys.readouterr().err


def test_settings_from_the_window_apply_the_poll_interval(
    qtbot: QtBot, window: MainWindow, prefs: Preferences
) -> None:
    window.settings_action.trigger()
    qtbot.waitUntil(
        lambda: window.settings_dialog is not None and window.settings_dialog.isVisible()
    )
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.poll.setValue(7.5)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.save()
    assert not dialog.backend_changed
    assert window.backend.settings is not None
    assert window.backend.settings.poll_interval == 7.5
    assert prefs.stored()["poll_interval"] in (7.5, "7.5")
