"""The fakes against the real adapters: one contract, run on both.

Every ``test_contract_*`` runs once on the in-memory fake and once on the boto3 adapter
over moto's in-process mock (a few ms each), so a fake that drifts from AWS's behaviour
fails here rather than in a service test that trusted it. Fake-only behaviour (failure
injection, the manual clock) is tested at the bottom.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import boto3
import pytest
from moto import mock_aws

from ocrjobs.adapters.dynamodb import DynamoAuditLog
from ocrjobs.adapters.fakes import (
    FakeAuditLog,
    FakeObjectStore,
    FakeQueue,
    ManualClock,
    StoredObject,
)
from ocrjobs.adapters.ports import AuditLog, MessageQueue, ObjectStore, OutgoingMessage
from ocrjobs.adapters.provision import provision
from ocrjobs.adapters.s3 import S3ObjectStore
from ocrjobs.adapters.sqs import SqsQueue
from ocrjobs.domain.errors import AwsError, BackendUnavailable, ObjectMissing
from ocrjobs.domain.model import AuditEvent

BUCKET = "contract-bucket"
KINDS = ["fake", "moto"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def outgoing(n: int, prefix: str = "m") -> list[OutgoingMessage]:
    return [OutgoingMessage(id=f"{prefix}{i}", body=f"body-{i}") for i in range(n)]


@pytest.fixture(scope="module")
def boto_session() -> Iterator[boto3.session.Session]:
    """A boto3 session with dummy credentials, cut off from any real AWS configuration.

    Module-scoped because loading service models is the slow part (~60 ms a client on a
    fresh session, ~8 ms on a warm one); moto's state is still per test.
    """
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
                mp.delenv(name)
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )


@pytest.fixture
def moto_session(boto_session: boto3.session.Session) -> Iterator[boto3.session.Session]:
    """The session, inside a fresh in-process moto mock."""
    with mock_aws():
        yield boto_session


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest) -> ObjectStore:
    if request.param == "fake":
        return FakeObjectStore(BUCKET)
    session: boto3.session.Session = request.getfixturevalue("moto_session")
    client = session.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return S3ObjectStore(client, BUCKET)


@pytest.fixture(params=KINDS)
def queues(request: pytest.FixtureRequest) -> tuple[MessageQueue, MessageQueue]:
    """A main queue (visibility 30 s, dead letters after 2 receives) and its DLQ."""
    if request.param == "fake":
        dlq = FakeQueue("contract-dlq")
        return FakeQueue("contract-q", max_receive_count=2, dlq=dlq), dlq
    session: boto3.session.Session = request.getfixturevalue("moto_session")
    made = provision(
        session.client("s3"),
        session.client("sqs"),
        session.client("dynamodb"),
        bucket=BUCKET,
        queue="contract-q",
        dlq="contract-dlq",
        audit_table="contract-audit",
        region="us-east-1",
        visibility_timeout=30,
        max_receive_count=2,
    )
    sqs = session.client("sqs")
    return SqsQueue(sqs, made.queue_url, "contract-q"), SqsQueue(sqs, None, "contract-dlq")


@pytest.fixture
def queue(queues: tuple[MessageQueue, MessageQueue]) -> MessageQueue:
    return queues[0]


@pytest.fixture(params=KINDS)
def audit(request: pytest.FixtureRequest) -> AuditLog:
    if request.param == "fake":
        return FakeAuditLog()
    session: boto3.session.Session = request.getfixturevalue("moto_session")
    made = provision(
        session.client("s3"),
        session.client("sqs"),
        session.client("dynamodb"),
        bucket=BUCKET,
        queue="contract-q",
        dlq="contract-dlq",
        audit_table="contract-audit",
        region="us-east-1",
        visibility_timeout=30,
        max_receive_count=2,
    )
    return DynamoAuditLog(session.client("dynamodb"), made.audit_table)


# --- ObjectStore -------------------------------------------------------------------------


def test_contract_put_get_roundtrip(store: ObjectStore) -> None:
    store.put("jobs/a/1.png", b"\x89PNG data", "image/png", sha(b"\x89PNG data"))
    store.put("jobs/a/1.png", b"replaced", "image/png", sha(b"replaced"))

    assert store.get("jobs/a/1.png") == b"replaced"


def test_contract_get_missing_raises_object_missing(store: ObjectStore) -> None:
    with pytest.raises(ObjectMissing, match=r"jobs/none/1\.png"):
        store.get("jobs/none/1.png")


def test_contract_list_and_delete_prefix(store: ObjectStore) -> None:
    for key in ["jobs/b/2.jpg", "jobs/b/1.jpg", "jobs/bb/1.jpg", "other/b/1.jpg"]:
        store.put(key, key.encode(), "image/jpeg", sha(key.encode()))

    assert store.list_keys("jobs/b/") == ["jobs/b/1.jpg", "jobs/b/2.jpg"]
    assert store.delete_prefix("jobs/b/") == 2
    assert store.list_keys("jobs/") == ["jobs/bb/1.jpg"]
    assert store.delete_prefix("jobs/b/") == 0


def test_contract_list_objects_and_folders(store: ObjectStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    for key in ["jobs/f2/1.png", "jobs/f1/2.png", "jobs/f1/1.png", "jobs/loose.png", "x/f3/1"]:
        store.put(key, b"12345", "image/png", sha(b"12345"))

    assert store.list_folders("jobs/") == ["jobs/f1/", "jobs/f2/"]
    assert store.list_folders("jobs/f1/") == []
    objects = store.list_objects("jobs/f1/")
    assert [o.key for o in objects] == ["jobs/f1/1.png", "jobs/f1/2.png"]
    assert all(o.size == 5 for o in objects)
    assert all(o.last_modified.tzinfo is not None for o in objects)
    assert all(
        before <= o.last_modified <= datetime.now(UTC) + timedelta(seconds=5) for o in objects
    )


def test_contract_delete_keys_ignores_absent_keys(store: ObjectStore) -> None:
    store.put("jobs/c/1.png", b"x", "image/png", sha(b"x"))

    assert store.delete_keys(["jobs/c/1.png", "jobs/c/absent.png"]) == 2
    assert store.list_keys("jobs/c/") == []


def test_contract_bad_checksum_is_refused(store: ObjectStore) -> None:
    if isinstance(store, S3ObjectStore):
        pytest.skip("moto stores any checksum without verifying it (S3 answers BadDigest)")
    with pytest.raises(AwsError) as info:
        store.put("jobs/d/1.png", b"data", "image/png", sha(b"other"))
    assert info.value.aws_code == "BadDigest"
    assert not info.value.transient


# --- MessageQueue ------------------------------------------------------------------------


def test_contract_send_many_then_receive_all(queue: MessageQueue) -> None:
    assert queue.send(outgoing(13)) == []
    assert queue.depth().visible == 13

    bodies: list[str] = []
    for _ in range(5):
        bodies += [m.body for m in queue.receive(max_messages=10, wait_seconds=0)]

    assert sorted(bodies) == sorted(f"body-{i}" for i in range(13))
    assert queue.depth().in_flight == 13
    assert queue.depth().visible == 0


def test_contract_receive_hides_and_counts(queue: MessageQueue) -> None:
    queue.send(outgoing(1))

    (first,) = queue.receive(wait_seconds=0)
    assert first.receive_count == 1
    assert first.body == "body-0"
    assert queue.receive(wait_seconds=0) == []

    queue.change_visibility(first.receipt_handle, 0)
    (again,) = queue.receive(wait_seconds=0)
    assert again.message_id == first.message_id
    assert again.receive_count == 2
    assert again.receipt_handle != first.receipt_handle


def test_contract_receive_with_zero_visibility_keeps_message_visible(queue: MessageQueue) -> None:
    queue.send(outgoing(1))

    queue.receive(wait_seconds=0, visibility_timeout=0)

    assert queue.depth().visible == 1


def test_contract_delete_acknowledges(queue: MessageQueue) -> None:
    queue.send(outgoing(2))
    received = queue.receive(wait_seconds=0)
    for msg in received:
        queue.delete(msg.receipt_handle)

    assert len(received) == 2
    assert queue.depth().visible + queue.depth().in_flight == 0


def test_contract_invalid_receipt_handle(queue: MessageQueue) -> None:
    with pytest.raises(AwsError) as info:
        queue.delete("garbage")
    assert info.value.aws_code == "ReceiptHandleIsInvalid"
    assert not info.value.transient


def test_contract_visibility_out_of_range(queue: MessageQueue) -> None:
    queue.send(outgoing(1))
    (msg,) = queue.receive(wait_seconds=0)

    with pytest.raises(AwsError) as info:
        queue.change_visibility(msg.receipt_handle, 43201)
    assert info.value.aws_code == "InvalidParameterValue"


def test_contract_duplicate_ids_in_a_batch_are_refused(queue: MessageQueue) -> None:
    with pytest.raises(AwsError) as info:
        queue.send([OutgoingMessage("same", "a"), OutgoingMessage("same", "b")])
    assert info.value.aws_code.endswith("BatchEntryIdsNotDistinct")
    assert not info.value.transient


def test_contract_redrive_after_max_receive_count(
    queues: tuple[MessageQueue, MessageQueue],
) -> None:
    queue, dlq = queues
    queue.send(outgoing(1))

    counts = [m.receive_count for m in queue.receive(wait_seconds=0, visibility_timeout=0)]
    counts += [m.receive_count for m in queue.receive(wait_seconds=0, visibility_timeout=0)]
    third = queue.receive(wait_seconds=0, visibility_timeout=0)

    assert counts == [1, 2]
    assert third == []
    assert [m.body for m in dlq.receive(wait_seconds=0)] == ["body-0"]
    assert queue.depth().visible == 0


# --- AuditLog ----------------------------------------------------------------------------

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def event(job: str, seconds: float, event_id: str, **details: object) -> AuditEvent:
    return AuditEvent(
        job_id=job,
        timestamp=T0 + timedelta(seconds=seconds),
        event_id=event_id,
        action="step",
        actor="tester",
        details=dict(details),
    )


def test_contract_events_list_in_time_order(audit: AuditLog) -> None:
    events = [event("job-1", i * 0.5, f"e{i:03d}", n=i) for i in range(40)]
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    for e in shuffled:
        audit.append(e)
    audit.append(event("job-2", 0, "other"))

    assert audit.list_events("job-1") == events
    assert audit.list_events("missing") == []


def test_contract_same_timestamp_orders_by_event_id(audit: AuditLog) -> None:
    audit.append(event("job-1", 0, "b"))
    audit.append(event("job-1", 0, "a"))

    assert [e.event_id for e in audit.list_events("job-1")] == ["a", "b"]


def test_contract_details_and_timestamps_roundtrip(audit: AuditLog) -> None:
    brt = timezone(timedelta(hours=-3))
    original = AuditEvent(
        job_id="job-1",
        timestamp=datetime(2024, 5, 1, 9, 0, 0, 123456, tzinfo=brt),
        event_id="e1",
        action="create",
        actor="desk:ana",
        details={"items": 3, "ratio": 0.25, "keys": ["a", "b"], "nested": {"ok": True}},
    )
    audit.append(original)

    (stored,) = audit.list_events("job-1")
    assert stored.details == original.details
    assert stored.timestamp == original.timestamp
    assert stored.timestamp.utcoffset() == timedelta(0)


def test_contract_delete_events(audit: AuditLog) -> None:
    for i in range(30):
        audit.append(event("job-1", i, f"e{i}"))
    audit.append(event("job-2", 0, "keep"))

    assert audit.delete_events("job-1") == 30
    assert audit.list_events("job-1") == []
    assert [e.event_id for e in audit.list_events("job-2")] == ["keep"]
    assert audit.delete_events("job-1") == 0


# --- fake-only behaviour -----------------------------------------------------------------


def test_fail_next_fails_once_and_broken_fails_until_reset() -> None:
    store = FakeObjectStore()
    store.fail_next = BackendUnavailable("s3", "http://x", "down")

    with pytest.raises(BackendUnavailable):
        store.list_keys("")
    assert store.list_keys("") == []

    store.broken = BackendUnavailable("s3", "http://x", "down")
    for _ in range(2):
        with pytest.raises(BackendUnavailable):
            store.get("k")
    store.broken = None
    with pytest.raises(ObjectMissing):
        store.get("k")


def test_fake_store_deletes_in_batches_of_1000() -> None:
    store = FakeObjectStore()
    for i in range(2001):
        store.objects[f"jobs/x/{i}"] = StoredObject(b"", "image/png", sha(b""))

    assert store.delete_prefix("jobs/x/") == 2001
    assert store.delete_batches == [1000, 1000, 1]


def test_fake_send_reports_rejected_and_transient_failures() -> None:
    queue = FakeQueue()
    queue.reject_ids = {"m3"}
    queue.fail_next = AwsError("sqs", "SendMessageBatch", "Throttling", "slow", transient=True)

    failed = queue.send(outgoing(25))

    # First batch (m0-m9) throttled, m3 is in it anyway; the rest are sent.
    assert failed == [f"m{i}" for i in range(10)]
    assert len(queue.messages) == 15


def test_fake_send_stops_when_backend_unavailable() -> None:
    queue = FakeQueue()
    queue.broken = BackendUnavailable("sqs", "http://x", "down")

    assert queue.send(outgoing(25)) == [f"m{i}" for i in range(25)]
    assert queue.calls == ["SendMessageBatch"]


def test_fake_send_raises_permanent_errors() -> None:
    queue = FakeQueue()
    queue.fail_next = AwsError("sqs", "SendMessageBatch", "AccessDenied", "no", transient=False)

    with pytest.raises(AwsError):
        queue.send(outgoing(3))


def test_fake_visibility_timeout_on_manual_clock() -> None:
    clock = ManualClock()
    queue = FakeQueue(clock=clock, visibility_timeout=30)
    queue.send(outgoing(1))

    (msg,) = queue.receive(wait_seconds=0)
    clock.advance(29)
    assert queue.receive(wait_seconds=0) == []
    clock.advance(1)
    (again,) = queue.receive(wait_seconds=0)

    assert again.receive_count == 2
    assert msg.receipt_handle != again.receipt_handle


def test_fake_long_poll_advances_manual_clock() -> None:
    clock = ManualClock()
    queue = FakeQueue(clock=clock, sleep=clock.sleep, visibility_timeout=5)
    queue.send(outgoing(1))
    queue.receive(wait_seconds=0)

    (msg,) = queue.receive(wait_seconds=20)
    assert clock() == 5
    assert msg.receive_count == 2

    queue.delete(msg.receipt_handle)
    assert queue.receive(wait_seconds=20) == []
    assert clock() == 25


def test_fake_stale_handle_does_not_delete() -> None:
    queue = FakeQueue()
    queue.send(outgoing(1))
    (first,) = queue.receive(wait_seconds=0, visibility_timeout=0)
    queue.receive(wait_seconds=0)

    queue.delete(first.receipt_handle)  # succeeds, as on AWS, but the message stays

    assert queue.depth().in_flight == 1
    with pytest.raises(AwsError):
        queue.change_visibility(first.receipt_handle, 0)


def test_fake_queue_redrive_needs_both_settings() -> None:
    with pytest.raises(ValueError, match="redrive"):
        FakeQueue(max_receive_count=3)


def test_fake_audit_stores_rows_like_dynamodb() -> None:
    audit = FakeAuditLog()
    audit.append(event("job-1", 0, "e1", n=1))

    (row,) = audit.rows["job-1"].values()
    assert row["sk"] == "2024-05-01T12:00:00.000000+00:00#e1"
    assert row["details"] == '{"n":1}'
