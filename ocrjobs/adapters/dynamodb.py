"""DynamoDB implementation of :class:`~ocrjobs.adapters.ports.AuditLog`.

Table layout (created by :func:`ocrjobs.adapters.provision.provision`):

- partition key ``job_id`` (S), sort key ``sk`` (S) = ``"{ts}#{event_id}"`` where ``ts`` is
  the UTC timestamp in ISO 8601 with microseconds, so a Query lists a job's events in
  time order (ties broken by event id);
- plain string attributes ``ts``, ``event_id``, ``action``, ``actor`` and ``details``
  (a JSON object, kept as a string to stay clear of DynamoDB's Decimal numbers).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from boto3.dynamodb.table import BatchWriter

from ocrjobs.adapters.aws_errors import is_transient, translate_errors
from ocrjobs.adapters.ports import AuditLog
from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.model import AuditEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, WriteRequestTypeDef

logger = logging.getLogger(__name__)

PARTITION_KEY = "job_id"
SORT_KEY = "sk"
WRITE_BATCH = 25
"""BatchWriteItem's limit."""
UNPROCESSED_RETRIES = 3


def _utc(ts: datetime) -> datetime:
    # Naive timestamps are taken as UTC (that is what the whole app stores).
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def sort_key(event: AuditEvent) -> str:
    """The ``sk`` of an event: ``"{UTC ISO timestamp with microseconds}#{event_id}"``."""
    return f"{_utc(event.timestamp).isoformat(timespec='microseconds')}#{event.event_id}"


def event_to_item(event: AuditEvent) -> dict[str, str]:
    """The table row of an event, every attribute a string.

    ``details`` become a JSON object; values JSON cannot hold (UUIDs, datetimes, ...)
    are stored as their ``str()`` and come back as strings.
    """
    return {
        "job_id": event.job_id,
        "sk": sort_key(event),
        "ts": _utc(event.timestamp).isoformat(timespec="microseconds"),
        "event_id": event.event_id,
        "action": event.action,
        "actor": event.actor,
        "details": json.dumps(event.details, default=str, sort_keys=True, separators=(",", ":")),
    }


def event_from_item(item: Mapping[str, str]) -> AuditEvent:
    """The event stored in a table row written by :func:`event_to_item`."""
    raw = json.loads(item.get("details") or "{}")
    details: dict[str, object] = raw if isinstance(raw, dict) else {"value": raw}
    return AuditEvent(
        job_id=item["job_id"],
        timestamp=datetime.fromisoformat(item["ts"]),
        event_id=item["event_id"],
        action=item["action"],
        actor=item["actor"],
        details=details,
    )


def _strings(item: Mapping[str, AttributeValueTypeDef]) -> dict[str, str]:
    return {name: value["S"] for name, value in item.items() if "S" in value}


def _put_key(item: Mapping[str, object]) -> tuple[str, str]:
    """(job id, sort key) of an item as DynamoDB returns it (``{"S": value}`` fields)."""
    job, sk = item[PARTITION_KEY], item[SORT_KEY]
    return (
        str(job["S"]) if isinstance(job, dict) else "",
        str(sk["S"]) if isinstance(sk, dict) else "",
    )


