"""Word boxes over the image, review flags on items and in the job header."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from desktop.image_viewer import ImageViewer, turned
from desktop.main_window import MainWindow
from ocrjobs.adapters.messages import decode
from ocrjobs.domain.words import PageWords, WordBox
from ocrjobs.services import jobs as job_service
from ocrjobs.services import processing
from ocrjobs.services.context import Context

pytestmark = pytest.mark.gui

WORDS = PageWords(
    320,
    120,
    0,
    (
        WordBox(10, 10, 60, 20, 95.0, "Hello"),
        WordBox(80, 10, 60, 20, 30.0, "wrld"),
        WordBox(150, 10, 60, 20, 40.0, "agian"),
    ),
)


def finish(ctx: Context, outcome: Callable[[str], tuple[float, PageWords | None]]) -> None:
    """Play the worker: complete every queued item with ``outcome(original_name)``."""
    for msg in ctx.queue.receive(10, 0):
        claim = processing.claim(ctx, decode(msg.body))
        assert isinstance(claim, processing.Claim)
        confidence, words = outcome(claim.item.original_name)
        processing.complete(ctx, claim, "Hello wrld agian", confidence=confidence, words=words)
        ctx.queue.delete(msg.receipt_handle)


def _job(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> UUID:
    created = job_service.create_job(ctx, "boxes", [image_factory(f"w{i}.png") for i in range(3)])
    assert created.job is not None
    job_id = created.job.job.id
    window.refresh()
    qtbot.waitUntil(lambda: window.select_job(job_id), timeout=5000)
    qtbot.waitUntil(lambda: window.detail.items.rowCount() == 3, timeout=5000)
    return job_id


def test_boxes_drawn_over_image_with_low_confidence_counted(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    _job(qtbot, window, ctx, image_factory)
    finish(ctx, lambda name: (92.0, WORDS) if name == "w0.png" else (88.0, None))
    viewer = window.detail.viewer
    window.detail.select_item(window.detail.items.items()[0].id)
    qtbot.waitUntil(lambda: viewer.boxes.count == 3, timeout=5000)
    assert viewer.boxes.low_count == 2
    assert viewer.boxes.isVisible()
    assert window.detail.boxes_button.isEnabled()
    assert window.detail.boxes_button.isChecked()
    window.detail.boxes_button.click()
    assert not viewer.boxes.isVisible()
    window.detail.boxes_button.click()
    assert viewer.boxes.isVisible()
    # an item without boxes: nothing drawn, toggle disabled
    window.detail.select_item(window.detail.items.items()[1].id)
    qtbot.waitUntil(lambda: viewer.has_image and viewer.boxes.count == 0, timeout=5000)
    assert not window.detail.boxes_button.isEnabled()


def test_review_flags_from_confidence_and_words(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    _job(qtbot, window, ctx, image_factory)
    finish(
        ctx,
        lambda name: {"w0.png": (92.0, WORDS), "w1.png": (41.0, None)}.get(name, (90.0, None)),
    )
    detail = window.detail
    model = detail.items

    def flagged() -> list[str]:
        return [it.original_name for it in model.items() if model.needs_review(it)]

    # from confidence alone (the job's items, no extra query): w1
    qtbot.waitUntil(lambda: "w1.png" in flagged(), timeout=5000)
    qtbot.waitUntil(detail.review_pill.isVisible, timeout=5000)
    row = model.row_of(next(i.id for i in model.items() if i.original_name == "w1.png"))
    assert row is not None
    text = model.index(row, 0).data(Qt.ItemDataRole.DisplayRole)
    assert "needs review" in text
    # w0's words are mostly low-confidence: flagged once its boxes are fetched
    detail.select_item(next(i.id for i in model.items() if i.original_name == "w0.png"))
    qtbot.waitUntil(lambda: sorted(flagged()) == ["w0.png", "w1.png"], timeout=5000)
    assert detail.review_pill.text() == "2 item(s) need review"
    ok_row = model.row_of(next(i.id for i in model.items() if i.original_name == "w2.png"))
    assert ok_row is not None
    assert "needs review" not in model.index(ok_row, 0).data(Qt.ItemDataRole.DisplayRole)


def test_viewer_turns_image_and_scales_boxes(qtbot: QtBot) -> None:
    viewer = ImageViewer()
    qtbot.addWidget(viewer)
    image = QImage(200, 100, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    image.setPixel(0, 0, QColor("black").rgb())
    shown = turned(image, 90)
    assert (shown.width(), shown.height()) == (100, 200)
    # clockwise: the top-left pixel ends at the top-right
    assert QColor(shown.pixel(99, 0)) == QColor("black")
    words = PageWords(50, 100, 90, (WordBox(5, 10, 20, 10, 80.0, "x"),))
    viewer.set_image(shown, words)
    assert viewer.boxes.count == 1
    rect = viewer.boxes.boundingRect()
    assert (rect.width(), rect.height()) == (100, 200)
    word = viewer.boxes.word_at(viewer.boxes.mapFromScene(15, 25))
    assert word is not None
    assert word.text == "x"
    viewer.show_note("nothing")
    assert viewer.boxes.count == 0
