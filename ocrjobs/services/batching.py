"""The wait shared by the background writers that send work in batches.

The worker's acknowledger (``worker.acks``) and audit writer
(``ocrjobs.services.audit_writer``) queue ``(queued_at, item)`` pairs and send them
together: as soon as a batch is full, or when the oldest has waited long enough.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence


def wait_for_batch(
    cond: threading.Condition,
    pending: Sequence[tuple[float, object]],
    size: int,
    max_delay: float,
    stop_waiting: Callable[[], bool],
) -> None:
    """With ``cond`` held and ``pending`` not empty, wait until ``size`` items are queued,
    the oldest (``time.monotonic()`` when queued) is ``max_delay`` seconds old, or
    ``stop_waiting()`` (closing, a flush) says to send what there is."""
    while len(pending) < size and not stop_waiting():
        age = time.monotonic() - pending[0][0]
        if age >= max_delay:
            return
        cond.wait(max_delay - age)
