"""Checking submitted files by their content (never by name or extension)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ocrjobs.domain.model import NamedBytes, Rejection

PDF_DPI = 300
PDF_MAGIC = b"%PDF-"
# pdfium is not thread-safe: one document operation at a time in this process.
_PDFIUM = threading.Lock()

# Pillow format → (extension used in the S3 key, content type). Every format here is one
# Tesseract (Leptonica) reads directly.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "TIFF": ("tiff", "image/tiff"),
    "BMP": ("bmp", "image/bmp"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
    "PPM": ("pnm", "image/x-portable-anymap"),
}

EMPTY = "EMPTY"
TOO_LARGE = "TOO_LARGE"
NOT_IMAGE = "NOT_IMAGE"
UNSUPPORTED = "UNSUPPORTED_FORMAT"
CORRUPT = "CORRUPT"
BOMB = "DECOMPRESSION_BOMB"
UNREADABLE = "UNREADABLE"

# Full decodes are CPU and memory heavy: no more of them at once than there are cores.
_DECODE_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class Source:
    """One submitted file: a path on disk or bytes in memory, with the name to show."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """A file that passed every check."""

    source: Source
    data: bytes
    sha256: str
    ext: str
    content_type: str
    width: int
    height: int
    size_bytes: int
    page_number: int | None = None

    def without_data(self) -> CheckedImage:
        """The same facts without the bytes (kept once they are uploaded)."""
        return dataclasses.replace(self, data=b"")


class Refused(Exception):
    """A file failed a check: ``rejection`` says which and why."""

    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.reason)
        self.rejection = rejection


def expand(files: Iterable[Path | str | NamedBytes]) -> list[Source]:
    """Turn paths, folders (recursively, sorted, hidden entries skipped) and bytes into sources."""
    out: list[Source] = []
    for f in files:
        if isinstance(f, NamedBytes):
            out.append(Source(name=f.name, data=f.data))
            continue
        path = Path(f)
        if path.is_dir():
            out.extend(Source(name=str(p.relative_to(path.parent)), path=p) for p in _walk(path))
        else:
            out.append(Source(name=path.name, path=path))
    return out


def _walk(folder: Path) -> Iterator[Path]:
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts):
            yield p


def check(source: Source, *, max_bytes: int, max_pixels: int) -> CheckedImage:
    """Read and check one file; raise :class:`Refused` with a specific reason."""

    def refuse(code: str, reason: str) -> Refused:
        return Refused(Rejection(source.name, code, reason))

    try:
        size = source.size()
    except OSError as exc:
        raise refuse(UNREADABLE, f"cannot read the file: {exc.strerror or exc}") from exc
    if size == 0:
        raise refuse(EMPTY, "the file is empty (0 bytes)")
    if size > max_bytes:
        raise refuse(TOO_LARGE, f"{size:,} bytes is over the limit of {max_bytes:,} bytes")
    try:
        data = source.read()
    except OSError as exc:
        raise refuse(UNREADABLE, f"cannot read the file: {exc.strerror or exc}") from exc
    if data[:5] == b"%PDF-":
        raise refuse(UNSUPPORTED, "a PDF is split into pages by iter_images(), not check()")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise refuse(BOMB, f"refused as a decompression bomb: {exc}") from exc
        except UnidentifiedImageError as exc:
            raise refuse(NOT_IMAGE, "not an image (no known image format inside)") from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise refuse(CORRUPT, f"the image is damaged: {exc}") from exc
        with img:
            fmt = img.format or ""
            if fmt not in FORMATS:
                raise refuse(UNSUPPORTED, f"{fmt or 'this'} images are not supported for OCR")
            width, height = img.size
            if width <= 0 or height <= 0:
                raise refuse(CORRUPT, "the image has no pixels")
            if width * height > max_pixels:
                raise refuse(
                    BOMB if size * 1000 < width * height else TOO_LARGE,
                    f"{width}x{height} = {width * height:,} pixels is over the limit of "
                    f"{max_pixels:,}",
                )
            _decode(img, refuse)
    ext, content_type = FORMATS[fmt]
    return CheckedImage(
        source=source,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        ext=ext,
        content_type=content_type,
        width=width,
        height=height,
        size_bytes=len(data),
    )


def _decode(img: Image.Image, refuse: Callable[[str, str], Refused]) -> None:
    """Decode every pixel once so truncated and corrupt files are caught here, not in OCR."""
    with _DECODE_SLOTS:
        try:
            if img.format == "JPEG":
                # Decoding at 1/8 scale still reads every byte of the stream.
                img.draft("L", (max(1, img.width // 8), max(1, img.height // 8)))
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise refuse(BOMB, f"refused as a decompression bomb: {exc}") from exc
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise refuse(CORRUPT, f"the image is damaged or truncated: {exc}") from exc


def is_pdf(source: Source) -> bool:
    """True when the file starts like a PDF (by content, not by name)."""
    if source.data is not None:
        return source.data[:5] == PDF_MAGIC
    assert source.path is not None
    try:
        with source.path.open("rb") as fh:
            return fh.read(5) == PDF_MAGIC
    except OSError:
        return False


def iter_images(
    source: Source, *, max_bytes: int, max_pixels: int, max_pages: int = 1000
) -> Iterator[CheckedImage]:
    """The checked image of a file, or of every page of a PDF, one at a time.

    A PDF's pages are rendered at 300 dpi (grayscale PNG) one by one, so a 100-page PDF
    never holds more than one page image in memory here. Raises :class:`Refused`.
    """
    if not is_pdf(source):
        yield check(source, max_bytes=max_bytes, max_pixels=max_pixels)
        return
    yield from _pdf_pages(source, max_bytes=max_bytes, max_pixels=max_pixels, max_pages=max_pages)


def _pdf_pages(
    source: Source, *, max_bytes: int, max_pixels: int, max_pages: int
) -> Iterator[CheckedImage]:
    import pypdfium2 as pdfium

    def refuse(code: str, reason: str) -> Refused:
        return Refused(Rejection(source.name, code, reason))

    size = source.size()
    if size > max_bytes:
        raise refuse(TOO_LARGE, f"{size:,} bytes is over the limit of {max_bytes:,} bytes")
    with _PDFIUM:
        try:
            doc = pdfium.PdfDocument(source.data if source.data is not None else source.path)
            count = len(doc)
        except pdfium.PdfiumError as exc:
            raise refuse(CORRUPT, f"the PDF is damaged or encrypted: {exc}") from exc
    try:
        if count == 0:
            raise refuse(EMPTY, "the PDF has no pages")
        if count > max_pages:
            raise refuse(TOO_LARGE, f"{count} pages is over the limit of {max_pages}")
        for index in range(count):
            with _PDFIUM:
                page = doc[index]
                try:
                    w_pt, h_pt = page.get_size()
                    scale = PDF_DPI / 72
                    if w_pt * h_pt * scale * scale > max_pixels:
                        scale = (max_pixels / (w_pt * h_pt)) ** 0.5
                    bitmap = page.render(scale=scale, grayscale=True)
                    img = bitmap.to_pil()
                finally:
                    page.close()
            buf = io.BytesIO()
            dpi = round(scale * 72)
            img.save(buf, "PNG", dpi=(dpi, dpi), compress_level=3)
            data = buf.getvalue()
            yield CheckedImage(
                source=source,
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                ext="png",
                content_type="image/png",
                width=img.width,
                height=img.height,
                size_bytes=len(data),
                page_number=index + 1,
            )
    finally:
        with _PDFIUM:
            doc.close()
