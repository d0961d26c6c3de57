"""Settings: AWS profile/region/endpoint, bucket, queue, table, database, language, polling.

"Test connection" checks the database, S3, SQS and DynamoDB one by one (in the
background) and shows each result. The database password is written to the OS keyring
only (see :mod:`desktop.preferences`).
"""

from __future__ import annotations

import configparser
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.backend import wants_local
from desktop.preferences import Preferences, split_password, with_password
from desktop.resources import Resources
from desktop.tasks import TaskRunner
from ocrjobs.bootstrap import build_context
from ocrjobs.config import Settings
from ocrjobs.services.maintenance import CheckResult, check_connections

REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "sa-east-1",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
]
UI_LANGUAGES = [("", "System"), ("en", "English"), ("pt_BR", "Português (Brasil)")]


def aws_profiles(home: Path | None = None) -> list[str]:
    """Profile names from ~/.aws/config and ~/.aws/credentials (no secrets are read out)."""
    base = (home or Path.home()) / ".aws"
    names: set[str] = set()
    for file, prefix in (("config", "profile "), ("credentials", "")):
        parser = configparser.ConfigParser()
        try:
            parser.read(base / file, encoding="utf-8")
        except (OSError, configparser.Error):
            continue
        for section in parser.sections():
            if section == "default" or not prefix:
                names.add(section)
            elif section.startswith(prefix):
                names.add(section[len(prefix) :].strip())
    return sorted(names)


