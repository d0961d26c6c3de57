"""Detail-view benchmark: UI-thread stalls when a big job is selected and when it is polled.

A fresh MariaDB database (``ocrjobs_bench_detail``, dropped at the end) gets one
processing job per size (1,000 and 5,000 items by default: half done with text and word
boxes, some failed, a few processing, the rest pending) plus a small job, with in-memory
AWS fakes holding a ~98 KiB PNG per item (as ``bench/submit`` makes them). The window is
built as the app builds it (theme, UI-thread garbage collector), 1440×900, offscreen.

For each size and round:

1. **select** — the small job is shown, then the big one is selected in the job table;
   a 5 ms ``PreciseTimer`` on the UI thread (``bench.gui.lateness``) records its lateness
   from the click until every background task is done (the items, the first item's image
   and word boxes, the thumbnails asked for) and 1 s more has passed;
2. **poll** — with the item list scrolled to the middle, a simulated worker finishes 100
   pending items of that job; one poll tick is run and the lateness recorded until its
   items are applied and 1 s more has passed. Selection and scroll position are checked.

``--profile`` also runs cProfile on the UI thread during one selection and one poll and
prints where the time went. Garbage collections of 5 ms or more in a stretch are listed
(the app runs them on the UI thread), and at the end what one full collection costs.
There is no peer: the target is a worst stall
<= 50 ms, as for the rest of the window.

    python -m bench.gui.detail [--sizes 1000 5000] [--rounds 3] [--profile]
                               [--mysql-url mysql+pymysql://root@127.0.0.1:3306]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import os
import pstats
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from sqlalchemy import Engine, text

from bench.gui.__main__ import (
    bench_database,
    close_window,
    fake_aws_context,
    make_window,
    wait_until,
)
from bench.gui.lateness import LATE_MS, TIMER_MS, Lateness, Stalls
from bench.submit.__main__ import noise_png

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    from desktop.job_detail import JobDetailPanel
    from desktop.main_window import MainWindow
    from ocrjobs.services.context import Context

TARGET_STALL_MS = 50.0
POLLED_ITEMS = 100
DISTINCT_IMAGES = 40
SETTLE_S = 1.0


class Collections:
    """Garbage collections on any thread (the app runs them on the UI thread): when, how long."""

    def __init__(self) -> None:
        self.runs: list[tuple[float, int, float, int, str]] = []
        """(ended at, generation, ms, objects collected, thread)."""
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._started = now
        else:
            ms = (now - self._started) * 1000
            thread = threading.current_thread().name
            self.runs.append((now, info["generation"], ms, info["collected"], thread))

    def since(self, t0: float) -> str:
        slow = [
            f"gen {g} {ms:.0f} ms at +{at - t0:.2f}s ({n:,} freed, {thread})"
            for at, g, ms, n, thread in self.runs
            if at >= t0 and ms >= 5
        ]
        return f"; collections >= 5 ms: {', '.join(slow)}" if slow else ""


class Watch:
    """One measured stretch: the UI thread's beats (:class:`Lateness`) and the collections."""

    def __init__(self, parent: QObject) -> None:
        self.lateness = Lateness(parent)
        self.gcs = Collections()
        self._t0 = 0.0

    def start(self) -> None:
        gc.callbacks.append(self.gcs)
        self.lateness.start()
        self._t0 = time.perf_counter()

    def stop(self, app: QApplication, ready: float) -> Stall:
        """Stop after one more beat (a stall in the last events still counts)."""
        beats = self.lateness.beats
        n = len(beats)
        wait_until(app, lambda: len(beats) > n, 1)
        self.lateness.stop()
        gc.callbacks.remove(self.gcs)
        t0, end = self._t0, time.perf_counter()
        top = sorted((b for b in beats if t0 <= b[0] < end), key=lambda b: -b[1])[:5]
        return Stall(
            self.lateness.between(t0, end),
            ready - t0,
            [(at - t0, ms) for at, ms in top],
            self.gcs.since(t0),
        )


@dataclass(frozen=True)
class Stall:
    """What one stretch cost the UI thread."""

    stalls: Stalls
    ready_s: float
    """From the action to the data being shown (items loaded / poll applied)."""
    top: list[tuple[float, float]]
    """(seconds after the action, lateness ms) of the five latest beats."""
    collections: str

    def text(self) -> str:
        top = ", ".join(f"{ms:.0f} ms at +{at:.2f}s" for at, ms in self.top if ms > LATE_MS)
        return (
            f"{self.stalls.text()} (of {self.stalls.beats}), "
            f"shown after {self.ready_s * 1000:.0f} ms"
            + (f"; late beats: {top}" if top else "")
            + self.collections
        )


# -- data -----------------------------------------------------------------------------------


