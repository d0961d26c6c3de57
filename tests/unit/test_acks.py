"""Messages are deleted in batches of ten, soon after their results were committed."""

from __future__ import annotations

import time

from ocrjobs.adapters.fakes import FakeQueue
from ocrjobs.adapters.ports import OutgoingMessage, ReceivedMessage
from ocrjobs.domain.errors import AwsError
from worker.acks import Acknowledger


def _received(queue: FakeQueue, n: int) -> list[ReceivedMessage]:
    queue.send([OutgoingMessage(str(i), "{}") for i in range(n)])
    got: list[ReceivedMessage] = []
    while len(got) < n:
        got += queue.receive(10, 0)
    return got


def test_deletes_in_batches_of_ten_and_flushes_on_close() -> None:
    queue = FakeQueue()
    messages = _received(queue, 25)
    acks = Acknowledger(queue, max_delay=30)
    queue.calls.clear()
    for m in messages:
        acks.ack(m.receipt_handle)
    acks.close()
    assert queue.calls == ["DeleteMessageBatch"] * 3
    assert queue.depth().in_flight == 0
    assert (acks.deleted, acks.failed) == (25, 0)


def test_a_lone_handle_goes_out_after_max_delay() -> None:
    queue = FakeQueue()
    [m] = _received(queue, 1)
    acks = Acknowledger(queue, max_delay=0.05)
    acks.ack(m.receipt_handle)
    deadline = time.monotonic() + 5
    while acks.deleted == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert acks.deleted == 1
    assert queue.depth().in_flight == 0
    acks.close()


def test_failures_are_counted_and_the_messages_come_back_later() -> None:
    queue = FakeQueue()
    messages = _received(queue, 3)
    acks = Acknowledger(queue, max_delay=30)
    queue.fail_next = AwsError("sqs", "DeleteMessageBatch", "Throttling", "slow", transient=True)
    for m in messages:
        acks.ack(m.receipt_handle)
    acks.ack("never-issued")
    acks.close()
    assert (acks.deleted, acks.failed) == (0, 4)
    assert queue.depth().in_flight == 3  # still there: they come back after the timeout


def test_after_close_a_handle_is_deleted_at_once() -> None:
    queue = FakeQueue()
    [m] = _received(queue, 1)
    acks = Acknowledger(queue)
    acks.close()
    acks.ack(m.receipt_handle)
    assert acks.deleted == 1
    assert queue.depth().in_flight == 0
