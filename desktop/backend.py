"""Which backend the app talks to: the embedded local stack (+ in-process worker) or real AWS.

Starting either happens off the UI thread through the :class:`TaskRunner`. With no
database URL, endpoint or AWS profile configured, the app starts the local stack (moto
on 127.0.0.1 and a fresh SQLite file) and, when the worker package provides
``worker.embedded.start_worker``, an in-process worker. Otherwise it builds a context
for the configured AWS account and database (no network I/O until the first call).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.tasks import TaskRunner
from ocrjobs.bootstrap import build_context
from ocrjobs.config import Settings
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

FALLBACK_LANGUAGES = ["eng", "por"]


class Mode(StrEnum):
    """Which backend is in use."""

    STARTING = "starting"
    LOCAL = "local"
    AWS = "aws"
    INJECTED = "injected"
    FAILED = "failed"


def wants_local(settings: Settings) -> bool:
    """No database URL, endpoint or AWS profile configured: use the embedded local stack."""
    return not (settings.database_url or settings.endpoint_url or settings.aws_profile)


def ocr_languages() -> list[str]:
    """Languages the OCR engine has here (from ``worker.ocr.select``), else eng and por."""
    try:
        select = importlib.import_module("worker.ocr.select")
        found = [str(x) for x in select.available_languages()]
    except Exception:  # the worker package is optional for the desktop
        log.info("OCR language list unavailable; offering the defaults", exc_info=True)
        return list(FALLBACK_LANGUAGES)
    return found or list(FALLBACK_LANGUAGES)


@dataclass
class Started:
    """What a background start produced."""

    mode: Mode
    ctx: Context
    settings: Settings
    stack: Any = None
    worker: Any = None
    worker_note: str = ""
    languages: tuple[str, ...] = ()


def _start_worker(settings: Settings) -> tuple[Any, str]:
    try:
        embedded = importlib.import_module("worker.embedded")
    except ImportError:
        return None, "no worker is installed (worker.embedded missing)"
    start = getattr(embedded, "start_worker", None)
    if start is None:
        return None, "worker.embedded has no start_worker()"
    try:
        return start(settings, concurrency=1), ""
    except Exception as exc:
        log.exception("embedded worker failed to start")
        return None, f"the worker failed to start: {exc}"


def start_backend(settings: Settings, *, local: bool, data_dir: Path | None = None) -> Started:
    """Start the chosen backend (blocking: run it in the task runner)."""
    languages = tuple(ocr_languages())
    if not local:
        return Started(Mode.AWS, build_context(settings), settings, languages=languages)
    from ocrjobs.localstack import LocalStack

    stack = LocalStack((data_dir or settings.data_path) / "desktop-local", settings=settings)
    local_settings = stack.start()
    try:
        ctx = build_context(local_settings)
        worker, note = _start_worker(local_settings)
    except BaseException:
        stack.stop()
        raise
    return Started(Mode.LOCAL, ctx, local_settings, stack, worker, note, languages)


class Backend(QObject):
    """Owns the context (and the local stack and worker, if any) for the window."""

    ready = Signal()
    failed = Signal(object)
    mode_changed = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.mode = Mode.STARTING
        self.ctx: Context | None = None
        self.settings: Settings | None = None
        self.languages: list[str] = list(FALLBACK_LANGUAGES)
        self.worker_note = ""
        self._started: Started | None = None

    @property
    def worker_running(self) -> bool:
        return self._started is not None and self._started.worker is not None

    def context(self) -> Context | None:
        return self.ctx

    def start(
        self, settings: Settings | Callable[[], Settings], *, local: bool | None = None
    ) -> None:
        """Start in the background; ``ready`` or ``failed`` follows on the UI thread.

        ``settings`` may be a loader (e.g. ``Preferences.settings``, which reads the
        keyring): it then runs in the background too.
        """
        self._set_mode(Mode.STARTING)

        def work() -> Started:
            resolved = settings() if callable(settings) else settings
            use_local = wants_local(resolved) if local is None else local
            return start_backend(resolved, local=use_local)

        self._runner.run(
            work,
            on_done=self._started_ok,
            on_error=self._start_failed,
            label="start backend",
        )

    def use(
        self, ctx: Context, mode: Mode = Mode.INJECTED, languages: list[str] | None = None
    ) -> None:
        """Use an existing context (tests, screenshots); emits ``ready`` now."""
        self._started = Started(mode, ctx, ctx.settings)
        self.ctx, self.settings = ctx, ctx.settings
        self.languages = languages or list(FALLBACK_LANGUAGES)
        self.worker_note = ""
        self._set_mode(mode)
        self.ready.emit()

    def _started_ok(self, started: Started) -> None:
        self._started = started
        self.ctx, self.settings = started.ctx, started.settings
        self.languages = list(started.languages) or list(FALLBACK_LANGUAGES)
        self.worker_note = started.worker_note
        log.info("backend ready: mode=%s worker=%s", started.mode, self.worker_running)
        self._set_mode(started.mode)
        self.ready.emit()

    def _start_failed(self, exc: BaseException) -> None:
        log.error("backend failed to start", exc_info=exc)
        self._set_mode(Mode.FAILED)
        self.failed.emit(exc)

    def _set_mode(self, mode: Mode) -> None:
        self.mode = mode
        self.mode_changed.emit(str(mode))

    def restart(self, settings: Settings, *, local: bool | None = None) -> None:
        """Stop the current backend and start another, both off the UI thread."""
        started, self._started = self._started, None
        self.ctx = None
        use_local = wants_local(settings) if local is None else local
        self._set_mode(Mode.STARTING)

        def work() -> Started:
            if started is not None:
                _stop(started)
            return start_backend(settings, local=use_local)

        self._runner.run(
            work, on_done=self._started_ok, on_error=self._start_failed, label="restart backend"
        )

    def stop(self) -> None:
        """Stop the worker, release the context, stop the local stack (at exit)."""
        started, self._started = self._started, None
        self.ctx = None
        if started is not None:
            _stop(started)


def _stop(started: Started) -> None:
    if started.worker is not None:
        try:
            started.worker.stop()
        except Exception:
            log.exception("stopping the embedded worker failed")
    if started.mode is not Mode.INJECTED:
        started.ctx.close()
    if started.stack is not None:
        started.stack.stop()
