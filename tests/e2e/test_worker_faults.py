"""Fault tests: real ``python -m worker`` processes, the local moto server, real Tesseract.

Every test runs on SQLite and on the real MariaDB (``db_url``), with visibility timeouts of
a few seconds so redeliveries happen within the test.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo
from sqlalchemy.engine import make_url

from ocrjobs.adapters.messages import encode
from ocrjobs.adapters.ports import OutgoingMessage
from ocrjobs.bootstrap import build_context
from ocrjobs.config import Settings
from ocrjobs.domain.errors import NotFound
from ocrjobs.domain.model import JobItem, NamedBytes, job_prefix
from ocrjobs.domain.status import ItemStatus, JobStatus
from ocrjobs.localstack import LocalStack
from ocrjobs.services import audit, jobs
from ocrjobs.services.context import Context
from ocrjobs.services.dispatch import message_for

pytestmark = [pytest.mark.e2e, pytest.mark.ocr, pytest.mark.slow]

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
POISON = "KILL-THE-OCR-PROCESS"

# A worker whose OCR process dies on any image carrying the POISON marker, as a real
# Tesseract crash or an out-of-memory kill would. With the spawn start method the OCR
# processes import this file as their main module, so the patch applies there too.
FAULTY_WORKER = f"""
import os
import sys

import worker.ocr.preprocess as preprocess

_prepare = preprocess.prepare_document


def crashing(engine, image, language):
    if {POISON!r}.encode() in image:
        os._exit(70)
    return _prepare(engine, image, language)


preprocess.prepare_document = crashing

if __name__ == "__main__":
    from worker.cli import main

    sys.exit(main())
