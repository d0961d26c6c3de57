"""The one background-task helper: run a callable on a QThreadPool, get the result on the UI thread.

Every database and AWS call of the desktop goes through :class:`TaskRunner`, so the UI
thread only paints and wires signals (Anki's ``taskman.py`` is the model). Results,
errors and progress reports are delivered through queued signals to the thread that
owns the runner (the UI thread).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Report = Callable[[object], None]


class TaskHandle:
    """A running task: ``cancel()`` sets the event the callable may watch."""

    def __init__(self, task_id: int, label: str) -> None:
        self.id = task_id
        self.label = label
        self.cancel_event = threading.Event()
        self.finished = False

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


class _Signals(QObject):
    done = Signal(int, object)
    failed = Signal(int, object)
    progress = Signal(int, object)


class _Runnable(QRunnable):
    def __init__(
        self,
        handle: TaskHandle,
        fn: Callable[[TaskHandle, Report], object],
        signals: _Signals,
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._handle = handle
        self._fn = fn
        self._signals = signals

    def run(self) -> None:
        handle, signals = self._handle, self._signals
        t0 = time.perf_counter()
        try:
            result = self._fn(handle, lambda value: signals.progress.emit(handle.id, value))
        except BaseException as exc:  # delivered to the UI thread, never swallowed
            log.debug("task %s failed after %.3fs: %r", handle.label, time.perf_counter() - t0, exc)
            signals.failed.emit(handle.id, exc)
        else:
            log.debug("task %s done in %.3fs", handle.label, time.perf_counter() - t0)
            signals.done.emit(handle.id, result)


class _Callbacks:
    __slots__ = ("handle", "on_done", "on_error", "on_progress", "signals")

    def __init__(
        self,
        handle: TaskHandle,
        signals: _Signals,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        on_progress: Callable[[Any], None] | None,
    ) -> None:
        self.handle = handle
        self.signals = signals
        self.on_done = on_done
        self.on_error = on_error
        self.on_progress = on_progress


class TaskRunner(QObject):
    """Runs callables on a private thread pool; callbacks run on the runner's thread.

    ``on_error`` defaults to the ``error`` signal, so no failure goes unseen.
    """

    error = Signal(object)
    """A task failed and had no ``on_error`` of its own: the exception."""
    busy_changed = Signal(int)
    """How many tasks are running or queued."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._next_id = 0
        self._tasks: dict[int, _Callbacks] = {}
        self._closed = False

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def run(
        self,
        fn: Callable[[], object],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        label: str = "",
    ) -> TaskHandle:
        """Run ``fn()`` in the pool; ``on_done(result)`` or ``on_error(exc)`` on this thread."""
        return self.run_with(
            lambda _h, _r: fn(), on_done=on_done, on_error=on_error, label=label or _name(fn)
        )

    def run_with(
        self,
        fn: Callable[[TaskHandle, Report], object],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        label: str = "",
    ) -> TaskHandle:
        """Run ``fn(handle, report)``: it may watch ``handle.cancel_event`` and call ``report``."""
        self._next_id += 1
        handle = TaskHandle(self._next_id, label or _name(fn))
        if self._closed:
            handle.finished = True
            return handle
        signals = _Signals()
        queued = Qt.ConnectionType.QueuedConnection
        signals.done.connect(self._on_done, queued)
        signals.failed.connect(self._on_failed, queued)
        signals.progress.connect(self._on_progress, queued)
        self._tasks[handle.id] = _Callbacks(handle, signals, on_done, on_error, on_progress)
        self.busy_changed.emit(len(self._tasks))
        self._pool.start(_Runnable(handle, fn, signals))
        return handle

    @Slot(int, object)
    def _on_progress(self, task_id: int, value: object) -> None:
        cb = self._tasks.get(task_id)
        if cb is not None and cb.on_progress is not None and not self._closed:
            cb.on_progress(value)

    @Slot(int, object)
    def _on_done(self, task_id: int, result: object) -> None:
        cb = self._finish(task_id)
        if cb is not None and cb.on_done is not None and not self._closed:
            cb.on_done(result)

    @Slot(int, object)
    def _on_failed(self, task_id: int, exc: object) -> None:
        cb = self._finish(task_id)
        if cb is None or self._closed:
            return
        assert isinstance(exc, BaseException)
        if cb.on_error is not None:
            cb.on_error(exc)
        else:
            log.error("background task %s failed", cb.handle.label, exc_info=exc)
            self.error.emit(exc)

    def _finish(self, task_id: int) -> _Callbacks | None:
        cb = self._tasks.pop(task_id, None)
        if cb is not None:
            cb.handle.finished = True
            self.busy_changed.emit(len(self._tasks))
        return cb

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until every task finished (tests and shutdown only)."""
        return bool(self._pool.waitForDone(timeout_ms))

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Cancel every task, wait for the pool, drop pending callbacks."""
        self._closed = True
        for cb in self._tasks.values():
            cb.handle.cancel()
        self._pool.clear()
        if not self._pool.waitForDone(timeout_ms):
            log.warning("background tasks still running at shutdown")
        self._tasks.clear()


def _name(fn: object) -> str:
    return str(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or fn)
