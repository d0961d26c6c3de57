"""The boto3 adapters and provisioning against moto's in-process mock (``mock_aws``).

Where moto cannot produce a response we need (a ``Failed`` batch entry, throttling, a
5xx), botocore's ``Stubber`` plays AWS; unreachable endpoints are a closed port on
127.0.0.1. Nothing here leaves the machine.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from moto import mock_aws

from ocrjobs.adapters.dynamodb import DynamoAuditLog
from ocrjobs.adapters.dynamodb import event_to_item as dynamodb_event_to_item
from ocrjobs.adapters.ports import OutgoingMessage, ReceivedMessage
from ocrjobs.adapters.provision import Provisioned, provision
from ocrjobs.adapters.s3 import S3ObjectStore
from ocrjobs.adapters.sqs import SqsQueue, resolve_queue_url
from ocrjobs.domain.errors import (
    AwsError,
    BackendUnavailable,
    ConfigError,
    ObjectMissing,
)
from ocrjobs.domain.model import AuditEvent

REGION = "us-east-1"
BUCKET = "ocrjobs-it"
QUEUE = "ocrjobs-it-q"
DLQ = "ocrjobs-it-dlq"
TABLE = "ocrjobs-it-audit"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def outgoing(n: int) -> list[OutgoingMessage]:
    return [OutgoingMessage(id=f"m{i}", body=json.dumps({"i": i})) for i in range(n)]


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def boto_session() -> Iterator[boto3.session.Session]:
    """Dummy credentials, no endpoint override, no profile, no instance metadata."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE")):
                mp.delenv(name)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", REGION)
        mp.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )


@pytest.fixture
def aws(boto_session: boto3.session.Session) -> Iterator[boto3.session.Session]:
    """The session inside a fresh moto mock (state is dropped after each test)."""
    with mock_aws():
        yield boto_session


def do_provision(
    session: boto3.session.Session,
    *,
    region: str = REGION,
    visibility_timeout: int = 30,
    max_receive_count: int = 3,
    bucket: str = BUCKET,
) -> Provisioned:
    return provision(
        session.client("s3", region_name=region),
        session.client("sqs", region_name=region),
        session.client("dynamodb", region_name=region),
        bucket=bucket,
        queue=QUEUE,
        dlq=DLQ,
        audit_table=TABLE,
        region=region,
        visibility_timeout=visibility_timeout,
        max_receive_count=max_receive_count,
    )


@pytest.fixture
def provisioned(aws: boto3.session.Session) -> Provisioned:
    return do_provision(aws)


def record_params(client: Any, operation: str) -> list[dict[str, Any]]:
    """Every parameter dict the client sends for ``operation`` (e.g. ``DeleteObjects``)."""
    seen: list[dict[str, Any]] = []

    def remember(params: dict[str, Any], **_: object) -> None:
        seen.append(params)

    service = client.meta.service_model.service_name
    client.meta.events.register(f"provide-client-params.{service}.{operation}", remember)
    return seen


