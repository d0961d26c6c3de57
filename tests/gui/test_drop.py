"""Drag-and-drop of real files onto the main window creates jobs; refused files are listed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.banner import Level
from desktop.main_window import MainWindow
from desktop.outbox import Outbox
from ocrjobs.domain.errors import BackendUnavailable
from ocrjobs.domain.model import CreateResult
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context

pytestmark = pytest.mark.gui

DragT = TypeVar("DragT", QDragEnterEvent, QDragMoveEvent)


def drag_event(kind: type[DragT], pos: QPointF, md: QMimeData) -> DragT:
    """A copy drag with the left button at ``pos``.

    PySide6 6.12 takes a QPointF and deprecates the QPoint form; before it, QPoint only.
    """
    args = (Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        return kind(pos, *args)
    except TypeError:
        return kind(pos.toPoint(), *args)


def drop_files(qtbot: QtBot, window: MainWindow, paths: list[Path]) -> QMimeData:
    """Send drag-enter, drag-move and drop with file URLs; returns the mime data (keep it)."""
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(window.width() / 2, window.height() / 2)
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = drag_event(QDragEnterEvent, pos, md)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    assert window.drop_overlay.isVisible()
    move = drag_event(QDragMoveEvent, pos, md)
    QApplication.sendEvent(window, move)
    assert move.isAccepted()
    QApplication.sendEvent(window, QDropEvent(pos, actions, md, buttons, mods))
    assert not window.drop_overlay.isVisible()
    return md


def test_drop_creates_a_job_with_an_edited_name(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    assert window.acceptDrops()
    files = [image_factory("page-1.png"), image_factory("page-2.png")]
    md = drop_files(qtbot, window, files)
    dialog = window.submit_dialog
    assert dialog is not None
    assert dialog.name == "page-1 (+1)"
    dialog.name_edit.setText("Invoices March")
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        dialog.accept()
    result = blocker.args[0]
    assert isinstance(result, CreateResult)
    assert result.job is not None
    assert result.job.counts.total == 2
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert window.model.summary(0).job.name == "Invoices March"  # type: ignore[union-attr]
    assert window.current_job_id() == result.job.job.id
    assert len(ctx.store.list_keys(f"jobs/{result.job.job.id}/")) == 2
    assert not window.uploads.task_ids()
    del md


def test_drop_of_a_folder_names_the_job_after_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, image_factory: Callable[[str], Path]
) -> None:
    folder = tmp_path / "Scans 2024"
    folder.mkdir()
    image_factory("Scans 2024/a.png")
    image_factory("Scans 2024/b.png")
    window.ask_job_name = False
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        md = drop_files(qtbot, window, [folder])
    result = blocker.args[0]
    assert isinstance(result, CreateResult)
    assert result.job is not None
    assert result.job.job.name == "Scans 2024"
    assert result.job.counts.total == 2
    del md


def test_refused_files_are_listed_and_the_valid_ones_sent(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, image_factory: Callable[[str], Path]
) -> None:
    good = image_factory("good.png")
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image", encoding="utf-8")
    window.ask_job_name = False
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        md = drop_files(qtbot, window, [good, bad])
    result = blocker.args[0]
    assert isinstance(result, CreateResult)
    assert result.job is not None
    assert result.job.counts.total == 1
    assert [r.name for r in result.rejected] == ["notes.txt"]
    assert window.banner.isVisible()
    assert window.banner.level is Level.WARNING
    assert "notes.txt" in window.banner.details.toPlainText()
    window.banner.toggle.click()
    assert window.banner.details.isVisible()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    del md


def test_a_drop_with_no_usable_file_creates_nothing(
    qtbot: QtBot, window: MainWindow, ctx: Context, tmp_path: Path
) -> None:
    bad = tmp_path / "empty.png"
    bad.write_bytes(b"")
    other = tmp_path / "readme.md"
    other.write_text("# hi", encoding="utf-8")
    window.ask_job_name = False
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        md = drop_files(qtbot, window, [bad, other])
    result = blocker.args[0]
    assert isinstance(result, CreateResult)
    assert result.job is None
    assert len(result.rejected) == 2
    assert window.banner.level is Level.WARNING
    details = window.banner.details.toPlainText()
    assert "empty.png" in details
    assert "readme.md" in details
    assert job_service.list_jobs(ctx).total == 0
    del md


def test_non_file_drags_are_ignored(window: MainWindow) -> None:
    md = QMimeData()
    md.setText("just text")
    enter = drag_event(QDragEnterEvent, QPointF(10, 10), md)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_upload_can_be_cancelled(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    files = [image_factory(f"p{i}.png") for i in range(3)]
    handle = window.submit(files, "to cancel", "eng")
    assert handle is not None
    handle.cancel()
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        pass
    assert not isinstance(blocker.args[0], CreateResult)
    assert job_service.list_jobs(ctx).total == 0
    assert ctx.store.list_keys("jobs/") == []
    assert not window.uploads.isVisible()


def test_paste_an_image_from_the_clipboard(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    from PySide6.QtGui import QGuiApplication, QImage

    QGuiApplication.clipboard().setImage(QImage(str(image_factory("clip.png"))))
    window.ask_job_name = False
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        window.paste_action.trigger()
    result = blocker.args[0]
    assert isinstance(result, CreateResult)
    assert result.job is not None
    assert result.job.items[0].original_name == "pasted image.png"


def test_paste_copied_files(
    qtbot: QtBot, window: MainWindow, image_factory: Callable[[str], Path]
) -> None:
    from PySide6.QtGui import QGuiApplication

    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(image_factory("copied.png")))])
    QGuiApplication.clipboard().setMimeData(md)
    window.ask_job_name = False
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        window.paste()
    # The clipboard owns the mime data: empty it now, while the application lives, or
    # its destruction at interpreter exit crashes (seen as a segfault after the run).
    QGuiApplication.clipboard().clear()
    result = blocker.args[0]
    assert isinstance(result, CreateResult)
    assert result.job is not None
    assert result.job.job.name == "copied"


def test_unreachable_backend_holds_the_drop_in_the_outbox_then_sends_it(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    files = [image_factory("one.png"), image_factory("two.png")]
    ctx.store.broken = BackendUnavailable("S3", "http://127.0.0.1:9", "connection refused")  # type: ignore[attr-defined]
    window.ask_job_name = False
    with qtbot.waitSignal(window.outbox_changed, timeout=10_000):
        window.request_job(files)
    assert window.banner.level is Level.WARNING
    assert "outbox" in window.banner.message.text()
    assert all(str(f) in window.banner.details.toPlainText() for f in files)
    assert window.uploads.isVisible()
    assert window.outbox is not None
    held = window.outbox.entries()
    assert len(held) == 1
    assert held[0].originals == tuple(str(f) for f in files)
    assert job_service.list_jobs(ctx).total == 0
    # The connection comes back: the next successful poll sends it.
    ctx.store.broken = None  # type: ignore[attr-defined]
    window.outbox_retry_s = 0.0
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        pass
    result = blocker.args[0]
    assert isinstance(result, CreateResult)
    assert result.job is not None
    assert result.job.counts.total == 2
    assert result.job.job.name == "one (+1)"
    qtbot.waitUntil(lambda: window.outbox is not None and window.outbox.entries() == [])
    qtbot.waitUntil(lambda: not window.uploads.isVisible())


def test_drops_held_by_an_earlier_session_are_sent(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    earlier = Outbox(ctx.settings.data_path / "outbox")
    earlier.hold([image_factory("old.png")], "from yesterday", "eng")
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        window.flush_outbox()
    result = blocker.args[0]
    assert isinstance(result, CreateResult)
    assert result.job is not None
    assert result.job.job.name == "from yesterday"
    qtbot.waitUntil(lambda: earlier.entries() == [])


def test_without_an_outbox_an_unreachable_backend_is_refused_clearly(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    files = [image_factory("one.png"), image_factory("two.png")]
    window.outbox = None
    ctx.store.broken = BackendUnavailable("S3", "http://127.0.0.1:9", "connection refused")  # type: ignore[attr-defined]
    window.ask_job_name = False
    with qtbot.waitSignal(window.submission_finished, timeout=10_000):
        window.request_job(files)
    assert window.banner.level is Level.ERROR
    assert "Nothing was sent" in window.banner.message.text()
    details = window.banner.details.toPlainText()
    assert all(str(f) in details for f in files)
    assert window.banner.action.isVisible()
    assert job_service.list_jobs(ctx).total == 0
    ctx.store.broken = None  # type: ignore[attr-defined]
    with qtbot.waitSignal(window.submission_finished, timeout=10_000) as blocker:
        window.banner.action.click()
    result = blocker.args[0]
    assert isinstance(result, CreateResult)
    assert result.job is not None
    assert result.job.counts.total == 2


def test_poll_failure_shows_offline(qtbot: QtBot, window: MainWindow, ctx: Context) -> None:
    real = ctx.uow

    def broken(*, write: bool = False) -> object:
        raise OSError("database is gone")

    ctx.uow = broken  # type: ignore[assignment]
    qtbot.waitUntil(lambda: window.poller.ok is False, timeout=5000)
    assert "Offline" in window.status.connection_label.text()
    assert window.banner.isVisible()
    ctx.uow = real
    qtbot.waitUntil(lambda: window.poller.ok is True, timeout=5000)
    assert "Connected" in window.status.connection_label.text()
