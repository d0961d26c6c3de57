"""Small interfaces the services depend on; boto3 adapters and in-memory fakes implement them.

Every implementation raises only domain errors (``ocrjobs.domain.errors``):
:class:`BackendUnavailable` when the endpoint cannot be reached, :class:`ObjectMissing` for
an absent S3 object, :class:`AwsError` (with ``transient``) for anything else AWS refused
after botocore's own retries.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ocrjobs.domain.model import AuditEvent


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One listed object: its key, when it was last written (UTC) and its size in bytes."""

    key: str
    last_modified: datetime
    size: int


class ObjectStore(ABC):
    """An S3 bucket (the images live under ``jobs/``)."""

    bucket: str

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str, sha256_hex: str) -> None:
        """Store ``data`` at ``key``; S3 verifies the SHA-256 checksum on arrival."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The object's bytes; :class:`ObjectMissing` if it does not exist."""

    @abstractmethod
    def delete_keys(self, keys: Sequence[str]) -> int:
        """Delete the keys (in batches of at most 1,000); return how many were asked for."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under ``prefix`` in batches of at most 1,000; return the count."""

    @abstractmethod
    def list_keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``."""

    @abstractmethod
    def list_objects(self, prefix: str) -> list[ObjectInfo]:
        """Every object under ``prefix``, with its last-modified time and size."""

    @abstractmethod
    def list_folders(self, prefix: str) -> list[str]:
        """The "folders" right under ``prefix`` (``jobs/`` → ``jobs/{job_id}/``, ...)."""


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message to send: ``id`` is unique within one batch call (we use the item id)."""

    id: str
    body: str


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int


@dataclass(frozen=True, slots=True)
class QueueDepth:
    visible: int
    in_flight: int
    delayed: int = 0


class MessageQueue(ABC):
    """An SQS queue (with a dead-letter queue configured by its redrive policy)."""

    name: str

    @abstractmethod
    def send(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        """Send in batches of at most 10; return the ids of messages that were NOT sent."""

    @abstractmethod
    def receive(
        self, max_messages: int = 10, wait_seconds: int = 20, visibility_timeout: int | None = None
    ) -> list[ReceivedMessage]:
        """Long-poll for up to ``max_messages`` (≤ 10), waiting up to ``wait_seconds``."""

    @abstractmethod
    def delete(self, receipt_handle: str) -> None:
        """Acknowledge one message."""

    @abstractmethod
    def delete_batch(self, receipt_handles: Sequence[str]) -> list[str]:
        """Acknowledge messages, ≤ 10 per request; return the handles NOT deleted."""

    @abstractmethod
    def change_visibility(self, receipt_handle: str, seconds: int) -> None:
        """Hide the message for ``seconds`` more from now (0 releases it at once)."""

    @abstractmethod
    def depth(self) -> QueueDepth:
        """Approximate number of visible / in-flight / delayed messages."""


class AuditLog(ABC):
    """The DynamoDB audit log: partition by job id, ordered by timestamp then event id."""

    @abstractmethod
    def append(self, event: AuditEvent) -> None:
        """Write one event."""

    @abstractmethod
    def append_many(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        """Write events in batches; return those NOT written (the caller may retry them)."""

    @abstractmethod
    def list_events(self, job_id: str) -> list[AuditEvent]:
        """Every event of a job, oldest first."""

    @abstractmethod
    def delete_many(self, events: Sequence[AuditEvent]) -> None:
        """Delete these events by their keys (no read: a worker may only remove its own)."""

    @abstractmethod
    def delete_events(self, job_id: str) -> int:
        """Delete every event of a job (batch writes); return how many were deleted."""
