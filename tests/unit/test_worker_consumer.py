"""The consume loop's logic on the fakes (in-memory S3/SQS/DynamoDB, a fake OCR), both databases."""

from __future__ import annotations

import io
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from PIL import Image

from ocrjobs.adapters.fakes import FakeObjectStore, FakeQueue
from ocrjobs.adapters.messages import decode, encode
from ocrjobs.adapters.ports import OutgoingMessage
from ocrjobs.domain.errors import BackendUnavailable
from ocrjobs.domain.model import JobItem, NamedBytes
from ocrjobs.domain.status import ItemStatus, JobStatus
from ocrjobs.services import audit, jobs, processing
from ocrjobs.services.context import Context
from ocrjobs.services.dispatch import message_for
from ocrjobs.services.retry import backoff_seconds
from worker.cli import build_parser, engine_spec, options_from_args
from worker.consumer import MAX_AHEAD, MAX_BUFFER, Pace, Worker, WorkerOptions
from worker.logs import JsonFormatter
from worker.ocr.engine import BAD_IMAGE, OcrFailure, OcrResult
from worker.pool import ChildDied, Slot

Recognize = Callable[[bytes, str], OcrResult]


def ok(text: str = "hello") -> Recognize:
    def run(image: bytes, language: str) -> OcrResult:
        return OcrResult(text=text, mean_confidence=90.0, duration_s=0.001, engine="fake")

    return run


class FakeSlot:
    def __init__(self, index: int, owner: FakeSlots) -> None:
        self.index = index
        self.owner = owner

    def recognize(self, image: bytes, language: str, timeout_s: float) -> OcrResult:
        self.owner.calls.append((image, language))
        return self.owner.fn(image, language)


class FakeSlots:
    """In-thread stand-in for the OCR processes."""

    engine_name = "fake"

    def profile(self, language: str) -> str:
        return f"fake:{language}:v1"

    def __init__(self, fn: Recognize, size: int = 1) -> None:
        self.fn = fn
        self.calls: list[tuple[bytes, str]] = []
        self.idle: queue.Queue[Slot] = queue.Queue()
        for i in range(size):
            self.idle.put(FakeSlot(i, self))
        self.closed = False

    def start(self) -> None:
        pass

    def acquire(self, timeout: float) -> Slot | None:
        try:
            return self.idle.get(timeout=timeout)
        except queue.Empty:
            return None

    def release(self, slot: Slot) -> None:
        self.idle.put(slot)

    def kill(self) -> None:
        self.closed = True

    def close(self) -> None:
        self.closed = True


def png(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (40 + seed, 20), 255).save(buf, "PNG")
    return buf.getvalue()


def make_job(ctx: Context, n: int = 3) -> list[JobItem]:
    result = jobs.create_job(ctx, "w", [NamedBytes(f"p{i}.png", png(i)) for i in range(n)])
    assert result.job is not None
    return list(result.job.items)


def opts(**kw: object) -> WorkerOptions:
    base: dict[str, object] = {
        "concurrency": 1,
        "prefetch": 0,
        "wait_seconds": 0,
        "drain": True,
        "sweep_interval": 0,
        "heartbeat_interval": 0,
        "backoff_base": 60.0,
        "backoff_cap": 600.0,
    }
    base.update(kw)
    return WorkerOptions(**base)  # type: ignore[arg-type]


def run(ctx: Context, slots: FakeSlots, **kw: object) -> Worker:
    w = Worker(ctx, slots, opts(**kw))
    assert w.run() == 0
    return w


def items(ctx: Context, job_id: UUID) -> list[JobItem]:
    return list(jobs.get_job(ctx, job_id).items)


def fq(ctx: Context) -> FakeQueue:
    assert isinstance(ctx.queue, FakeQueue)
    return ctx.queue


def done_events(ctx: Context, job_id: UUID) -> list[str]:
    return [
        str(e.details.get("item_id"))
        for e in ctx.audit.list_events(str(job_id))
        if e.action == audit.ITEM_DONE
    ]


