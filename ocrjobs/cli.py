"""``ocrjobs``: the command line over the services.

Exit codes: 0 ok · 1 failed · 2 usage or configuration · 3 not found · 4 no valid file
in a submission · 5 a backend (database, S3, SQS, DynamoDB) unreachable or refusing ·
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

from ocrjobs import __version__
from ocrjobs.config import Settings
from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.model import JobDetail, JobSummary, Progress
from ocrjobs.domain.status import JobStatus

log = logging.getLogger("ocrjobs.cli")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_NO_VALID_FILE = 4
EXIT_BACKEND = 5
EXIT_INTERRUPTED = 130

FINISHED = {JobStatus.DONE, JobStatus.ERROR, JobStatus.EXPIRED}


def _jsonable(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return {k: _jsonable(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, (UUID, Path)):
        return str(obj)
    if isinstance(obj, Enum):
        return obj.value
    return obj


def _print_json(data: Any, out: TextIO) -> None:
    json.dump(_jsonable(data), out, indent=2, ensure_ascii=False)
    out.write("\n")


def _summary_row(s: JobSummary) -> str:
    c = s.counts
    return (
        f"{s.job.id}  {s.job.status.value:<10} {c.done:>4}/{c.total:<4} "
        f"err {c.error:<3} {s.job.created_at:%Y-%m-%d %H:%M}  {s.job.name}"
    )


def _progress_printer(out: TextIO) -> Any:
    tty = out.isatty()

    def show(p: Progress) -> None:
        if not tty:
            return
        width = 30
        filled = int(width * p.done / p.total) if p.total else width
        out.write(f"\r{p.stage:<10} [{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total}")
        if p.stage == "done":
            out.write("\n")
        out.flush()

    return show


def _context(_args: argparse.Namespace) -> Any:
    from ocrjobs.bootstrap import build_context

    return build_context(Settings.load())


def cmd_init(args: argparse.Namespace) -> int:
    from ocrjobs.bootstrap import init_backends

    settings = Settings.load()
    result = init_backends(settings, aws=not args.database_only, database=not args.aws_only)
    print(f"schema migrated on {settings.resolved_database_url.split('@')[-1]}")
    if result is not None:
        print(
            f"bucket {result.bucket}, queue {settings.queue} (+ {settings.dlq_name}), "
            f"audit table {result.audit_table}: ready"
        )
    return EXIT_OK


def cmd_local(args: argparse.Namespace) -> int:
    from ocrjobs.localstack import LocalStack

    data_dir = Path(args.data_dir) if args.data_dir else Settings.load().data_path / "local"
    stack = LocalStack(data_dir, port=args.port)
    stack.start()
    if args.print_env:
        print(stack.shell_exports(), flush=True)
    else:
        print(f"local stack running: {stack.endpoint_url}, database {stack.db_path}")
        print(f'join it from another shell:  eval "$(cat {data_dir / "local-stack.env"})"')
        print("Ctrl-C stops it (and removes its database).", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return EXIT_OK


def cmd_submit(args: argparse.Namespace) -> int:
    from ocrjobs.services.jobs import create_job, get_job

    missing = [f for f in args.files if not Path(f).exists()]
    if missing:
        raise OcrJobsError(f"no such file or folder: {', '.join(missing)}")
    ctx = _context(args)
    try:
        result = create_job(
            ctx,
            args.name,
            [Path(f) for f in args.files],
            language=args.lang,
            progress=None if args.json else _progress_printer(sys.stderr),
        )
        detail = result.job
        if detail is not None and args.wait:
            try:
                detail = _wait(ctx, detail, args.timeout, quiet=args.json)
                detail = get_job(ctx, detail.job.id)
            except OcrJobsError:
                # Said first, or the error alone reads as a failed submission and invites
                # a second one of the same files.
                print(f"job {detail.job.id} was created; waiting for it failed", file=sys.stderr)
                raise
    finally:
        ctx.close()
    if args.json:
        _print_json(
            {"job": detail, "rejected": result.rejected, "unsent": result.unsent}, sys.stdout
        )
    else:
        for r in result.rejected:
            print(f"refused {r.name}: {r.reason} [{r.code}]", file=sys.stderr)
        if detail is not None:
            print(
                f"job {detail.job.id} '{detail.job.name}': {len(detail.items)} items, "
                f"status {detail.job.status.value}"
            )
            if args.wait:
                _print_items(detail, sys.stdout)
    if detail is None:
        print("no valid file: nothing was created", file=sys.stderr)
        return EXIT_NO_VALID_FILE
    return EXIT_OK


def _wait(ctx: Any, detail: JobDetail, timeout: float, *, quiet: bool) -> JobDetail:
    from ocrjobs.services.jobs import get_job

    deadline = time.monotonic() + timeout
    while detail.job.status not in FINISHED:
        if time.monotonic() > deadline:
            raise OcrJobsError(f"timed out after {timeout:.0f}s waiting for job {detail.job.id}")
        time.sleep(0.5)
        detail = get_job(ctx, detail.job.id)
        if not quiet and sys.stderr.isatty():
            c = detail.counts
            sys.stderr.write(f"\rwaiting: {c.done} done, {c.error} failed of {c.total}   ")
            sys.stderr.flush()
    if not quiet and sys.stderr.isatty():
        sys.stderr.write("\n")
    return detail


def cmd_list(args: argparse.Namespace) -> int:
    from ocrjobs.services.jobs import list_jobs

    ctx = _context(args)
    try:
        page = list_jobs(ctx, args.page, args.page_size, args.status, args.search)
    finally:
        ctx.close()
    if args.json:
        _print_json(
            {
                "page": page.page,
                "page_size": page.page_size,
                "total": page.total,
                "jobs": [{**_jsonable(s.job), "counts": s.counts.as_dict()} for s in page.jobs],
            },
            sys.stdout,
        )
        return EXIT_OK
    for s in page.jobs:
        print(_summary_row(s))
    print(f"page {page.page}/{page.pages}, {page.total} jobs", file=sys.stderr)
    return EXIT_OK


def _print_items(detail: JobDetail, out: TextIO) -> None:
    for i in detail.items:
        out.write(f"\n--- {i.original_name}  [{i.status.value}]  {i.s3_key}\n")
        if i.error_msg:
            out.write(f"error {i.error_code}: {i.error_msg}\n")
        if i.ocr_text:
            out.write(i.ocr_text.rstrip() + "\n")


def cmd_show(args: argparse.Namespace) -> int:
    from ocrjobs.services.jobs import get_job

    ctx = _context(args)
    try:
        detail = get_job(ctx, args.job)
    finally:
        ctx.close()
    if args.json:
        _print_json({**_jsonable(detail), "counts": detail.counts.as_dict()}, sys.stdout)
        return EXIT_OK
    j = detail.job
    print(
        f"job {j.id}\nname      {j.name}\nstatus    {j.status.value}\n"
        f"created   {j.created_at.isoformat()}\ndeadline  {j.sqs_retention_deadline.isoformat()}"
        f"\nlanguage  {j.language}\nitems     {detail.counts.as_dict()}"
    )
    _print_items(detail, sys.stdout)
    return EXIT_OK


def cmd_rename(args: argparse.Namespace) -> int:
    from ocrjobs.services.jobs import rename_job

    ctx = _context(args)
    try:
        s = rename_job(ctx, args.job, args.name)
    finally:
        ctx.close()
    print(f"job {s.job.id} renamed to '{s.job.name}'")
    return EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    from ocrjobs.services.jobs import delete_job, get_job

    ctx = _context(args)
    try:
        if not args.yes:
            detail = get_job(ctx, args.job)
            if not sys.stdin.isatty():
                raise OcrJobsError("refusing to delete without --yes (stdin is not a terminal)")
            answer = input(
                f"Delete job '{detail.job.name}' ({len(detail.items)} items): its S3 objects, "
                "database rows and audit entries? [y/N] "
            )
            if answer.strip().lower() not in {"y", "yes"}:
                print("not deleted")
                return EXIT_FAILED
        report = delete_job(ctx, args.job)
    finally:
        ctx.close()
    if not report.existed:
        print(f"no job with id {report.job_id}: nothing to delete", file=sys.stderr)
        return EXIT_NOT_FOUND
    print(
        f"deleted job {report.job_id}: {report.items} rows, {report.objects} objects, "
        f"{report.audit_events} audit entries"
    )
    return EXIT_OK


def cmd_logs(args: argparse.Namespace) -> int:
    from ocrjobs.services.jobs import get_job, job_events

    ctx = _context(args)
    try:
        events = job_events(ctx, args.job)
        if not events:
            get_job(ctx, args.job)  # not found → exit 3
    finally:
        ctx.close()
    if args.json:
        _print_json(events, sys.stdout)
        return EXIT_OK
    for e in events:
        details = json.dumps(e.details, ensure_ascii=False, default=str)
        print(f"{e.timestamp.isoformat()}  {e.action:<14} {e.actor:<24} {details}")
    return EXIT_OK


def cmd_expire(args: argparse.Namespace) -> int:
    from ocrjobs.services.maintenance import expire_jobs

    ctx = _context(args)
    try:
        jobs = expire_jobs(ctx)
    finally:
        ctx.close()
    print(f"{len(jobs)} jobs expired" + "".join(f"\n  {j}" for j in jobs))
    return EXIT_OK


def cmd_retry(args: argparse.Namespace) -> int:
    from ocrjobs.services.maintenance import retry_items

    ctx = _context(args)
    try:
        n = retry_items(ctx, args.job, failed=not args.expired_only, expired=not args.failed_only)
    finally:
        ctx.close()
    print(f"{n} items queued again")
    return EXIT_OK


def cmd_requeue(args: argparse.Namespace) -> int:
    from ocrjobs.services.dispatch import requeue_unsent
    from ocrjobs.services.maintenance import sweep_dead_letters

    ctx = _context(args)
    try:
        from datetime import timedelta

        sent = requeue_unsent(
            ctx, timedelta(seconds=args.grace) if args.grace is not None else None
        )
        dead = sweep_dead_letters(ctx)
    finally:
        ctx.close()
    print(f"{sent} unsent items queued; {dead} dead-lettered items marked ERROR")
    return EXIT_OK


def cmd_orphans(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from ocrjobs.services.orphans import sweep_orphan_objects

    ctx = _context(args)
    try:
        grace = timedelta(seconds=args.grace) if args.grace is not None else None
        sweep = sweep_orphan_objects(ctx, grace, dry_run=args.dry_run)
    finally:
        ctx.close()
    if args.json:
        _print_json(sweep, sys.stdout)
        return EXIT_OK
    verb = "would delete" if sweep.dry_run else "deleted"
    print(
        f"{verb} {sweep.objects} objects ({sweep.bytes} bytes) of {len(sweep.jobs)} job "
        f"folders with no job; {sweep.recent} such folders still within the grace period"
        + "".join(f"\n  jobs/{j}/" for j in sweep.jobs)
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from ocrjobs.services.export import export_job

    fmt = args.format or (Path(args.dest).suffix.lstrip(".").lower() or "txt")
    ctx = _context(args)
    try:
        written = export_job(ctx, args.job, fmt, Path(args.dest), per_item=args.per_item)
    finally:
        ctx.close()
    for path in written:
        print(path)
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from ocrjobs.services.search import search_text

    ctx = _context(args)
    try:
        hits = search_text(ctx, " ".join(args.query), args.limit)
    finally:
        ctx.close()
    if args.json:
        _print_json(
            [
                {
                    "job_id": h.item.job_id,
                    "job_name": h.job_name,
                    "item_id": h.item.id,
                    "file": h.item.original_name,
                    "page": h.item.page_number,
                    "snippet": h.snippet,
                }
                for h in hits
            ],
            sys.stdout,
        )
        return EXIT_OK
    for h in hits:
        page = f" p{h.item.page_number}" if h.item.page_number else ""
        print(f"{h.item.job_id}  {h.job_name} / {h.item.original_name}{page}\n    {h.snippet}")
    if not hits:
        print("no match", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from ocrjobs.services.maintenance import check_connections

    ctx = _context(args)
    try:
        results = check_connections(ctx)
    finally:
        ctx.close()
    for r in results:
        mark = "ok  " if r.ok else "FAIL"
        print(f"{mark} {r.service:<9} {r.endpoint}  {'' if r.ok else r.message}")
    return EXIT_OK if all(r.ok for r in results) else EXIT_BACKEND


MAX_SECONDS = 100 * 365 * 86400
"""The largest ``--grace``: a century (now minus more overflows the date range)."""


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds from 0 to :data:`MAX_SECONDS`."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= MAX_SECONDS:  # NaN compares false
        raise argparse.ArgumentTypeError(
            f"not a number of seconds from 0 to {MAX_SECONDS}: {text!r}"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ocrjobs",
        description="Cloud OCR jobs: submit images, follow them, read their text.",
        epilog="Exit codes: 0 ok, 1 failed, 2 usage/config, 3 not found, 4 no valid file, "
        "5 backend unreachable, 130 interrupted. Settings: docs/configuration.md.",
    )
    p.add_argument("--version", action="version", version=f"ocrjobs {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("init", help="create the schema, bucket, queues and audit table")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--database-only", action="store_true")
    g.add_argument("--aws-only", action="store_true")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("local", help="run the embedded local stack (moto + SQLite) until Ctrl-C")
    s.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    s.add_argument("--data-dir", help="where the local database lives")
    s.add_argument(
        "--print-env", action="store_true", help="print shell exports to join the stack (eval them)"
    )
    s.set_defaults(func=cmd_local)

    s = sub.add_parser("submit", help="create a job from image files and folders")
    s.add_argument("files", nargs="+", metavar="FILE|FOLDER")
    s.add_argument("--name", help="job name (default: from the folder or first file)")
    s.add_argument("--lang", help="Tesseract language(s), e.g. eng or eng+por")
    s.add_argument("--wait", action="store_true", help="wait until every item is finished")
    s.add_argument("--timeout", type=float, default=600, help="seconds --wait waits")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_submit)

    s = sub.add_parser("list", help="list jobs, newest first")
    s.add_argument("--page", type=int, default=1)
    s.add_argument("--page-size", type=int, default=50)
    s.add_argument("--status", choices=[x.value for x in JobStatus])
    s.add_argument("--search", help="only jobs whose name contains this")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("show", help="a job's items with status, text and error")
    s.add_argument("job")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("rename", help="rename a job")
    s.add_argument("job")
    s.add_argument("name")
    s.set_defaults(func=cmd_rename)

    s = sub.add_parser("delete", help="delete a job: S3 objects, rows and audit entries")
    s.add_argument("job")
    s.add_argument("--yes", "-y", action="store_true", help="do not ask")
    s.set_defaults(func=cmd_delete)

    s = sub.add_parser("logs", help="a job's audit trail")
    s.add_argument("job")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_logs)

    s = sub.add_parser("expire", help="mark jobs past their retention deadline EXPIRED")
    s.set_defaults(func=cmd_expire)

    s = sub.add_parser("retry", help="queue a job's failed and expired items again")
    s.add_argument("job")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--failed-only", action="store_true")
    g.add_argument("--expired-only", action="store_true")
    s.set_defaults(func=cmd_retry)

    s = sub.add_parser("requeue", help="send messages of items never queued; sweep dead letters")
    s.add_argument("--grace", type=_seconds, help="seconds an unsent item must be old")
    s.set_defaults(func=cmd_requeue)

    s = sub.add_parser(
        "orphans", help="delete S3 images of submissions that never became a job (killed mid-way)"
    )
    s.add_argument("--grace", type=_seconds, help="seconds a folder's newest image must be old")
    s.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_orphans)

    s = sub.add_parser("export", help="export a job as txt, json, csv or searchable pdf")
    s.add_argument("job")
    s.add_argument("dest", help="output file (or folder with --per-item)")
    s.add_argument(
        "--format", choices=["txt", "json", "csv", "pdf"], help="default: from the file extension"
    )
    s.add_argument("--per-item", action="store_true", help="txt: one file per item")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("search", help="full-text search across every job's text")
    s.add_argument("query", nargs="+")
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("check", help="test the database, S3, SQS and DynamoDB one by one")
    s.set_defaults(func=cmd_check)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("botocore").setLevel(max(level, logging.WARNING))
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OcrJobsError as exc:
        print(f"ocrjobs: error: {exc.message}", file=sys.stderr)
        if exc.details:
            print(exc.details, file=sys.stderr)
        return exc.exit_code
    return code


if __name__ == "__main__":
    sys.exit(main())
