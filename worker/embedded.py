"""The worker inside another program (the desktop's local mode, ``make run``).

The same consume loop as ``ocrjobs-worker`` runs in a background thread; OCR still runs
in child processes, so the host's UI thread never does CPU work. A frozen (PyInstaller)
host must call ``multiprocessing.freeze_support()`` first thing in its ``main``.

Example::

    handle = start_worker(settings, concurrency=1)
    ...
    handle.stop()          # finishes the item in progress, releases the rest
"""

from __future__ import annotations

import logging
import threading

from ocrjobs.config import Settings
from ocrjobs.services.context import Context
from worker.consumer import Stats, Worker, WorkerOptions
from worker.pool import EngineSpec, OcrPool

log = logging.getLogger(__name__)


class WorkerHandle:
    """A worker running in a background thread of this process."""

    def __init__(self, worker: Worker, thread: threading.Thread, ctx: Context) -> None:
        self.worker = worker
        self.thread = thread
        self._ctx = ctx
        self.error: BaseException | None = None

    @property
    def stats(self) -> Stats:
        """Counters of items done, failed, skipped and retried."""
        return self.worker.stats

    def is_alive(self) -> bool:
        """True while the worker thread runs."""
        return self.thread.is_alive()

    def stop(self, timeout: float | None = 60.0) -> bool:
        """Stop receiving, let the item in progress finish, then release resources.

        Args:
            timeout: Seconds to wait for the thread (``None``: as long as it takes).

        Returns:
            True when the worker has stopped within ``timeout``.
        """
        self.worker.stop()
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker to stop on its own (``drain``/``once``)."""
        self.thread.join(timeout)
        return not self.thread.is_alive()


def start_worker(
    settings: Settings,
    *,
    concurrency: int = 1,
    options: WorkerOptions | None = None,
    ctx: Context | None = None,
) -> WorkerHandle:
    """Start a worker on ``settings`` in a background thread and return its handle.

    Args:
        settings: The core settings (the local stack's, for ``make run``).
        concurrency: OCR processes (ignored when ``options`` is given).
        options: Full options; default: ``concurrency`` processes, 5 s long polls (so
            :meth:`WorkerHandle.stop` returns quickly), the ``ocr_engine`` setting.
        ctx: A context to use instead of building one from ``settings`` (it is then not
            closed by the worker).

    Raises:
        Nothing: a failure to start OCR is logged and kept in :attr:`WorkerHandle.error`.
    """
    opts = options or WorkerOptions(
        concurrency=concurrency,
        wait_seconds=5,
        engine=settings.ocr_engine or None,
        heartbeat_interval=300.0,
    )
    own_ctx = ctx is None
    if ctx is None:
        from ocrjobs.bootstrap import build_context

        ctx = build_context(settings)
    spec = EngineSpec(
        name=opts.engine,
        tessdata=settings.tessdata_dir or None,
        psm=opts.psm,
        max_bytes=settings.max_file_bytes,
        max_pixels=settings.max_pixels,
        log_level=logging.getLevelName(logging.getLogger().getEffectiveLevel()),
    )
    worker = Worker(ctx, OcrPool(opts.concurrency, spec), opts)
    context = ctx
    handle: WorkerHandle

    def run() -> None:
        try:
            worker.run()
        except BaseException as exc:
            handle.error = exc
            log.exception("embedded worker stopped by an error")
        finally:
            if own_ctx:
                context.close()

    thread = threading.Thread(target=run, name="ocrjobs-worker", daemon=True)
    handle = WorkerHandle(worker, thread, ctx)
    thread.start()
    return handle
