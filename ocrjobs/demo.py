"""Headless demo (``make run`` without a display, ``make demo``).

Starts the embedded local stack, a sidecar worker process (``python -m worker``), submits
the sample images in ``resources/samples/`` through the same service the desktop uses,
and prints each item's text as it comes back; then stops everything.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ocrjobs.bootstrap import build_context
from ocrjobs.localstack import LocalStack
from ocrjobs.services.jobs import create_job, get_job, list_jobs

SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "samples"
FINISHED = {"DONE", "ERROR", "EXPIRED"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, help="images (default: the samples)")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    files = args.files or sorted(p for p in SAMPLES.iterdir() if p.suffix in {".png", ".jpg"})
    if not files:
        print(f"no images to submit (looked in {SAMPLES})", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="ocrjobs-demo-") as tmp:
        stack = LocalStack(Path(tmp))
        settings = stack.start()
        print(f"local stack: moto at {stack.endpoint_url}, SQLite at {stack.db_path}")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "worker", "--concurrency", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        ctx = build_context(settings)
        try:
            # The samples' names say their language: pt-* is Portuguese.
            batches = {
                ("demo (English)", "eng"): [f for f in files if not f.name.startswith("pt-")],
                ("demo (português)", "por"): [f for f in files if f.name.startswith("pt-")],
            }
            job_ids = []
            for (name, lang), batch in batches.items():
                if not batch:
                    continue
                result = create_job(ctx, name, batch, language=lang)
                for r in result.rejected:
                    print(f"refused {r.name}: {r.reason}")
                if result.job is not None:
                    job_ids.append(result.job.job.id)
                    print(f"submitted '{name}' ({lang}): {len(result.job.items)} images")
            if not job_ids:
                return 1
            print("OCR running...")
            deadline = time.monotonic() + args.timeout
            ok = True
            for job_id in job_ids:
                detail = get_job(ctx, job_id)
                while detail.job.status.value not in FINISHED:
                    if worker.poll() is not None:
                        print(f"the worker exited with code {worker.returncode}", file=sys.stderr)
                        return 1
                    if time.monotonic() > deadline:
                        print("timed out waiting for OCR", file=sys.stderr)
                        return 1
                    time.sleep(0.5)
                    detail = get_job(ctx, job_id)
                for item in detail.items:
                    print(f"\n=== {item.original_name} [{item.status.value}]")
                    print(item.ocr_text or f"{item.error_code}: {item.error_msg}")
                ok = ok and detail.job.status.value == "DONE"
            print("\njobs:")
            for s in list_jobs(ctx).jobs:
                c = s.counts
                print(f"  {s.job.name}: {s.job.status.value}, {c.done}/{c.total} done")
            return 0 if ok else 1
        finally:
            worker.terminate()
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
            ctx.close()
            stack.stop()


if __name__ == "__main__":
    sys.exit(main())
