"""Live polling updates rows and the detail view in place; the model passes qtmodeltester."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.job_table_model import Column, JobTableModel
from desktop.main_window import MainWindow
from desktop.poller import FIRST_ORPHAN_SWEEP_S, ORPHAN_SWEEP_S, Poller
from desktop.tasks import TaskRunner
from ocrjobs.adapters.fakes import FakeObjectStore
from ocrjobs.domain.model import Job, JobItem
from ocrjobs.domain.status import ItemStatus, JobStatus
from ocrjobs.services import jobs as job_service
from ocrjobs.services.context import Context
from tests.gui.conftest import process_all

pytestmark = pytest.mark.gui


def test_polling_updates_rows_in_place_and_notifies(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    files = [image_factory("a.png"), image_factory("b.png")]
    created = job_service.create_job(ctx, "from elsewhere", files)
    assert created.job is not None
    job_id = created.job.job.id
    # A job created by another client appears on top by polling alone.
    qtbot.waitUntil(lambda: window.model.row_of(job_id) is not None, timeout=5000)
    window.select_job(job_id)
    qtbot.waitUntil(lambda: window.detail.items.rowCount() == 2, timeout=5000)
    window.detail.item_view.setCurrentIndex(window.detail.items.index(1, 0))
    selected = window.detail.current_item()
    assert selected is not None
    with qtbot.waitSignal(window.notified, timeout=5000) as note:
        process_all(ctx, lambda item_id: f"text of {item_id}")
    assert "from elsewhere" in note.args[0]
    row = window.model.row_of(job_id)
    assert row is not None
    qtbot.waitUntil(lambda: window.model.summary(row).job.status is JobStatus.DONE)  # type: ignore[union-attr]
    # Selection kept, the detail updated in place (same item still current).
    assert window.current_job_id() == job_id
    qtbot.waitUntil(
        lambda: window.detail.text.toPlainText() == f"text of {selected.id}", timeout=5000
    )
    current = window.detail.current_item()
    assert current is not None
    assert current.id == selected.id
    assert window.detail.title.text() == "from elsewhere"
    assert "2 of 2" in window.detail.meta.text()
    assert window.model.index(row, Column.PROGRESS).data() == "2/2"
    assert window.poller.ok is True


def test_failed_items_show_their_error(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    created = job_service.create_job(ctx, "bad scan", [image_factory("x.png")])
    assert created.job is not None
    process_all(ctx, lambda _i: None)
    qtbot.waitUntil(lambda: window.model.row_of(created.job.job.id) is not None, timeout=5000)  # type: ignore[union-attr]
    window.select_job(created.job.job.id)
    qtbot.waitUntil(lambda: window.detail.items.rowCount() == 1, timeout=5000)
    label = window.detail.items.index(0, 0).data()
    assert "could not be read" in label
    assert "could not be read" in window.detail.text.placeholderText()
    assert window.retry_action.isEnabled()


def first_name(window: MainWindow) -> str | None:
    s = window.model.summary(0)
    return s.job.name if s is not None else None


def _bulk_jobs(ctx: Context, n: int) -> None:
    now = datetime.now(UTC)
    with ctx.uow(write=True) as uow:
        for i in range(n):
            jid = uuid4()
            created = now - timedelta(seconds=i)
            job = Job(
                jid,
                f"bulk {i:04d}",
                created,
                JobStatus.PENDING,
                created + timedelta(days=2),
                "eng",
                created,
            )
            item = JobItem(
                uuid4(),
                jid,
                f"jobs/{jid}/x.png",
                created,
                ItemStatus.PENDING,
                None,
                None,
                None,
                "x.png",
                "image/png",
                10,
                "0" * 64,
                None,
                0,
                None,
                None,
                None,
                created,
            )
            uow.repo.add_job(job, [item])
        uow.commit()


def test_the_table_loads_lazily_page_by_page(
    qtbot: QtBot, window: MainWindow, ctx: Context
) -> None:
    _bulk_jobs(ctx, 450)
    window.refresh()
    qtbot.waitUntil(lambda: window.model.rowCount() == 200 and not window.model.loading)
    assert window.model.total == 450
    assert window.model.canFetchMore()
    window.model.fetchMore()
    qtbot.waitUntil(lambda: window.model.rowCount() == 400 and not window.model.loading)
    window.table.scrollToBottom()
    qtbot.waitUntil(lambda: window.model.rowCount() == 450, timeout=5000)
    assert not window.model.canFetchMore()
    assert window.model.summary(0).job.name == "bulk 0000"  # type: ignore[union-attr]
    # Search and sort run in the database.
    window.filters.search.setText("bulk 0449")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    window.filters.search.clear()
    qtbot.waitUntil(lambda: window.model.rowCount() == 200, timeout=5000)
    window.table.sortByColumn(Column.CREATED, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: first_name(window) == "bulk 0449", timeout=5000)


def test_unsortable_columns_keep_the_sort_indicator(window: MainWindow) -> None:
    header = window.table.horizontalHeader()
    window.table.sortByColumn(Column.PROGRESS, Qt.SortOrder.AscendingOrder)
    assert header.sortIndicatorSection() == Column.CREATED
    assert window.model.sort_key == "created_desc"
    window.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert header.sortIndicatorSection() == Column.NAME
    assert window.model.sort_key == "name"


def test_status_filter(
    qtbot: QtBot, window: MainWindow, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    job_service.create_job(ctx, "waiting", [image_factory("w.png")])
    done = job_service.create_job(ctx, "finished", [image_factory("f.png")])
    assert done.job is not None
    for msg in ctx.queue.receive(10, 0):
        ctx.queue.change_visibility(msg.receipt_handle, 0)
    process_all(
        ctx, lambda i: "ok" if done.job and any(it.id == i for it in done.job.items) else None
    )
    window.refresh()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    window.filters.status.setCurrentIndex(window.filters.status.findData(JobStatus.DONE.value))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert window.model.summary(0).job.name == "finished"  # type: ignore[union-attr]


def test_job_table_model_passes_qtmodeltester(
    qtbot: QtBot, qtmodeltester: object, ctx: Context
) -> None:
    _bulk_jobs(ctx, 30)
    runner = TaskRunner()
    model = JobTableModel(runner, lambda: ctx)
    model.reload()
    qtbot.waitUntil(lambda: model.rowCount() == 30)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    runner.shutdown()


def test_item_model_passes_qtmodeltester(
    qtbot: QtBot,
    qtmodeltester: object,
    window: MainWindow,
    ctx: Context,
    image_factory: Callable[[str], Path],
) -> None:
    created = job_service.create_job(ctx, "three", [image_factory(f"{i}.png") for i in range(3)])
    assert created.job is not None
    window.refresh()
    qtbot.waitUntil(lambda: window.select_job(created.job.job.id), timeout=5000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.detail.items.rowCount() == 3, timeout=5000)
    qtmodeltester.check(window.detail.items)  # type: ignore[attr-defined]


def test_the_poller_sweeps_orphaned_images_hourly(qtbot: QtBot, ctx: Context) -> None:
    store = ctx.store
    assert isinstance(store, FakeObjectStore)
    hour_ago = datetime.now(UTC) - timedelta(hours=2)

    def orphan() -> str:
        key = f"jobs/{uuid4()}/{uuid4()}.png"
        store.clock = lambda: hour_ago
        store.put(key, b"x", "image/png", hashlib.sha256(b"x").hexdigest())
        return key

    now = [0.0]
    runner = TaskRunner()
    poller = Poller(runner, lambda: ctx, monotonic=lambda: now[0])
    try:
        first = orphan()
        poller.tick()  # at start: no sweep yet
        assert runner.wait(5000)
        qtbot.waitUntil(lambda: poller.ok is True, timeout=5000)
        assert store.list_keys("jobs/") == [first]
        now[0] = FIRST_ORPHAN_SWEEP_S
        poller.tick()
        qtbot.waitUntil(lambda: store.list_keys("jobs/") == [], timeout=5000)
        qtbot.waitUntil(lambda: poller.ok is True and not poller.busy, timeout=5000)
        second = orphan()
        now[0] = FIRST_ORPHAN_SWEEP_S + ORPHAN_SWEEP_S - 1
        poller.tick()
        assert runner.wait(5000)
        qtbot.waitUntil(lambda: not poller.busy, timeout=5000)
        assert store.list_keys("jobs/") == [second]  # not an hour since the last sweep
        now[0] = FIRST_ORPHAN_SWEEP_S + ORPHAN_SWEEP_S
        poller.tick()
        qtbot.waitUntil(lambda: store.list_keys("jobs/") == [], timeout=5000)
    finally:
        runner.shutdown()


def test_a_polls_items_go_to_the_job_it_asked_about(
    qtbot: QtBot, ctx: Context, image_factory: Callable[[str], Path]
) -> None:
    # The user selects another job while a poll for the first one is running: its items
    # belong to the first job, whatever is selected when they arrive.
    created = job_service.create_job(ctx, "first", [image_factory("a.png")])
    assert created.job is not None
    first = created.job.job.id
    runner = TaskRunner()
    poller = Poller(runner, lambda: ctx)
    seen: list[object] = []
    poller.items_changed.connect(lambda job_id, _items: seen.append(job_id))
    try:
        poller.detail_job = first
        poller.tick()
        poller.detail_job = uuid4()  # selected before the result reaches this thread
        qtbot.waitUntil(lambda: poller.ok is True and not poller.busy, timeout=5000)
        assert seen == [first]
    finally:
        runner.shutdown()
