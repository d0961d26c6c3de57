"""GUI fixtures: the main window on a fake-AWS context over SQLite (offscreen)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.backend import Backend
from desktop.gc_guard import UiThreadCollector
from desktop.main_window import MainWindow
from desktop.preferences import MemorySecrets, Preferences
from desktop.resources import Resources
from desktop.tasks import TaskRunner
from ocrjobs.adapters.database import make_engine
from ocrjobs.adapters.messages import decode
from ocrjobs.adapters.migrate import upgrade
from ocrjobs.domain.model import Job, JobItem
from ocrjobs.domain.status import ItemStatus, JobStatus
from ocrjobs.services import processing
from ocrjobs.services.context import Context


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """GUI tests run on SQLite only: the MariaDB variant adds nothing to widget behaviour."""
    url = f"sqlite:///{tmp_path / 'gui.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(autouse=True)
def _collect_on_the_ui_thread(qapp: QApplication) -> Iterator[None]:
    """As the app does (desktop.gc_guard): no collection may start in a task thread while
    Qt wrappers are garbage; what a test leaves is collected here, on the UI thread."""
    collector = UiThreadCollector(qapp)
    yield
    collector.stop()
    collector.deleteLater()


@pytest.fixture(autouse=True)
def _empty_clipboard(qapp: QApplication) -> Iterator[None]:
    """The clipboard owns what tests put there; destroyed at interpreter exit it crashes."""
    yield
    QGuiApplication.clipboard().clear()


@pytest.fixture
def resources() -> Iterator[Resources]:
    res = Resources()
    yield res
    res.unload()


@pytest.fixture
def prefs(tmp_path: Path) -> Preferences:
    qs = QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)
    return Preferences(qs, MemorySecrets())


@pytest.fixture
def ctx(fake_ctx: Context) -> Context:
    fake_ctx.settings = fake_ctx.settings.replace(poll_interval=0.2)
    return fake_ctx


def show_window(qtbot: QtBot, resources: Resources, prefs: Preferences) -> MainWindow:
    """A main window with its own task runner and backend (no context yet), shown."""
    runner = TaskRunner()
    backend = Backend(runner)
    w = MainWindow(resources, prefs, runner, backend)
    runner.setParent(w)
    backend.setParent(w)
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def window(
    qtbot: QtBot, resources: Resources, prefs: Preferences, ctx: Context
) -> Iterator[MainWindow]:
    w = show_window(qtbot, resources, prefs)
    runner, backend = w.runner, w.backend
    backend.use(ctx)
    qtbot.waitUntil(lambda: not w.model.loading, timeout=5000)
    yield w
    w.poller.stop()
    runner.shutdown()


def make_image(path: Path, text: str = "Hello", size: tuple[int, int] = (320, 120)) -> Path:
    """A small PNG with some dark shapes (a valid image for intake)."""
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(QColor("black"))
    painter.drawText(20, 60, text)
    painter.end()
    assert image.save(str(path))
    return path


@pytest.fixture
def image_factory(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        return make_image(tmp_path / name, name)

    return make


def add_big_job(ctx: Context, n: int) -> UUID:
    """A processing job of ``n`` image items (a quarter done, some to review, some failed).

    Rows go straight into the database (no queue messages): a job to look at, not to run.
    """
    png = make_image(Path(ctx.settings.data_dir).parent / "thumb.png").read_bytes()
    digest = hashlib.sha256(png).hexdigest()
    now = datetime.now(UTC)
    job_id = uuid4()
    statuses = (ItemStatus.DONE, ItemStatus.ERROR, ItemStatus.PENDING, ItemStatus.PROCESSING)
    items = []
    for i in range(n):
        status = statuses[i % len(statuses)]
        key = f"jobs/{job_id}/{i}.png"
        ctx.store.put(key, png, "image/png", digest)
        done = status is ItemStatus.DONE
        failed = status is ItemStatus.ERROR
        items.append(
            JobItem(
                uuid4(),
                job_id,
                key,
                now,
                status,
                "text" if done else None,
                "the image could not be read" if failed else None,
                "OCR_FAILED" if failed else None,
                f"{i:04d}.png",
                "image/png",
                len(png),
                digest,
                None,
                0,
                None,
                None,
                None,
                now,
                confidence=(40.0 if i % 8 == 0 else 95.0) if done else None,
            )
        )
    job = Job(job_id, "big", now, JobStatus.PROCESSING, now + timedelta(days=2), "eng", now)
    with ctx.uow(write=True) as uow:
        uow.repo.add_job(job, items)
        uow.commit()
    return job_id


def process_all(ctx: Context, outcome: Callable[[UUID], str | None]) -> int:
    """Play the worker: claim every queued item, then complete it with text or fail it.

    ``outcome(item_id)`` returns the text, or ``None`` to fail the item.
    """
    n = 0
    for msg in ctx.queue.receive(10, 0):
        item_msg = decode(msg.body)
        claim = processing.claim(ctx, item_msg)
        assert isinstance(claim, processing.Claim)
        text = outcome(claim.item_id)
        if text is None:
            processing.fail(ctx, claim, "OCR_FAILED", "the image could not be read")
        else:
            processing.complete(ctx, claim, text, confidence=91.0)
        ctx.queue.delete(msg.receipt_handle)
        n += 1
    return n
