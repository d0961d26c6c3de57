"""PDF input, word boxes, duplicate reuse, full-text search and export, on both databases."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocrjobs.adapters.messages import decode
from ocrjobs.domain.model import JobDetail, NamedBytes
from ocrjobs.domain.words import PageWords, WordBox, decode_words, encode_words
from ocrjobs.services import export, jobs, processing, search
from ocrjobs.services.context import Context

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _page(text: str, size: tuple[int, int] = (850, 1100)) -> Image.Image:
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).text((80, 120), text, font=ImageFont.truetype(FONT, 36), fill="black")
    return img


def _pdf(tmp_path: Path, n: int) -> Path:
    pages = [_page(f"Page {i + 1}") for i in range(n)]
    path = tmp_path / "report.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=100)
    return path


def _png(text: str) -> bytes:
    buf = io.BytesIO()
    _page(text, (400, 120)).save(buf, "PNG")
    return buf.getvalue()


def _process_all(ctx: Context, texts: dict[str, str] | None = None) -> None:
    """Play the worker: claim every queued item and complete it with text and boxes."""
    while msgs := ctx.queue.receive(10, 0):
        for m in msgs:
            claim = processing.claim(ctx, decode(m.body))
            assert isinstance(claim, processing.Claim)
            text = (texts or {}).get(claim.item.original_name, f"text of {claim.item.id}")
            words = PageWords(400, 120, 0, (WordBox(10, 20, 120, 30, 91.5, text.split()[0]),))
            assert processing.complete(
                ctx, claim, text, confidence=91.5, words=words, ocr_profile="test:eng:v1"
            )
            ctx.queue.delete(m.receipt_handle)


def test_pdf_pages_become_items_with_page_numbers(fake_ctx: Context, tmp_path: Path) -> None:
    result = jobs.create_job(fake_ctx, "pdf", [_pdf(tmp_path, 3)])
    assert result.job is not None
    items = result.job.items
    assert sorted(i.page_number or 0 for i in items) == [1, 2, 3]
    assert {i.original_name for i in items} == {"report.pdf"}
    for item in items:
        assert item.s3_key.endswith(".png")
        with Image.open(io.BytesIO(fake_ctx.store.get(item.s3_key))) as img:
            assert round(img.info["dpi"][0]) == 300
            assert abs(img.width - 8.5 * 300) <= 1
            assert abs(img.height - 11 * 300) <= 1


def test_damaged_pdf_is_refused_and_the_rest_goes_on(fake_ctx: Context) -> None:
    files = [NamedBytes("bad.pdf", b"%PDF-1.4\nnot really"), NamedBytes("ok.png", _png("ok"))]
    result = jobs.create_job(fake_ctx, None, files)
    assert result.job is not None
    assert [r.name for r in result.rejected] == ["bad.pdf"]
    assert "PDF" in result.rejected[0].reason
    assert len(result.job.items) == 1


def _done_job(ctx: Context, texts: dict[str, str]) -> JobDetail:
    files = [NamedBytes(name, _png(text)) for name, text in texts.items()]
    result = jobs.create_job(ctx, "formats", files)
    assert result.job is not None
    _process_all(ctx, texts)
    return jobs.get_job(ctx, result.job.job.id)


def test_word_boxes_round_trip(fake_ctx: Context) -> None:
    detail = _done_job(fake_ctx, {"a.png": "Invoice total"})
    words = jobs.item_words(fake_ctx, detail.items[0].id)
    assert words is not None
    assert words.words[0].text == "Invoice"
    assert decode_words(encode_words(words)) == words
    assert decode_words("not json") is None


def test_identical_image_reuses_the_result(fake_ctx: Context) -> None:
    detail = _done_job(fake_ctx, {"a.png": "Reusable words"})
    again = jobs.create_job(fake_ctx, "again", [NamedBytes("copy.png", _png("Reusable words"))])
    assert again.job is not None
    [msg] = fake_ctx.queue.receive(10, 0)
    claim = processing.claim(fake_ctx, decode(msg.body))
    assert isinstance(claim, processing.Claim)
    previous = processing.previous_result(fake_ctx, claim, "test:eng:v1")
    assert previous is not None
    assert previous.item_id == detail.items[0].id
    assert previous.text == "Reusable words"
    assert processing.previous_result(fake_ctx, claim, "other:eng:v1") is None
    fake_ctx.settings = fake_ctx.settings.replace(reuse_duplicates=False)
    assert processing.previous_result(fake_ctx, claim, "test:eng:v1") is None


def test_full_text_search_finds_words_across_jobs(fake_ctx: Context) -> None:
    _done_job(fake_ctx, {"a.png": "Quarterly invoice from Acme", "b.png": "Meeting notes"})
    _done_job(fake_ctx, {"c.png": "Second invoice, ação concluída"})
    hits = search.search_text(fake_ctx, "invoice")
    assert sorted(h.item.original_name for h in hits) == ["a.png", "c.png"]
    assert all("invoice" in h.snippet.lower() for h in hits)
    assert [h.item.original_name for h in search.search_text(fake_ctx, "acme invoice")] == ["a.png"]
    assert search.search_text(fake_ctx, 'meeting" (*') != []  # query syntax is neutralised
    assert search.search_text(fake_ctx, "nothinglikethis") == []
    assert search.search_text(fake_ctx, "  ") == []


def test_search_forgets_deleted_jobs(fake_ctx: Context) -> None:
    detail = _done_job(fake_ctx, {"a.png": "Ephemeral paragraph"})
    assert search.search_text(fake_ctx, "ephemeral")
    jobs.delete_job(fake_ctx, detail.job.id)
    assert search.search_text(fake_ctx, "ephemeral") == []


@pytest.mark.parametrize("fmt", ["txt", "json", "csv", "pdf"])
def test_export_formats(fake_ctx: Context, tmp_path: Path, fmt: str) -> None:
    detail = _done_job(fake_ctx, {"a.png": "Alpha words", "b.png": "Beta words"})
    [path] = export.export_job(fake_ctx, detail.job.id, fmt, tmp_path / f"out.{fmt}")
    if fmt == "txt":
        body = path.read_text(encoding="utf-8")
        assert "=== a.png ===\nAlpha words" in body
        assert "Beta words" in body
    elif fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["job"]["name"] == "formats"
        assert {i["text"] for i in data["items"]} == {"Alpha words", "Beta words"}
        assert data["items"][0]["words"]["boxes"][0]["conf"] == 91.5
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert {r["text"] for r in rows} == {"Alpha words", "Beta words"}
    else:
        pdf = pdfium.PdfDocument(path)
        try:
            assert len(pdf) == 2
            found = []
            for i in range(len(pdf)):
                page = pdf[i]
                textpage = page.get_textpage()
                found.append(textpage.get_text_range())
                textpage.close()
                page.close()
        finally:
            pdf.close()
        assert any("Alpha" in t for t in found)
        assert any("Beta" in t for t in found)


def test_export_one_text_file_per_item(fake_ctx: Context, tmp_path: Path) -> None:
    detail = _done_job(fake_ctx, {"scan 1.png": "First", "scan/2.png": "Second"})
    written = export.export_job(fake_ctx, detail.job.id, "txt", tmp_path / "out", per_item=True)
    assert sorted(p.read_text(encoding="utf-8") for p in written) == ["First\n", "Second\n"]
    assert all(p.parent == tmp_path / "out" for p in written)


def test_jobs_count_items_to_review(fake_ctx: Context) -> None:
    files = [NamedBytes(f"{n}.png", _png(n)) for n in ("sharp", "blurry", "broken")]
    result = jobs.create_job(fake_ctx, "review", files)
    assert result.job is not None
    for m in fake_ctx.queue.receive(10, 0):
        claim = processing.claim(fake_ctx, decode(m.body))
        assert isinstance(claim, processing.Claim)
        name = claim.item.original_name
        if name == "broken.png":
            assert processing.fail(fake_ctx, claim, "BAD_IMAGE", "unreadable")
        else:
            confidence = 95.0 if name == "sharp.png" else 41.0
            assert processing.complete(fake_ctx, claim, name, confidence=confidence)
    [summary] = jobs.list_jobs(fake_ctx).jobs
    assert summary.counts.review == 1  # only DONE items with low confidence
    assert summary.counts.error == 1
    assert jobs.get_job(fake_ctx, result.job.job.id).counts.review == 1
