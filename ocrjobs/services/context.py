"""What every service needs: settings, a unit-of-work factory, the AWS ports and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from ocrjobs.adapters.ports import AuditLog, MessageQueue, ObjectStore
from ocrjobs.adapters.repository import UnitOfWork
from ocrjobs.config import Settings


class UowFactory(Protocol):
    def __call__(self, *, write: bool = False) -> UnitOfWork: ...


class LiveEvents(Protocol):
    """Where a worker's item events go when not written one by one (see ``audit_writer``)."""

    def record(self, job_id: UUID | str, action: str, **details: object) -> object: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """Dependencies of the services, built once per process by ``ocrjobs.bootstrap``."""

    settings: Settings
    uow: UowFactory
    store: ObjectStore
    queue: MessageQueue
    dlq: MessageQueue
    audit: AuditLog
    clock: Callable[[], datetime] = utc_now
    live_events: LiveEvents | None = None
    """Set by a worker to batch its item events; ``None``: each is written at once."""
    close_hooks: list[Callable[[], None]] = field(default_factory=list)

    @property
    def actor(self) -> str:
        return self.settings.actor

    @property
    def retention(self) -> timedelta:
        return timedelta(hours=self.settings.retention_hours)

    def close(self) -> None:
        """Release engines and connection pools."""
        for hook in reversed(self.close_hooks):
            hook()
        self.close_hooks.clear()