def test_items_done_and_messages_deleted_after_commit(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 3)
    w = run(fake_ctx, FakeSlots(ok("text")))
    after = items(fake_ctx, made[0].job_id)
    assert [i.status for i in after] == [ItemStatus.DONE] * 3
    assert {i.ocr_text for i in after} == {"text"}
    assert fq(fake_ctx).messages == {}
    assert w.stats.done == 3
    assert jobs.get_job(fake_ctx, made[0].job_id).job.status is JobStatus.DONE
    assert sorted(done_events(fake_ctx, made[0].job_id)) == sorted(str(i.id) for i in made)


def test_ocr_failure_marks_item_error_with_code_and_deletes(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 3)
    bad = fake_ctx.store.get(made[1].s3_key)

    def fn(image: bytes, language: str) -> OcrResult:
        if image == bad:
            raise OcrFailure(BAD_IMAGE, "not an image")
        return ok()(image, language)

    w = run(fake_ctx, FakeSlots(fn))
    by_id = {i.id: i for i in items(fake_ctx, made[0].job_id)}
    assert by_id[made[1].id].status is ItemStatus.ERROR
    assert by_id[made[1].id].error_code == BAD_IMAGE
    assert by_id[made[0].id].status is ItemStatus.DONE
    assert fq(fake_ctx).messages == {}
    assert (w.stats.done, w.stats.failed) == (2, 1)


def test_missing_object_is_permanent(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 2)
    fake_ctx.store.delete_keys([made[0].s3_key])
    run(fake_ctx, FakeSlots(ok()))
    by_id = {i.id: i for i in items(fake_ctx, made[0].job_id)}
    assert by_id[made[0].id].error_code == "MISSING_OBJECT"
    assert by_id[made[1].id].status is ItemStatus.DONE
    assert fq(fake_ctx).messages == {}


def test_deleted_job_messages_are_dropped_without_work(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 2)
    jobs.delete_job(fake_ctx, made[0].job_id)
    slots = FakeSlots(ok())
    w = run(fake_ctx, slots)
    assert slots.calls == []
    assert w.stats.skipped == 2
    assert fq(fake_ctx).messages == {}
    with fake_ctx.uow() as uow:
        assert uow.repo.get_job(made[0].job_id) is None
        assert uow.repo.get_item(made[0].id) is None


def test_redelivery_of_a_done_item_is_deleted_without_work(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 1)
    run(fake_ctx, FakeSlots(ok("first")))
    body = encode(message_for(fake_ctx, made[0], "eng"))
    fake_ctx.queue.send([OutgoingMessage("again", body)])
    slots = FakeSlots(ok("second"))
    w = run(fake_ctx, slots)
    assert slots.calls == []
    assert w.stats.skipped == 1
    assert items(fake_ctx, made[0].job_id)[0].ocr_text == "first"
    assert fq(fake_ctx).messages == {}
    assert done_events(fake_ctx, made[0].job_id) == [str(made[0].id)]


