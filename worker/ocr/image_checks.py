"""Turn untrusted image bytes into pixels Tesseract can read, or refuse them with a code.

:func:`prepare_image` enforces the byte and pixel limits, decodes the whole image (so a
truncated file fails here, not inside Tesseract), applies the EXIF orientation, keeps the
first frame of a multi-frame file, converts to 8-bit grey or RGB and settles the resolution
to hand to Tesseract. Both engines OCR exactly what it returns.

Pillow's global ``Image.MAX_IMAGE_PIXELS`` is neither read nor changed: the pixel limit is
checked per call from the header, before any pixel is decoded. Pillow may still refuse a
file above twice its own global limit first; that is reported as ``TOO_LARGE`` as well.
Truncated files are refused as long as ``ImageFile.LOAD_TRUNCATED_IMAGES`` keeps its
default (``False``); nothing in ocrjobs changes it.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from worker.ocr.engine import BAD_IMAGE, DEFAULT_DPI, MAX_DPI, MIN_DPI, TOO_LARGE, OcrFailure

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
"""Same default as the ``max_file_bytes`` setting."""
DEFAULT_MAX_PIXELS = 80_000_000
"""Same default as the ``max_pixels`` setting: an A3 page at 600 dpi (70 Mpx) fits."""

FORMATS = ("PNG", "JPEG", "TIFF", "GIF", "BMP", "WEBP", "PPM", "JPEG2000")
"""Formats we decode (``JPEG`` includes the MPO files many phone cameras write). Anything
else is refused before a decoder runs: Pillow would otherwise also open formats such as
EPS, which runs Ghostscript on untrusted input."""

_EXIF_ORIENTATION = 0x0112
_SWAPS_AXES = frozenset({5, 6, 7, 8})  # orientations rotated by 90° or 270°
_ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})
_WIDE_GREY_MODES = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What an engine accepts; the defaults match the ``max_file_bytes``/``max_pixels`` settings.

    Attributes:
        max_bytes: Largest file accepted, in bytes.
        max_pixels: Largest width × height accepted.
        default_dpi: Resolution used when the file has none or an implausible one.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    default_dpi: int = DEFAULT_DPI

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_pixels <= 0:
            raise ValueError("image limits must be positive")
        if not MIN_DPI <= self.default_dpi <= MAX_DPI:
            raise ValueError(f"default_dpi must be within {MIN_DPI}-{MAX_DPI}")


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """A decoded image ready for Tesseract.

    Attributes:
        image: Fully loaded, upright, mode ``L`` or ``RGB``.
        dpi: Resolution to hand to Tesseract.
        format: The file's format as Pillow names it (``PNG``, ``JPEG``, ...).
        notes: Human-readable remarks on what was changed, for logs.
        exif_orientation: The EXIF orientation tag (1-8) that was applied, if any, so
            word boxes can be mapped back to the stored pixels.
    """

    image: Image.Image
    dpi: int
    format: str
    notes: tuple[str, ...] = ()
    exif_orientation: int | None = None

    @property
    def bytes_per_pixel(self) -> int:
        """1 for ``L``, 3 for ``RGB``."""
        return 1 if self.image.mode == "L" else 3


def prepare_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    default_dpi: int = DEFAULT_DPI,
) -> PreparedImage:
    """Check and decode image bytes for OCR.

    Args:
        data: The file's content.
        max_bytes: Refuse larger files.
        max_pixels: Refuse images with more pixels (checked before decoding).
        default_dpi: Resolution to use when the file has none or one outside 70–2400.

    Returns:
        The decoded image, its resolution and notes on what was changed.

    Raises:
        OcrFailure: ``BAD_IMAGE`` (empty, not an image, unsupported format, corrupt,
            truncated) or ``TOO_LARGE`` (bytes, pixels, decompression bomb).
    """
    if not data:
        raise OcrFailure(BAD_IMAGE, "empty file (0 bytes)")
    if len(data) > max_bytes:
        raise OcrFailure(TOO_LARGE, f"file is {len(data):,} bytes; the limit is {max_bytes:,}")
    notes: list[str] = []
    try:
        img = Image.open(io.BytesIO(data), formats=FORMATS)
        fmt = img.format or "unknown"
        _check_pixels(img.size, max_pixels)
        if getattr(img, "is_animated", False):
            notes.append(f"{fmt} has {getattr(img, 'n_frames', 'several')} frames: first used")
            img.seek(0)
        img.load()  # decode every pixel now: truncated and corrupt files fail here
    except OcrFailure:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own global limit, checked inside Image.open: an error above twice
        # MAX_IMAGE_PIXELS; a warning above it, an exception only when warnings are errors
        # (as in the tests), otherwise printed once before our own check refuses the image.
        raise OcrFailure(TOO_LARGE, f"image too large (decompression bomb check): {exc}") from exc
    except UnidentifiedImageError as exc:
        raise OcrFailure(
            BAD_IMAGE, f"not an image in a supported format ({', '.join(FORMATS)})"
        ) from exc
    except MemoryError as exc:
        raise OcrFailure(TOO_LARGE, "not enough memory to decode the image") from exc
    except Exception as exc:
        # Decoders raise OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error...
        # on hostile or damaged input; every one of them means the file is unusable.
        raise OcrFailure(
            BAD_IMAGE, f"corrupt or truncated image: {type(exc).__name__}: {exc}"
        ) from exc

    raw_dpi = img.info.get("dpi")
    orientation = _orientation(img, notes)
    try:
        if orientation not in (None, 1):
            ImageOps.exif_transpose(img, in_place=True)
            notes.append(f"EXIF orientation {orientation} applied")
        img = _to_tesseract_mode(img, notes)
    except MemoryError as exc:
        raise OcrFailure(TOO_LARGE, "not enough memory to convert the image") from exc
    except Exception as exc:
        raise OcrFailure(
            BAD_IMAGE, f"cannot convert {img.mode} image: {type(exc).__name__}: {exc}"
        ) from exc
    dpi = _effective_dpi(raw_dpi, orientation in _SWAPS_AXES, default_dpi, notes)
    return PreparedImage(
        image=img, dpi=dpi, format=fmt, notes=tuple(notes), exif_orientation=orientation
    )


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise OcrFailure(BAD_IMAGE, f"image has no pixels ({width}×{height})")
    if width * height > max_pixels:
        raise OcrFailure(
            TOO_LARGE,
            f"image is {width}×{height} = {width * height:,} pixels; the limit is {max_pixels:,}",
        )


def _orientation(img: Image.Image, notes: list[str]) -> int | None:
    try:
        value = img.getexif().get(_EXIF_ORIENTATION)
    except Exception as exc:
        # A damaged EXIF block does not make the pixels unusable: OCR them as stored.
        log.warning("ignoring unreadable EXIF data: %s: %s", type(exc).__name__, exc)
        notes.append("unreadable EXIF data ignored")
        return None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _to_tesseract_mode(img: Image.Image, notes: list[str]) -> Image.Image:
    """8-bit grey stays grey, everything else becomes 8-bit grey or RGB."""
    mode = img.mode
    if mode in ("L", "RGB"):
        return img
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in _ALPHA_MODES:
        grey = img.mode in ("LA", "La")
        rgba = img.convert("LA" if grey else "RGBA")
        # Flatten onto white: text drawn on a transparent background is usually dark,
        # and the colour under transparent pixels is often black.
        out = Image.new("L" if grey else "RGB", img.size, 255 if grey else (255, 255, 255))
        out.paste(rgba.convert("L" if grey else "RGB"), mask=rgba.getchannel("A"))
        img = out
    elif img.mode in _WIDE_GREY_MODES:
        img = _stretch_to_8bit(img)
    elif img.mode == "1":
        img = img.convert("L")
    elif img.mode != "RGB":  # CMYK, YCbCr, LAB, HSV, RGBX...
        img = img.convert("RGB")
    notes.append(f"converted {mode} to {img.mode}")
    return img


def _stretch_to_8bit(img: Image.Image) -> Image.Image:
    """Map a 16/32-bit or float grey image's actual range linearly onto 0-255.

    Pillow's own conversion to ``L`` clips at 255 instead of scaling, which turns most
    16-bit scans white.
    """
    wide = img.convert("F")
    # types-Pillow 10.2 leaves getextrema unannotated; for one band it is (min, max).
    low, high = (float(v) for v in wide.getextrema())  # type: ignore[no-untyped-call]
    if high <= low:
        return Image.new("L", img.size, 255 if low > 0 else 0)
    scale = 255.0 / (high - low)
    # + 0.5: the conversion to L truncates; this rounds.
    return wide.point(lambda v: v * scale - low * scale + 0.5).convert("L")


def _effective_dpi(raw: object, swapped: bool, default_dpi: int, notes: list[str]) -> int:
    """The file's vertical resolution if Tesseract would believe it, else the default."""
    dpi: float | None = None
    if isinstance(raw, tuple) and len(raw) == 2:
        x, y = raw
        value = x if swapped else y  # Tesseract uses the vertical resolution
        if isinstance(value, int | float):
            dpi = float(value)
    if dpi is None:
        notes.append(f"no resolution in file: {default_dpi} dpi assumed")
        return default_dpi
    if not MIN_DPI <= round(dpi) <= MAX_DPI:
        notes.append(f"implausible resolution {dpi:g} dpi: {default_dpi} dpi assumed")
        return default_dpi
    return round(dpi)
