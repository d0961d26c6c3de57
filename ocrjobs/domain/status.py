"""Statuses, the one table of allowed transitions, and the rule deriving a job's status."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ocrjobs.domain.errors import InvalidTransition


class ItemStatus(StrEnum):
    """Status of one image (the seed's job_items.status)."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    DONE = "DONE"
    ERROR = "ERROR"


class JobStatus(StrEnum):
    """Status of a job (the seed's jobs.status); always derived from its items."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    DONE = "DONE"
    ERROR = "ERROR"
    EXPIRED = "EXPIRED"


# Error code stored on an item that expired before any worker processed it. The item's
# status is ERROR (the seed's item statuses have no EXPIRED); the code tells them apart.
EXPIRED_CODE = "EXPIRED"

ITEM_TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    # PENDING -> ERROR: expiry, or the dead-letter sweep for a message that never ran.
    ItemStatus.PENDING: frozenset({ItemStatus.PROCESSING, ItemStatus.ERROR}),
    # PROCESSING -> PROCESSING: a redelivered message re-claims an item whose worker died.
    # PROCESSING -> PENDING: a retry of an item stranded by the dead-letter sweep.
    ItemStatus.PROCESSING: frozenset(
        {ItemStatus.PROCESSING, ItemStatus.DONE, ItemStatus.ERROR, ItemStatus.PENDING}
    ),
    ItemStatus.DONE: frozenset(),
    # ERROR -> PENDING: retry_items re-queues failed and expired items.
    ItemStatus.ERROR: frozenset({ItemStatus.PENDING}),
}

JOB_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.PENDING: frozenset(
        {JobStatus.PROCESSING, JobStatus.DONE, JobStatus.ERROR, JobStatus.EXPIRED}
    ),
    JobStatus.PROCESSING: frozenset(
        {JobStatus.PENDING, JobStatus.DONE, JobStatus.ERROR, JobStatus.EXPIRED}
    ),
    JobStatus.DONE: frozenset(),
    JobStatus.ERROR: frozenset({JobStatus.PENDING, JobStatus.PROCESSING}),
    JobStatus.EXPIRED: frozenset({JobStatus.PENDING, JobStatus.PROCESSING}),
}


def can_transition(current: ItemStatus, new: ItemStatus) -> bool:
    """True when an item may move from ``current`` to ``new``."""
    return new in ITEM_TRANSITIONS[current]


def sources_for(new: ItemStatus) -> frozenset[ItemStatus]:
    """Every status from which an item may move to ``new`` (for conditional updates)."""
    return frozenset(s for s, targets in ITEM_TRANSITIONS.items() if new in targets)


def check_transition(current: ItemStatus, new: ItemStatus) -> None:
    """Raise :class:`InvalidTransition` unless the table allows the move."""
    if not can_transition(current, new):
        raise InvalidTransition(f"item status {current} cannot become {new}")


def check_job_transition(current: JobStatus, new: JobStatus) -> None:
    """Raise :class:`InvalidTransition` unless the job table allows the move (or no move)."""
    if current != new and new not in JOB_TRANSITIONS[current]:
        raise InvalidTransition(f"job status {current} cannot become {new}")


@dataclass(frozen=True, slots=True)
class StatusCounts:
    """How many of a job's items are in each state; ``expired`` is a subset of ``error``."""

    pending: int = 0
    processing: int = 0
    done: int = 0
    error: int = 0
    expired: int = 0
    review: int = 0
    """DONE items whose mean word confidence is low (``words.LOW_CONFIDENCE``)."""

    @property
    def total(self) -> int:
        return self.pending + self.processing + self.done + self.error

    @property
    def finished(self) -> int:
        return self.done + self.error

    def as_dict(self) -> dict[str, int]:
        return {
            "PENDING": self.pending,
            "PROCESSING": self.processing,
            "DONE": self.done,
            "ERROR": self.error,
            "EXPIRED": self.expired,
        }


def derive_job_status(counts: StatusCounts) -> JobStatus:
    """The one rule that turns a job's item counts into the job's status.

    Documented in docs/job-status.md:

    * no items, or every item PENDING: PENDING;
    * some item PROCESSING, or some finished while others still PENDING: PROCESSING;
    * every item DONE: DONE;
    * every item finished and at least one expired (never processed before the
      retention deadline): EXPIRED;
    * every item finished, at least one ERROR and none expired: ERROR (the DONE items
      keep their text).
    """
    if counts.total == 0 or counts.pending == counts.total:
        return JobStatus.PENDING
    if counts.processing or counts.pending:
        return JobStatus.PROCESSING
    if counts.done == counts.total:
        return JobStatus.DONE
    if counts.expired:
        return JobStatus.EXPIRED
    return JobStatus.ERROR


ONE_PROCESSING = StatusCounts(processing=1)
"""Counts that decide the rule for a job with an item just claimed: any job with an item
PROCESSING is PROCESSING, whatever its other items are (the claim need not count them)."""
