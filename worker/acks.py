"""Acknowledgements: messages deleted in batches, after their item's result is committed.

Deleting each message with its own ``DeleteMessage`` costs one SQS request per item; on
small images that is a large share of the work, and SQS bills per request. Handlers
hand their receipt handles to an :class:`Acknowledger`, whose thread deletes them with
``DeleteMessageBatch`` (10 per request) at most ``max_delay`` seconds after the first
one was handed over, or as soon as 10 are waiting.

Safety: a handle is only handed over after the database commit, so the item's result is
already stored. If the process dies before the batch goes out, the message comes back
after its visibility timeout and the worker that receives it skips it (the item is no
longer claimable) and deletes it then. ``max_delay`` must stay far below the visibility
timeout (the worker caps it at a tenth of it).
"""

from __future__ import annotations

import logging
import threading
import time

from ocrjobs.adapters.ports import MessageQueue
from ocrjobs.services.batching import wait_for_batch

log = logging.getLogger(__name__)

BATCH = 10
"""Handles per ``DeleteMessageBatch`` request (SQS's limit)."""


class Acknowledger:
    """Delete messages in batches from a background thread.

    Args:
        queue: The queue the messages came from.
        max_delay: Longest time a handle waits before its batch is sent, in seconds.
    """

    def __init__(self, queue: MessageQueue, *, max_delay: float = 0.25) -> None:
        self.queue = queue
        self.max_delay = max_delay
        self.deleted = 0
        self.failed = 0
        self._pending: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None

    def ack(self, receipt_handle: str) -> None:
        """Delete this message soon (its item's result is already committed)."""
        with self._cond:
            if self._closing:
                closing = True
            else:
                closing = False
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="acks", daemon=True)
                    self._thread.start()
                self._pending.append((time.monotonic(), receipt_handle))
                # The thread waits for the first handle, then for a full batch or the
                # oldest one's deadline: waking it for every handle only costs CPU.
                if len(self._pending) in (1, BATCH):
                    self._cond.notify_all()
        if closing:  # after close(): delete at once
            self._delete([receipt_handle])

    def close(self, timeout: float = 10.0) -> None:
        """Send every waiting delete and stop the thread."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait()
                if not self._pending:
                    return
                wait_for_batch(
                    self._cond, self._pending, BATCH, self.max_delay, lambda: self._closing
                )
                batch = [h for _, h in self._pending[:BATCH]]
                del self._pending[:BATCH]
            self._delete(batch)

    def _delete(self, handles: list[str]) -> None:
        try:
            failed = self.queue.delete_batch(handles)
        except Exception as exc:  # the messages come back and are skipped as finished
            failed = handles
            log.warning("could not delete %d messages: %s", len(handles), exc)
        else:
            if failed:
                log.warning(
                    "%d of %d messages not deleted; they come back and are skipped",
                    len(failed),
                    len(handles),
                )
        with self._cond:
            self.deleted += len(handles) - len(failed)
            self.failed += len(failed)
