"""Idempotent creation of the AWS resources: bucket, queue + dead-letter queue, audit table.

Running it again converges: existing resources are kept and their settings re-applied
(queue attributes, bucket protections); nothing is deleted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import WaiterError

from ocrjobs.adapters.aws_errors import translate_errors
from ocrjobs.adapters.dynamodb import PARTITION_KEY, SORT_KEY
from ocrjobs.domain.errors import AwsError, ConfigError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.literals import BucketLocationConstraintType
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType

logger = logging.getLogger(__name__)

DLQ_RETENTION_SECONDS = 14 * 24 * 3600
"""Dead letters are kept for SQS's maximum, 14 days, so someone can look at them."""
LONG_POLL_SECONDS = 20


@dataclass(frozen=True, slots=True)
class Provisioned:
    """What :func:`provision` created or found.

    The URLs embed the endpoint's host and port: use them now, do not persist them.
    """

    bucket: str
    queue_url: str
    dlq_url: str
    audit_table: str


def provision(
    s3_client: S3Client,
    sqs_client: SQSClient,
    ddb_client: DynamoDBClient,
    *,
    bucket: str,
    queue: str,
    dlq: str,
    audit_table: str,
    region: str,
    visibility_timeout: int,
    max_receive_count: int,
    retention_seconds: int = 172800,
) -> Provisioned:
    """Create (or bring up to date) every AWS resource the app needs.

    Args:
        s3_client: boto3 S3 client.
        sqs_client: boto3 SQS client.
        ddb_client: boto3 DynamoDB client.
        bucket: bucket name (private: public access blocked, SSE-S3 by default).
        queue: main queue name.
        dlq: dead-letter queue name (retention 14 days).
        audit_table: DynamoDB table name (on-demand billing).
        region: the region the bucket is created in.
        visibility_timeout: the main queue's visibility timeout, in seconds.
        max_receive_count: receives before SQS moves a message to the dead-letter queue.
        retention_seconds: the main queue's message retention (the seed's 2 days).

    Raises:
        ConfigError: the bucket name belongs to someone else, or the table exists with
            another key schema.
        AwsError: AWS refused a call.
        BackendUnavailable: an endpoint could not be reached.
    """
    ensure_bucket(s3_client, bucket, region)
    dlq_url = ensure_queue(sqs_client, dlq, {"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)})
    dlq_arn = queue_arn(sqs_client, dlq_url)
    queue_url = ensure_queue(
        sqs_client,
        queue,
        {
            "MessageRetentionPeriod": str(retention_seconds),
            "VisibilityTimeout": str(visibility_timeout),
            "ReceiveMessageWaitTimeSeconds": str(LONG_POLL_SECONDS),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
            ),
        },
    )
    ensure_audit_table(ddb_client, audit_table)
    logger.info(
        "provisioned bucket %s, queue %s (dead letters to %s after %d receives), table %s",
        bucket,
        queue,
        dlq,
        max_receive_count,
        audit_table,
    )
    return Provisioned(bucket=bucket, queue_url=queue_url, dlq_url=dlq_url, audit_table=audit_table)


def ensure_bucket(client: S3Client, bucket: str, region: str) -> None:
    """Create ``bucket`` if needed; block public access and turn on default encryption."""
    try:
        with translate_errors(client, "CreateBucket"):
            if region == "us-east-1":
                # us-east-1 is the one region that refuses an explicit LocationConstraint.
                client.create_bucket(Bucket=bucket)
            else:
                location: BucketLocationConstraintType = region  # type: ignore[assignment]
                client.create_bucket(
                    Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": location}
                )
        logger.info("created bucket %s in %s", bucket, region)
    except AwsError as exc:
        if exc.aws_code == "BucketAlreadyOwnedByYou":
            logger.info("bucket %s already exists", bucket)
        elif exc.aws_code == "BucketAlreadyExists":
            raise ConfigError(
                f"bucket name {bucket!r} is taken by another AWS account; choose another",
                details=exc.message,
            ) from exc
        else:
            raise
    _best_effort(
        client,
        "PutPublicAccessBlock",
        bucket,
        lambda: client.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        ),
    )
    _best_effort(
        client,
        "PutBucketEncryption",
        bucket,
        lambda: client.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        ),
    )


_NOT_SUPPORTED = frozenset({"NotImplemented", "MethodNotAllowed", "XNotImplemented"})


def _best_effort(client: S3Client, operation: str, bucket: str, call: Callable[[], object]) -> None:
    # Some S3-compatible endpoints do not implement these settings: say so and go on.
    try:
        with translate_errors(client, operation):
            call()
    except AwsError as exc:
        if exc.aws_code not in _NOT_SUPPORTED:
            raise
        logger.warning("bucket %s: %s not supported by this endpoint", bucket, operation)


def ensure_queue(
    client: SQSClient, name: str, attributes: dict[QueueAttributeNameType, str]
) -> str:
    """The URL of queue ``name``, created with ``attributes`` or updated to them."""
    with translate_errors(client, "GetQueueUrl"):
        try:
            url = client.get_queue_url(QueueName=name)["QueueUrl"]
        except client.exceptions.QueueDoesNotExist:
            url = None
    if url is None:
        try:
            with translate_errors(client, "CreateQueue"):
                url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            logger.info("created queue %s", name)
            return url
        except AwsError as exc:
            # Someone else created it in between (with other attributes): update it below.
            if exc.aws_code not in {"QueueAlreadyExists", "QueueNameExists"}:
                raise
            with translate_errors(client, "GetQueueUrl"):
                url = client.get_queue_url(QueueName=name)["QueueUrl"]
    with translate_errors(client, "SetQueueAttributes"):
        client.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    logger.info("queue %s exists; attributes updated", name)
    return url


def queue_arn(client: SQSClient, queue_url: str) -> str:
    """The ARN of the queue at ``queue_url`` (what a redrive policy names)."""
    with translate_errors(client, "GetQueueAttributes"):
        attrs = client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return attrs["Attributes"]["QueueArn"]


def ensure_audit_table(client: DynamoDBClient, table: str) -> None:
    """Create the audit table (on demand) if needed, check its keys, wait until active."""
    try:
        with translate_errors(client, "CreateTable"):
            client.create_table(
                TableName=table,
                KeySchema=[
                    {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
                ],
                AttributeDefinitions=[
                    {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
                    {"AttributeName": SORT_KEY, "AttributeType": "S"},
                ],
                BillingMode="PAY_PER_REQUEST",
            )
        logger.info("creating table %s", table)
    except AwsError as exc:
        if exc.aws_code != "ResourceInUseException":
            raise
        logger.info("table %s already exists", table)
    try:
        with translate_errors(client, "DescribeTable"):
            client.get_waiter("table_exists").wait(
                TableName=table, WaiterConfig={"Delay": 2, "MaxAttempts": 90}
            )
            schema = client.describe_table(TableName=table)["Table"].get("KeySchema", [])
    except WaiterError as exc:
        raise AwsError(
            "dynamodb", "DescribeTable", "WaiterTimeout", str(exc), transient=True
        ) from exc
    keys = {(k["AttributeName"], k["KeyType"]) for k in schema}
    if keys != {(PARTITION_KEY, "HASH"), (SORT_KEY, "RANGE")}:
        raise ConfigError(
            f"table {table!r} exists with keys {sorted(keys)}; "
            f"expected {PARTITION_KEY} (HASH) and {SORT_KEY} (RANGE)"
        )
