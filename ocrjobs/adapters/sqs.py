"""SQS implementation of :class:`~ocrjobs.adapters.ports.MessageQueue`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ocrjobs.adapters.aws_errors import is_transient, translate_errors
from ocrjobs.adapters.ports import MessageQueue, OutgoingMessage, QueueDepth, ReceivedMessage
from ocrjobs.domain.errors import BackendUnavailable, OcrJobsError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import (
        DeleteMessageBatchRequestEntryTypeDef,
        ReceiveMessageRequestTypeDef,
        SendMessageBatchRequestEntryTypeDef,
    )

logger = logging.getLogger(__name__)

SEND_BATCH = 10
"""SQS's SendMessageBatch limit."""
MAX_RECEIVE = 10
MAX_WAIT_SECONDS = 20


def resolve_queue_url(client: SQSClient, name: str) -> str:
    """The URL of the queue called ``name`` (GetQueueUrl).

    Resolve it at start-up and keep it in memory only: the URL embeds the endpoint's
    host and port (a local stack's port changes on every start), so never persist it.

    Raises:
        AwsError: the queue does not exist (``...NonExistentQueue``) or access is denied.
        BackendUnavailable: the endpoint could not be reached.
    """
    with translate_errors(client, "GetQueueUrl"):
        return client.get_queue_url(QueueName=name)["QueueUrl"]


