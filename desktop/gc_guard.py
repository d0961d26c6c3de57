"""Python's cyclic garbage collector, run on the UI thread only.

A collection starts in whichever thread happens to allocate past the threshold. If the
garbage holds PySide wrappers (widgets, models, signals of a closed dialog), destroying
them on a background thread — a TaskRunner thread, an upload thread — crashes Qt (seen
as a segfault in ``gc`` inside a task thread). So while the application runs, automatic
collection is off and a timer on the UI thread collects instead, with the same
generation thresholds, which keeps it as cheap as the automatic one.

Once the app has started, :meth:`UiThreadCollector.freeze` leaves everything alive then
(modules, widgets, clients: ~120,000 objects) out of later collections: a full
collection on the UI thread walked them all, ~85–110 ms on a 2-CPU machine, and now
walks only what came after (a 5,000-item job: ~10 ms).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class UiThreadCollector(QObject):
    """Turns automatic collection off and collects from a UI-thread timer until stopped."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._frozen = False
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return

    def freeze(self) -> None:
        """Leave every object alive now out of future collections (once; ``gc.freeze``).

        Meant for when start-up is over: what lives then lives as long as the app.
        Garbage among those objects is never reclaimed, a one-off cost; it is not
        collected first because that full collection is the stall this avoids.
        """
        if not self._frozen:
            self._frozen = True
            gc.freeze()

    def stop(self) -> None:
        """Collect once more here, then give collection back to the interpreter."""
        self._timer.stop()
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
        gc.collect()
        if self._was_enabled:
            gc.enable()
