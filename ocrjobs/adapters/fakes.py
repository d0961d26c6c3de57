"""In-memory implementations of the ports, for unit tests.

They follow AWS's documented behaviour where it matters to our services (and where
moto is not faithful, AWS wins): checksums are verified on put, receipt handles change
on every receive, a message received ``max_receive_count`` times moves to the
dead-letter queue on the next receive, invisible messages come back when their
visibility timeout passes on an injectable clock. The contract tests in
``tests/unit/test_fakes.py`` run the same checks against these and the boto3 adapters.

Every fake can be told to fail: set ``fail_next`` (raised by the next call, then
cleared) or ``broken`` (raised by every call until reset to ``None``). Use domain errors
(:class:`~ocrjobs.domain.errors.BackendUnavailable`, :class:`~ocrjobs.domain.errors.AwsError`)
to simulate what the real adapters raise.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ocrjobs.adapters.aws_errors import is_transient
from ocrjobs.adapters.dynamodb import WRITE_BATCH, event_from_item, event_to_item, sort_key
from ocrjobs.adapters.ports import (
    AuditLog,
    MessageQueue,
    ObjectInfo,
    ObjectStore,
    OutgoingMessage,
    QueueDepth,
    ReceivedMessage,
)
from ocrjobs.adapters.s3 import DELETE_BATCH, sha256_base64
from ocrjobs.adapters.sqs import MAX_RECEIVE, MAX_WAIT_SECONDS, SEND_BATCH
from ocrjobs.domain.errors import AwsError, BackendUnavailable, ObjectMissing, OcrJobsError
from ocrjobs.domain.model import AuditEvent

logger = logging.getLogger(__name__)

MAX_VISIBILITY_SECONDS = 43200


class ManualClock:
    """A monotonic clock that moves only when told: pass it as ``clock`` and its
    :meth:`sleep` as ``sleep`` so a fake long poll advances time instead of waiting.

    Args:
        start: the initial reading, in seconds.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        """The current reading."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        """Same as :meth:`advance` (a stand-in for ``time.sleep``)."""
        self.advance(max(seconds, 0.0))


class _Failable:
    """Failure injection shared by the fakes."""

    def __init__(self) -> None:
        self.fail_next: Exception | None = None
        self.broken: Exception | None = None
        self.calls: list[str] = []
        self._lock = threading.RLock()

    def _enter(self, operation: str) -> None:
        # Called with the lock held at the start of every operation.
        self.calls.append(operation)
        if self.broken is not None:
            raise self.broken
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One object of :class:`FakeObjectStore`."""

    data: bytes
    content_type: str
    sha256_hex: str
    last_modified: datetime = field(default_factory=lambda: datetime.now(UTC))