def test_undecodable_body_is_left_for_the_dead_letter_queue(
    fake_ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    made = make_job(fake_ctx, 1)
    fake_ctx.queue.send([OutgoingMessage("x", "{not json")])
    with caplog.at_level(logging.ERROR, "worker.consumer"):
        w = run(fake_ctx, FakeSlots(ok()))
    assert w.stats.undecodable == 1
    assert items(fake_ctx, made[0].job_id)[0].status is ItemStatus.DONE
    assert fq(fake_ctx).bodies == ["{not json"]  # kept: SQS redrives it after maxReceiveCount
    (rec,) = [r for r in caplog.records if "undecodable" in r.getMessage()]
    assert rec.__dict__["message_id"]


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param("s3", id="s3-unreachable"),
        pytest.param("child", id="ocr-process-died"),
    ],
)
def test_transient_failure_keeps_message_with_backoff_then_succeeds(
    fake_ctx: Context, failure: str
) -> None:
    made = make_job(fake_ctx, 1)
    calls = {"n": 0}

    def fn(image: bytes, language: str) -> OcrResult:
        calls["n"] += 1
        if failure == "child" and calls["n"] == 1:
            raise ChildDied("killed")
        return ok()(image, language)

    store = fake_ctx.store
    assert isinstance(store, FakeObjectStore)
    if failure == "s3":
        store.fail_next = BackendUnavailable("S3", "http://s3", "connection refused")
    w = run(fake_ctx, FakeSlots(fn))
    assert w.stats.retried == 1
    (msg,) = fq(fake_ctx).messages.values()
    assert msg.receive_count == 1
    assert msg.visible_at > time.monotonic()  # hidden for the backoff, not deleted
    assert items(fake_ctx, made[0].job_id)[0].status is ItemStatus.PROCESSING
    msg.visible_at = 0.0  # the backoff has passed
    run(fake_ctx, FakeSlots(fn))
    (item,) = items(fake_ctx, made[0].job_id)
    assert item.status is ItemStatus.DONE
    assert item.attempts == 2
    assert fq(fake_ctx).messages == {}


def test_database_down_during_claim_keeps_message(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 1)
    real_uow = fake_ctx.uow

    def broken(*, write: bool = False) -> object:
        raise BackendUnavailable("database", "sqlite://", "gone")

    fake_ctx.uow = broken  # type: ignore[assignment]
    w = run(fake_ctx, FakeSlots(ok()))
    fake_ctx.uow = real_uow
    assert w.stats.retried == 1
    (msg,) = fq(fake_ctx).messages.values()
    msg.visible_at = 0.0
    run(fake_ctx, FakeSlots(ok()))
    assert items(fake_ctx, made[0].job_id)[0].status is ItemStatus.DONE


def test_stop_finishes_in_flight_and_releases_prefetched(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 3)
    started = threading.Event()
    go = threading.Event()

    def slow(image: bytes, language: str) -> OcrResult:
        started.set()
        assert go.wait(10)
        return ok()(image, language)

    w = Worker(fake_ctx, FakeSlots(slow), opts(prefetch=1, drain=False))
    t = threading.Thread(target=w.run)
    t.start()
    assert started.wait(10)
    deadline = time.monotonic() + 10
    while w.in_flight < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # let the prefetched item be claimed and wait for the slot
    w.stop()
    go.set()
    t.join(10)
    assert not t.is_alive()
    statuses = sorted(i.status.value for i in items(fake_ctx, made[0].job_id))
    assert statuses == ["DONE", "PENDING", "PENDING"]
    assert w.stats.released == 1
    # Both remaining messages can be received again at once.
    assert len(fake_ctx.queue.receive(10, 0)) == 2


def test_long_item_visibility_is_extended(fake_ctx: Context) -> None:
    fake_ctx.settings = fake_ctx.settings.replace(visibility_timeout=1)
    made = make_job(fake_ctx, 1)

    def slow(image: bytes, language: str) -> OcrResult:
        time.sleep(1.6)
        return ok()(image, language)

    run(fake_ctx, FakeSlots(slow))
    assert "ChangeMessageVisibility" in fq(fake_ctx).calls
    (item,) = items(fake_ctx, made[0].job_id)
    assert item.status is ItemStatus.DONE
    assert item.attempts == 1


def test_sweep_marks_dead_letters(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 1)
    (m,) = fake_ctx.queue.receive(1, 0)
    fake_ctx.dlq.send([OutgoingMessage("d", m.body)])
    Worker(fake_ctx, FakeSlots(ok()), opts()).sweep()
    (item,) = items(fake_ctx, made[0].job_id)
    assert item.status is ItemStatus.ERROR
    assert item.error_code == "DEAD_LETTER"
    assert decode(m.body).item_id == made[0].id