class DynamoAuditLog(AuditLog):
    """The audit log in one DynamoDB table (see the module docstring for its layout).

    Args:
        client: a low-level boto3 DynamoDB client.
        table_name: the table's name.
    """

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self.table_name = table_name

    def append(self, event: AuditEvent) -> None:
        """Write one event (PutItem; writing the same event twice keeps one row)."""
        item: dict[str, AttributeValueTypeDef] = {
            name: {"S": value} for name, value in event_to_item(event).items()
        }
        with translate_errors(self._client, "PutItem"):
            self._client.put_item(TableName=self.table_name, Item=item)
        logger.debug(
            "audit %s: %s by %s (event %s)", event.job_id, event.action, event.actor, event.event_id
        )

    def append_many(self, events: Sequence[AuditEvent]) -> list[AuditEvent]:
        """Write events with BatchWriteItem (≤ 25 per request); return those not written.

        What DynamoDB reports as unprocessed (throttling) is resent up to
        :data:`UNPROCESSED_RETRIES` times with a short growing pause; events still
        unprocessed after that, and whole batches lost to a transient error, are returned
        so the caller can try again later.

        Raises:
            AwsError: a permanent refusal (missing table, access denied, a bad item).
        """
        left: list[AuditEvent] = []
        for start in range(0, len(events), WRITE_BATCH):
            chunk = {(e.job_id, sort_key(e)): e for e in events[start : start + WRITE_BATCH]}
            requests: dict[tuple[str, str], WriteRequestTypeDef] = {
                key: {"PutRequest": {"Item": {k: {"S": v} for k, v in event_to_item(e).items()}}}
                for key, e in chunk.items()
            }
            for attempt in range(UNPROCESSED_RETRIES + 1):
                if attempt:
                    time.sleep(0.05 * 2**attempt)
                try:
                    with translate_errors(self._client, "BatchWriteItem"):
                        response = self._client.batch_write_item(
                            RequestItems={self.table_name: list(requests.values())}
                        )
                except OcrJobsError as exc:
                    if not is_transient(exc):
                        raise
                    logger.warning("audit: batch of %d not written: %s", len(requests), exc)
                    break
                unprocessed = response.get("UnprocessedItems", {}).get(self.table_name, [])
                keys = [_put_key(r["PutRequest"]["Item"]) for r in unprocessed if "PutRequest" in r]
                requests = {key: requests[key] for key in keys if key in requests}
                if not requests:
                    break
            left.extend(chunk[key] for key in requests)
        logger.debug("audit: wrote %d events (%d left)", len(events) - len(left), len(left))
        return left

    def list_events(self, job_id: str) -> list[AuditEvent]:
        """Every event of ``job_id``, oldest first (a paginated, consistent Query)."""
        events: list[AuditEvent] = []
        paginator = self._client.get_paginator("query")
        with translate_errors(self._client, "Query"):
            for page in paginator.paginate(
                TableName=self.table_name,
                KeyConditionExpression="job_id = :j",
                ExpressionAttributeValues={":j": {"S": job_id}},
                ScanIndexForward=True,
                ConsistentRead=True,
            ):
                events.extend(event_from_item(_strings(item)) for item in page.get("Items", []))
        return events

    def delete_many(self, events: Sequence[AuditEvent]) -> None:
        """Delete events by key with ``BatchWriter`` (groups of 25, unprocessed resent).

        Needs no read permission: a worker removes the events it wrote itself.
        """
        with (
            translate_errors(self._client, "BatchWriteItem"),
            BatchWriter(self.table_name, self._client) as batch,
        ):
            for job_id, sk in {(e.job_id, sort_key(e)) for e in events}:
                batch.delete_item(Key={PARTITION_KEY: {"S": job_id}, SORT_KEY: {"S": sk}})
        logger.debug("audit: deleted %d events by key", len(events))

    def delete_events(self, job_id: str) -> int:
        """Delete every event of ``job_id``; return how many there were.

        The keys are queried first, then deleted with boto3's ``BatchWriter`` (groups of
        25, resending whatever DynamoDB reports unprocessed).
        """
        keys: list[dict[str, AttributeValueTypeDef]] = []
        paginator = self._client.get_paginator("query")
        with translate_errors(self._client, "Query"):
            for page in paginator.paginate(
                TableName=self.table_name,
                KeyConditionExpression="job_id = :j",
                ExpressionAttributeValues={":j": {"S": job_id}},
                ProjectionExpression="job_id, sk",
                ConsistentRead=True,
            ):
                keys.extend(
                    {PARTITION_KEY: item[PARTITION_KEY], SORT_KEY: item[SORT_KEY]}
                    for item in page.get("Items", [])
                )
        # BatchWriter works on a low-level client too: keys are then in wire format.
        with (
            translate_errors(self._client, "BatchWriteItem"),
            BatchWriter(self.table_name, self._client) as batch,
        ):
            for key in keys:
                batch.delete_item(Key=dict(key))
        logger.info("audit %s: deleted %d events from %s", job_id, len(keys), self.table_name)
        return len(keys)