class FakeObjectStore(_Failable, ObjectStore):
    """An S3 bucket in a dict.

    Args:
        bucket: the bucket name reported in keys and errors.

    Attributes:
        objects: key → :class:`StoredObject`.
        delete_batches: the size of every simulated DeleteObjects call.
        clock: stamps each put's ``last_modified`` (replace it to age objects).
    """

    def __init__(self, bucket: str = "ocrjobs-fake") -> None:
        super().__init__()
        self.bucket = bucket
        self.objects: dict[str, StoredObject] = {}
        self.delete_batches: list[int] = []
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def put(self, key: str, data: bytes, content_type: str, sha256_hex: str) -> None:
        """Store ``data``; a wrong checksum is refused like S3 does (``BadDigest``)."""
        sha256_base64(sha256_hex)  # same validation of the argument as the real store
        with self._lock:
            self._enter("PutObject")
            if hashlib.sha256(data).hexdigest() != sha256_hex.lower():
                raise AwsError(
                    "s3",
                    "PutObject",
                    "BadDigest",
                    "The SHA256 you specified did not match the calculated checksum.",
                    transient=False,
                )
            self.objects[key] = StoredObject(data, content_type, sha256_hex.lower(), self.clock())

    def get(self, key: str) -> bytes:
        """The object's bytes; :class:`ObjectMissing` if absent."""
        with self._lock:
            self._enter("GetObject")
            try:
                return self.objects[key].data
            except KeyError:
                raise ObjectMissing(f"s3://{self.bucket}/{key} does not exist") from None

    def delete_keys(self, keys: Sequence[str]) -> int:
        """Delete ``keys`` (absent ones are fine) in simulated batches of ≤ 1,000."""
        with self._lock:
            for start in range(0, len(keys), DELETE_BATCH):
                self._enter("DeleteObjects")
                chunk = keys[start : start + DELETE_BATCH]
                for key in chunk:
                    self.objects.pop(key, None)
                self.delete_batches.append(len(chunk))
            return len(keys)

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under ``prefix``; return how many there were."""
        with self._lock:
            keys = self.list_keys(prefix)
            return self.delete_keys(keys)

    def list_keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``, in S3's (lexicographic) order."""
        return [o.key for o in self.list_objects(prefix)]

    def list_objects(self, prefix: str) -> list[ObjectInfo]:
        """Every object under ``prefix``, in S3's (lexicographic) order."""
        with self._lock:
            self._enter("ListObjectsV2")
            return [
                ObjectInfo(k, o.last_modified, len(o.data))
                for k, o in sorted(self.objects.items())
                if k.startswith(prefix)
            ]

    def list_folders(self, prefix: str) -> list[str]:
        """The distinct ``prefix + name + "/"`` of the keys under ``prefix``, sorted."""
        with self._lock:
            self._enter("ListObjectsV2")
            folders = {
                prefix + k[len(prefix) :].split("/", 1)[0] + "/"
                for k in self.objects
                if k.startswith(prefix) and "/" in k[len(prefix) :]
            }
            return sorted(folders)


@dataclass(slots=True)
class FakeMessage:
    """One message held by :class:`FakeQueue`."""

    message_id: str
    body: str
    receive_count: int = 0
    visible_at: float = 0.0
    receipt_handle: str | None = None


