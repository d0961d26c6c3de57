"""The OCR child processes: one engine each, killed and replaced on timeout or crash."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from worker.ocr.engine import TIMEOUT, OcrFailure
from worker.pool import PIPE_DEPTH, ChildDied, EngineSpec, OcrPool, OcrProcess, Slot, usable_cpus

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def text_png(lines: list[str], height: int = 110) -> bytes:
    font = ImageFont.truetype(FONT, 40)
    img = Image.new("L", (2000, height), 255)
    draw = ImageDraw.Draw(img)
    for row, line in enumerate(lines):
        draw.text((40, 20 + row * 54), line, font=font, fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


@pytest.fixture(scope="module")
def page() -> bytes:
    words = ["a", "slow", "page", "keeps", "the", "OCR", "process", "busy", "for", "a", "while"]
    lines = [" ".join(words[(r + k) % len(words)] for k in range(16)) for r in range(30)]
    return text_png(lines, height=1700)


@pytest.fixture
def proc() -> Iterator[OcrProcess]:
    p = OcrProcess(0, EngineSpec(log_level="WARNING"))
    p.start()
    yield p
    p.close()


def test_child_reads_text_with_single_threaded_tesseract(proc: OcrProcess) -> None:
    result = proc.recognize(text_png(["Hello from a child"]), "eng", 30)
    assert result.text == "Hello from a child"
    assert result.engine == proc.engine_name
    assert proc.pid is not None
    environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
    assert b"OMP_THREAD_LIMIT=1" in environ


def test_timeout_kills_and_replaces_the_child(proc: OcrProcess, page: bytes) -> None:
    before = proc.pid
    with pytest.raises(OcrFailure) as info:
        proc.recognize(page, "eng", 0.05)
    assert info.value.code == TIMEOUT
    assert proc.pid != before
    assert before is not None
    assert (
        not Path(f"/proc/{before}/status").exists()
        or "zombie" not in Path(f"/proc/{before}/status").read_text()
    )
    assert proc.recognize(text_png(["Still reading"]), "eng", 30).text == "Still reading"


def test_crashed_child_is_replaced(proc: OcrProcess, page: bytes) -> None:
    victim = proc.pid
    assert victim is not None
    threading.Timer(0.3, os.kill, (victim, signal.SIGKILL)).start()
    with pytest.raises(ChildDied):
        proc.recognize(page, "eng", 30)
    assert proc.pid != victim
    assert proc.recognize(text_png(["Back again"]), "eng", 30).text == "Back again"


def test_pool_hands_out_seats_least_busy_process_first() -> None:
    pool = OcrPool(2, EngineSpec(log_level="WARNING"))
    pool.start()
    try:
        seats = [pool.acquire(1) for _ in range(2 * PIPE_DEPTH)]
        assert all(seat is not None for seat in seats)
        # One seat per process before any process gets a second one.
        assert {seats[0].index, seats[1].index} == {0, 1}  # type: ignore[union-attr]
        t0 = time.monotonic()
        assert pool.acquire(0.1) is None
        assert time.monotonic() - t0 >= 0.1
        first = seats[0]
        assert first is not None
        pool.release(first)
        again = pool.acquire(1)
        assert again is not None
        assert again.index == first.index
        # The profile the worker looks duplicates up with is the one results carry.
        result = again.recognize(text_png(["Profile check"]), " eng", 30)
        assert result.profile
        assert result.profile == pool.profile("eng")
    finally:
        pool.close()


@contextlib.contextmanager
def one_process_two_seats(*, ahead: bool) -> Iterator[tuple[OcrPool, Slot, Slot]]:
    """A pool of one OCR process and both its seats: the image it reads and the next
    (which, ``ahead``, it prepares on its second thread meanwhile)."""
    pool = OcrPool(1, EngineSpec(log_level="WARNING", prepare_ahead=ahead))
    pool.start()
    try:
        a, b = pool.acquire(1), pool.acquire(1)
        assert a is not None
        assert b is not None
        yield pool, a, b
    finally:
        pool.close()


@pytest.fixture
def two_seats() -> Iterator[tuple[OcrPool, Slot, Slot]]:
    with one_process_two_seats(ahead=True) as seats:
        yield seats


def test_a_busy_child_gets_its_next_image_queued_in_its_pipe(
    two_seats: tuple[OcrPool, Slot, Slot], page: bytes
) -> None:
    _, a, b = two_seats
    out: dict[str, str] = {}
    slow = threading.Thread(target=lambda: out.update(page=a.recognize(page, "eng", 60).text))
    slow.start()
    time.sleep(0.1)  # the page is being read; the line goes into the pipe behind it
    assert b.recognize(text_png(["Queued behind"]), "eng", 60).text == "Queued behind"
    slow.join()
    assert "slow page" in out["page"]


def test_a_bad_image_prepared_ahead_fails_alone_and_in_order(
    two_seats: tuple[OcrPool, Slot, Slot], page: bytes
) -> None:
    pool, a, b = two_seats
    before = pool.processes[0].pid
    out: list[object] = []
    t = _read_in_thread(a, page, out)
    time.sleep(0.1)
    with pytest.raises(OcrFailure) as info:
        b.recognize(b"\x89PNG\r\n\x1a\n truncated", "eng", 60)
    assert info.value.code == "BAD_IMAGE"
    t.join()
    assert "slow page" in str(out[0])
    assert a.recognize(text_png(["Still fine"]), "eng", 60).text == "Still fine"
    assert pool.processes[0].pid == before


def test_a_timeout_does_not_lose_the_image_queued_behind(
    two_seats: tuple[OcrPool, Slot, Slot], page: bytes
) -> None:
    pool, a, b = two_seats
    before = pool.processes[0].pid
    errors: list[BaseException] = []

    def late() -> None:
        try:
            a.recognize(page, "eng", 0.2)
        except OcrFailure as exc:
            errors.append(exc)

    t = threading.Thread(target=late)
    t.start()
    time.sleep(0.05)
    # Its own timeout counts from when the child could start it, not from now.
    assert b.recognize(text_png(["Survives"]), "eng", 30).text == "Survives"
    t.join()
    assert [e.code for e in errors if isinstance(e, OcrFailure)] == [TIMEOUT]
    assert pool.processes[0].pid != before


def _read_in_thread(seat: Slot, image: bytes, out: list[object]) -> threading.Thread:
    def run() -> None:
        try:
            out.append(seat.recognize(image, "eng", 60).text)
        except ChildDied as exc:
            out.append(exc)

    t = threading.Thread(target=run)
    t.start()
    return t


def _serving_replacement(pool: OcrPool, old: int) -> int:
    """The pid of the process that replaced ``old``, once it serves (two threads)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pid = pool.processes[0].pid
        if pid is not None and pid != old:
            with contextlib.suppress(FileNotFoundError):
                if len(os.listdir(f"/proc/{pid}/task")) >= 2:
                    return pid
        time.sleep(0.01)
    raise AssertionError("the OCR process was not replaced")


