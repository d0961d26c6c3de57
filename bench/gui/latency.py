"""How long a one-image drop takes to show up: ``MainWindow.submit`` to progress and job row.

The window runs in the AWS mode against a local stack in another process (as the UI
stall of ``python -m bench.gui`` does), with its own submission path: the child process
whenever the backend can be rebuilt from settings. For each drop of one ~98 KiB PNG it
prints the time from ``MainWindow.submit`` to

* **first progress**: the first progress report painted in the uploads strip, and
* **job row**: ``submission_finished`` with the job, by when its row is in the table.

``--settle`` is how long the window has been ready before the first drop (a person
needs a few seconds to drag a file in; 0 drops the moment the backend is ready);
``--gap`` is the pause between one drop's end and the next drop.

    python -m bench.gui.latency [--drops 3] [--settle 3] [--gap 0.5] [--rounds 1]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.gui.__main__ import close_window, make_window, wait_until
from bench.localserver import StackProcess
from bench.submit.__main__ import make_images


@dataclass
class Drop:
    progress_s: float
    row_s: float


def run_round(folder: Path, data_dir: Path, drops: int, settle: float, gap: float) -> list[Drop]:
    """One window: wait ``settle`` s after it is ready, then ``drops`` one-image drops."""
    from PySide6.QtWidgets import QApplication

    from ocrjobs.config import Settings
    from ocrjobs.domain.model import CreateResult, Progress

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    settings = Settings.load().replace(data_dir=str(data_dir))
    window = make_window(data_dir)
    window.show()
    window.backend.start(settings, local=False)
    if not wait_until(app, lambda: window.backend.ctx is not None, 60):
        raise SystemExit("the backend did not start")
    wait_until(app, lambda: not window.model.loading, 10)
    wait_until(app, lambda: False, settle)

    first_progress: list[float] = []
    finished: list[object] = []
    update = window.uploads.update_progress

    def progress_seen(task_id: int, p: Progress) -> None:
        if not first_progress:
            first_progress.append(time.perf_counter())
        update(task_id, p)

    window.uploads.update_progress = progress_seen  # type: ignore[method-assign]
    window.submission_finished.connect(finished.append)
    results: list[Drop] = []
    for i in range(drops):
        image = folder / f"drop{i}"
        make_images(image, 1)
        first_progress.clear()
        finished.clear()
        t0 = time.perf_counter()
        window.submit([image / "img00000.png"], f"drop {i}", "eng")
        if not wait_until(app, lambda: bool(finished), 60):
            raise SystemExit(f"drop {i} did not finish")
        t_row = time.perf_counter()
        result = finished[0]
        if not isinstance(result, CreateResult) or result.job is None:
            raise SystemExit(f"drop {i} failed: {result!r}")
        if window.model.row_of(result.job.job.id) is None:
            raise SystemExit(f"drop {i}: the job row is not in the table")
        results.append(Drop(first_progress[0] - t0 if first_progress else t_row - t0, t_row - t0))
        wait_until(app, lambda: False, gap)
    close_window(app, window)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drops", type=int, default=3)
    parser.add_argument("--settle", type=float, default=3.0, help="s between ready and drop 1")
    parser.add_argument("--gap", type=float, default=0.5, help="s between drops")
    parser.add_argument("--rounds", type=int, default=1, help="windows, one after another")
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    rounds: list[list[Drop]] = []
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        data = Path(tmp)
        with StackProcess(data / "stack") as stack:
            stack.apply()
            for r in range(args.rounds):
                drops = run_round(
                    data / f"images{r}", data / f"gui{r}", args.drops, args.settle, args.gap
                )
                rounds.append(drops)
                print(
                    f"round {r + 1}: "
                    + ", ".join(
                        f"drop {i + 1} {d.progress_s * 1000:.0f} / {d.row_s * 1000:.0f} ms"
                        for i, d in enumerate(drops)
                    )
                )
    print()
    print(
        f"One-image drops through MainWindow.submit, first drop {args.settle:g} s after the "
        f"window was ready, {args.gap:g} s between drops (first progress / job row):"
    )
    for i in range(args.drops):
        progress = [r[i].progress_s * 1000 for r in rounds]
        row = [r[i].row_s * 1000 for r in rounds]
        print(
            f"  drop {i + 1}: median {statistics.median(progress):.0f} / "
            f"{statistics.median(row):.0f} ms (min {min(progress):.0f} / {min(row):.0f}, "
            f"max {max(progress):.0f} / {max(row):.0f})"
        )
    del app
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # as bench.gui: skip PySide's interpreter finalization