class FakeQueue(_Failable, MessageQueue):
    """An SQS standard queue in memory, with visibility timeouts and redrive.

    Args:
        name: the queue's name.
        clock: monotonic seconds (default ``time.monotonic``; use :class:`ManualClock`).
        sleep: how a long poll waits when nothing is visible. ``None`` (the default)
            returns at once, which keeps unit tests fast; pass ``ManualClock.sleep`` to
            let a long poll move a manual clock forward.
        visibility_timeout: the queue's default, in seconds.
        max_receive_count: with ``dlq``, SQS's redrive policy: a message already
            received this many times moves to ``dlq`` on the next receive.
        dlq: the dead-letter queue (another :class:`FakeQueue`).

    Attributes:
        messages: message id → :class:`FakeMessage`, in send order.
        reject_ids: ids that SendMessageBatch will list as ``Failed``.
    """

    def __init__(
        self,
        name: str = "ocrjobs-fake",
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
        visibility_timeout: int = 30,
        max_receive_count: int | None = None,
        dlq: FakeQueue | None = None,
    ) -> None:
        super().__init__()
        if (max_receive_count is None) != (dlq is None):
            raise ValueError("max_receive_count and dlq go together (a redrive policy)")
        self.name = name
        self.visibility_timeout = visibility_timeout
        self.max_receive_count = max_receive_count
        self.dlq = dlq
        self.messages: dict[str, FakeMessage] = {}
        self.reject_ids: set[str] = set()
        self._clock = clock
        self._sleep = sleep
        self._issued: dict[str, str] = {}  # every receipt handle ever issued → message id
        self._handles = itertools.count(1)

    @property
    def bodies(self) -> list[str]:
        """The body of every message still in the queue, in send order."""
        with self._lock:
            return [m.body for m in self.messages.values()]

    def _enqueue(self, body: str, receive_count: int = 0) -> str:
        message_id = str(uuid.uuid4())
        self.messages[message_id] = FakeMessage(message_id, body, receive_count, self._clock())
        return message_id

    def send(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        """Same contract as :meth:`SqsQueue.send <ocrjobs.adapters.sqs.SqsQueue.send>`."""
        failed: list[str] = []
        with self._lock:
            for start in range(0, len(messages), SEND_BATCH):
                chunk = messages[start : start + SEND_BATCH]
                try:
                    self._enter("SendMessageBatch")
                    ids = [m.id for m in chunk]
                    if len(set(ids)) != len(ids):
                        raise AwsError(
                            "sqs",
                            "SendMessageBatch",
                            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                            "Id repeated.",
                            transient=False,
                        )
                except OcrJobsError as exc:
                    if not is_transient(exc):
                        raise
                    if isinstance(exc, BackendUnavailable):
                        failed.extend(m.id for m in messages[start:])
                        break
                    failed.extend(m.id for m in chunk)
                    continue
                for m in chunk:
                    if m.id in self.reject_ids:
                        failed.append(m.id)
                    else:
                        self._enqueue(m.body)
        return failed

    def _take_visible(self, count: int, visibility: int) -> list[ReceivedMessage]:
        now = self._clock()
        taken: list[ReceivedMessage] = []
        for msg in list(self.messages.values()):
            if len(taken) == count:
                break
            if msg.visible_at > now:
                continue
            if (
                self.dlq is not None
                and self.max_receive_count is not None
                and msg.receive_count >= self.max_receive_count
            ):
                del self.messages[msg.message_id]
                with self.dlq._lock:
                    self.dlq._enqueue(msg.body, msg.receive_count)
                logger.debug(
                    "fake queue %s: %s moved to %s", self.name, msg.message_id, self.dlq.name
                )
                continue
            msg.receive_count += 1
            msg.visible_at = now + visibility
            msg.receipt_handle = f"{msg.message_id}#{next(self._handles)}"
            self._issued[msg.receipt_handle] = msg.message_id
            taken.append(
                ReceivedMessage(msg.message_id, msg.receipt_handle, msg.body, msg.receive_count)
            )
        return taken

    def receive(
        self, max_messages: int = 10, wait_seconds: int = 20, visibility_timeout: int | None = None
    ) -> list[ReceivedMessage]:
        """Up to ``max_messages`` visible messages; hides them for the visibility timeout."""
        count = min(max(max_messages, 1), MAX_RECEIVE)
        wait = min(max(wait_seconds, 0), MAX_WAIT_SECONDS)
        visibility = self.visibility_timeout if visibility_timeout is None else visibility_timeout
        with self._lock:
            self._enter("ReceiveMessage")
            deadline = self._clock() + wait
        while True:
            with self._lock:
                taken = self._take_visible(count, visibility)
                now = self._clock()
                upcoming = [m.visible_at for m in self.messages.values() if m.visible_at > now]
            if taken or self._sleep is None or now >= deadline:
                return taken
            # Sleep (outside the lock) until something may become visible or time is up.
            self._sleep(min([deadline, *upcoming]) - now)

    def _current(self, receipt_handle: str, operation: str) -> FakeMessage | None:
        message_id = self._issued.get(receipt_handle)
        if message_id is None:
            raise AwsError(
                "sqs",
                operation,
                "ReceiptHandleIsInvalid",
                "The input receipt handle is invalid.",
                transient=False,
            )
        msg = self.messages.get(message_id)
        if msg is None or msg.receipt_handle != receipt_handle:
            return None  # deleted, or received again since: the handle is stale
        return msg

    def delete(self, receipt_handle: str) -> None:
        """Delete the message; a stale handle succeeds without deleting (as AWS may)."""
        with self._lock:
            self._enter("DeleteMessage")
            msg = self._current(receipt_handle, "DeleteMessage")
            if msg is not None:
                del self.messages[msg.message_id]

    def delete_batch(self, receipt_handles: Sequence[str]) -> list[str]:
        """Delete messages (one ``DeleteMessageBatch`` call per 10); stale handles succeed,
        unknown ones are returned as failed."""
        failed: list[str] = []
        with self._lock:
            for start in range(0, len(receipt_handles), SEND_BATCH):
                self._enter("DeleteMessageBatch")
                for handle in receipt_handles[start : start + SEND_BATCH]:
                    try:
                        msg = self._current(handle, "DeleteMessageBatch")
                    except AwsError:
                        failed.append(handle)
                        continue
                    if msg is not None:
                        del self.messages[msg.message_id]
        return failed

    def change_visibility(self, receipt_handle: str, seconds: int) -> None:
        """Hide the message for ``seconds`` from now.

        Raises:
            AwsError: ``InvalidParameterValue`` outside 0-43200 s; ``ReceiptHandleIsInvalid``
                for an unknown handle, a deleted message or a stale handle.
        """
        with self._lock:
            self._enter("ChangeMessageVisibility")
            if not 0 <= seconds <= MAX_VISIBILITY_SECONDS:
                raise AwsError(
                    "sqs",
                    "ChangeMessageVisibility",
                    "InvalidParameterValue",
                    f"maximum visibility timeout is {MAX_VISIBILITY_SECONDS}",
                    transient=False,
                )
            msg = self._current(receipt_handle, "ChangeMessageVisibility")
            if msg is None:
                raise AwsError(
                    "sqs",
                    "ChangeMessageVisibility",
                    "ReceiptHandleIsInvalid",
                    "The receipt handle has expired.",
                    transient=False,
                )
            msg.visible_at = self._clock() + seconds

    def depth(self) -> QueueDepth:
        """Exact visible / in-flight counts (delays are not simulated)."""
        with self._lock:
            self._enter("GetQueueAttributes")
            now = self._clock()
            visible = sum(1 for m in self.messages.values() if m.visible_at <= now)
            return QueueDepth(visible=visible, in_flight=len(self.messages) - visible)


class FakeAuditLog(_Failable, AuditLog):
    """The audit table in a dict, stored through the real adapter's row codec.

    Events round-trip exactly as they do through DynamoDB (``details`` via JSON,
    timestamps in UTC) and list in the same order (by sort key).

    Attributes:
        rows: job id → sort key → stored row.
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, dict[str, str]]] = {}

    def append(self, event: AuditEvent) -> None:
        """Store one event (same event again replaces it)."""
        with self._lock:
            self._enter("PutItem")
            self.rows.setdefault(event.job_id, {})[sort_key(event)] = event_to_item(event)

    def append_many(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        """Store events (one ``BatchWriteItem`` call per 25); none is left unwritten."""
        with self._lock:
            for start in range(0, len(events), WRITE_BATCH):
                self._enter("BatchWriteItem")
                for event in events[start : start + WRITE_BATCH]:
                    self.rows.setdefault(event.job_id, {})[sort_key(event)] = event_to_item(event)
            return []

    def list_events(self, job_id: str) -> list[AuditEvent]:
        """Every event of ``job_id``, oldest first."""
        with self._lock:
            self._enter("Query")
            rows = self.rows.get(job_id, {})
            return [event_from_item(rows[sk]) for sk in sorted(rows)]

    def delete_many(self, events: Sequence[AuditEvent]) -> None:
        """Delete these events by key."""
        with self._lock:
            self._enter("BatchWriteItem")
            for event in events:
                self.rows.get(event.job_id, {}).pop(sort_key(event), None)

    def delete_events(self, job_id: str) -> int:
        """Delete every event of ``job_id``; return how many there were."""
        with self._lock:
            self._enter("BatchWriteItem")
            return len(self.rows.pop(job_id, {}))
