"""Rename, delete, retry and the audit trail, through the window's actions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.job_table_model import Column
from desktop.main_window import MainWindow
from ocrjobs.domain.errors import NotFound
from ocrjobs.domain.status import JobStatus
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context
from tests.gui.conftest import process_all

pytestmark = pytest.mark.gui


def _job(
    qtbot: QtBot,
    window: MainWindow,
    ctx: Context,
    image_factory: Callable[[str], Path],
    name: str = "job",
    n: int = 2,
) -> UUID:
    created = job_service.create_job(
        ctx, name, [image_factory(f"{name}-{i}.png") for i in range(n)]
    )
    assert created.job is not None
    job_id = created.job.job.id
    window.refresh()
    qtbot.waitUntil(lambda: window.select_job(job_id), timeout=5000)
    qtbot.waitUntil(lambda: window.detail.items.rowCount() == n, timeout=5000)
    return job_id


def test_rename_inline_with_f2(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    job_id = _job(qtbot, window, ctx, image_factory, "old name")
    window.table.setFocus()
    window.rename_action.trigger()
    editor = window.table.findChild(QLineEdit)
    assert editor is not None
    assert editor.text() == "old name"
    editor.setText("  new   name ")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    row = window.model.row_of(job_id)
    assert row is not None
    qtbot.waitUntil(lambda: window.model.index(row, Column.NAME).data() == "new name")
    assert job_service.get_job(ctx, job_id).job.name == "new name"
    qtbot.waitUntil(lambda: window.detail.title.text() == "new name")
    actions = [e.action for e in job_service.job_events(ctx, job_id)]
    assert "JOB_RENAMED" in " ".join(actions).upper() or any("renam" in a for a in actions)


def test_delete_asks_with_counts_then_removes_everything(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    job_id = _job(qtbot, window, ctx, image_factory, "to delete", n=3)
    events = len(job_service.job_events(ctx, job_id))
    window.delete_action.trigger()
    qtbot.waitUntil(lambda: window.confirm_box is not None and window.confirm_box.isVisible())
    box = window.confirm_box
    assert box is not None
    info = box.informativeText()
    assert "3 stored image(s)" in info
    assert "4 database row(s)" in info
    assert f"{events} audit log" in info
    delete = next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    )
    delete.click()
    qtbot.waitUntil(lambda: window.model.row_of(job_id) is None, timeout=5000)
    with pytest.raises(NotFound):
        job_service.get_job(ctx, job_id)
    assert ctx.store.list_keys(f"jobs/{job_id}/") == []
    assert window.detail.job_id is None
    assert "Deleted" in window.status.currentMessage()


def test_delete_can_be_cancelled(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    job_id = _job(qtbot, window, ctx, image_factory, "keep me", n=1)
    window.delete_action.trigger()
    qtbot.waitUntil(lambda: window.confirm_box is not None and window.confirm_box.isVisible())
    assert window.confirm_box is not None
    window.confirm_box.button(QMessageBox.StandardButton.Cancel).click()
    assert job_service.get_job(ctx, job_id).job.name == "keep me"
    assert window.model.row_of(job_id) is not None


def test_retry_requeues_failed_items(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    job_id = _job(qtbot, window, ctx, image_factory, "flaky", n=2)
    process_all(ctx, lambda _i: None)
    row = window.model.row_of(job_id)
    assert row is not None
    qtbot.waitUntil(
        lambda: window.model.summary(row).job.status is JobStatus.ERROR,  # type: ignore[union-attr]
        timeout=5000,
    )
    qtbot.waitUntil(window.retry_action.isEnabled)
    window.retry_action.trigger()
    qtbot.waitUntil(
        lambda: window.model.summary(row).job.status is JobStatus.PENDING,  # type: ignore[union-attr]
        timeout=5000,
    )
    assert "2 item(s) queued again" in window.status.currentMessage()
    assert len(ctx.queue.receive(10, 0)) == 2


def test_audit_trail_dialog_lists_events(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    job_id = _job(qtbot, window, ctx, image_factory, "audited", n=1)
    window.audit_action.trigger()
    qtbot.waitUntil(lambda: window.audit_dialog is not None and window.audit_dialog.isVisible())
    dialog = window.audit_dialog
    assert dialog is not None
    n = len(job_service.job_events(ctx, job_id))
    assert n >= 1
    assert dialog.tree.topLevelItemCount() == n
    dialog.close()


def test_text_copy_and_save(
    qtbot: QtBot,
    window: MainWindow,
    ctx: Context,
    image_factory: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    _job(qtbot, window, ctx, image_factory, "texts", n=1)
    process_all(ctx, lambda _i: "Olá, mundo\nsecond line")
    qtbot.waitUntil(lambda: window.detail.text.toPlainText() == "Olá, mundo\nsecond line")
    qtbot.waitUntil(lambda: window.detail.viewer.has_image)
    window.copy_action.trigger()
    assert QGuiApplication.clipboard().text() == "Olá, mundo\nsecond line"
    target = tmp_path / "out.txt"
    window.detail.save_text(str(target))
    qtbot.waitUntil(target.exists)
    assert target.read_text(encoding="utf-8") == "Olá, mundo\nsecond line"
    before = window.detail.viewer.scale_factor
    window.zoom_in_action.trigger()
    assert window.detail.viewer.scale_factor > before
    window.zoom_fit_action.trigger()
    assert window.detail.viewer.fit