def test_sweep_marks_items_stuck_in_processing(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 2)
    (m, _) = fake_ctx.queue.receive(2, 0)
    claimed = processing.claim(fake_ctx, decode(m.body))
    assert isinstance(claimed, processing.Claim)
    later = datetime.now(UTC) + timedelta(seconds=fake_ctx.settings.stuck_after_seconds + 60)
    fake_ctx.clock = lambda: later
    Worker(fake_ctx, FakeSlots(ok()), opts()).sweep()
    by_id = {i.id: i for i in items(fake_ctx, made[0].job_id)}
    assert by_id[claimed.item_id].error_code == "STUCK"
    others = [i for i in by_id.values() if i.id != claimed.item_id]
    assert [i.status for i in others] == [ItemStatus.PENDING]


def test_identical_image_reuses_the_earlier_result_without_ocr(fake_ctx: Context) -> None:
    (first,) = make_job(fake_ctx, 1)
    run(fake_ctx, FakeSlots(ok("read once")))
    assert items(fake_ctx, first.job_id)[0].ocr_text == "read once"
    (second,) = make_job(fake_ctx, 1)  # the same bytes in another job
    slots = FakeSlots(ok("read twice"))
    w = run(fake_ctx, slots)
    assert slots.calls == []
    assert w.stats.done == 1
    (after,) = items(fake_ctx, second.job_id)
    assert after.status is ItemStatus.DONE
    assert after.ocr_text == "read once"
    assert fq(fake_ctx).messages == {}


def test_a_failed_receive_is_survived(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 1)
    fq(fake_ctx).fail_next = BackendUnavailable("SQS", "http://sqs", "connection refused")
    w = run(fake_ctx, FakeSlots(ok()))
    assert w.stats.done == 1
    assert items(fake_ctx, made[0].job_id)[0].status is ItemStatus.DONE


def test_once_handles_one_batch(fake_ctx: Context) -> None:
    make_job(fake_ctx, 3)
    w = run(fake_ctx, FakeSlots(ok()), once=True, drain=False, prefetch=0)
    assert w.stats.done == 1


def test_backoff_is_full_jitter_and_capped() -> None:
    assert backoff_seconds(1, base=2, cap=100, rand=lambda: 0.999) < 2
    assert backoff_seconds(4, base=2, cap=100, rand=lambda: 0.5) == 8
    assert backoff_seconds(30, base=2, cap=100, rand=lambda: 0.5) == 50
    assert backoff_seconds(0, base=2, cap=100, rand=lambda: 0.0) == 0
    assert backoff_seconds(10**6, base=2, cap=10**9, rand=lambda: 1.0) <= 43200


def test_json_lines_carry_extras() -> None:
    rec = logging.LogRecord("w", logging.INFO, __file__, 1, "item %s done", ("x",), None)
    rec.__dict__.update({"job_id": "j", "duration_s": 0.5})
    out = json.loads(JsonFormatter().format(rec))
    assert out["msg"] == "item x done"
    assert out["job_id"] == "j"
    assert out["duration_s"] == 0.5
    assert out["level"] == "INFO"


def test_cli_options(fake_ctx: Context) -> None:
    args = build_parser().parse_args(["-c", "3", "--drain", "--engine", "pytesseract"])
    o = options_from_args(args, fake_ctx.settings)
    assert (o.concurrency, o.drain, o.engine, o.capacity) == (3, True, "pytesseract", 6)
    assert o.prepare_ahead is None  # auto: decided by the OCR pool
    for choice, value in (("on", True), ("off", False), ("auto", None)):
        args = build_parser().parse_args(["--prepare-ahead", choice])
        o = options_from_args(args, fake_ctx.settings)
        assert o.prepare_ahead is value
        assert engine_spec(fake_ctx.settings, o, "INFO").prepare_ahead is value