@pytest.fixture
def closed_endpoint() -> str:
    """``http://127.0.0.1:<port>`` where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def offline_client(
    boto_session: boto3.session.Session, closed_endpoint: str
) -> Callable[[str], Any]:
    """Clients aimed at the closed port: one attempt, 1 s connect timeout."""
    config = Config(
        connect_timeout=1, read_timeout=1, retries={"mode": "standard", "max_attempts": 1}
    )

    def make(service: str) -> Any:
        # service is a plain str here, not one of the stubs' literal names
        return boto_session.client(service, endpoint_url=closed_endpoint, config=config)  # type: ignore[call-overload]

    return make


# --- S3 ----------------------------------------------------------------------------------


def test_put_stores_content_type_and_sha256(aws: boto3.session.Session) -> None:
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET)
    store = S3ObjectStore(client, BUCKET)
    data = b"\xff\xd8\xff fake jpeg"

    store.put("jobs/j/i.jpg", data, "image/jpeg", sha(data))

    head = client.head_object(Bucket=BUCKET, Key="jobs/j/i.jpg", ChecksumMode="ENABLED")
    assert head["ContentType"] == "image/jpeg"
    assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert store.get("jobs/j/i.jpg") == data


def test_get_verifies_the_stored_checksum(aws: boto3.session.Session) -> None:
    # moto keeps a wrong checksum that S3 would have refused: the download must notice.
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET)
    store = S3ObjectStore(client, BUCKET)
    store.put("jobs/j/bad.png", b"actual bytes", "image/png", sha(b"other bytes"))

    with pytest.raises(AwsError) as info:
        store.get("jobs/j/bad.png")
    assert info.value.aws_code == "ChecksumMismatch"
    assert info.value.transient


def test_put_rejects_a_malformed_digest(aws: boto3.session.Session) -> None:
    store = S3ObjectStore(aws.client("s3"), BUCKET)

    with pytest.raises(ValueError, match="SHA-256"):
        store.put("jobs/j/x.png", b"x", "image/png", "abcd")


def test_get_missing_object(aws: boto3.session.Session) -> None:
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET)

    with pytest.raises(ObjectMissing, match=rf"s3://{BUCKET}/jobs/j/none\.png"):
        S3ObjectStore(client, BUCKET).get("jobs/j/none.png")


def test_missing_bucket_is_an_aws_error_not_a_missing_object(
    aws: boto3.session.Session,
) -> None:
    with pytest.raises(AwsError) as info:
        S3ObjectStore(aws.client("s3"), "no-such-bucket").get("jobs/j/x.png")
    assert info.value.aws_code == "NoSuchBucket"
    assert not info.value.transient


def test_delete_keys_in_batches_of_at_most_1000(aws: boto3.session.Session) -> None:
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET)
    deletes = record_params(client, "DeleteObjects")

    # Absent keys are fine for DeleteObjects, so no need to upload 2,500 objects.
    assert S3ObjectStore(client, BUCKET).delete_keys([f"jobs/k/{i}" for i in range(2500)]) == 2500

    assert [len(p["Delete"]["Objects"]) for p in deletes] == [1000, 1000, 500]


@pytest.mark.slow
def test_delete_prefix_over_1000_objects(aws: boto3.session.Session) -> None:
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET)
    for i in range(1001):  # ~4 ms each in moto: keep it just over one page
        client.put_object(Bucket=BUCKET, Key=f"jobs/big/{i:05d}.png", Body=b"")
    client.put_object(Bucket=BUCKET, Key="jobs/bigger/keep.png", Body=b"")
    store = S3ObjectStore(client, BUCKET)
    deletes = record_params(client, "DeleteObjects")

    assert len(store.list_keys("jobs/big/")) == 1001  # across two ListObjectsV2 pages
    assert store.delete_prefix("jobs/big/") == 1001

    assert [len(p["Delete"]["Objects"]) for p in deletes] == [1000, 1]
    assert store.list_keys("jobs/") == ["jobs/bigger/keep.png"]


def test_delete_keys_raises_on_refused_keys(boto_session: boto3.session.Session) -> None:
    client = boto_session.client("s3")
    store = S3ObjectStore(client, BUCKET)
    with Stubber(client) as stub:
        stub.add_response(
            "delete_objects",
            {
                "Deleted": [{"Key": "a"}],
                "Errors": [{"Key": "b", "Code": "AccessDenied", "Message": "Access Denied"}],
            },
        )
        with pytest.raises(AwsError) as info:
            store.delete_keys(["a", "b"])
    assert info.value.aws_code == "AccessDenied"
    assert not info.value.transient


# --- SQS ---------------------------------------------------------------------------------


def test_send_in_batches_of_ten_and_receive_with_counts(
    aws: boto3.session.Session, provisioned: Provisioned
) -> None:
    client = aws.client("sqs")
    queue = SqsQueue(client, provisioned.queue_url, QUEUE)
    batches = record_params(client, "SendMessageBatch")

    assert queue.send(outgoing(23)) == []

    assert [len(p["Entries"]) for p in batches] == [10, 10, 3]
    assert queue.depth().visible == 23
    received = []
    while batch := queue.receive(max_messages=10, wait_seconds=0):
        received += batch
    assert sorted(json.loads(m.body)["i"] for m in received) == list(range(23))
    assert {m.receive_count for m in received} == {1}
    assert queue.depth().in_flight == 23


def test_receive_asks_for_receive_count_and_clamps(
    aws: boto3.session.Session, provisioned: Provisioned
) -> None:
    client = aws.client("sqs")
    queue = SqsQueue(client, provisioned.queue_url, QUEUE)
    calls = record_params(client, "ReceiveMessage")

    queue.receive(max_messages=50, wait_seconds=0, visibility_timeout=7)
    queue.receive(max_messages=0, wait_seconds=-1)

    assert calls[0]["MaxNumberOfMessages"] == 10
    assert calls[0]["VisibilityTimeout"] == 7
    assert calls[0]["MessageSystemAttributeNames"] == ["ApproximateReceiveCount"]
    assert calls[1]["MaxNumberOfMessages"] == 1
    assert calls[1]["WaitTimeSeconds"] == 0
    assert "VisibilityTimeout" not in calls[1]


def test_change_visibility_delete_and_depth(
    aws: boto3.session.Session, provisioned: Provisioned
) -> None:
    queue = SqsQueue(aws.client("sqs"), provisioned.queue_url, QUEUE)
    queue.send(outgoing(2))
    first, second = queue.receive(wait_seconds=0)

    queue.change_visibility(first.receipt_handle, 0)
    assert queue.depth().visible == 1
    (again,) = queue.receive(wait_seconds=0)
    assert again.message_id == first.message_id
    assert again.receive_count == 2

    queue.delete(again.receipt_handle)
    queue.delete(second.receipt_handle)
    depth = queue.depth()
    assert (depth.visible, depth.in_flight, depth.delayed) == (0, 0, 0)


def test_delete_batch_in_tens_reports_bad_handles(
    aws: boto3.session.Session, provisioned: Provisioned
) -> None:
    client = aws.client("sqs")
    queue = SqsQueue(client, provisioned.queue_url, QUEUE)
    queue.send(outgoing(10))
    queue.send(outgoing(2))
    received: list[ReceivedMessage] = []
    for _ in range(5):
        received += queue.receive(wait_seconds=0)
        if len(received) == 12:
            break
    calls = record_params(client, "DeleteMessageBatch")

    failed = queue.delete_batch([m.receipt_handle for m in received] + ["not-a-handle"])

    assert failed == ["not-a-handle"]
    assert [len(p["Entries"]) for p in calls] == [10, 3]
    depth = queue.depth()
    assert (depth.visible, depth.in_flight) == (0, 0)


def test_delete_batch_keeps_going_after_a_throttled_batch(
    boto_session: boto3.session.Session,
) -> None:
    client = boto_session.client("sqs")
    queue = SqsQueue(client, "https://sqs.us-east-1.amazonaws.com/123456789012/q", "q")
    handles = [f"h{i}" for i in range(12)]
    with Stubber(client) as stub:
        stub.add_client_error("delete_message_batch", "ThrottlingException", http_status_code=400)
        stub.add_response(
            "delete_message_batch",
            {
                "Successful": [{"Id": "0"}],
                "Failed": [{"Id": "1", "SenderFault": True, "Code": "ReceiptHandleIsInvalid"}],
            },
        )
        assert queue.delete_batch(handles) == [*handles[:10], "h11"]


def test_redrive_to_dead_letter_queue(aws: boto3.session.Session) -> None:
    made = do_provision(aws, visibility_timeout=1, max_receive_count=2)
    client = aws.client("sqs")
    queue = SqsQueue(client, made.queue_url, QUEUE)
    dlq = SqsQueue(client, made.dlq_url, DLQ)
    queue.send(outgoing(1))

    counts = []
    for _ in range(3):
        counts += [m.receive_count for m in queue.receive(wait_seconds=0, visibility_timeout=0)]

    assert counts == [1, 2]
    (dead,) = dlq.receive(wait_seconds=0)
    assert json.loads(dead.body) == {"i": 0}


def test_queue_url_resolved_lazily_and_by_name(
    aws: boto3.session.Session, provisioned: Provisioned
) -> None:
    client = aws.client("sqs")
    lazy = SqsQueue(client, None, QUEUE)

    assert lazy.send(outgoing(1)) == []
    assert lazy.queue_url == provisioned.queue_url
    assert SqsQueue.from_name(client, DLQ).queue_url == provisioned.dlq_url
    with pytest.raises(AwsError) as info:
        resolve_queue_url(client, "no-such-queue")
    assert "NonExistentQueue" in info.value.aws_code
    assert not info.value.transient


def test_send_returns_failed_entries(boto_session: boto3.session.Session) -> None:
    client = boto_session.client("sqs")
    queue = SqsQueue(client, "https://sqs.us-east-1.amazonaws.com/123456789012/q", "q")
    with Stubber(client) as stub:
        stub.add_response(
            "send_message_batch",
            {
                "Successful": [
                    {"Id": "m0", "MessageId": "id0", "MD5OfMessageBody": "x"},
                    {"Id": "m2", "MessageId": "id2", "MD5OfMessageBody": "x"},
                ],
                "Failed": [{"Id": "m1", "SenderFault": False, "Code": "InternalError"}],
            },
        )
        assert queue.send(outgoing(3)) == ["m1"]


def test_send_skips_a_throttled_batch_and_goes_on(boto_session: boto3.session.Session) -> None:
    client = boto_session.client("sqs")
    queue = SqsQueue(client, "https://sqs.us-east-1.amazonaws.com/123456789012/q", "q")
    with Stubber(client) as stub:
        stub.add_client_error("send_message_batch", "ThrottlingException", http_status_code=400)
        stub.add_response(
            "send_message_batch",
            {
                "Successful": [{"Id": "m10", "MessageId": "x", "MD5OfMessageBody": "x"}],
                "Failed": [],
            },
        )
        assert queue.send(outgoing(11)) == [f"m{i}" for i in range(10)]


def test_send_raises_permanent_errors(boto_session: boto3.session.Session) -> None:
    client = boto_session.client("sqs")
    queue = SqsQueue(client, "https://sqs.us-east-1.amazonaws.com/123456789012/q", "q")
    with Stubber(client) as stub:
        stub.add_client_error("send_message_batch", "AccessDenied", http_status_code=403)
        with pytest.raises(AwsError) as info:
            queue.send(outgoing(3))
    assert info.value.aws_code == "AccessDenied"
    assert not info.value.transient


# --- DynamoDB ----------------------------------------------------------------------------


def test_audit_append_list_delete_many(
    aws: boto3.session.Session, provisioned: Provisioned
) -> None:
    client = aws.client("dynamodb")
    log = DynamoAuditLog(client, provisioned.audit_table)
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    events = [
        AuditEvent("job-1", t0 + timedelta(milliseconds=i), f"e{i}", "step", "worker:1", {"i": i})
        for i in range(60)
    ]
    for e in random.Random(3).sample(events, len(events)):
        log.append(e)
    log.append(AuditEvent("job-2", t0, "x", "create", "desk", {}))
    writes = record_params(client, "BatchWriteItem")

    assert log.list_events("job-1") == events
    assert log.delete_events("job-1") == 60

    assert all(len(p["RequestItems"][TABLE]) <= 25 for p in writes)
    assert sum(len(p["RequestItems"][TABLE]) for p in writes) == 60
    assert log.list_events("job-1") == []
    assert len(log.list_events("job-2")) == 1


def test_audit_append_many_in_25s_and_delete_many_by_key(
    aws: boto3.session.Session, provisioned: Provisioned
) -> None:
    client = aws.client("dynamodb")
    log = DynamoAuditLog(client, provisioned.audit_table)
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    events = [
        AuditEvent(f"job-{i % 2}", t0 + timedelta(milliseconds=i), f"e{i}", "step", "w", {"i": i})
        for i in range(30)
    ]
    writes = record_params(client, "BatchWriteItem")

    assert log.append_many(events) == []
    assert [len(p["RequestItems"][TABLE]) for p in writes] == [25, 5]
    assert log.list_events("job-0") == events[0::2]

    log.delete_many(events[0::2][:5])
    assert log.list_events("job-0") == events[0::2][5:]
    assert log.list_events("job-1") == events[1::2]


def test_audit_append_many_returns_what_stayed_unprocessed(
    boto_session: boto3.session.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ocrjobs.adapters.dynamodb.time.sleep", lambda _s: None)
    client = boto_session.client("dynamodb")
    log = DynamoAuditLog(client, TABLE)
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    events = [AuditEvent("j", t0, f"e{i}", "step", "w", {}) for i in range(3)]
    stuck = {
        "PutRequest": {"Item": {k: {"S": v} for k, v in dynamodb_event_to_item(events[1]).items()}}
    }
    with Stubber(client) as stub:
        for _ in range(4):  # the first try and three resends
            stub.add_response("batch_write_item", {"UnprocessedItems": {TABLE: [stuck]}})
        assert log.append_many(events) == [events[1]]
        stub.add_client_error("batch_write_item", "ProvisionedThroughputExceededException")
        assert log.append_many(events) == events
        stub.add_client_error("batch_write_item", "AccessDeniedException", http_status_code=400)
        with pytest.raises(AwsError):
            log.append_many(events)


def test_audit_row_layout(aws: boto3.session.Session, provisioned: Provisioned) -> None:
    client = aws.client("dynamodb")
    ts = datetime(2024, 5, 1, 8, 30, 0, 5, tzinfo=UTC)
    DynamoAuditLog(client, provisioned.audit_table).append(
        AuditEvent("job-1", ts, "ev", "rename", "desk:ana", {"old": "a", "new": "b", "n": 1.5})
    )

    (item,) = client.scan(TableName=TABLE)["Items"]
    assert item["sk"] == {"S": "2024-05-01T08:30:00.000005+00:00#ev"}
    assert item["ts"] == {"S": "2024-05-01T08:30:00.000005+00:00"}
    assert json.loads(item["details"]["S"]) == {"old": "a", "new": "b", "n": 1.5}
    assert {k: v["S"] for k, v in item.items() if k in ("action", "actor", "event_id")} == {
        "action": "rename",
        "actor": "desk:ana",
        "event_id": "ev",
    }


# --- provisioning ------------------------------------------------------------------------


def test_provision_twice_is_idempotent(aws: boto3.session.Session) -> None:
    first = do_provision(aws, visibility_timeout=60, max_receive_count=4)
    second = do_provision(aws, visibility_timeout=60, max_receive_count=4)

    assert first == second
    assert first.bucket == BUCKET
    assert first.audit_table == TABLE
    sqs = aws.client("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=first.queue_url, AttributeNames=["All"])["Attributes"]
    dlq_attrs = sqs.get_queue_attributes(QueueUrl=first.dlq_url, AttributeNames=["All"])[
        "Attributes"
    ]
    assert attrs["MessageRetentionPeriod"] == "172800"
    assert attrs["VisibilityTimeout"] == "60"
    assert attrs["ReceiveMessageWaitTimeSeconds"] == "20"
    assert json.loads(attrs["RedrivePolicy"]) == {
        "deadLetterTargetArn": dlq_attrs["QueueArn"],
        "maxReceiveCount": 4,
    }
    assert dlq_attrs["MessageRetentionPeriod"] == str(14 * 24 * 3600)
    s3 = aws.client("s3")
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    table = aws.client("dynamodb").describe_table(TableName=TABLE)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_provision_again_updates_queue_settings(aws: boto3.session.Session) -> None:
    first = do_provision(aws, visibility_timeout=30, max_receive_count=3)
    do_provision(aws, visibility_timeout=90, max_receive_count=5)

    attrs = aws.client("sqs").get_queue_attributes(
        QueueUrl=first.queue_url, AttributeNames=["VisibilityTimeout", "RedrivePolicy"]
    )["Attributes"]
    assert attrs["VisibilityTimeout"] == "90"
    assert json.loads(attrs["RedrivePolicy"])["maxReceiveCount"] == 5


def test_provision_outside_us_east_1(aws: boto3.session.Session) -> None:
    made = do_provision(aws, region="eu-west-1", bucket="ocrjobs-it-eu")
    do_provision(aws, region="eu-west-1", bucket="ocrjobs-it-eu")

    location = aws.client("s3", region_name="eu-west-1").get_bucket_location(Bucket=made.bucket)
    assert location["LocationConstraint"] == "eu-west-1"
    assert (
        ":eu-west-1:"
        in aws.client("sqs", region_name="eu-west-1").get_queue_attributes(
            QueueUrl=made.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
    )


def test_provision_refuses_a_table_with_other_keys(aws: boto3.session.Session) -> None:
    aws.client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    with pytest.raises(ConfigError, match=TABLE):
        do_provision(aws)


# --- error translation -------------------------------------------------------------------


def test_unreachable_endpoint_is_backend_unavailable(
    offline_client: Callable[[str], Any], closed_endpoint: str
) -> None:
    with pytest.raises(BackendUnavailable) as info:
        S3ObjectStore(offline_client("s3"), BUCKET).get("jobs/j/i.png")
    assert info.value.service == "s3"
    assert info.value.endpoint == closed_endpoint
    assert closed_endpoint in str(info.value)

    with pytest.raises(BackendUnavailable, match="sqs"):
        SqsQueue(offline_client("sqs"), f"{closed_endpoint}/123456789012/q", "q").depth()
    with pytest.raises(BackendUnavailable, match="dynamodb"):
        DynamoAuditLog(offline_client("dynamodb"), TABLE).list_events("job-1")


def test_unreachable_queue_leaves_every_message_unsent(
    offline_client: Callable[[str], Any],
) -> None:
    client = offline_client("sqs")
    calls = record_params(client, "GetQueueUrl")

    assert SqsQueue(client, None, QUEUE).send(outgoing(25)) == [f"m{i}" for i in range(25)]
    assert len(calls) == 1  # gave up after the first failure, did not retry per batch


@pytest.mark.parametrize(
    ("code", "status", "transient"),
    [
        ("SlowDown", 503, True),
        ("InternalError", 500, True),
        ("ProvisionedThroughputExceededException", 400, True),
        ("SomethingOdd", 502, True),
        ("AccessDenied", 403, False),
        ("ValidationException", 400, False),
    ],
)
def test_client_errors_become_aws_errors(
    boto_session: boto3.session.Session, code: str, status: int, transient: bool
) -> None:
    client = boto_session.client("s3")
    with Stubber(client) as stub:
        stub.add_client_error("list_objects_v2", code, "boom", http_status_code=status)
        with pytest.raises(AwsError) as info:
            S3ObjectStore(client, BUCKET).list_keys("jobs/")
    assert (info.value.service, info.value.aws_code, info.value.transient) == (
        "s3",
        code,
        transient,
    )
    assert info.value.operation == "ListObjectsV2"


def test_missing_credentials_are_a_config_error(
    monkeypatch: pytest.MonkeyPatch, closed_endpoint: str
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask 169.254.169.254
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.session.Session(region_name=REGION).client("s3", endpoint_url=closed_endpoint)

    with pytest.raises(ConfigError, match="credentials"):
        S3ObjectStore(client, BUCKET).get("jobs/j/i.png")
