"""The detail's item list on long jobs: rows swapped in whole, thumbnails for the rows on
screen, polls and reloads applied in place (selection, scroll and thumbnails kept)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QColor, QIcon, QImage
from pytestqt.qtbot import QtBot

import desktop.job_detail
from desktop.item_model import ItemListModel, prepare_rows, row_ranges
from desktop.job_detail import LoadedJob
from desktop.main_window import MainWindow
from ocrjobs.domain.model import JobDetail, JobItem
from ocrjobs.domain.status import ItemStatus
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context
from tests.gui.conftest import add_big_job

pytestmark = pytest.mark.gui


def _item(
    i: int, status: ItemStatus = ItemStatus.PENDING, confidence: float | None = None
) -> JobItem:
    now = datetime.now(UTC)
    return JobItem(
        id=uuid4(),
        job_id=UUID(int=1),
        s3_key=f"k{i}",
        created_at=now,
        status=status,
        ocr_text="text" if status is ItemStatus.DONE else None,
        error_msg=None,
        error_code=None,
        original_name=f"{i:04d}.png",
        content_type="image/png",
        size_bytes=1,
        sha256="0" * 64,
        page_number=None,
        attempts=0,
        enqueued_at=None,
        started_at=None,
        finished_at=None,
        updated_at=now,
        confidence=confidence,
    )


def _image() -> QImage:
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("gray"))
    return image


def _show_big_job(qtbot: QtBot, window: MainWindow, ctx: Context, n: int) -> UUID:
    job_id = add_big_job(ctx, n)
    window.resize(1400, 900)
    window.refresh()
    qtbot.waitUntil(lambda: window.select_job(job_id), timeout=5000)
    qtbot.waitUntil(lambda: window.detail.items.rowCount() == n, timeout=10_000)
    return job_id


def test_row_ranges_group_consecutive_rows() -> None:
    assert row_ranges([7, 3, 4, 5, 9, 8, 1]) == [(1, 1), (3, 5), (7, 9)]
    assert row_ranges([]) == []


def test_model_keeps_the_review_count_as_rows_change(qtbot: QtBot, qtmodeltester: object) -> None:
    model = ItemListModel(QIcon())
    counts: list[int] = []
    model.review_count_changed.connect(counts.append)
    items = [_item(i) for i in range(6)]
    model.set_rows(prepare_rows(items))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.review_count() == 0
    changed_ranges: list[tuple[int, int]] = []
    model.dataChanged.connect(
        lambda a, b, _r: changed_ranges.append((QModelIndex(a).row(), QModelIndex(b).row()))
    )
    low = [dataclasses.replace(it, status=ItemStatus.DONE, confidence=30.0) for it in items[1:4]]
    assert model.update([*low, items[5]]) == low  # items[5] did not change
    assert changed_ranges == [(1, 3)]  # one signal for the run of rows
    assert model.review_count() == 3
    model.set_words_review(items[0].id, True)  # not DONE: its word boxes do not count
    assert model.review_count() == 3
    model.update([dataclasses.replace(low[0], confidence=95.0)])
    assert model.review_count() == 2
    assert counts == [3, 2]


def test_new_rows_keep_the_thumbnails_and_word_flags_of_items_still_shown(qtbot: QtBot) -> None:
    model = ItemListModel(QIcon())
    done = [_item(i, ItemStatus.DONE, 95.0) for i in range(3)]
    model.set_rows(prepare_rows(done))
    model.set_thumbnails([(done[0].id, _image()), (done[2].id, _image())])
    model.set_words_review(done[0].id, True)
    assert model.review_count() == 1
    new = _item(3)
    model.set_rows(prepare_rows([done[0], done[1], new]))
    assert model.has_thumbnail(done[0].id)
    assert not model.has_thumbnail(done[2].id)  # no longer shown
    assert model.needs_review(done[0])
    assert model.review_count() == 1


def test_a_long_job_decodes_thumbnails_only_for_the_rows_on_screen(
    qtbot: QtBot, window: MainWindow, ctx: Context
) -> None:
    _show_big_job(qtbot, window, ctx, 1000)
    window.poller.stop()
    model, view = window.detail.items, window.detail.item_view
    first, last = model.item(0), model.item(999)
    assert first is not None
    assert last is not None
    qtbot.waitUntil(lambda: model.has_thumbnail(first.id), timeout=5000)
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=5000)
    assert not model.has_thumbnail(last.id)
    view.scrollToBottom()  # beyond the 300 thumbnails a job used to get
    qtbot.waitUntil(lambda: model.has_thumbnail(last.id), timeout=5000)


def test_a_poll_finishing_many_items_keeps_the_selection_and_scroll(
    qtbot: QtBot, window: MainWindow, ctx: Context
) -> None:
    job_id = _show_big_job(qtbot, window, ctx, 1000)
    detail = window.detail
    model = detail.items
    target = model.item(500)
    assert target is not None
    detail.select_item(target.id)
    bar = detail.item_view.verticalScrollBar()
    bar.setValue(bar.maximum() // 3)
    scroll = bar.value()
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    pending = [it.id for it in model.items() if it.status is ItemStatus.PENDING][:100]
    with ctx.uow(write=True) as uow:
        for item_id in pending:
            assert uow.repo.claim_item(item_id, "t", ctx.clock()) is not None
            assert uow.repo.finish_item(item_id, "t", ctx.clock(), text="done", confidence=90)
        uow.commit()

    def finished() -> bool:
        rows = [model.row_of(i) for i in pending]
        return all(r is not None and model.item(r).status is ItemStatus.DONE for r in rows)  # type: ignore[union-attr]

    qtbot.waitUntil(finished, timeout=5000)
    current = detail.current_item()
    assert current is not None
    assert current.id == target.id
    assert bar.value() == scroll
    assert not resets  # changed in place
    assert window.current_job_id() == job_id


def test_refresh_applies_only_what_changed_and_keeps_thumbnails(
    qtbot: QtBot, window: MainWindow, ctx: Context
) -> None:
    job_id = _show_big_job(qtbot, window, ctx, 400)
    window.poller.stop()
    model = window.detail.items
    first = model.item(0)
    assert first is not None
    qtbot.waitUntil(lambda: model.has_thumbnail(first.id), timeout=5000)
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=5000)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    pending = next(it for it in model.items() if it.status is ItemStatus.PENDING)
    with ctx.uow(write=True) as uow:
        uow.repo.rename_job(job_id, "renamed", ctx.clock())
        assert uow.repo.claim_item(pending.id, "t", ctx.clock()) is not None
        assert uow.repo.finish_item(pending.id, "t", ctx.clock(), text="read", confidence=90)
        uow.commit()
    window.refresh()
    qtbot.waitUntil(lambda: window.detail.title.text() == "renamed", timeout=5000)
    row = model.row_of(pending.id)
    assert row is not None
    assert model.item(row).status is ItemStatus.DONE  # type: ignore[union-attr]
    assert not resets
    assert model.has_thumbnail(first.id)
    assert model.rowCount() == 400


def test_a_poll_during_a_jobs_first_load_starts_no_second_load_beside_it(
    qtbot: QtBot, window: MainWindow, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, big = add_big_job(ctx, 10), add_big_job(ctx, 1000)
    window.resize(1400, 900)
    window.refresh()
    window.poller.stop()
    qtbot.waitUntil(lambda: window.select_job(small), timeout=5000)
    qtbot.waitUntil(lambda: window.detail.items.rowCount() == 10, timeout=10_000)
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=5000)
    gate = threading.Event()
    lock = threading.Lock()
    running, most = [0], [0]
    real = desktop.job_detail.load_job

    def held_load(c: Context, job_id: UUID, base: JobDetail | None) -> LoadedJob:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            gate.wait(10)
            return real(c, job_id, base)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(desktop.job_detail, "load_job", held_load)
    resets: list[bool] = []
    window.detail.items.modelReset.connect(lambda: resets.append(True))
    assert window.select_job(big)
    qtbot.waitUntil(lambda: running[0] == 1, timeout=5000)
    # What a poll brings for the selected job while its rows are not shown yet.
    window.detail.apply_items(big, job_service.get_job(ctx, big).items[:5])
    qtbot.wait(100)
    gate.set()
    qtbot.waitUntil(lambda: window.detail.items.rowCount() == 1000, timeout=10_000)
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=10_000)
    assert most[0] == 1  # never two loads at once: the older result could land last
    assert len(resets) == 1  # the rows are swapped in once