def test_pace_sizes_the_buffer_from_recent_ocr_times() -> None:
    pace = Pace()
    assert pace.buffer(2.0, 1) == 0  # nothing measured yet
    pace.observe(1.5)  # full pages: no buffer
    assert pace.buffer(2.0, 1) == 1
    assert pace.buffer(0.0, 4) == 0
    for _ in range(30):
        pace.observe(0.03)  # small images: as many as fit, at most MAX_BUFFER
    assert pace.buffer(2.0, 2) == MAX_BUFFER
    assert 0.03 <= (pace.mean or 0) < 0.05


def test_fast_items_are_received_and_deleted_ten_at_a_time(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 30)
    queue = fq(fake_ctx)
    queue.calls.clear()
    w = run(fake_ctx, FakeSlots(ok()), buffer_seconds=2.0)
    assert w.stats.done == 30
    receives = [c for c in queue.calls if c == "ReceiveMessage"]
    # The first receive takes one message (no pace yet), then batches of ten (plus a few
    # empty polls at the end while the last items finish); one per item without a buffer.
    assert len(receives) <= 12, queue.calls
    assert "DeleteMessage" not in queue.calls
    assert queue.calls.count("DeleteMessageBatch") <= 8
    assert all(i.status is ItemStatus.DONE for i in items(fake_ctx, made[0].job_id))
    assert queue.depth().in_flight == 0


def test_without_a_buffer_each_receive_asks_for_free_capacity_only(fake_ctx: Context) -> None:
    make_job(fake_ctx, 5)
    queue = fq(fake_ctx)
    queue.calls.clear()
    w = run(fake_ctx, FakeSlots(ok()), buffer_seconds=0.0)
    assert w.stats.done == 5
    assert queue.calls.count("ReceiveMessage") >= 5


def test_pace_prefetches_more_for_fast_items() -> None:
    pace = Pace()
    assert pace.ahead() == 1
    pace.observe(2.0)
    assert pace.ahead() == 1
    for _ in range(40):
        pace.observe(0.03)
    assert pace.ahead() == MAX_AHEAD


def test_the_gate_bounds_the_items_claimed_ahead(fake_ctx: Context) -> None:
    made = make_job(fake_ctx, 12)
    job_id = made[0].job_id
    seen: list[int] = []

    def slow(image: bytes, language: str) -> OcrResult:
        time.sleep(0.02)
        seen.append(sum(i.status is ItemStatus.PROCESSING for i in items(fake_ctx, job_id)))
        return OcrResult(text="x", mean_confidence=90.0, duration_s=0.02, engine="fake")

    w = run(fake_ctx, FakeSlots(slow), prefetch=1, buffer_seconds=2.0)
    assert w.stats.done == 12
    # Many messages held (the buffer), but only the one being read, one prefetched and
    # at most one whose result is being written are claimed (PROCESSING) at a time.
    assert max(seen) <= 3, seen


def test_heartbeat_reports_progress_queue_depth_and_the_writers(
    fake_ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    make_job(fake_ctx, 6)

    def slow(image: bytes, language: str) -> OcrResult:
        time.sleep(0.05)
        return OcrResult(text="x", mean_confidence=90.0, duration_s=0.05, engine="fake")

    with caplog.at_level(logging.INFO, logger="worker.consumer"):
        w = run(fake_ctx, FakeSlots(slow), heartbeat_interval=0.05)
    assert w.stats.done == 6
    beats = [r.__dict__ for r in caplog.records if r.__dict__.get("heartbeat")]
    assert beats, "no heartbeat line"
    fields = {
        "items_done",
        "items_failed",
        "items_per_s",
        "queue_visible",
        "queue_in_flight",
        "in_flight",
        "audit_pending",
        "audit_dropped",
        "deletes_failed",
    }
    assert fields <= set(beats[-1])
    assert max(b["items_done"] for b in beats) >= 1
    assert any(b["items_per_s"] > 0 for b in beats)
