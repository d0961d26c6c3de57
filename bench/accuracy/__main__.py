"""``python -m bench.accuracy``: CER/WER per category, stock tesseract vs our pipeline.

Both systems read the same files with the same language and their own defaults, the same
settings for every image:

* **stock**: the ``tesseract`` program, ``tesseract FILE stdout -l LANG`` (page mode 3,
  the file's resolution), ``OMP_THREAD_LIMIT=1``, one process per image as usual.
* **engine**: our engine alone (``engine.recognize``: no preprocessing), one long-lived
  engine (``--engine``: tesserocr by default, or pytesseract, which runs the same
  ``tesseract`` program as stock, adding an explicit ``--dpi``).
* **pipeline**: :func:`worker.ocr.preprocess.recognize_document` on the same engine.

Throughput is the sum of per-image wall times, measured one image at a time; the three
readings of an image run back to back. Rows ``eng`` and ``por`` regroup all categories
by language.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.accuracy.corpus import CATEGORIES, Sample, generate
from bench.accuracy.metrics import cer, wer


@dataclass(frozen=True, slots=True)
class Score:
    """One system's reading of one sample."""

    sample: Sample
    system: str
    cer: float
    wer: float
    seconds: float
    notes: str = ""


def stock_tesseract(sample: Sample, workdir: Path) -> Score:
    """Stock ``tesseract`` with its defaults on the sample's file."""
    suffix = ".jpg" if sample.image[:2] == b"\xff\xd8" else ".png"
    path = workdir / f"{sample.name}{suffix}"
    path.write_bytes(sample.image)
    started = time.perf_counter()
    done = subprocess.run(
        ["tesseract", str(path), "stdout", "-l", sample.language],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        check=True,
    )
    seconds = time.perf_counter() - started
    return Score(
        sample, "stock", cer(done.stdout, sample.truth), wer(done.stdout, sample.truth), seconds
    )


def run_all(
    samples: list[Sample], engine_name: str | None, workdir: Path
) -> tuple[list[Score], list[Score], list[Score]]:
    """Stock, our engine alone (``engine.recognize``) and our pipeline, image by image.

    The three readings of each image run back to back, so a change in the machine's load
    during the run affects all three alike. Our two share one long-lived engine; the
    engine alone shows what the preprocessing itself adds and costs.
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from worker.ocr import create_engine
    from worker.ocr.preprocess import recognize_document

    stock: list[Score] = []
    plain: list[Score] = []
    piped: list[Score] = []
    with create_engine(engine_name) as engine:
        engine.recognize(samples[0].image, samples[0].language)  # load the model first
        for s in samples:
            stock.append(stock_tesseract(s, workdir))
            started = time.perf_counter()
            alone = engine.recognize(s.image, s.language)
            seconds = time.perf_counter() - started
            plain.append(
                Score(s, "engine", cer(alone.text, s.truth), wer(alone.text, s.truth), seconds)
            )
            started = time.perf_counter()
            result = recognize_document(engine, s.image, s.language)
            seconds = time.perf_counter() - started
            notes = "; ".join(n for n in result.notes if "assumed" not in n)
            piped.append(
                Score(
                    s,
                    f"pipeline ({engine.name})",
                    cer(result.text, s.truth),
                    wer(result.text, s.truth),
                    seconds,
                    notes,
                )
            )
    return stock, plain, piped


def table(stock: list[Score], plain: list[Score], ours: list[Score]) -> str:
    """A Markdown table: mean CER/WER per category for each system, and time."""
    systems = (stock, plain, ours)
    lines = [
        "| category | n | stock CER | engine CER | pipeline CER | pipeline vs stock "
        "| stock WER | engine WER | pipeline WER | stock s | engine s | pipeline s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for category in (*CATEGORIES, "eng", "por", "all"):
        picked = [
            [x for x in system if category in ("all", x.sample.category, x.sample.language)]
            for system in systems
        ]
        if not picked[0]:
            continue
        cers = [statistics.fmean(x.cer for x in p) for p in picked]
        wers = [statistics.fmean(x.wer for x in p) for p in picked]
        times = [sum(x.seconds for x in p) for p in picked]
        change = f"{(cers[2] - cers[0]) / cers[0] * 100:+.0f}%" if cers[0] > 0 else "n/a"
        lines.append(
            f"| {category} | {len(picked[0])} | "
            + " | ".join(f"{c:.3f}" for c in cers)
            + f" | {change} | "
            + " | ".join(f"{w:.3f}" for w in wers)
            + " | "
            + " | ".join(f"{t:.1f}" for t in times)
            + " |"
        )
    ta, tp, to = (sum(x.seconds for x in system) for system in systems)
    lines.append("")
    lines.append(
        f"{ours[0].system}: time / stock {to / ta:.2f}×, time / engine alone {to / tp:.2f}×"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build the corpus, run both systems, print the per-category table."""
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__)
    parser.add_argument("--per-category", type=int, default=10, help="pages per category")
    parser.add_argument("--seed", type=int, default=6, help="corpus seed")
    parser.add_argument("--engine", default=None, help="tesserocr or pytesseract")
    parser.add_argument("--details", action="store_true", help="print every sample's scores")
    parser.add_argument("--save-corpus", type=Path, help="also write images and truth here")
    args = parser.parse_args(argv)
    samples = list(generate(args.per_category, args.seed))
    if args.save_corpus:
        args.save_corpus.mkdir(parents=True, exist_ok=True)
        for s in samples:
            suffix = ".jpg" if s.image[:2] == b"\xff\xd8" else ".png"
            (args.save_corpus / f"{s.name}{suffix}").write_bytes(s.image)
            (args.save_corpus / f"{s.name}.gt.txt").write_text(s.truth + "\n", encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="ocrjobs-accuracy-") as tmp:
        stock, plain, ours = run_all(samples, args.engine, Path(tmp))
    if args.details:
        for a, p, b in zip(stock, plain, ours, strict=True):
            print(
                f"{a.sample.name:18} {a.sample.font:28} {a.sample.detail:16} "
                f"CER stock {a.cer:.3f} engine {p.cer:.3f} pipeline {b.cer:.3f}  "
                f"{a.seconds:.2f}s/{p.seconds:.2f}s/{b.seconds:.2f}s  {b.notes}"
            )
        print()
    print(table(stock, plain, ours))
    return 0


if __name__ == "__main__":
    sys.exit(main())
