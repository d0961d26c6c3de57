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
   from the local stack (moto S3 + SQS + DynamoDB in its own process,
   :mod:`bench.localserver`; SQLite).

The rows and objects are created up front with their messages unsent; a feeder then sends
messages in batches so that the queue never holds more than ``--queue-depth`` visible
messages: moto's SQS scans the whole queue on every receive, so a deep queue would measure
moto, not us. The clock starts when the first message is sent (the worker is already up)
and stops when the database shows every item finished. CPU time per item is reported for
moto's process, the worker's parent and its OCR processes.
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
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"

from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: find bench/
from bench.localserver import StackProcess

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
    """An A4 page at 300 dpi with ``lines`` lines of 10 pt text, numbered by ``seed``.

    The number makes every page's bytes distinct: the worker reuses the result of an
    image it has already read (same sha256), which would not be a measurement.
    """
    font = ImageFont.truetype(FONT, 42)
    img = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    draw.text((150, 100), f"page {seed}", font=font, fill=0)
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
    cpu_moto_s: float = 0.0
    cpu_bench_s: float = 0.0
    cpu_parent_s: float = 0.0
    cpu_ocr_s: float = 0.0
    rss_kb: list[int] = field(default_factory=list)

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


def _children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (the worker's OCR processes)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that ended since the listing (moto starts one per request)
    return out


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one live process, its children not included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a live process and of its live descendants: the local stack's
    process (``ocrjobs local``) runs moto's server in a child process of its own."""
    try:
        own = _proc_cpu(pid)
        children = _children(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0  # a descendant that ended since its parent's listing
    return own + sum(_tree_cpu(c) for c in children)


@dataclass
class WorkerRun:
    seconds: float
    cpu_moto_s: float
    cpu_bench_s: float
    cpu_parent_s: float
    cpu_ocr_s: float
    rss_kb: list[int]


def run_worker(
    images: Sequence[bytes],
    language: str,
    concurrency: int,
    worker_args: Sequence[str],
    depth_limit: int,
    workdir: Path,
) -> WorkerRun:
    """Drain ``images`` through a worker process on a local stack run in its own process."""
    stack_dir = workdir / f"stack-{uuid.uuid4().hex[:6]}"
    with StackProcess(stack_dir) as stack:
        assert stack.proc is not None
        saved = dict(os.environ)
        stack.apply()
        try:
            return _drain(
                stack.env,
                stack.proc.pid,
                images,
                language,
                concurrency,
                worker_args,
                depth_limit,
                workdir,
            )
        finally:
            os.environ.clear()
            os.environ.update(saved)


def _drain(
    stack_env: dict[str, str],
    stack_pid: int,
    images: Sequence[bytes],
    language: str,
    concurrency: int,
    worker_args: Sequence[str],
    depth_limit: int,
    workdir: Path,
) -> WorkerRun:
    from ocrjobs.adapters.messages import encode
    from ocrjobs.adapters.ports import OutgoingMessage
    from ocrjobs.bootstrap import build_context
    from ocrjobs.config import Settings
    from ocrjobs.domain.model import Job, JobItem, s3_key_for
    from ocrjobs.domain.status import ItemStatus, JobStatus
    from ocrjobs.services.dispatch import message_for

    ctx = build_context(Settings.load())
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
        env = {**os.environ, **stack_env, "OCRJOBS_CONFIG": os.devnull, "PYTHONUNBUFFERED": "1"}
        log_path = workdir / f"worker-{concurrency}.log"
        cmd = [sys.executable, "-m", "worker", "-c", str(concurrency), "--wait-seconds", "1"]
        cmd += ["--heartbeat-interval", "5", "--sweep-interval", "0"]
        cmd += worker_args
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
            ocr_pids = _children(proc.pid)
            cpu_moto0, cpu_bench0 = _tree_cpu(stack_pid), _cpu_self()
            cpu_parent0 = _proc_cpu(proc.pid)
            cpu_ocr0 = sum(_proc_cpu(p) for p in ocr_pids)
            t0 = time.perf_counter()
            sent = finished = 0
            last_rss = 0.0
            # The feeder keeps at most ``depth_limit`` messages unfinished (visible or held
            # by the worker), counting finished items in the database rather than asking
            # moto for the queue's depth: GetQueueAttributes walks the whole queue in moto.
            while finished < len(items):
                with ctx.uow() as uow:
                    counts = uow.repo.status_counts(job.id)
                finished = counts.done + counts.error
                room = depth_limit - (sent - finished)
                if sent < len(bodies) and room >= 10:
                    chunk = bodies[sent : sent + room - room % 10]
                    ctx.queue.send(chunk)
                    sent += len(chunk)
                if time.perf_counter() - last_rss > 2:
                    rss.append(_rss_kb(proc.pid))
                    last_rss = time.perf_counter()
                time.sleep(0.05)
            seconds = time.perf_counter() - t0
            cpu_bench = _cpu_self() - cpu_bench0
            cpu_moto = _tree_cpu(stack_pid) - cpu_moto0
            cpu_parent = _proc_cpu(proc.pid) - cpu_parent0
            # An OCR process replaced meanwhile (none is expected here) would be missed.
            cpu_ocr = sum(_proc_cpu(p) for p in ocr_pids if p in _children(proc.pid)) - cpu_ocr0
            rss.append(_rss_kb(proc.pid))
        finally:
            proc.terminate()
            proc.wait(60)
        return WorkerRun(seconds, cpu_moto, cpu_bench, cpu_parent, cpu_ocr, rss)
    finally:
        ctx.close()


def _rss_note(rss_kb: Sequence[int]) -> str:
    """Worker parent RSS: first and last quarter of the samples (flat means within ±10 %)."""
    if not rss_kb:
        return "no RSS sample"
    q = max(1, len(rss_kb) // 4)
    first, last = sorted(rss_kb[:q])[q // 2], sorted(rss_kb[-q:])[q // 2]
    return (
        f"parent RSS MB min {min(rss_kb) / 1024:.1f} max {max(rss_kb) / 1024:.1f}, "
        f"first quarter {first / 1024:.1f} last quarter {last / 1024:.1f} "
        f"({100 * (last - first) / first:+.1f} %, {len(rss_kb)} samples)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pages", type=int, default=200)
    p.add_argument("--lines", type=int, default=500)
    p.add_argument("--page-lines", type=int, default=30, help="text lines per page")
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    p.add_argument("--language", default="eng")
    p.add_argument("--psm", type=int, default=3)
    p.add_argument("--engine", default=None, help="tesserocr or pytesseract (default: fastest)")
    p.add_argument(
        "--prepare-ahead",
        choices=["auto", "on", "off"],
        default="auto",
        help="the worker's option (off for both: scaling with the same per-process set-up)",
    )
    p.add_argument(
        "--queue-depth",
        type=int,
        default=40,
        help="unfinished messages (visible or held by the worker) kept at most",
    )
    p.add_argument("--skip-cli", action="store_true")
    p.add_argument("--skip-engine", action="store_true", help="e.g. for a long RSS run")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = p.parse_args(argv)

    sets: list[tuple[str, list[bytes]]] = []
    # (Every image must be distinct: see page_image.)
    if args.pages:
        sets.append(("pages", [page_image(i, args.page_lines) for i in range(args.pages)]))
    if args.lines:
        sets.append(("lines", [line_image(i) for i in range(args.lines)]))
    for kind, images in sets:
        if len({hashlib.sha256(i).digest() for i in images}) != len(images):
            raise SystemExit(f"{kind}: repeated images would be reused by the worker")
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
            if not args.skip_engine:
                s = run_engine(images, args.language, args.psm, args.engine)
                results.append(Result(kind, "engine", len(images), s))
                print(f"{kind:5} engine     {len(images) / s:8.2f} img/s", flush=True)
            worker_args = ["--prepare-ahead", args.prepare_ahead]
            if args.engine:
                worker_args += ["--engine", args.engine]
            for n in args.concurrency:
                w = run_worker(images, args.language, n, worker_args, args.queue_depth, workdir)
                label = f"worker-{n}"
                if args.prepare_ahead != "auto":
                    label += f"-ahead-{args.prepare_ahead}"
                r = Result(
                    kind,
                    label,
                    len(images),
                    w.seconds,
                    w.cpu_moto_s,
                    w.cpu_bench_s,
                    w.cpu_parent_s,
                    w.cpu_ocr_s,
                    w.rss_kb,
                )
                results.append(r)
                print(
                    f"{kind:5} {label}   {r.rate:8.2f} img/s  CPU ms per item: moto "
                    f"{1000 * w.cpu_moto_s / r.items:.1f}, worker parent "
                    f"{1000 * w.cpu_parent_s / r.items:.1f}, OCR {1000 * w.cpu_ocr_s / r.items:.1f}"
                    f"; {_rss_note(w.rss_kb)}",
                    flush=True,
                )
    print()
    print(f"host: {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    print(
        "| set | mode | items | seconds | img/s | vs cli | vs engine "
        "| CPU ms/item: moto | worker parent | OCR processes |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        base = {x.mode: x for x in results if x.kind == r.kind}
        vs_cli = f"{r.rate / base['cli'].rate:.2f}x" if "cli" in base else "-"
        vs_eng = f"{r.rate / base['engine'].rate:.2f}x" if "engine" in base else "-"
        cpu = (
            " | ".join(
                f"{1000 * v / r.items:.1f}" for v in (r.cpu_moto_s, r.cpu_parent_s, r.cpu_ocr_s)
            )
            if r.mode.startswith("worker")
            else "– | – | –"
        )
        print(
            f"| {r.kind} | {r.mode} | {r.items} | {r.seconds:.1f} | {r.rate:.2f} | {vs_cli} "
            f"| {vs_eng} | {cpu} |"
        )
    for r in results:
        if r.rss_kb:
            print(f"{r.kind} {r.mode}: {_rss_note(r.rss_kb)}")
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
