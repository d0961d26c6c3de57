"""``python -m bench.accuracy``: CER/WER per category, stock tesseract vs our pipeline.

Both systems read the same files with the same language and their own defaults, the same
settings for every image:

* **stock**: the ``tesseract`` program, ``tesseract FILE stdout -l LANG`` (page mode 3,
  the file's resolution), ``OMP_THREAD_LIMIT=1``, one process per image as usual.
* **pipeline**: :func:`worker.ocr.preprocess.recognize_document` on one long-lived engine
  (``--engine``: tesserocr by default, or pytesseract, which runs the same ``tesseract``
  program as stock).

Throughput is the sum of per-image wall times, measured one image at a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
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


def run_stock(samples: list[Sample], workdir: Path) -> list[Score]:
    """Stock ``tesseract`` with its defaults on each sample's file."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    scores = []
    for s in samples:
        suffix = ".jpg" if s.image[:2] == b"\xff\xd8" else ".png"
        path = workdir / f"{s.name}{suffix}"
        path.write_bytes(s.image)
        started = time.perf_counter()
        done = subprocess.run(
            ["tesseract", str(path), "stdout", "-l", s.language],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        seconds = time.perf_counter() - started
        scores.append(
            Score(s, "stock", cer(done.stdout, s.truth), wer(done.stdout, s.truth), seconds)
        )
    return scores


def run_pipeline(samples: list[Sample], engine_name: str | None) -> list[Score]:
    """Our pipeline (:func:`recognize_document`) with its defaults on each sample."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from worker.ocr import create_engine
    from worker.ocr.preprocess import recognize_document

    scores = []
    with create_engine(engine_name) as engine:
        engine.recognize(samples[0].image, samples[0].language)  # load the model first
        for s in samples:
            started = time.perf_counter()
            result = recognize_document(engine, s.image, s.language)
            seconds = time.perf_counter() - started
            notes = "; ".join(n for n in result.notes if "assumed" not in n)
            scores.append(
                Score(
                    s,
                    f"pipeline ({engine.name})",
                    cer(result.text, s.truth),
                    wer(result.text, s.truth),
                    seconds,
                    notes,
                )
            )
    return scores


def table(stock: list[Score], ours: list[Score]) -> str:
    """A Markdown table: mean CER/WER per category for both systems, and time."""
    by: dict[tuple[str, str], list[Score]] = defaultdict(list)
    for score in (*stock, *ours):
        by[(score.system, score.sample.category)].append(score)
    ours_name = ours[0].system
    lines = [
        f"| category | n | stock CER | {ours_name} CER | CER change | stock WER "
        f"| {ours_name} WER | stock s | ours s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for category in (*CATEGORIES, "all"):
        if category == "all":
            a, b = stock, ours
        else:
            a, b = by[("stock", category)], by[(ours_name, category)]
        if not a:
            continue
        ca, cb = statistics.fmean(x.cer for x in a), statistics.fmean(x.cer for x in b)
        change = f"{(cb - ca) / ca * 100:+.0f}%" if ca > 0 else "n/a"
        lines.append(
            f"| {category} | {len(a)} | {ca:.3f} | {cb:.3f} | {change} "
            f"| {statistics.fmean(x.wer for x in a):.3f} "
            f"| {statistics.fmean(x.wer for x in b):.3f} "
            f"| {sum(x.seconds for x in a):.1f} | {sum(x.seconds for x in b):.1f} |"
        )
    ta, tb = sum(x.seconds for x in stock), sum(x.seconds for x in ours)
    lines.append("")
    lines.append(f"Throughput cost (pipeline time / stock time): {tb / ta:.2f}×")
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
        stock = run_stock(samples, Path(tmp))
    ours = run_pipeline(samples, args.engine)
    if args.details:
        for a, b in zip(stock, ours, strict=True):
            print(
                f"{a.sample.name:18} {a.sample.font:28} {a.sample.detail:18} "
                f"stock {a.cer:.3f} ours {b.cer:.3f}  {a.seconds:.2f}s/{b.seconds:.2f}s  "
                f"{b.notes}"
            )
        print()
    print(table(stock, ours))
    return 0


if __name__ == "__main__":
    sys.exit(main())
