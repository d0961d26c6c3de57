"""The worker's one retry-delay helper: exponential backoff with full jitter."""

from __future__ import annotations

import random
from collections.abc import Callable

MAX_VISIBILITY_SECONDS = 43200
"""SQS refuses a visibility timeout above 12 hours."""


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
