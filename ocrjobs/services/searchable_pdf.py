"""A minimal PDF writer for searchable PDFs: each page an image with invisible text on top.

The text is drawn in render mode 3 (invisible) at each word's box, horizontally scaled
to the box's width, so viewers select, search and copy it where the word appears on the
image. Standard Helvetica with WinAnsi encoding: characters outside Windows-1252 become
``?`` in the text layer (the image is unaffected).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from ocrjobs.domain.words import PageWords

DEFAULT_DPI = 300
# Helvetica's average advance (per 1 pt of size) for the horizontal-scaling estimate.
AVG_CHAR_WIDTH = 0.5


@dataclass(frozen=True, slots=True)
class PdfPage:
    image: bytes
    words: PageWords | None


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _page_image(data: bytes, rotate: int) -> tuple[bytes, int, int, str, float]:
    """JPEG bytes of the image as OCRed, its size, colour space and DPI."""
    with Image.open(io.BytesIO(data)) as img:
        dpi = float(img.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))[0] or DEFAULT_DPI)
        if dpi < 50 or dpi > 2400:
            dpi = DEFAULT_DPI
        im = img.convert("L" if img.mode in {"1", "L", "LA", "I", "I;16"} else "RGB")
        if rotate:
            im = im.rotate(-rotate, expand=True)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85)
        space = "/DeviceGray" if im.mode == "L" else "/DeviceRGB"
        return buf.getvalue(), im.width, im.height, space, dpi


def write_pdf(pages: Sequence[PdfPage]) -> bytes:
    """The PDF document's bytes."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # placeholders, filled once the page ids are known
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids: list[int] = []
    for page in pages:
        rotate = page.words.rotate if page.words else 0
        jpeg, w, h, space, dpi = _page_image(page.image, rotate)
        pw, ph = w * 72.0 / dpi, h * 72.0 / dpi
        image = add(
            f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace {space} "
            f"/BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpeg)} >>\nstream\n".encode()
            + jpeg
            + b"\nendstream"
        )
        ops = [f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im0 Do Q".encode()]
        if page.words and page.words.words:
            sx, sy = pw / page.words.width, ph / page.words.height
            ops.append(b"BT 3 Tr")
            for word in page.words.words:
                if not word.text.strip():
                    continue
                size = max(1.0, word.h * sy)
                natural = AVG_CHAR_WIDTH * size * len(word.text)
                scale = 100.0 * (word.w * sx) / natural if natural else 100.0
                x, y = word.x * sx, ph - (word.y + word.h) * sy
                ops.append(
                    f"/F1 {size:.2f} Tf {scale:.1f} Tz 1 0 0 1 {x:.2f} {y:.2f} Tm (".encode()
                    + _escape(word.text)
                    + b") Tj"
                )
            ops.append(b"ET")
        content = zlib.compress(b"\n".join(ops))
        stream = add(
            f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode()
            + content
            + b"\nendstream"
        )
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] "
                f"/Resources << /XObject << /Im0 {image} 0 R >> /Font << /F1 {font} 0 R >> >> "
                f"/Contents {stream} 0 R >>".encode()
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    objects[pages_id - 1] = (
        f"<< /Type /Pages /Count {len(kids)} /Kids [{' '.join(f'{k} 0 R' for k in kids)}] >>"
    ).encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\n".encode()
        + f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()
