"""GUI fixtures: the main window on a fake-AWS context over SQLite (offscreen)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

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