def page_words(rng: random.Random, side: int = 316) -> str:
    """A page of ~300 word boxes (a few low-confidence) as the worker stores them."""
    from ocrjobs.domain.words import PageWords, WordBox, encode_words

    words = []
    for line in range(30):
        for col in range(10):
            conf = rng.uniform(30, 60) if rng.random() < 0.05 else rng.uniform(80, 99)
            words.append(WordBox(4 + col * 31, 4 + line * 10, 27, 8, conf, f"word{line}{col}"))
    return encode_words(PageWords(side, side, 0, tuple(words)))


def add_job(ctx: Context, engine: Engine, name: str, n: int, images: list[bytes]) -> UUID:
    """A processing job of ``n`` items with their images in the fake store."""
    from ocrjobs.domain.model import Job, JobItem
    from ocrjobs.domain.status import ItemStatus, JobStatus

    rng = random.Random(n)
    digests = [hashlib.sha256(b).hexdigest() for b in images]
    now = datetime.now(UTC)
    job_id = uuid4()
    items = []
    for i in range(n):
        if i < n // 2:
            status = ItemStatus.ERROR if i % 50 == 7 else ItemStatus.DONE
        elif i < n // 2 + 2:
            status = ItemStatus.PROCESSING
        else:
            status = ItemStatus.PENDING
        key = f"jobs/{job_id}/{uuid4()}.png"
        k = i % len(images)
        ctx.store.put(key, images[k], "image/png", digests[k])
        done, failed = status is ItemStatus.DONE, status is ItemStatus.ERROR
        items.append(
            JobItem(
                uuid4(),
                job_id,
                key,
                now - timedelta(seconds=n - i),
                status,
                f"Invoice {i} total amount due {i * 17 % 1000}.00 payable within thirty days"
                if done
                else None,
                "the image could not be read" if failed else None,
                "OCR_FAILED" if failed else None,
                f"page-{i:05d}.png",
                "image/png",
                len(images[k]),
                digests[k],
                None,
                1 if status is not ItemStatus.PENDING else 0,
                now,
                None,
                None,
                now - timedelta(minutes=5),
                confidence=(rng.uniform(40, 59) if i % 8 == 0 else rng.uniform(80, 99))
                if done
                else None,
            )
        )
    job = Job(job_id, name, now, JobStatus.PROCESSING, now + timedelta(days=2), "eng", now)
    with ctx.uow(write=True) as uow:
        uow.repo.add_job(job, items)
        uow.commit()
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE job_items SET words = :w WHERE job_id = :j AND status = 'DONE'"),
            {"w": page_words(rng), "j": str(job_id)},
        )
    return job_id


