"""``ocrjobs-worker`` / ``python -m worker``: run the consumer until told to stop.

Backends come from the core settings (``OCRJOBS_*`` environment, the TOML file, the
standard AWS chain). SIGTERM or SIGINT stops receiving, lets in-flight items finish,
releases prefetched ones and exits 0; a second signal exits at once.

Exit codes: 0 stopped normally, 2 bad configuration, 3 no OCR engine can run,
1 anything else; 128 + signal number after a second signal.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from ocrjobs.config import Settings
from ocrjobs.domain.errors import ConfigError
from worker.logs import setup_logging

if TYPE_CHECKING:
    from worker.consumer import WorkerOptions
    from worker.pool import EngineSpec

# The heavy imports (SQLAlchemy, boto3, the consumer) happen inside main(): with the spawn
# start method every OCR process imports this module again as its ``__main__``.

log = logging.getLogger("worker.cli")

SWITCH_INTERVAL_S = 0.001
"""The worker parent's GIL switch interval (see main)."""


def build_parser() -> argparse.ArgumentParser:
    """The command line (every backend setting comes from ``OCRJOBS_*`` instead)."""
    p = argparse.ArgumentParser(
        prog="ocrjobs-worker",
        description="Consume the OCR queue: one OCR process per core, results to the database.",
    )
    p.add_argument(
        "-c",
        "--concurrency",
        type=int,
        default=None,
        help="OCR processes (default: the CPU count)",
    )
    p.add_argument(
        "--prefetch",
        type=int,
        default=None,
        help="items claimed and downloaded ahead of the OCR processes (default: concurrency)",
    )
    p.add_argument(
        "--buffer-seconds",
        type=float,
        default=2.0,
        help="messages received ahead cover about this much OCR time (≤ 20; 0: none)",
    )
    p.add_argument(
        "--prepare-ahead",
        choices=["auto", "on", "off"],
        default="auto",
        help="each OCR process prepares its next image on a second thread "
        "(auto: when the processes leave a CPU free; say off where a CPU quota, "
        "not the CPU count, limits the worker)",
    )
    p.add_argument("--drain", action="store_true", help="stop when the queue is empty")
    p.add_argument("--once", action="store_true", help="handle one receive's messages, then stop")
    p.add_argument("--engine", choices=["tesserocr", "pytesseract"], default=None)
    p.add_argument("--psm", type=int, default=3, help="Tesseract page segmentation mode")
    p.add_argument("--wait-seconds", type=int, default=20, help="SQS long-poll wait (0-20)")
    p.add_argument("--backoff-base", type=float, default=2.0, help="first retry window (s)")
    p.add_argument("--backoff-cap", type=float, default=900.0, help="largest retry window (s)")
    p.add_argument(
        "--sweep-interval", type=float, default=60.0, help="seconds between sweeps (0: none)"
    )
    p.add_argument(
        "--heartbeat-interval",
        type=float,
        default=60.0,
        help="seconds between heartbeat log lines (0: none)",
    )
    p.add_argument(
        "--log-level",
        default=os.environ.get("OCRJOBS_LOG_LEVEL", "INFO"),
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
    )
    return p


def options_from_args(args: argparse.Namespace, settings: Settings) -> WorkerOptions:
    """The worker's options from parsed arguments and settings."""
    from worker.consumer import WorkerOptions
    from worker.pool import usable_cpus

    concurrency = args.concurrency or usable_cpus()
    if concurrency < 1:
        raise ConfigError("--concurrency must be at least 1")
    if not 0 <= args.wait_seconds <= 20:
        raise ConfigError("--wait-seconds must be within 0-20")
    return WorkerOptions(
        concurrency=concurrency,
        prefetch=args.prefetch,
        buffer_seconds=args.buffer_seconds,
        wait_seconds=args.wait_seconds,
        drain=args.drain,
        once=args.once,
        engine=args.engine or settings.ocr_engine or None,
        psm=args.psm,
        prepare_ahead={"on": True, "off": False}.get(args.prepare_ahead),
        backoff_base=args.backoff_base,
        backoff_cap=args.backoff_cap,
        sweep_interval=args.sweep_interval,
        heartbeat_interval=args.heartbeat_interval,
    )


def engine_spec(settings: Settings, options: WorkerOptions, log_level: str) -> EngineSpec:
    """What each OCR process builds, from the settings and options."""
    from worker.pool import EngineSpec

    return EngineSpec(
        name=options.engine,
        tessdata=settings.tessdata_dir or None,
        psm=options.psm,
        max_bytes=settings.max_file_bytes,
        max_pixels=settings.max_pixels,
        log_level=log_level,
        prepare_ahead=options.prepare_ahead,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the worker; return the process exit code."""
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        settings = Settings.load()
        options = options_from_args(args, settings)
    except ConfigError as exc:
        log.error("configuration error: %s", exc.message)
        return exc.exit_code

    from ocrjobs.bootstrap import build_context
    from worker.consumer import Worker
    from worker.ocr.engine import OcrFailure
    from worker.pool import OcrPool

    ctx = build_context(settings)
    pool = OcrPool(options.concurrency, engine_spec(settings, options, args.log_level))
    worker = Worker(ctx, pool, options)
    signals = 0

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal signals
        signals += 1
        name = signal.Signals(signum).name
        if signals == 1:
            log.info("%s received: finishing in-flight items (again to exit at once)", name)
            worker.stop()
            return
        log.warning("second %s: exiting now; held messages return after their timeout", name)
        pool.kill()
        logging.shutdown()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        return worker.run()
    except OcrFailure as exc:
        log.error("no OCR engine can run: %s: %s", exc.code, exc.message)
        return 3
    except Exception:
        log.exception("worker crashed")
        return 1
    finally:
        ctx.close()
        sys.stdout.flush()
