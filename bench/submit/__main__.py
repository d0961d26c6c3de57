"""Benchmark ``create_job`` against ``aws s3 cp --recursive`` on the same local stack.

Generates N incompressible ~100 KB PNG images, then in one run and alternating rounds:
* peer: the AWS CLI uploading the folder to the same moto endpoint (uploads only);
* ours: ``create_job`` checking every image by content, uploading, inserting the rows,
  sending one SQS message per item and writing the audit event.
Prints the median times and the ratio (peer / ours; ≥ 1.0 means we are no slower).

    python -m bench.submit [--images 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from bench.localserver import StackProcess


def noise_png(side: int = 316) -> bytes:
    """A ~98 KiB PNG of random grey noise: incompressible, and every one distinct."""
    buf = io.BytesIO()
    Image.frombytes("L", (side, side), os.urandom(side * side)).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def make_images(folder: Path, n: int, side: int = 316) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"img{i:05d}.png").write_bytes(noise_png(side))


def run_peer(folder: Path, env: dict[str, str], round_no: int) -> float:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if aws is None:
        raise SystemExit("the AWS CLI is not installed (pip install awscli)")
    bucket = env["OCRJOBS_BUCKET"]
    t0 = time.perf_counter()
    subprocess.run(
        [
            aws,
            "s3",
            "cp",
            "--recursive",
            "--quiet",
            str(folder),
            f"s3://{bucket}/cli-bench/{round_no}/",
        ],
        check=True,
        env={**os.environ, **env},
    )
    return time.perf_counter() - t0


def fresh_queue(env: dict[str, str], round_no: int) -> str:
    """A new, empty queue for this round (moto's send cost grows with queue depth, and
    PurgeQueue may run once a minute)."""
    import boto3

    sqs = boto3.client("sqs", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1")
    name = f"bench-submit-{round_no}"
    sqs.create_queue(QueueName=name)
    return name


def run_ours(folder: Path, queue: str) -> tuple[float, dict[str, float], int]:
    """Time create_job; split by stage from its progress reports."""
    from ocrjobs.bootstrap import build_context
    from ocrjobs.config import Settings
    from ocrjobs.domain.model import Progress
    from ocrjobs.services.jobs import create_job

    stamps: dict[str, float] = {}

    def progress(p: Progress) -> None:
        stamps.setdefault(p.stage, time.perf_counter())

    ctx = build_context(Settings.load().replace(queue=queue))
    try:
        t0 = time.perf_counter()
        result = create_job(ctx, "bench", [folder], progress=progress)
        end = time.perf_counter()
    finally:
        ctx.close()
    if result.job is None or result.rejected or result.unsent:
        raise SystemExit(f"create_job did not take every image: {result}")
    stages = {
        "check+upload": stamps["saving"] - t0,
        "rows+audit": stamps["queueing"] - stamps["saving"],
        "sqs send": stamps["done"] - stamps["queueing"],
    }
    return end - t0, stages, len(result.job.items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-submit-") as tmp:
        folder = Path(tmp) / "images"
        make_images(folder, args.images)
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"{args.images} images, {size / args.images / 1024:.0f} KiB each on average")
        with StackProcess(Path(tmp) / "stack") as stack:
            stack.apply()
            peer: list[float] = []
            ours: list[float] = []
            no_sqs: list[float] = []
            for r in range(args.rounds):
                # moto's SendMessage costs O(queue depth): every round gets an empty queue.
                queue = fresh_queue(stack.env, r)
                peer.append(run_peer(folder, stack.env, r))
                t, stages, n = run_ours(folder, queue)
                ours.append(t)
                no_sqs.append(t - stages["sqs send"])
                split = ", ".join(f"{k} {v:.2f}s" for k, v in stages.items())
                print(
                    f"round {r + 1}: aws s3 cp {peer[-1]:.2f}s | create_job {t:.2f}s "
                    f"({n} items: {split})"
                )
    p, o, x = statistics.median(peer), statistics.median(ours), statistics.median(no_sqs)
    print(
        f"median: aws s3 cp --recursive {p:.2f}s ({args.images / p:.0f} img/s), "
        f"create_job {o:.2f}s ({args.images / o:.0f} img/s)"
    )
    print(f"ratio (aws / ours), everything: {p / o:.2f}  (target >= 1.0)")
    print(
        f"ratio (aws / ours) without moto's SQS send (O(queue depth) per message in "
        f"moto, not in SQS): {p / x:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
