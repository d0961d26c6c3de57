"""None and True keep their reference counts across Qt calls, repaints and poll updates.

PySide6-Essentials 6.12.0 on CPython 3.11 (where None and True are not yet immortal)
returns None without taking a reference from every void binding, from a null pointer
and from an invalid ``QVariant``, and True from ``Signal.emit``. Each call drops one
reference: the running app drains None by hundreds a second (every repaint, poll and
label update) and aborts with "none_dealloc" at exit, or mid-session once it reaches
zero. pyproject.toml excludes that release; these tests catch a binding that does it again.
"""

from __future__ import annotations

import dataclasses
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QObject, QStringListModel, Qt, Signal
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from ocrjobs.services.context import Context
from tests.gui.conftest import add_big_job

pytestmark = pytest.mark.gui

CALLS = 200
TOLERANCE = 10
"""References that may come and go by themselves (a cache filled, a frame kept)."""


class _Calls(QObject):
    """One binding call of each kind that returns None or True to Python."""

    ping = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.model = QStringListModel(["a"], self)

    def void_method(self) -> None:
        self.setObjectName("x")

    def null_pointer(self) -> None:
        self.parent()

    def invalid_variant(self) -> None:
        self.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)

    def emit_signal(self) -> None:
        self.ping.emit()


@contextmanager
def refcount_drift() -> Iterator[dict[str, int]]:
    """How far the counts of None and True moved across the block (after collecting)."""
    drift: dict[str, int] = {}
    gc.collect()
    before = {"None": sys.getrefcount(None), "True": sys.getrefcount(True)}
    yield drift
    gc.collect()
    drift["None"] = sys.getrefcount(None) - before["None"]
    drift["True"] = sys.getrefcount(True) - before["True"]


@pytest.mark.parametrize(
    "call",
    [_Calls.void_method, _Calls.null_pointer, _Calls.invalid_variant, _Calls.emit_signal],
    ids=["void method", "null pointer", "invalid QVariant", "Signal.emit"],
)
def test_bindings_keep_none_and_true_references(call: Callable[[_Calls], None]) -> None:
    subject = _Calls()
    call(subject)
    with refcount_drift() as drift:
        for _ in range(CALLS):
            call(subject)
    assert drift["None"] >= -TOLERANCE, f"None lost {-drift['None']} references"
    assert drift["True"] >= -TOLERANCE, f"True lost {-drift['True']} references"


def test_a_1000_item_job_repainted_and_polled_keeps_none_references(
    qtbot: QtBot, window: MainWindow, ctx: Context
) -> None:
    job_id = add_big_job(ctx, 1000)
    window.resize(1400, 900)
    window.refresh()
    qtbot.waitUntil(lambda: window.select_job(job_id), timeout=5000)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.items.rowCount() == 1000, timeout=10_000)
    # Nothing else may run meanwhile: no poll ticks, no thumbnail or image task.
    window.poller.stop()
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=10_000)
    qtbot.wait(50)
    items = detail.items.items()
    current = detail.current_item()
    polled = [it for it in items[1:40] if current is None or it.id != current.id]
    bar = detail.item_view.verticalScrollBar()

    def round_of_work(i: int) -> None:
        bar.setValue(bar.maximum() * (i % 5) // 4)
        detail.item_view.viewport().repaint()
        window.table.viewport().repaint()
        # what a poll does with the detail job's changed items (one dataChanged each)
        detail.apply_items(
            job_id, [dataclasses.replace(it, attempts=it.attempts + i + 1) for it in polled]
        )

    round_of_work(0)
    with refcount_drift() as drift:
        for i in range(1, 21):
            round_of_work(i)
    assert drift["None"] >= -TOLERANCE, f"None lost {-drift['None']} references"
    assert drift["True"] >= -TOLERANCE, f"True lost {-drift['True']} references"