def finish_items(engine: Engine, job_id: UUID, n: int) -> None:
    """What a worker writes when it finishes ``n`` pending items of the job."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE job_items SET status = 'DONE', ocr_text = CONCAT('Finished ', id), "
                "confidence = 91, attempts = 1, started_at = :now, finished_at = :now, "
                "updated_at = :now WHERE job_id = :j AND status = 'PENDING' "
                "ORDER BY created_at LIMIT :n"
            ),
            {"now": now, "j": str(job_id), "n": n},
        )
        conn.execute(
            text("UPDATE jobs SET updated_at = :now WHERE id = :j"), {"now": now, "j": str(job_id)}
        )


# -- measures -------------------------------------------------------------------------------


@contextmanager
def profiled(enabled: bool, title: str) -> Iterator[None]:
    """cProfile of the calling (UI) thread only; prints the top functions afterwards."""
    if not enabled:
        yield
        return
    prof = cProfile.Profile()
    prof.enable()
    try:
        yield
    finally:
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
        print(f"\n---- profile of the UI thread: {title} ----")
        print(out.getvalue())


def idle(app: QApplication, window: MainWindow) -> bool:
    return wait_until(app, lambda: window.runner.pending == 0, 60)


def shown(detail: JobDetailPanel, job_id: UUID) -> bool:
    return (
        detail.detail is not None and detail.detail.job.id == job_id and detail.items.rowCount() > 0
    )


def select(
    app: QApplication, window: MainWindow, watch: Watch, job_id: UUID, small: UUID, n: int
) -> Stall:
    """Show the small job, then select the big one; lateness until all is in + 1 s."""
    detail = window.detail
    window.select_job(small)
    wait_until(app, lambda: detail.job_id == small and detail.detail is not None, 30)
    idle(app, window)
    wait_until(app, lambda: False, 0.3)
    watch.start()
    if not window.select_job(job_id):
        raise SystemExit("the big job is not in the table")
    if not wait_until(app, lambda: shown(detail, job_id), 60):
        raise SystemExit("the detail never showed the job")
    ready = time.perf_counter()
    idle(app, window)
    wait_until(app, lambda: False, SETTLE_S)
    stall = watch.stop(app, ready)
    if detail.detail is None or len(detail.detail.items) != n:
        raise SystemExit(f"the detail does not hold the {n} items")
    return stall


def poll(
    app: QApplication, window: MainWindow, watch: Watch, engine: Engine, job_id: UUID
) -> tuple[Stall, bool]:
    """Finish 100 items of the selected job, poll once; lateness until applied + 1 s."""
    from ocrjobs.domain.status import ItemStatus

    detail = window.detail
    view = detail.item_view
    n = detail.items.rowCount()
    detail.select_item(detail.items.items()[n // 2].id)
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    wait_until(app, lambda: False, 0.2)
    idle(app, window)
    current, scroll = detail.current_item(), bar.value()

    # finish_items takes the oldest pending items: here, the first pending rows
    last = [it.id for it in detail.items.items() if it.status is ItemStatus.PENDING][
        POLLED_ITEMS - 1
    ]

    def applied() -> bool:
        row = detail.items.row_of(last)
        item = detail.items.item(row) if row is not None else None
        return item is not None and item.status is ItemStatus.DONE

    finish_items(engine, job_id, POLLED_ITEMS)
    wait_until(app, lambda: False, 0.3)
    watch.start()
    window.poller.tick()
    if not wait_until(app, applied, 30):
        raise SystemExit("the poll never applied the finished items")
    ready = time.perf_counter()
    idle(app, window)
    wait_until(app, lambda: False, SETTLE_S)
    stall = watch.stop(app, ready)
    after = detail.current_item()
    kept = (
        after is not None and current is not None and after.id == current.id
    ) and bar.value() == scroll
    return stall, kept


def full_collection(window: MainWindow) -> str:
    """What one full collection costs the UI thread now (the collector runs one after
    every ten of generation 1, whenever allocations pass the thresholds)."""
    shown = window.detail.items.rowCount()
    t0 = time.perf_counter()
    gc.collect()
    ms = (time.perf_counter() - t0) * 1000
    return (
        f"one full garbage collection with {shown:,} items shown: {ms:.1f} ms "
        f"({len(gc.get_objects()):,} objects tracked, {gc.get_freeze_count():,} frozen)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one round of each")
    parser.add_argument(
        "--mysql-url",
        default=os.environ.get("OCRJOBS_BENCH_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306"),
    )
    parser.add_argument("--database", default="ocrjobs_bench_detail")
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop.gc_guard import UiThreadCollector
    from desktop.resources import Resources
    from desktop.theme import Theme

    app = QApplication(sys.argv[:1])
    collector = UiThreadCollector(app)
    theme = Theme(app, Resources())
    lines: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-gui-detail-") as tmp,
        bench_database(args.mysql_url, args.database) as url,
    ):
        data = Path(tmp)
        ctx, engine = fake_aws_context(url, data / "data")
        try:
            images = [noise_png() for _ in range(DISTINCT_IMAGES)]
            small = add_job(ctx, engine, "small job", 3, images)
            big = {n: add_job(ctx, engine, f"big job {n:,}", n, images) for n in args.sizes}
            window = make_window(data)
            window.resize(1440, 900)
            window.show()
            window.backend.ready.connect(collector.freeze)  # as desktop.app.main does
            window.backend.use(ctx)
            if not wait_until(app, lambda: window.model.rowCount() >= 1 + len(big), 30):
                raise SystemExit("the job table never loaded")
            window.poller.stop()  # ticks only when this benchmark runs one
            watch = Watch(window)
            for n, job_id in big.items():
                for r in range(args.rounds):
                    with profiled(args.profile and r == 0, f"select {n:,} items"):
                        s = select(app, window, watch, job_id, small, n)
                    lines.append(f"{n:>5,} items, select, round {r + 1}: {s.text()}")
                    print(lines[-1])
                    with profiled(args.profile and r == 0, f"poll, {POLLED_ITEMS} of {n:,}"):
                        p, kept = poll(app, window, watch, engine, job_id)
                    lines.append(
                        f"{n:>5,} items, poll {POLLED_ITEMS} changed, round {r + 1}: {p.text()}"
                        f"{'' if kept else ' — SELECTION OR SCROLL LOST'}"
                    )
                    print(lines[-1])
            lines.append(full_collection(window))
            print(lines[-1])
            close_window(app, window)
        finally:
            ctx.close()
    collector.stop()
    del theme
    print()
    print(
        f"Detail view, UI-thread lateness of a {TIMER_MS} ms timer (target <= "
        f"{TARGET_STALL_MS:.0f} ms)"
    )
    for line in lines:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