@pytest.mark.parametrize("ahead", [True, False])
def test_a_crash_with_two_images_in_the_pipe(page: bytes, ahead: bool) -> None:
    # Preparing ahead, the process may have died on either image: each is read again
    # alone. Otherwise it never touched the second one: the first is to blame.
    with one_process_two_seats(ahead=ahead) as (pool, a, b):
        victim = pool.processes[0].pid
        assert victim is not None
        out: list[object] = []
        t = _read_in_thread(a, page, out)
        time.sleep(0.05)
        threading.Timer(0.3, os.kill, (victim, signal.SIGKILL)).start()
        assert b.recognize(text_png(["Resent"]), "eng", 60).text == "Resent"
        t.join()
        assert len(out) == 1
        if ahead:
            assert "slow page" in str(out[0])
        else:
            assert isinstance(out[0], ChildDied)
        assert pool.processes[0].pid != victim


def test_an_image_that_kills_its_process_alone_fails_and_the_next_is_read(
    two_seats: tuple[OcrPool, Slot, Slot], page: bytes
) -> None:
    pool, a, b = two_seats
    first = pool.processes[0].pid
    assert first is not None
    out: list[object] = []
    t = _read_in_thread(a, page, out)
    time.sleep(0.05)
    threading.Timer(0.3, os.kill, (first, signal.SIGKILL)).start()
    line: list[object] = []
    u = _read_in_thread(b, text_png(["Read after two deaths"]), line)
    # The page is sent again alone to the new process; it dies again: now it is to blame.
    second = _serving_replacement(pool, first)
    time.sleep(0.3)
    os.kill(second, signal.SIGKILL)
    t.join()
    u.join()
    assert len(out) == 1
    assert isinstance(out[0], ChildDied)
    assert line == ["Read after two deaths"]


@pytest.mark.parametrize("ahead", [False, True])
def test_a_process_takes_the_next_image_out_of_its_pipe_while_reading(
    page: bytes, ahead: bool
) -> None:
    # Otherwise the parent, writing a large image into a full pipe, could wait for ever
    # on a child writing a long reply into the other direction, and time out nothing.
    p = OcrProcess(0, EngineSpec(log_level="WARNING", prepare_ahead=ahead))
    p.start()
    try:
        p.send(page, "eng")
        large = b"\0" * 4_000_000  # many times what the pipe holds
        taken = threading.Event()

        def send_large() -> None:
            p.send(large, "eng")
            taken.set()

        threading.Thread(target=send_large).start()
        assert taken.wait(30)
        assert p.reply(0) is None  # still reading the page
        first, second = p.reply(60), p.reply(60)
        assert first is not None
        assert first[0] == "ok"
        assert second == ("fail", "BAD_IMAGE", second[2] if second else None)
    finally:
        p.close()


def test_processes_prepare_ahead_only_with_a_cpu_to_spare() -> None:
    spec = EngineSpec(log_level="WARNING")
    assert OcrPool(usable_cpus(), spec).spec.prepare_ahead is False
    assert OcrPool(1, spec).spec.prepare_ahead is (usable_cpus() > 1)
    assert OcrPool(usable_cpus(), replace(spec, prepare_ahead=True)).spec.prepare_ahead


def test_a_process_without_its_second_thread_reads_in_order(page: bytes) -> None:
    with one_process_two_seats(ahead=False) as (_, a, b):
        out: list[object] = []
        t = _read_in_thread(a, page, out)
        time.sleep(0.05)
        assert b.recognize(text_png(["Second in line"]), "eng", 60).text == "Second in line"
        t.join()
        assert "slow page" in str(out[0])
        with pytest.raises(OcrFailure) as info:
            a.recognize(b"not an image at all", "eng", 60)
        assert info.value.code == "BAD_IMAGE"


def test_unknown_engine_fails_at_start() -> None:
    p = OcrProcess(0, EngineSpec(name="nope", log_level="WARNING"))
    with pytest.raises(OcrFailure) as info:
        p.start()
    assert info.value.code == "ENGINE_UNAVAILABLE"


def test_child_that_died_while_idle_is_replaced_before_use(proc: OcrProcess) -> None:
    victim = proc.pid
    assert victim is not None
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.2)
    assert proc.recognize(text_png(["Fresh process"]), "eng", 30).text == "Fresh process"
    assert proc.pid != victim
