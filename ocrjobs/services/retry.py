"""The one retry helper: exponential backoff with full jitter, and re-running a database
operation that lost a lock conflict.

AWS calls are retried by botocore's own retry configuration (see ``bootstrap``); this is
for what botocore does not cover: a transaction the database rolled back to break a
deadlock, and the worker's message redelivery delays.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from ocrjobs.domain.errors import Conflict

log = logging.getLogger(__name__)

MAX_VISIBILITY_SECONDS = 43200
"""SQS refuses a visibility timeout above 12 hours."""
CONFLICT_ATTEMPTS = 5

P = ParamSpec("P")
T = TypeVar("T")


def backoff_seconds(
    attempt: int,
    *,
    base: float = 2.0,
    cap: float = 900.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """How long to wait before attempt ``attempt + 1``: full jitter over an exponential.

    The window is ``min(cap, base * 2 ** (attempt - 1))`` and the delay is drawn
    uniformly from ``[0, window)`` ("full jitter", which spreads a crowd of workers that
    failed together best). For a message, ``attempt`` is SQS's ApproximateReceiveCount.

    Args:
        attempt: How many attempts failed so far (values below 1 count as 1).
        base: The window of the first retry, in seconds.
        cap: The largest window, in seconds (also capped at SQS's 12 hours).
        rand: A source of floats in ``[0, 1)`` (tests pass a fixed one).
    """
    exponent = max(attempt, 1) - 1
    window = min(cap, MAX_VISIBILITY_SECONDS, base * 2.0 ** min(exponent, 40))
    return max(0.0, window * rand())


def retry_conflicts(fn: Callable[P, T]) -> Callable[P, T]:
    """Run ``fn`` again (a few times, short jittered pauses) when it raises :class:`Conflict`.

    Only for operations whose database transaction comes before any other side effect
    (or whose side effects are idempotent): a conflict rolls the whole transaction back.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, CONFLICT_ATTEMPTS):
            try:
                return fn(*args, **kwargs)
            except Conflict:
                log.info("lock conflict in %s (attempt %d); retrying", fn.__name__, attempt)
                time.sleep(backoff_seconds(attempt, base=0.05, cap=1.0))
        return fn(*args, **kwargs)

    return wrapper
