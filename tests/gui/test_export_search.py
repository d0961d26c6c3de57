"""Export a job from the desktop and find text across jobs."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.banner import Level
from desktop.export_dialog import PER_ITEM, ExportDialog
from desktop.main_window import MainWindow
from desktop.search_model import HitColumn, lead_in
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context
from tests.gui.conftest import process_all

pytestmark = pytest.mark.gui


def _job(
    qtbot: QtBot,
    window: MainWindow,
    ctx: Context,
    image_factory: Callable[[str], Path],
    name: str,
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


@pytest.mark.parametrize(
    ("fmt", "name", "per_item"),
    [
        ("txt", "out.txt", False),
        ("json", "out.json", False),
        ("csv", "out.csv", False),
        ("txt", "folder", True),
        ("pdf", "out.pdf", False),
    ],
)
def test_export_writes_file_and_says_where(
    qtbot: QtBot,
    window: MainWindow,
    ctx: Context,
    image_factory: Callable[[str], Path],
    tmp_path: Path,
    fmt: str,
    name: str,
    per_item: bool,
) -> None:
    job_id = _job(qtbot, window, ctx, image_factory, "exported")
    process_all(ctx, lambda _i: "Olá mundo")
    dest = tmp_path / "exports" / name
    assert window.export_action.isEnabled()
    assert window.export_action.shortcut().toString() == "Ctrl+E"
    window.export_job(job_id, fmt, dest, per_item=per_item)
    qtbot.waitUntil(
        lambda: window.banner.isVisible() and "Exported" in window.banner.message.text(),
        timeout=10000,
    )
    assert window.banner.level is Level.INFO
    assert str(dest) in window.banner.message.text()
    if per_item:
        files = sorted(dest.glob("*.txt"))
        assert len(files) == 2
        assert files[0].read_text(encoding="utf-8").strip() == "Olá mundo"
    elif fmt == "json":
        assert "Olá mundo" in json.dumps(
            json.loads(dest.read_text(encoding="utf-8")), ensure_ascii=False
        )
    elif fmt == "csv":
        rows = list(csv.reader(dest.read_text(encoding="utf-8-sig").splitlines()))
        assert len(rows) == 3
    elif fmt == "pdf":
        assert dest.read_bytes().startswith(b"%PDF")
    else:
        assert "Olá mundo" in dest.read_text(encoding="utf-8")


def test_export_failure_shows_error(
    qtbot: QtBot,
    window: MainWindow,
    ctx: Context,
    image_factory: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    job_id = _job(qtbot, window, ctx, image_factory, "unfinished", n=1)
    window.export_job(job_id, "pdf", tmp_path / "x.pdf")  # nothing finished: no page for a PDF
    qtbot.waitUntil(
        lambda: window.banner.isVisible() and window.banner.level is Level.ERROR, timeout=10000
    )


def test_export_dialog_formats_and_paths(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ExportDialog("My job: scans")
    qtbot.addWidget(dialog)
    assert dialog.format == "txt"
    assert dialog.destination.name == "My_job_scans.txt"
    dialog.path_edit.setText(str(tmp_path / "report.txt"))
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("pdf"))
    assert dialog.destination == tmp_path / "report.pdf"
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(PER_ITEM))
    assert dialog.destination == tmp_path / "report"
    assert dialog.per_item
    assert dialog.format == "txt"
    with qtbot.waitSignal(dialog.export_requested) as sig:
        dialog.accept()
    assert sig.args == ["txt", tmp_path / "report", True]


def test_find_in_text_lists_hits_and_opens_item(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    first = _job(qtbot, window, ctx, image_factory, "alpha", n=2)
    texts = iter(["nothing here", "the zebra crossing"])
    process_all(ctx, lambda _i: next(texts))
    second = _job(qtbot, window, ctx, image_factory, "beta", n=1)
    process_all(ctx, lambda _i: "another text")
    target = next(i for i in job_service.get_job(ctx, first).items if "zebra" in (i.ocr_text or ""))
    qtbot.waitUntil(lambda: window.detail.job_id == second)
    assert window.find_text_action.shortcut().toString() == "Ctrl+Shift+F"
    window.find_text_action.trigger()
    dialog = window.search_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert not dialog.isModal()
    with qtbot.waitSignal(dialog.searched, timeout=5000) as sig:
        dialog.search("zebra")
    assert sig.args == [1]
    model = dialog.model
    assert model.index(0, HitColumn.JOB).data() == "alpha"
    assert model.index(0, HitColumn.FILE).data() == target.original_name
    assert "zebra" in model.index(0, HitColumn.SNIPPET).data(Qt.ItemDataRole.DisplayRole)
    # the job is hidden by a name filter: opening the hit clears it
    window.filters.search.setText("beta")
    qtbot.waitUntil(lambda: window.model.row_of(first) is None, timeout=5000)
    dialog.view.doubleClicked.emit(model.index(0, HitColumn.SNIPPET))
    qtbot.waitUntil(lambda: window.current_job_id() == first, timeout=5000)
    qtbot.waitUntil(
        lambda: (c := window.detail.current_item()) is not None and c.id == target.id,
        timeout=5000,
    )
    qtbot.waitUntil(lambda: "zebra" in window.detail.text.toPlainText(), timeout=5000)
    with qtbot.waitSignal(dialog.searched, timeout=5000) as sig:
        dialog.search("unfindableword")
    assert sig.args == [0]
    dialog.close()


def test_snippet_starts_near_the_match() -> None:
    text = "x" * 80 + " the zebra crossing"
    assert lead_in(text, "zebra").startswith("…")
    assert "zebra" in lead_in(text, "zebra")[:40]
    assert lead_in("short zebra", "zebra") == "short zebra"


def test_export_action_opens_sheet_and_exports(
    qtbot: QtBot,
    window: MainWindow,
    ctx: Context,
    image_factory: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    _job(qtbot, window, ctx, image_factory, "sheet", n=1)
    process_all(ctx, lambda _i: "via the sheet")
    window.export_action.trigger()
    dialog = window.export_dialog
    assert dialog is not None
    assert dialog.isVisible()
    dest = tmp_path / "sheet.json"
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("json"))
    dialog.path_edit.setText(str(dest))
    dialog.ok_button.click()
    qtbot.waitUntil(dest.exists, timeout=10000)
    qtbot.waitUntil(lambda: str(dest) in window.banner.message.text(), timeout=5000)
