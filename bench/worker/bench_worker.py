"""Worker benchmark: raw ``tesseract`` CLI vs in-process engine vs the whole worker pipeline.

Usage (from the repository root)::

    .venv/bin/python bench/worker/bench_worker.py                     # 200 pages, 500 lines
    .venv/bin/python bench/worker/bench_worker.py --pages 20 --lines 100 --concurrency 1 2

For each image set (generated full pages, generated single text lines) it measures:

1. ``cli``: a loop running the ``tesseract`` program once per file (``OMP_THREAD_LIMIT=1``,
   same language, same page segmentation mode) — what a naive worker would do;
2. ``engine``: one in-process engine (:func:`worker.ocr.select.create_engine`) reading the
   files in a loop through :func:`worker.ocr.preprocess.recognize_document` (what the
   worker's OCR processes call), no pipeline at all;
3. ``worker-N``: ``python -m worker --concurrency N`` draining the same images end to end
   from the embedded local stack (moto S3 + SQS + DynamoDB in this process, SQLite).

The rows and objects are created up front with their messages unsent; a feeder then sends
messages in batches so that the queue never holds more than ``--queue-depth`` visible
messages: moto's SQS scans the whole queue on every receive, so a deep queue would measure
moto, not us. The clock starts when the first message is sent (the worker is already up)
and stops when the database shows every item finished. CPU seconds are reported for
this process (moto + feeder + poller) and for the worker (parent + OCR processes).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = [
    "the",
    "operators",
    "drag",
    "scanned",
    "pages",
    "into",
    "the",
    "window",
    "and",
    "watch",
    "each",
    "job",
    "progress",
    "item",
    "by",
    "item",
    "while",
    "workers",
    "read",
    "the",
    "images",
    "and",
    "write",
    "the",
    "text",
    "back",
    "to",
    "the",
    "database",
]


def page_image(seed: int, lines: int = 30) -> bytes:
    """An A4 page at 300 dpi with ``lines`` lines of 10 pt text."""
    font = ImageFont.truetype(FONT, 42)
    img = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    for row in range(lines):
        text = " ".join(WORDS[(seed + row * 3 + k) % len(WORDS)] for k in range(11))
        draw.text((150, 200 + row * 100), text, font=font, fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


def line_image(seed: int) -> bytes:
    """One line of text (a receipt line, a label)."""
    font = ImageFont.truetype(FONT, 42)
    img = Image.new("L", (1100, 100), 255)
    text = " ".join(WORDS[(seed + k) % len(WORDS)] for k in range(5)) + f" {seed}"
    ImageDraw.Draw(img).text((20, 22), text, font=font, fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


@dataclass
class Result:
    kind: str
    mode: str
    items: int
    seconds: float
    cpu_bench_s: float = 0.0
    cpu_worker_s: float = 0.0
    note: str = ""

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def run_cli(files: Sequence[Path], language: str, psm: int) -> float:
    t0 = time.perf_counter()
    for f in files:
        subprocess.run(
            ["tesseract", str(f), "stdout", "-l", language, "--psm", str(psm)],
            check=True,
            capture_output=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    return time.perf_counter() - t0


def run_engine(images: Sequence[bytes], language: str, psm: int, engine: str | None) -> float:
    from worker.ocr.preprocess import recognize_document
    from worker.ocr.select import create_engine

    # The same reading as the worker's OCR processes (preprocessing included), so the
    # difference is the pipeline's overhead and nothing else.
    with create_engine(engine, psm=psm) as e:
        recognize_document(e, images[0], language)  # load the models outside the clock
        t0 = time.perf_counter()
        for data in images:
            recognize_document(e, data, language)
        return time.perf_counter() - t0


def _cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run_worker(
    images: Sequence[bytes],
    language: str,
    concurrency: int,
    engine: str | None,
    depth_limit: int,
    workdir: Path,
) -> tuple[float, float, float, list[int]]:
    """Drain ``images`` through a worker process; return seconds, CPU (bench, worker), RSS."""
    from ocrjobs.adapters.messages import encode
    from ocrjobs.adapters.ports import OutgoingMessage
    from ocrjobs.bootstrap import build_context
    from ocrjobs.config import Settings
    from ocrjobs.domain.model import Job, JobItem, s3_key_for
    from ocrjobs.domain.status import ItemStatus, JobStatus
    from ocrjobs.localstack import LocalStack
    from ocrjobs.services.dispatch import message_for

    stack = LocalStack(workdir / f"stack-{uuid.uuid4().hex[:6]}", settings=Settings())
    settings = stack.start()
    ctx = build_context(settings)
    try:
        now = ctx.clock()
        job = Job(
            id=uuid.uuid4(),
            name="bench",
            created_at=now,
            status=JobStatus.PENDING,
            sqs_retention_deadline=now + timedelta(days=2),
            language=language,
            updated_at=now,
        )
        items = []
        for data in images:
            item_id = uuid.uuid4()
            key = s3_key_for(job.id, item_id, "png")
            ctx.store.put(key, data, "image/png", hashlib.sha256(data).hexdigest())
            items.append(
                JobItem(
                    id=item_id,
                    job_id=job.id,
                    s3_key=key,
                    created_at=now,
                    status=ItemStatus.PENDING,
                    ocr_text=None,
                    error_msg=None,
                    error_code=None,
                    original_name=f"{item_id}.png",
                    content_type="image/png",
                    size_bytes=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    page_number=None,
                    attempts=0,
                    enqueued_at=now,  # not "unsent": the worker's sweep must not send them
                    started_at=None,
                    finished_at=None,
                    updated_at=now,
                )
            )
        with ctx.uow(write=True) as uow:
            uow.repo.add_job(job, items)
            uow.commit()
        env = {**os.environ, **stack.env, "OCRJOBS_CONFIG": os.devnull, "PYTHONUNBUFFERED": "1"}
        log_path = workdir / f"worker-{concurrency}.log"
        cmd = [sys.executable, "-m", "worker", "-c", str(concurrency), "--wait-seconds", "1"]
        cmd += ["--heartbeat-interval", "5", "--sweep-interval", "0"]
        if engine:
            cmd += ["--engine", engine]
        with log_path.open("wb") as log:
            proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while "worker started" not in log_path.read_text(errors="replace"):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"worker did not start: see {log_path}")
                time.sleep(0.1)
            bodies = [
                OutgoingMessage(str(i.id), encode(message_for(ctx, i, language))) for i in items
            ]
            rss: list[int] = []
            cpu0 = _cpu_self()
            t0 = time.perf_counter()
            sent = 0
            last_rss = 0.0
            # Polling costs CPU in this process (moto answers in it too): keep it rare.
            while True:
                if sent < len(bodies):
                    room = depth_limit - ctx.queue.depth().visible
                    if room >= 10:
                        chunk = bodies[sent : sent + min(room, 50)]
                        ctx.queue.send(chunk)
                        sent += len(chunk)
                else:
                    with ctx.uow() as uow:
                        counts = uow.repo.counts_for([job.id])[job.id]
                    if counts.done + counts.error == len(items):
                        break
                if time.perf_counter() - last_rss > 2:
                    rss.append(_rss_kb(proc.pid))
                    last_rss = time.perf_counter()
                time.sleep(0.25)
            seconds = time.perf_counter() - t0
            cpu_bench = _cpu_self() - cpu0
        finally:
            before = _cpu_children()
            proc.terminate()
            proc.wait(60)
        cpu_worker = _cpu_children() - before
        return seconds, cpu_bench, cpu_worker, rss
    finally:
        ctx.close()
        stack.stop()


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pages", type=int, default=200)
    p.add_argument("--lines", type=int, default=500)
    p.add_argument("--page-lines", type=int, default=30, help="text lines per page")
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    p.add_argument("--language", default="eng")
    p.add_argument("--psm", type=int, default=3)
    p.add_argument("--engine", default=None, help="tesserocr or pytesseract (default: fastest)")
    p.add_argument("--queue-depth", type=int, default=20, help="visible messages kept at most")
    p.add_argument("--skip-cli", action="store_true")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = p.parse_args(argv)

    sets: list[tuple[str, list[bytes]]] = []
    if args.pages:
        sets.append(("pages", [page_image(i, args.page_lines) for i in range(args.pages)]))
    if args.lines:
        sets.append(("lines", [line_image(i) for i in range(args.lines)]))
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-worker-") as tmp:
        workdir = Path(tmp)
        for kind, images in sets:
            files = []
            for i, data in enumerate(images):
                f = workdir / f"{kind}-{i:04d}.png"
                f.write_bytes(data)
                files.append(f)
            if not args.skip_cli:
                s = run_cli(files, args.language, args.psm)
                results.append(Result(kind, "cli", len(files), s))
                print(f"{kind:5} cli        {len(files) / s:8.2f} img/s", flush=True)
            s = run_engine(images, args.language, args.psm, args.engine)
            results.append(Result(kind, "engine", len(images), s))
            print(f"{kind:5} engine     {len(images) / s:8.2f} img/s", flush=True)
            for n in args.concurrency:
                s, cpu_b, cpu_w, rss = run_worker(
                    images, args.language, n, args.engine, args.queue_depth, workdir
                )
                note = f"worker RSS kB min/max {min(rss, default=0)}/{max(rss, default=0)}"
                results.append(Result(kind, f"worker-{n}", len(images), s, cpu_b, cpu_w, note))
                print(
                    f"{kind:5} worker-{n}   {len(images) / s:8.2f} img/s  cpu bench(moto) "
                    f"{cpu_b:.1f}s worker {cpu_w:.1f}s  {note}",
                    flush=True,
                )
    print()
    print(f"host: {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    print("| set | mode | items | seconds | img/s | vs cli | vs engine | CPU moto+bench s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        base = {x.mode: x for x in results if x.kind == r.kind}
        vs_cli = f"{r.rate / base['cli'].rate:.2f}x" if "cli" in base else "-"
        vs_eng = f"{r.rate / base['engine'].rate:.2f}x"
        print(
            f"| {r.kind} | {r.mode} | {r.items} | {r.seconds:.1f} | {r.rate:.2f} | {vs_cli} "
            f"| {vs_eng} | {r.cpu_bench_s:.1f} |"
        )
    if args.json:
        args.json.write_text(
            json.dumps([{**vars(r), "rate": r.rate} for r in results], indent=2) + "\n"
        )
    return 0


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # run the finally blocks: stop the worker and moto


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    signal.signal(signal.SIGTERM, _terminate)
    raise SystemExit(main())
