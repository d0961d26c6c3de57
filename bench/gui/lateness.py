"""The UI stall measure: how late a 5 ms ``PreciseTimer`` on the UI thread fires."""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer

TIMER_MS = 5
LATE_MS = 20.0
"""A beat this late counts as a visible hitch."""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass(frozen=True)
class Stalls:
    """Lateness of the beats in one stretch of time (ms)."""

    worst_ms: float
    p99_ms: float
    late: int
    """Beats more than ``LATE_MS`` late."""
    beats: int

    def text(self) -> str:
        return (
            f"worst {self.worst_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"{self.late} beats > {LATE_MS:.0f} ms late"
        )


class Lateness:
    """Records each beat's lateness (ms) and when it ended (``perf_counter``)."""

    def __init__(self, parent: QObject) -> None:
        self.beats: list[tuple[float, float]] = []
        self._last = time.perf_counter()
        self._timer = QTimer(parent)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start(TIMER_MS)

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.beats.append((now, (now - self._last) * 1000 - TIMER_MS))
        self._last = now

    def between(self, start: float, end: float) -> Stalls:
        """The beats that ended in ``[start, end)``."""
        late = [x for at, x in self.beats if start <= at < end] or [0.0]
        return Stalls(
            worst_ms=max(late),
            p99_ms=percentile(late, 0.99),
            late=sum(1 for x in late if x > LATE_MS),
            beats=len(late),
        )

    def worst(self, n: int = 5) -> list[tuple[float, float]]:
        """The ``n`` latest-firing beats as (ended at, lateness ms), worst first."""
        return sorted(self.beats, key=lambda b: -b[1])[:n]
