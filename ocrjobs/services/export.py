"""Exporting a job: plain text (combined or one file per item), JSON, CSV, searchable PDF."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import time
from pathlib import Path
from uuid import UUID

from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.model import JobDetail, JobItem
from ocrjobs.domain.status import ItemStatus
from ocrjobs.domain.words import PageWords
from ocrjobs.services.context import Context
from ocrjobs.services.jobs import get_job, item_image, item_words
from ocrjobs.services.searchable_pdf import PdfPage, write_pdf

log = logging.getLogger(__name__)

FORMATS = ("txt", "json", "csv", "pdf")


def _safe_stem(name: str) -> str:
    stem = Path(name.replace("\\", "/")).stem or "item"
    return re.sub(r"[^\w.-]+", "_", stem)[:80] or "item"


def _label(item: JobItem) -> str:
    page = f" (page {item.page_number})" if item.page_number else ""
    return f"{item.original_name}{page}"


def combined_text(detail: JobDetail) -> str:
    """Every DONE item's text, each under a header naming its file (and page)."""
    parts = []
    for item in detail.items:
        if item.status is ItemStatus.DONE:
            parts.append(f"=== {_label(item)} ===\n{(item.ocr_text or '').rstrip()}\n")
        else:
            reason = item.error_msg or item.status.value
            parts.append(f"=== {_label(item)} === [{item.status.value}: {reason}]\n")
    return "\n".join(parts)


def to_json(ctx: Context, detail: JobDetail) -> str:
    """Text, confidence, word boxes and metadata of every item."""
    items = []
    for item in detail.items:
        words: PageWords | None = item_words(ctx, item.id) if item.ocr_text else None
        items.append(
            {
                "id": str(item.id),
                "file": item.original_name,
                "page": item.page_number,
                "s3_key": item.s3_key,
                "status": item.status.value,
                "text": item.ocr_text,
                "confidence": item.confidence,
                "error_code": item.error_code,
                "error": item.error_msg,
                "sha256": item.sha256,
                "size_bytes": item.size_bytes,
                "content_type": item.content_type,
                "finished_at": item.finished_at.isoformat() if item.finished_at else None,
                "words": None
                if words is None
                else {
                    "width": words.width,
                    "height": words.height,
                    "rotate": words.rotate,
                    "boxes": [
                        {"x": w.x, "y": w.y, "w": w.w, "h": w.h, "conf": w.conf, "text": w.text}
                        for w in words.words
                    ],
                },
            }
        )
    job = detail.job
    return json.dumps(
        {
            "job": {
                "id": str(job.id),
                "name": job.name,
                "status": job.status.value,
                "created_at": job.created_at.isoformat(),
                "language": job.language,
                "counts": detail.counts.as_dict(),
            },
            "items": items,
        },
        ensure_ascii=False,
        indent=2,
    )


def to_csv(detail: JobDetail) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "job_id",
            "job_name",
            "item_id",
            "file",
            "page",
            "status",
            "confidence",
            "error_code",
            "error",
            "text",
        ]
    )
    for item in detail.items:
        writer.writerow(
            [
                detail.job.id,
                detail.job.name,
                item.id,
                item.original_name,
                item.page_number or "",
                item.status.value,
                "" if item.confidence is None else f"{item.confidence:.1f}",
                item.error_code or "",
                item.error_msg or "",
                item.ocr_text or "",
            ]
        )
    return out.getvalue()


def to_pdf(ctx: Context, detail: JobDetail) -> bytes:
    """Every DONE item as a page: its image with the recognised text invisible on top."""
    pages = [
        PdfPage(item_image(ctx, item), item_words(ctx, item.id))
        for item in detail.items
        if item.status is ItemStatus.DONE
    ]
    if not pages:
        raise OcrJobsError("the job has no finished item to put in a PDF")
    return write_pdf(pages)


def export_job(
    ctx: Context, job_id: UUID | str, fmt: str, dest: Path, *, per_item: bool = False
) -> list[Path]:
    """Write the job in ``fmt`` to ``dest`` (a file, or a folder with ``per_item`` txt).

    Returns the files written.
    """
    if fmt not in FORMATS:
        raise OcrJobsError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    t0 = time.perf_counter()
    detail = get_job(ctx, job_id)
    written: list[Path] = []
    if fmt == "txt" and per_item:
        dest.mkdir(parents=True, exist_ok=True)
        seen: set[str] = set()
        for n, item in enumerate(detail.items, start=1):
            if item.status is not ItemStatus.DONE:
                continue
            stem = _safe_stem(item.original_name)
            if item.page_number:
                stem += f"_p{item.page_number:03d}"
            if stem in seen:
                stem = f"{stem}_{n}"
            seen.add(stem)
            path = dest / f"{stem}.txt"
            path.write_text((item.ocr_text or "").rstrip() + "\n", encoding="utf-8")
            written.append(path)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "txt":
            dest.write_text(combined_text(detail), encoding="utf-8")
        elif fmt == "json":
            dest.write_text(to_json(ctx, detail), encoding="utf-8")
        elif fmt == "csv":
            dest.write_text(to_csv(detail), encoding="utf-8-sig", newline="")
        else:
            dest.write_bytes(to_pdf(ctx, detail))
        written.append(dest)
    log.info(
        "exported job=%s as %s to %s (%d files) in %.3fs",
        detail.job.id,
        fmt,
        dest,
        len(written),
        time.perf_counter() - t0,
    )
    return written