class SqsQueue(MessageQueue):
    """One SQS queue; its dead-letter queue is SQS's own redrive policy, not our code.

    Args:
        client: a boto3 SQS client. Its ``read_timeout`` must exceed the long-poll wait
            (botocore's default of 60 s does).
        queue_url: the queue's URL, or ``None`` to resolve it from ``name`` on first use
            (so building the adapter does no network I/O; a failed resolution is
            retried on the next call).
        name: the queue's name.
    """

    def __init__(self, client: SQSClient, queue_url: str | None, name: str) -> None:
        self._client = client
        self._queue_url = queue_url
        self._url_lock = threading.Lock()
        self.name = name

    @classmethod
    def from_name(cls, client: SQSClient, name: str) -> SqsQueue:
        """The queue called ``name``, its URL resolved now (see :func:`resolve_queue_url`)."""
        return cls(client, resolve_queue_url(client, name), name)

    @property
    def queue_url(self) -> str:
        """The queue's URL, resolved from its name the first time it is needed."""
        with self._url_lock:
            if self._queue_url is None:
                self._queue_url = resolve_queue_url(self._client, self.name)
                logger.debug("queue %s resolved to %s", self.name, self._queue_url)
            return self._queue_url

    def send(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        """Send ``messages`` in SendMessageBatch calls of at most 10.

        Returns the ids of the messages that were not sent: entries SQS listed as
        ``Failed``, and whole batches lost to a transient error (throttling, 5xx, an
        unreachable endpoint - after which the remaining batches are not attempted).
        Resending them later is safe: consumers are idempotent.

        Raises:
            AwsError: a permanent refusal (missing queue, access denied, bad batch);
                nothing after the failing batch was sent.
        """
        failed: list[str] = []
        for start in range(0, len(messages), SEND_BATCH):
            chunk = messages[start : start + SEND_BATCH]
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {"Id": m.id, "MessageBody": m.body} for m in chunk
            ]
            try:
                with translate_errors(self._client, "SendMessageBatch"):
                    response = self._client.send_message_batch(
                        QueueUrl=self.queue_url, Entries=entries
                    )
            except OcrJobsError as exc:
                if not is_transient(exc):
                    raise
                if isinstance(exc, BackendUnavailable):
                    # No point in knocking on a closed door for every remaining batch.
                    rest = [m.id for m in messages[start:]]
                    logger.warning(
                        "queue %s unreachable: %d messages not sent", self.name, len(rest)
                    )
                    failed.extend(rest)
                    break
                logger.warning(
                    "queue %s: batch of %d not sent: %s", self.name, len(chunk), exc.message
                )
                failed.extend(m.id for m in chunk)
                continue
            for entry in response.get("Failed", []):
                logger.warning(
                    "queue %s: message %s not sent: %s %s (sender fault: %s)",
                    self.name,
                    entry["Id"],
                    entry["Code"],
                    entry.get("Message", ""),
                    entry.get("SenderFault"),
                )
                failed.append(entry["Id"])
            for ok in response.get("Successful", []):
                logger.debug(
                    "queue %s: sent %s as message %s", self.name, ok["Id"], ok["MessageId"]
                )
        logger.info(
            "queue %s: sent %d of %d messages",
            self.name,
            len(messages) - len(failed),
            len(messages),
        )
        return failed

    def receive(
        self, max_messages: int = 10, wait_seconds: int = 20, visibility_timeout: int | None = None
    ) -> list[ReceivedMessage]:
        """Long-poll for up to ``max_messages`` (clamped to 1-10), waiting ≤ ``wait_seconds``.

        ``visibility_timeout`` overrides the queue's for the messages received.
        Each message carries SQS's ``ApproximateReceiveCount``.
        """
        count = min(max(max_messages, 1), MAX_RECEIVE)
        wait = min(max(wait_seconds, 0), MAX_WAIT_SECONDS)
        with translate_errors(self._client, "ReceiveMessage"):
            request: ReceiveMessageRequestTypeDef = {
                "QueueUrl": self.queue_url,
                "MaxNumberOfMessages": count,
                "WaitTimeSeconds": wait,
                "MessageSystemAttributeNames": ["ApproximateReceiveCount"],
            }
            if visibility_timeout is not None:
                request["VisibilityTimeout"] = visibility_timeout
            response = self._client.receive_message(**request)
        received = [
            ReceivedMessage(
                message_id=m["MessageId"],
                receipt_handle=m["ReceiptHandle"],
                body=m.get("Body", ""),
                receive_count=int(m.get("Attributes", {}).get("ApproximateReceiveCount", "1")),
            )
            for m in response.get("Messages", [])
            if "MessageId" in m and "ReceiptHandle" in m
        ]
        if received:
            logger.debug(
                "queue %s: received %s",
                self.name,
                ", ".join(f"{m.message_id}(#{m.receive_count})" for m in received),
            )
        return received

    def delete(self, receipt_handle: str) -> None:
        """Acknowledge one message (DeleteMessage).

        Raises:
            AwsError: ``ReceiptHandleIsInvalid`` for a handle SQS never issued.
        """
        with translate_errors(self._client, "DeleteMessage"):
            self._client.delete_message(QueueUrl=self.queue_url, ReceiptHandle=receipt_handle)

    def delete_batch(self, receipt_handles: Sequence[str]) -> list[str]:
        """Acknowledge messages with DeleteMessageBatch calls of at most 10.

        Returns the handles SQS listed as ``Failed`` (e.g. ``ReceiptHandleIsInvalid``)
        and those of batches lost to a transient error; the caller logs them: their
        messages come back after the visibility timeout and are then skipped, since
        their items are finished.

        Raises:
            AwsError: a permanent refusal of a whole batch (missing queue, access
                denied); the batches after it were not attempted.
        """
        failed: list[str] = []
        for start in range(0, len(receipt_handles), SEND_BATCH):
            chunk = receipt_handles[start : start + SEND_BATCH]
            entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
                {"Id": str(n), "ReceiptHandle": handle} for n, handle in enumerate(chunk)
            ]
            try:
                with translate_errors(self._client, "DeleteMessageBatch"):
                    response = self._client.delete_message_batch(
                        QueueUrl=self.queue_url, Entries=entries
                    )
            except OcrJobsError as exc:
                if not is_transient(exc):
                    raise
                logger.warning(
                    "queue %s: batch of %d deletes failed: %s", self.name, len(chunk), exc.message
                )
                failed.extend(chunk)
                continue
            for entry in response.get("Failed", []):
                logger.warning(
                    "queue %s: delete failed: %s %s", self.name, entry["Code"], entry.get("Message")
                )
                failed.append(chunk[int(entry["Id"])])
        return failed

    def change_visibility(self, receipt_handle: str, seconds: int) -> None:
        """Hide the message for ``seconds`` from now (0 makes it visible at once).

        Raises:
            AwsError: the handle is invalid or the message is no longer in flight.
        """
        with translate_errors(self._client, "ChangeMessageVisibility"):
            self._client.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
            )

    def depth(self) -> QueueDepth:
        """Approximate visible / in-flight / delayed counts (GetQueueAttributes)."""
        with translate_errors(self._client, "GetQueueAttributes"):
            attrs = self._client.get_queue_attributes(
                QueueUrl=self.queue_url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            ).get("Attributes", {})
        return QueueDepth(
            visible=int(attrs.get("ApproximateNumberOfMessages", "0")),
            in_flight=int(attrs.get("ApproximateNumberOfMessagesNotVisible", "0")),
            delayed=int(attrs.get("ApproximateNumberOfMessagesDelayed", "0")),
        )
