"""End to end on the embedded local stack with the in-process worker and real Tesseract.

Drop three sample images; every item ends DONE and the detail view shows their text.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.backend import Mode
from desktop.main_window import MainWindow
from desktop.preferences import Preferences
from desktop.resources import Resources
from ocrjobs.config import Settings
from ocrjobs.domain.model import CreateResult
from ocrjobs.domain.status import ItemStatus, JobStatus
from tests.gui.conftest import show_window
from tests.gui.test_drop import drop_files

pytestmark = [pytest.mark.gui, pytest.mark.e2e, pytest.mark.ocr, pytest.mark.slow]

SAMPLES = ["en-line", "en-paragraph", "en-invoice"]


def words(text: str) -> set[str]:
    return {w.strip(".,:;").lower() for w in text.split() if len(w.strip(".,:;")) > 3}


@pytest.fixture
def local_window(
    qtbot: QtBot, resources: Resources, prefs: Preferences, tmp_path: Path
) -> Iterator[MainWindow]:
    w = show_window(qtbot, resources, prefs)
    runner, backend = w.runner, w.backend
    settings = Settings(data_dir=str(tmp_path / "data"), actor="e2e@test", poll_interval=0.3)
    backend.start(settings, local=True)
    try:
        qtbot.waitUntil(lambda: backend.mode is not Mode.STARTING, timeout=60_000)
        assert backend.mode is Mode.LOCAL
        if not backend.worker_running:
            pytest.skip(f"no embedded worker here: {backend.worker_note}")
        yield w
    finally:
        w.poller.stop()
        runner.shutdown()
        backend.stop()


def test_drop_three_images_and_read_their_text(
    qtbot: QtBot, local_window: MainWindow, samples: Path, tmp_path: Path
) -> None:
    w = local_window
    assert w.mode_badge.text() == "Local stack"
    folder = tmp_path / "Three samples"
    folder.mkdir()
    for stem in SAMPLES:
        shutil.copy(samples / f"{stem}.png", folder / f"{stem}.png")
    w.ask_job_name = False
    with qtbot.waitSignal(w.submission_finished, timeout=30_000) as blocker:
        md = drop_files(qtbot, w, [folder])
    result = blocker.args[0]
    assert isinstance(result, CreateResult), result
    assert result.job is not None
    job_id = result.job.job.id

    def job_done() -> bool:
        row = w.model.row_of(job_id)
        s = w.model.summary(row) if row is not None else None
        return s is not None and s.job.status is JobStatus.DONE

    qtbot.waitUntil(job_done, timeout=90_000)
    w.select_job(job_id)
    qtbot.waitUntil(
        lambda: (
            w.detail.items.rowCount() == 3
            and all(i.status is ItemStatus.DONE for i in w.detail.items.items())
        ),
        timeout=30_000,
    )
    for row, item in enumerate(w.detail.items.items()):
        w.detail.item_view.setCurrentIndex(w.detail.items.index(row, 0))
        expected = words((samples / f"{Path(item.original_name).stem}.txt").read_text("utf-8"))
        shown = words(w.detail.text.toPlainText())
        overlap = len(expected & shown) / len(expected)
        assert overlap >= 0.9, (item.original_name, expected - shown)
    qtbot.waitUntil(lambda: w.detail.viewer.has_image, timeout=10_000)
    del md