class SettingsDialog(QDialog):
    """Edits the stored preferences; ``backend_changed`` says whether to reconnect."""

    def __init__(
        self,
        prefs: Preferences,
        settings: Settings,
        languages: Sequence[str],
        runner: TaskRunner,
        resources: Resources,
        parent: QWidget | None = None,
        *,
        test_ctx_settings: Settings | None = None,
    ) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self.settings = settings
        self.runner = runner
        self.test_ctx_settings = test_ctx_settings
        self.backend_changed = False
        self.language_changed = False
        self.results: list[CheckResult] = []
        self.saved_settings: Settings | None = None
        self.setWindowTitle(self.tr("Settings"))
        self.setWindowIcon(resources.icon("settings"))

        self.profile = QComboBox()
        self.profile.setEditable(True)
        self.profile.addItem("")
        self.profile.setCurrentText(settings.aws_profile)
        self.profile.setAccessibleName(self.tr("AWS profile"))
        self.region = QComboBox()
        self.region.setEditable(True)
        self.region.addItems(["", *REGIONS])
        self.region.setCurrentText(settings.aws_region)
        self.region.setAccessibleName(self.tr("AWS region"))
        self.endpoint = self._line(settings.endpoint_url, self.tr("Endpoint URL"), "https://…")
        self.bucket = self._line(settings.bucket, self.tr("S3 bucket"))
        self.queue = self._line(settings.queue, self.tr("SQS queue"))
        self.table = self._line(settings.audit_table, self.tr("Audit table"))
        split = split_password(settings.database_url)
        self.database = self._line(
            split.url, self.tr("Database URL"), "mysql+pymysql://user@host:3306/ocrjobs"
        )
        self.password = self._line(split.password, self.tr("Database password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("stored in the system keyring"))
        self.language = QComboBox()
        self.language.setEditable(True)
        self.language.addItems(list(languages))
        self.language.setCurrentText(settings.default_language)
        self.language.setAccessibleName(self.tr("Default OCR language"))
        self.poll = QDoubleSpinBox()
        self.poll.setRange(0.5, 60.0)
        self.poll.setSingleStep(0.5)
        self.poll.setSuffix(" s")
        self.poll.setValue(settings.poll_interval)
        self.poll.setAccessibleName(self.tr("Poll interval in seconds"))
        self.ui_language = QComboBox()
        self.ui_language.setAccessibleName(self.tr("Interface language"))
        for code, label in UI_LANGUAGES:
            self.ui_language.addItem(self.tr("System") if not code else label, code)
        self.ui_language.setCurrentIndex(max(0, self.ui_language.findData(prefs.ui_language())))

        aws = QGroupBox(self.tr("AWS"))
        af = QFormLayout(aws)
        af.addRow(self.tr("&Profile:"), self.profile)
        af.addRow(self.tr("&Region:"), self.region)
        af.addRow(self.tr("&Endpoint URL:"), self.endpoint)
        af.addRow(self.tr("&Bucket:"), self.bucket)
        af.addRow(self.tr("&Queue:"), self.queue)
        af.addRow(self.tr("Audit &table:"), self.table)
        db = QGroupBox(self.tr("Database"))
        df = QFormLayout(db)
        df.addRow(self.tr("&URL:"), self.database)
        df.addRow(self.tr("Pass&word:"), self.password)
        app = QGroupBox(self.tr("Application"))
        pf = QFormLayout(app)
        pf.addRow(self.tr("OCR &language:"), self.language)
        pf.addRow(self.tr("Poll &interval:"), self.poll)
        pf.addRow(self.tr("Interface l&anguage:"), self.ui_language)
        hint = QLabel(
            self.tr(
                "Leave the database URL, endpoint and profile empty to run on the embedded "
                "local stack. AWS credentials come from your AWS profile or environment."
            )
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)

        self.test_button = QPushButton(self.tr("&Test connection"))
        self.test_button.setAccessibleName(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_state = QLabel()
        self.checks = QTreeWidget()
        self.checks.setAccessibleName(self.tr("Connection test results"))
        self.checks.setRootIsDecorated(False)
        self.checks.setHeaderLabels(
            [self.tr("Service"), self.tr("Result"), self.tr("Where"), self.tr("Duration")]
        )
        self.checks.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.checks.setMinimumHeight(130)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_state, 1)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        left = QVBoxLayout()
        left.addWidget(aws)
        left.addWidget(db)
        right = QVBoxLayout()
        right.addWidget(app)
        right.addWidget(hint)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addLayout(test_row)
        layout.addWidget(self.checks)
        layout.addWidget(buttons)
        self.resize(980, 640)
        runner.run(aws_profiles, on_done=self._profiles_loaded, on_error=lambda _e: None)

    def _line(self, value: str, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(value)
        edit.setCursorPosition(0)
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setAcceptDrops(False)
        return edit

    def _profiles_loaded(self, names: list[str]) -> None:
        current = self.profile.currentText()
        for n in names:
            if self.profile.findText(n) < 0:
                self.profile.addItem(n)
        self.profile.setCurrentText(current)

    def values(self) -> dict[str, Any]:
        """The form as settings keys; ``database_url`` includes the password (in memory)."""
        return {
            "aws_profile": self.profile.currentText().strip(),
            "aws_region": self.region.currentText().strip(),
            "endpoint_url": self.endpoint.text().strip(),
            "bucket": self.bucket.text().strip(),
            "queue": self.queue.text().strip(),
            "audit_table": self.table.text().strip(),
            "database_url": with_password(self.database.text().strip(), self.password.text()),
            "default_language": self.language.currentText().strip() or "eng",
            "poll_interval": float(self.poll.value()),
        }

    def save(self) -> None:
        """Store the form (the password to the keyring, in the background), then close."""
        values = self.values()
        keys = ("aws_profile", "aws_region", "endpoint_url", "bucket", "queue", "audit_table")
        self.backend_changed = any(values[k] != getattr(self.settings, k) for k in keys) or (
            values["database_url"] != self.settings.database_url
        )
        self.saved_settings = self.settings.replace(**values)
        code = str(self.ui_language.currentData() or "")
        self.buttons.setEnabled(False)
        self.runner.run(
            lambda: self.prefs.save_backend(values),
            on_done=lambda _r: self._saved(code),
            on_error=self._save_failed,
            label="save settings",
        )

    def _saved(self, ui_language: str) -> None:
        self.language_changed = ui_language != self.prefs.ui_language()
        self.prefs.set_ui_language(ui_language)
        self.prefs.sync()
        self.buttons.setEnabled(True)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        # e.g. no usable keyring: say so and keep the dialog open
        self.buttons.setEnabled(True)
        self.test_state.setText(
            self.tr("Could not save: {error}").format(error=getattr(exc, "message", exc))
        )
        self.test_state.setStyleSheet("color: #d64545;")

    def test_connection(self) -> None:
        """Check each backend from the form's values, one by one, off the UI thread."""
        candidate = self.settings.replace(**self.values())
        if wants_local(candidate) and self.test_ctx_settings is not None:
            candidate = self.test_ctx_settings
        self.test_button.setEnabled(False)
        self.test_state.setText(self.tr("Testing…"))
        self.checks.clear()

        def run() -> list[CheckResult]:
            ctx = build_context(candidate)
            try:
                return check_connections(ctx)
            finally:
                ctx.close()

        self.runner.run(run, on_done=self.show_results, on_error=self._test_failed)

    def show_results(self, results: list[CheckResult]) -> None:
        self.results = list(results)
        self.test_button.setEnabled(True)
        self.checks.clear()
        for r in results:
            row = QTreeWidgetItem(
                [
                    r.service,
                    ("✓ " + self.tr("OK")) if r.ok else ("✗ " + r.message),
                    r.endpoint,
                    f"{r.seconds * 1000:.0f} ms",
                ]
            )
            row.setForeground(1, QBrush(QColor("#1f9d55" if r.ok else "#d64545")))
            row.setToolTip(1, r.message)
            self.checks.addTopLevelItem(row)
        failed = [r.service for r in results if not r.ok]
        self.test_state.setText(
            self.tr("All services reachable.")
            if not failed
            else self.tr("Failing: {services}").format(services=", ".join(failed))
        )
        self.test_state.setStyleSheet(f"color: {'#1f9d55' if not failed else '#d64545'};")

    def _test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.test_state.setText(
            self.tr("The test could not run: {error}").format(error=getattr(exc, "message", exc))
        )
        self.test_state.setStyleSheet("color: #d64545;")
