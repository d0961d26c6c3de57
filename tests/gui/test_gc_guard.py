"""The UI-thread collector: start-up objects frozen out of later collections, once."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtWidgets import QApplication

from desktop.gc_guard import UiThreadCollector

pytestmark = pytest.mark.gui


def test_freeze_happens_once_and_stop_gives_the_objects_back(qapp: QApplication) -> None:
    collector = UiThreadCollector(qapp)
    try:
        assert gc.get_freeze_count() == 0
        collector.freeze()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        later: list[object] = []  # made after start-up
        collector.freeze()
        assert gc.get_freeze_count() <= frozen
        # still in the collected generations (get_objects leaves the frozen ones out)
        assert any(o is later for o in gc.get_objects())
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0