"""


def line_png(text: str, *, meta: str | None = None) -> bytes:
    font = ImageFont.truetype(FONT, 42)
    img = Image.new("L", (1000, 110), 255)
    ImageDraw.Draw(img).text((20, 25), text, font=font, fill=0)
    info = PngInfo()
    if meta:
        info.add_text("Comment", meta)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300), pnginfo=info)
    return buf.getvalue()


@pytest.fixture(scope="session")
def pages() -> list[bytes]:
    """Four different parts of pages at 300 dpi: about a second of Tesseract each, long
    enough to interrupt. Different, because a worker reuses the result of identical bytes.
    """
    font = ImageFont.truetype(FONT, 40)
    words = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "the",
        "lazy",
        "dog",
        "while",
        "workers",
        "read",
        "pages",
    ]
    out = []
    for page in range(4):
        img = Image.new("L", (2480, 1000), 255)
        draw = ImageDraw.Draw(img)
        draw.text((120, 40), f"page number {page}", font=font, fill=0)
        for row in range(1, 14):
            line = " ".join(words[(row + page + k) % len(words)] for k in range(14))
            draw.text((120, 40 + row * 54), line, font=font, fill=0)
        buf = io.BytesIO()
        img.save(buf, "PNG", dpi=(300, 300))
        out.append(buf.getvalue())
    return out


@pytest.fixture(scope="session")
def slow_page(pages: list[bytes]) -> bytes:
    """The first page part 16 times over (40 Mpx, under the pixel limit): ~6 s of
    Tesseract on a machine where the part alone takes 0.2 s, so an item that is surely
    still being read seconds after it started. (The page at twice its size read in
    0.7 s on a fast machine.)"""
    img = Image.open(io.BytesIO(pages[0]))
    tiled = Image.new("L", (img.width * 2, img.height * 8), 255)
    for k in range(16):
        tiled.paste(img, ((k % 2) * img.width, (k // 2) * img.height))
    buf = io.BytesIO()
    tiled.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


@dataclass
class Stack:
    """The local stack on one database, a context on it, and worker processes."""

    settings: Settings
    env: dict[str, str]
    ctx: Context
    tmp: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def worker(
        self,
        *args: str,
        script: Path | None = None,
        env: dict[str, str] | None = None,
        name: str = "worker",
    ) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}-{len(self.procs)}.log").open("wb")
        cmd = [sys.executable, str(script)] if script else [sys.executable, "-m", "worker"]
        cmd += [
            "--concurrency",
            "1",
            "--wait-seconds",
            "1",
            "--heartbeat-interval",
            "2",
            "--backoff-base",
            "0.5",
            "--backoff-cap",
            "1",
            "--log-level",
            "DEBUG",
            *args,
        ]
        proc = subprocess.Popen(
            cmd,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.tmp.glob("*.log")))

    def items(self, job_id: UUID) -> list[JobItem]:
        return list(jobs.get_job(self.ctx, job_id).items)

    def wait_for(self, what: str, cond: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}\n{self.logs()[-6000:]}")

    def wait_statuses(self, job_id: UUID, cond: Callable[[list[ItemStatus]], bool]) -> None:
        self.wait_for(
            f"statuses of job {job_id}",
            lambda: cond([i.status for i in self.items(job_id)]),
        )

    def done_events(self, job_id: UUID) -> list[str]:
        return sorted(
            str(e.details.get("item_id"))
            for e in self.ctx.audit.list_events(str(job_id))
            if e.action == audit.ITEM_DONE
        )

    def submit(self, files: list[bytes]) -> list[JobItem]:
        named = [NamedBytes(f"f{i}.png", data) for i, data in enumerate(files)]
        result = jobs.create_job(self.ctx, "fault", named)
        assert result.job is not None
        return list(result.job.items)


def wait_exit(stack: Stack, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"worker did not exit\n{stack.logs()[-6000:]}") from None


@pytest.fixture
def make_stack(db_url: str, tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    """Start the local stack (moto + ``db_url``) with short timeouts; stop it afterwards."""
    started: list[tuple[LocalStack, Stack]] = []

    def make(**overrides: Any) -> Stack:
        values: dict[str, Any] = {
            "visibility_timeout": 3,
            "max_receive_count": 3,
            "item_timeout": 30,
            "unsent_grace_seconds": 0,
            "actor": "fault-test",
        }
        values.update(overrides)
        base = Settings(**values)
        ls = LocalStack(tmp_path / "stack", settings=base, database_url=db_url)
        settings = ls.start()
        env = {
            **os.environ,
            **ls.env,
            "OCRJOBS_CONFIG": os.devnull,
            "OMP_THREAD_LIMIT": "1",
            "PYTHONUNBUFFERED": "1",
        }
        for key, value in values.items():
            env[f"OCRJOBS_{key.upper()}"] = str(value)
        stack = Stack(settings, env, build_context(settings), tmp_path)
        started.append((ls, stack))
        return stack

    yield make
    for _ls, stack in started:
        print(stack.logs()[-20000:])  # shown by pytest when the test failed
    for ls, stack in started:
        for proc in stack.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        stack.ctx.close()
        ls.stop()


def test_kill_9_mid_item_is_done_once_after_visibility_timeout(
    make_stack: Callable[..., Stack], pages: list[bytes]
) -> None:
    stack = make_stack()
    (item,) = stack.submit(pages[:1])
    first = stack.worker()
    stack.wait_statuses(item.job_id, lambda s: s == [ItemStatus.PROCESSING])
    os.killpg(first.pid, signal.SIGKILL)  # the whole instance dies, OCR process included
    first.wait(10)
    assert stack.items(item.job_id)[0].status is ItemStatus.PROCESSING
    second = stack.worker()
    stack.wait_statuses(item.job_id, lambda s: s == [ItemStatus.DONE])
    second.send_signal(signal.SIGTERM)
    assert wait_exit(stack, second) == 0
    (after,) = stack.items(item.job_id)
    assert after.attempts == 2
    assert "quick brown fox" in (after.ocr_text or "")
    assert stack.done_events(item.job_id) == [str(item.id)]


def test_every_message_twice_gives_one_result_per_item(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack()
    made = stack.submit([line_png(f"Duplicate number {i}") for i in range(4)])
    again = [
        OutgoingMessage(f"dup{i}", encode(message_for(stack.ctx, item, "eng")))
        for i, item in enumerate(made)
    ]
    assert stack.ctx.queue.send(again) == []
    proc = stack.worker("--drain", "--concurrency", "2")
    assert wait_exit(stack, proc) == 0
    after = stack.items(made[0].job_id)
    assert [i.status for i in after] == [ItemStatus.DONE] * 4
    assert all("Duplicate" in (i.ocr_text or "") for i in after)
    assert stack.done_events(made[0].job_id) == sorted(str(i.id) for i in made)
    depth = stack.ctx.queue.depth()
    assert (depth.visible, depth.in_flight) == (0, 0)


def test_poison_message_goes_to_dead_letters_and_worker_lives(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(max_receive_count=2)
    script = stack.tmp / "faulty_worker.py"
    script.write_text(FAULTY_WORKER)
    made = stack.submit([line_png("Poison here", meta=POISON), line_png("Healthy line")])
    stack.ctx.queue.send([OutgoingMessage("junk", "this is not a message")])
    proc = stack.worker("--sweep-interval", "1", script=script)
    poisoned, healthy = made
    stack.wait_statuses(poisoned.job_id, lambda s: s == [ItemStatus.ERROR, ItemStatus.DONE])
    assert proc.poll() is None  # the worker lives on
    after = {i.id: i for i in stack.items(poisoned.job_id)}
    assert after[poisoned.id].error_code == "DEAD_LETTER"
    assert "dead-letter" in (after[poisoned.id].error_msg or "")
    assert after[healthy.id].ocr_text == "Healthy line"
    # The undecodable body reached the dead-letter queue too.
    stack.wait_for("junk dead letter", lambda: "undecodable dead letter" in stack.logs())
    proc.send_signal(signal.SIGTERM)
    assert wait_exit(stack, proc) == 0
    assert "OCR process died" in stack.logs()


def test_job_deleted_while_processing_leaves_nothing(
    make_stack: Callable[..., Stack], pages: list[bytes]
) -> None:
    stack = make_stack()
    made = stack.submit(pages[:3])
    job_id = made[0].job_id
    proc = stack.worker("--drain")
    stack.wait_statuses(job_id, lambda s: ItemStatus.PROCESSING in s)
    report = jobs.delete_job(stack.ctx, job_id)
    assert report.items == 3
    assert wait_exit(stack, proc) == 0
    with pytest.raises(NotFound):
        jobs.get_job(stack.ctx, job_id)
    with stack.ctx.uow() as uow:
        assert all(uow.repo.get_item(i.id) is None for i in made)
    assert stack.ctx.store.list_keys(job_prefix(job_id)) == []
    assert stack.done_events(job_id) == []
    depth = stack.ctx.queue.depth()
    assert (depth.visible, depth.in_flight) == (0, 0)


def _bomb() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(buf, "PNG")  # 144 Mpx in a few KB
    return buf.getvalue()


def test_bad_objects_fail_with_their_code_and_the_rest_is_done(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(max_pixels=50_000_000)
    made = stack.submit([line_png(f"Object {i}") for i in range(7)])
    good = line_png("Object 0")
    replacements = {
        1: b"",  # zero bytes
        2: good[: len(good) // 2],  # truncated
        3: b"hello, I am plain text and no image at all\n",  # not an image
        4: good[:64] + os.urandom(2048),  # corrupt pixel data
        5: _bomb(),  # decompression bomb
    }
    for index, data in replacements.items():
        stack.ctx.store.put(made[index].s3_key, data, "image/png", hashlib.sha256(data).hexdigest())
    stack.ctx.store.delete_keys([made[6].s3_key])
    proc = stack.worker("--drain")
    assert wait_exit(stack, proc) == 0
    after = {i.id: i for i in stack.items(made[0].job_id)}
    codes = [after[i.id].error_code for i in made]
    assert codes == [None, "BAD_IMAGE", "BAD_IMAGE", "BAD_IMAGE", "BAD_IMAGE", "TOO_LARGE",
                     "MISSING_OBJECT"]  # fmt: skip
    assert after[made[0].id].status is ItemStatus.DONE
    assert after[made[0].id].ocr_text == "Object 0"
    assert all(after[i.id].error_msg for i in made[1:])
    assert jobs.get_job(stack.ctx, made[0].job_id).job.status is JobStatus.ERROR


class TcpProxy:
    """A loopback TCP forwarder to the database that can be cut and restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(32)
        self.port = s.getsockname()[1]
        self._listener = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut every open one."""
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, []
        if listener is not None:
            listener.close()
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut while we were connecting
                    client.close()
                    upstream.close()
                    continue
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def test_database_unreachable_for_a_while_then_recovers(
    make_stack: Callable[..., Stack], db_url: str
) -> None:
    stack = make_stack(max_receive_count=20)
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        # A file database cannot go away; another process holding its write lock is the
        # nearest thing: the worker must wait for it, lose nothing and do everything once.
        made = stack.submit([line_png(f"Locked {i}") for i in range(3)])
        assert url.database is not None
        locker = sqlite3.connect(url.database, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        proc = stack.worker("--drain")
        time.sleep(4)
        assert [i.status for i in stack.items(made[0].job_id)] == [ItemStatus.PENDING] * 3
        locker.execute("COMMIT")
        locker.close()
    else:
        proxy = TcpProxy((url.host or "127.0.0.1", url.port or 3306))
        proxy.start()
        proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
        proc = stack.worker(env={"OCRJOBS_DATABASE_URL": proxied})
        stack.wait_for("worker start", lambda: "worker started" in stack.logs())
        proxy.stop()
        made = stack.submit([line_png(f"Outage {i}") for i in range(3)])
        stack.wait_for("retries", lambda: stack.logs().count("will be retried") >= 4)
        assert ItemStatus.DONE not in [i.status for i in stack.items(made[0].job_id)]
        proxy.start()
        stack.wait_statuses(made[0].job_id, lambda s: s == [ItemStatus.DONE] * 3)
        proc.send_signal(signal.SIGTERM)
    assert wait_exit(stack, proc, timeout=60) == 0
    assert [i.status for i in stack.items(made[0].job_id)] == [ItemStatus.DONE] * 3
    assert stack.done_events(made[0].job_id) == sorted(str(i.id) for i in made)


def test_sigterm_mid_batch_finishes_in_flight_and_releases_the_rest(
    make_stack: Callable[..., Stack], pages: list[bytes]
) -> None:
    stack = make_stack(visibility_timeout=30)
    made = stack.submit(pages)
    job_id = made[0].job_id
    # One OCR process and two items claimed and downloaded ahead of it.
    proc = stack.worker("--prefetch", "2")
    stack.wait_statuses(job_id, lambda s: s.count(ItemStatus.DONE) >= 1)
    proc.send_signal(signal.SIGTERM)
    assert wait_exit(stack, proc) == 0
    statuses = [i.status for i in stack.items(job_id)]
    assert ItemStatus.PROCESSING not in statuses
    pending = statuses.count(ItemStatus.PENDING)
    assert pending >= 1
    assert statuses.count(ItemStatus.DONE) == 4 - pending
    assert "released message" in stack.logs()  # a prefetched, claimed item was handed back
    # Every message of a pending item is visible again now, not after 30 s.
    depth = stack.ctx.queue.depth()
    assert (depth.visible, depth.in_flight) == (pending, 0)
    finisher = stack.worker("--drain")
    assert wait_exit(stack, finisher) == 0
    assert [i.status for i in stack.items(job_id)] == [ItemStatus.DONE] * 4
    assert stack.done_events(job_id) == sorted(str(i.id) for i in made)


def test_second_signal_exits_at_once(
    local_stack: Settings, tmp_path: Path, slow_page: bytes
) -> None:
    ctx = build_context(local_stack)
    stack = Stack(
        local_stack,
        {**os.environ, "OCRJOBS_CONFIG": os.devnull, "OCRJOBS_ITEM_TIMEOUT": "60"},
        ctx,
        tmp_path,
    )
    try:
        # Seconds of Tesseract: still in flight when the second signal comes (a page part
        # alone was done by then on a fast machine, and the worker exited 0).
        (item,) = stack.submit([slow_page])
        proc = stack.worker()
        stack.wait_statuses(item.job_id, lambda s: s == [ItemStatus.PROCESSING])
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert wait_exit(stack, proc, timeout=5) == 128 + signal.SIGTERM
        assert "second SIGTERM" in stack.logs()
        # The OCR process went with it.
        (ready,) = [line for line in stack.logs().splitlines() if "OCR processes ready" in line]
        (child,) = json.loads(ready)["pids"]
        stack.wait_for("OCR process gone", lambda: not Path(f"/proc/{child}").exists(), 5)
    finally:
        for p in stack.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
        ctx.close()


def test_item_over_the_timeout_fails_and_the_next_one_is_read(
    local_stack: Settings, tmp_path: Path, pages: list[bytes], slow_page: bytes
) -> None:
    ctx = build_context(local_stack)
    env = {**os.environ, "OCRJOBS_CONFIG": os.devnull, "OCRJOBS_ITEM_TIMEOUT": "1"}
    stack = Stack(local_stack, env, ctx, tmp_path)
    try:
        slow, quick = stack.submit([pages[0], line_png("Quick one")])
        data = slow_page
        ctx.store.put(slow.s3_key, data, "image/png", hashlib.sha256(data).hexdigest())
        proc = stack.worker("--drain", "--prefetch", "0")
        assert wait_exit(stack, proc, timeout=60) == 0
        after = {i.id: i for i in stack.items(slow.job_id)}
        assert after[slow.id].error_code == "TIMEOUT"
        assert after[quick.id].ocr_text == "Quick one"
        assert "its process was killed" in (after[slow.id].error_msg or "")
    finally:
        for p in stack.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
        ctx.close()
