"""Item thumbnails: fetched, decoded and scaled on a task thread, handed over in batches.

The detail view asks only for the rows on screen (and a page either side); a new request
replaces the one still running, so scrolling through 5,000 items decodes what is seen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from uuid import UUID

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from desktop.item_model import THUMB_SIZE
from desktop.tasks import Report, TaskHandle, TaskRunner
from ocrjobs.domain.model import JobItem
from ocrjobs.services.context import Context

log = logging.getLogger(__name__)

BATCH = 16
"""Thumbnails handed to the UI thread at once (fewer, larger hand-overs)."""
BATCH_S = 0.05
"""...or whatever is ready after this long."""

Thumbs = list[tuple[UUID, QImage]]


def thumbnail(data: bytes) -> QImage:
    """``data`` decoded straight to thumbnail size (JPEG decodes at a fraction of the
    pixels); a null image when it cannot be read. Safe off the UI thread."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid() and not size.isEmpty():
        reader.setScaledSize(size.scaled(THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    buffer.close()
    return image


class ThumbnailLoader(QObject):
    """Runs one thumbnail task at a time; :attr:`loaded` delivers ``[(item_id, QImage)]``."""

    loaded = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        context: Callable[[], Context | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._context = context
        self._task: TaskHandle | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.finished

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def request(self, items: Sequence[JobItem]) -> None:
        """Decode these items' thumbnails in this order, replacing any running request."""
        self.cancel()
        ctx = self._context()
        todo = [(it.id, it.s3_key) for it in items if not it.content_type.endswith("pdf")]
        if ctx is None or not todo:
            return

        def work(handle: TaskHandle, report: Report) -> None:
            batch: Thumbs = []
            sent = time.monotonic()
            for item_id, key in todo:
                if handle.cancelled:
                    return
                try:
                    image = thumbnail(ctx.store.get(key))
                except Exception:  # a missing thumbnail is not an error worth a banner
                    log.debug("no thumbnail for item=%s", item_id, exc_info=True)
                    continue
                if not image.isNull():
                    batch.append((item_id, image))
                if len(batch) >= BATCH or (batch and time.monotonic() - sent >= BATCH_S):
                    report(batch)
                    batch, sent = [], time.monotonic()
            if batch and not handle.cancelled:
                report(batch)

        task: list[TaskHandle] = []

        def got(value: object) -> None:
            if task and task[0] is self._task and isinstance(value, list):
                self.loaded.emit(value)

        task.append(
            self._runner.run_with(
                work,
                on_progress=got,
                on_error=lambda e: log.warning("thumbnails failed", exc_info=e),
                label="thumbnails",
            )
        )
        self._task = task[0]
