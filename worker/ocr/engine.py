"""What every OCR engine shares: the interface, the result, the error codes and the set-up.

The worker holds one long-lived engine per process (see :func:`worker.ocr.select.create_engine`)
and calls :meth:`OcrEngine.recognize` once per item. Both Tesseract bindings
(:mod:`worker.ocr.tesserocr_engine`, :mod:`worker.ocr.pytesseract_engine`) decode and check
the image the same way (:mod:`worker.ocr.image_checks`), hand Tesseract the same pixels, the
same resolution and the same page segmentation mode, and read text and confidences the same
way, so they return the same text for the same image.

What "the same" means, measured with tesserocr 2.13 (Tesseract 5.5.4, Leptonica 1.87) against
Debian's ``tesseract`` 5.3.0 (Leptonica 1.82), eng/por data 4.1.0:

* English: identical text on every sample and on 120 generated lines (four DejaVu faces,
  16-56 px, declared 72/150/300 dpi or none). No whitespace difference was ever seen.
* Portuguese: the samples are identical, but 9 of 100 generated ``eng+por`` lines and 1 of
  80 ``por`` lines differ by one word, e.g. ``país``/``pais``, ``está``/``esta``,
  ``na``/``nha`` (sometimes one version is right, sometimes the other). The
  binarised images are identical and the SIMD ``dotproduct`` setting does not change it:
  it is the versions' recogniser, not our input, so whitespace normalisation cannot hide it.
* Resolution matters and both engines see the same value: text declared at an implausible
  size (14 px at 600 dpi, about 1.7 pt) loses whole lines, identically in both. Below
  ~2 pt (10 px at 600 dpi, 12 px at 1200 dpi) the two versions also disagree.
* Without an explicit resolution the two paths would not agree by construction: the CLI
  reading a file uses the file's dpi, but pytesseract's helpers save a PIL image without
  it (and re-encode JPEGs lossily), and tesserocr's ``SetImage`` drops it too; Tesseract
  then estimates one from the text height ("Estimating resolution as 404" for the 300 dpi
  ``en-line.png``). Hence the explicit ``--dpi`` / ``user_defined_dpi`` and the shared,
  losslessly passed pixels.
"""

from __future__ import annotations

import logging
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from ocrjobs.domain.errors import OcrJobsError
from ocrjobs.domain.words import PageWords, WordBox

if TYPE_CHECKING:
    from worker.ocr.image_checks import ImageLimits, PreparedImage

log = logging.getLogger(__name__)

BAD_IMAGE = "BAD_IMAGE"
"""Not an image, a format we do not read, corrupt, truncated or zero bytes (permanent)."""
TOO_LARGE = "TOO_LARGE"
"""More bytes or pixels than the configured limits, or a decompression bomb (permanent)."""
LANGUAGE_UNAVAILABLE = "LANGUAGE_UNAVAILABLE"
"""A malformed language string, or a language with no ``.traineddata`` on this host."""
ENGINE_FAILED = "ENGINE_FAILED"
"""Tesseract itself failed on an image that passed the checks."""
ENGINE_UNAVAILABLE = "ENGINE_UNAVAILABLE"
"""No usable engine: binding not installed, ``tesseract`` binary or language data missing."""
TIMEOUT = "TIMEOUT"
"""Recognition took longer than allowed (the engine's own timeout or the worker's)."""

ERROR_CODES = frozenset(
    {BAD_IMAGE, TOO_LARGE, LANGUAGE_UNAVAILABLE, ENGINE_FAILED, ENGINE_UNAVAILABLE, TIMEOUT}
)

OMP_THREAD_LIMIT = "OMP_THREAD_LIMIT"

# Tesseract's own bounds (kMinCredibleResolution / kMaxCredibleResolution): outside them it
# ignores the image's resolution and guesses, so we never hand it such a value.
MIN_DPI = 70
MAX_DPI = 2400
DEFAULT_DPI = 300

PIPELINE_VERSION = "pipeline-v6"
"""Version of :mod:`worker.ocr.preprocess`, part of every result's profile: change it
whenever the pipeline's output may change, so duplicates are not served stale results."""

OSD_MIN_CHARACTERS = 20
"""Characters Tesseract's orientation detection classifies (its default, 50, took 2.2x as
long on our pages and gave the same answers on the rotated pages of bench/accuracy)."""

# Page segmentation modes that produce text (0 = orientation only, 2 = layout only).
TEXT_PSMS = frozenset({1, *range(3, 14)})

_LANGUAGE = re.compile(r"[A-Za-z0-9_]+(?:/[A-Za-z0-9_]+)?")
_NOT_LANGUAGES = frozenset({"osd"})  # orientation/script detection data, not a language

# Where distributions install Tesseract's data when TESSDATA_PREFIX is not set.
_TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",  # Debian, Ubuntu
    "/usr/share/tesseract-ocr/4.00/tessdata",  # older Debian, Ubuntu
    "/usr/share/tessdata",  # Fedora, Arch
    "/usr/local/share/tessdata",  # source builds, Intel Homebrew
    "/opt/homebrew/share/tessdata",  # Apple silicon Homebrew
)


class OcrFailure(OcrJobsError):
    """OCR of one image failed; ``code`` is one of :data:`ERROR_CODES`.

    The worker stores ``code`` in ``job_items.error_code`` and ``message`` in ``error_msg``.

    Args:
        code: A stable code (``BAD_IMAGE``, ``TOO_LARGE``, ...).
        message: What went wrong, for people.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __repr__(self) -> str:
        return f"OcrFailure({self.code!r}, {self.message!r})"

    def __reduce__(self) -> tuple[type[OcrFailure], tuple[str, str]]:
        # Picklable with both arguments, so it can cross a process pool.
        return (type(self), (self.code, self.message))


@dataclass(frozen=True, slots=True)
class OcrResult:
    """The text of one image.

    Attributes:
        text: Recognised text; lines end with ``\\n``, paragraphs are separated by a blank
            line, trailing whitespace and form feeds removed.
        mean_confidence: Mean word confidence (0–100) over the words Tesseract scored
            (confidence ≥ 0); ``None`` when it found no word.
        duration_s: Wall time of the whole :meth:`OcrEngine.recognize` call (decode,
            checks and recognition).
        engine: Name of the engine that produced it.
        dpi: Resolution handed to Tesseract (from the image, or the default).
        notes: What the image checks (and the preprocessing) changed: first frame taken,
            rotated, converted, upscaled, ...
        words: Word boxes (see :mod:`ocrjobs.domain.words`); ``None`` when not read.
        profile: What produced the text, for duplicate reuse: engine, language, page
            segmentation mode and pipeline version (``""`` for a bare engine call).
    """

    text: str
    mean_confidence: float | None
    duration_s: float
    engine: str = ""
    dpi: int = DEFAULT_DPI
    notes: tuple[str, ...] = ()
    words: PageWords | None = None
    profile: str = ""


@dataclass(frozen=True, slots=True)
class Orientation:
    """Tesseract's orientation detection (OSD) for one page.

    Attributes:
        degrees: How far the page is turned, clockwise (0, 90, 180, 270), as Tesseract
            reports it ("Orientation in degrees"); ``Image.rotate(degrees)`` (counter-
            clockwise) turns it upright.
        confidence: Tesseract's orientation confidence (roughly: how much better the best
            orientation scored than the next; above ~2 is usually right).
    """

    degrees: int
    confidence: float


class OcrEngine(ABC):
    """A long-lived OCR engine: create one per process, call :meth:`recognize` per image.

    Engines are context managers; :meth:`close` frees what they hold. Every failure of
    :meth:`recognize` is an :class:`OcrFailure`.
    """

    name: str
    psm: int
    limits: ImageLimits
    """Byte/pixel limits and default resolution applied when decoding images."""

    @abstractmethod
    def recognize(self, image_bytes: bytes, language: str) -> OcrResult:
        """Check, decode and recognise one image.

        Args:
            image_bytes: The file's content (PNG, JPEG, TIFF, GIF, BMP, WebP, ...).
            language: Tesseract language(s), e.g. ``"eng"`` or ``"eng+por"``.

        Returns:
            The recognised text and its confidence.

        Raises:
            OcrFailure: ``BAD_IMAGE``, ``TOO_LARGE``, ``LANGUAGE_UNAVAILABLE``,
                ``ENGINE_FAILED`` or ``TIMEOUT``.
        """

    @abstractmethod
    def recognize_page(self, page: PreparedImage, language: str) -> OcrResult:
        """Recognise an already decoded and checked image (see :func:`prepare_image`).

        ``duration_s`` covers recognition only. Raises like :meth:`recognize`.
        """

    @abstractmethod
    def detect_orientation(self, page: PreparedImage) -> Orientation | None:
        """Tesseract's orientation and script detection (``osd`` data, page mode 0).

        Returns:
            The orientation, or ``None`` when Tesseract found too little text to decide
            or the ``osd`` data is not installed.

        Raises:
            OcrFailure: ``ENGINE_FAILED`` when Tesseract itself failed.
        """

    @abstractmethod
    def languages(self) -> list[str]:
        """Installed recognition languages (sorted, without ``osd``)."""

    @abstractmethod
    def close(self) -> None:
        """Free the engine's resources; it must not be used afterwards. Idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def prepare_environment() -> None:
    """Make Tesseract single-threaded: ``OMP_THREAD_LIMIT=1`` unless already set.

    An OpenMP build of Tesseract starts one thread per core for every page; with several
    worker processes that oversubscribes the CPU (a page took 9.2 s instead of 1.3 s on
    2 cores). We scale with processes instead. OpenMP reads the variable once, when the
    library is loaded, so this must run before ``tesserocr`` is imported or ``tesseract``
    is spawned; the engines' constructors and :func:`worker.ocr.select.available_engines`
    call it. An explicit value in the environment is kept (``setdefault``) so an operator
    can still choose otherwise; a value other than ``1`` is logged.
    """
    value = os.environ.setdefault(OMP_THREAD_LIMIT, "1")
    if value != "1":
        log.warning(
            "%s=%s is set: Tesseract may oversubscribe the CPU with several workers",
            OMP_THREAD_LIMIT,
            value,
        )


def find_tessdata(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """Locate Tesseract's language data directory (the one holding ``*.traineddata``).

    Looks at, in order: ``explicit`` (a setting), ``TESSDATA_PREFIX``, the usual
    distribution locations. A directory whose ``tessdata`` child holds the data (the
    Tesseract 3 meaning of ``TESSDATA_PREFIX``) is accepted too.

    Args:
        explicit: A directory chosen by configuration; if given it must hold data.

    Returns:
        The directory, or ``None`` when nothing was found (only without ``explicit``).

    Raises:
        OcrFailure: ``ENGINE_UNAVAILABLE`` when ``explicit`` holds no ``.traineddata``.
    """
    if explicit:
        found = _tessdata_in(Path(explicit))
        if found is None:
            raise OcrFailure(
                ENGINE_UNAVAILABLE, f"no *.traineddata in tessdata directory {explicit}"
            )
        return found
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *_TESSDATA_CANDIDATES]
    for candidate in candidates:
        if candidate and (found := _tessdata_in(Path(candidate))) is not None:
            return found
    return None


def _tessdata_in(path: Path) -> Path | None:
    for directory in (path, path / "tessdata"):
        if directory.is_dir() and any(directory.glob("*.traineddata")):
            return directory.resolve()
    return None


def languages_in(tessdata: Path) -> list[str]:
    """Recognition languages installed in a tessdata directory (sorted, without ``osd``)."""
    names = {p.stem for p in tessdata.glob("*.traineddata")}
    names.update(f"script/{p.stem}" for p in tessdata.glob("script/*.traineddata"))
    return sorted(names - _NOT_LANGUAGES)


def check_language(language: str, installed: Iterable[str]) -> str:
    """Validate a language string such as ``"eng+por"`` against the installed languages.

    Args:
        language: ``+``-separated Tesseract language codes.
        installed: What the engine can load (``osd`` is accepted too).

    Returns:
        The language string with surrounding whitespace removed.

    Raises:
        OcrFailure: ``LANGUAGE_UNAVAILABLE`` if it is malformed or a part is not installed.
    """
    language = language.strip()
    parts = language.split("+")
    if not language or not all(_LANGUAGE.fullmatch(part) for part in parts):
        raise OcrFailure(LANGUAGE_UNAVAILABLE, f"invalid OCR language {language!r}")
    available = {*installed, *_NOT_LANGUAGES}
    missing = [part for part in parts if part not in available]
    if missing:
        raise OcrFailure(
            LANGUAGE_UNAVAILABLE,
            f"OCR language(s) {'+'.join(missing)} not installed on this host "
            f"(installed: {', '.join(sorted(available - _NOT_LANGUAGES)) or 'none'})",
        )
    return language


def check_psm(psm: int) -> int:
    """Return ``psm`` if it is a page segmentation mode that produces text.

    Raises:
        ValueError: For 0 and 2 (layout/orientation only) and anything outside 0–13.
    """
    if psm not in TEXT_PSMS:
        raise ValueError(f"page segmentation mode must be 1 or 3-13, not {psm!r}")
    return psm


def clean_text(text: str) -> str:
    """Tesseract's text without trailing whitespace and form feeds (page separators)."""
    return text.rstrip()


def mean_word_confidence(tsv: str) -> float | None:
    """Mean confidence of the words in Tesseract's TSV output (with or without header).

    Word rows are level 5; rows with confidence -1 (not scored) are skipped.
    """
    total = 0.0
    count = 0
    for line in tsv.splitlines():
        fields = line.split("\t")
        if len(fields) < 11 or fields[0] != "5":
            continue
        try:
            conf = float(fields[10])
        except ValueError:
            continue
        if conf >= 0:
            total += conf
            count += 1
    return round(total / count, 2) if count else None


def ocr_profile(engine_name: str, language: str, psm: int) -> str:
    """What produces a result, e.g. ``tesserocr:eng+por:psm3:pipeline-v6``.

    Items with the same image bytes and profile may reuse each other's result, so the
    worker computes it before OCR (from its engine's name and settings) and stores it.
    """
    return f"{engine_name}:{language.strip()}:psm{psm}:{PIPELINE_VERSION}"


def words_from_tsv(tsv: str, width: int, height: int) -> PageWords:
    """Word boxes from Tesseract's TSV output (with or without header).

    Word rows are level 5: ``left top width height conf text`` in pixels of the image
    as recognised. Rows with blank text are skipped; a confidence of -1 (not scored)
    becomes 0.
    """
    words: list[WordBox] = []
    for line in tsv.splitlines():
        fields = line.split("\t")
        if len(fields) < 12 or fields[0] != "5":
            continue
        text = fields[11].strip()
        if not text:
            continue
        try:
            x, y, w, h = (int(v) for v in fields[6:10])
            conf = float(fields[10])
        except ValueError:
            continue
        words.append(WordBox(x, y, w, h, max(0.0, conf), text))
    return PageWords(width=width, height=height, rotate=0, words=tuple(words))


def parse_osd(text: str) -> Orientation | None:
    """Orientation from ``tesseract --psm 0`` output (``Orientation in degrees: 90`` ...)."""
    degrees: int | None = None
    confidence: float | None = None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        try:
            if key.strip() == "Orientation in degrees":
                degrees = int(value.strip())
            elif key.strip() == "Orientation confidence":
                confidence = float(value.strip())
        except ValueError:
            return None
    if degrees is None or confidence is None or degrees % 90:
        return None
    return Orientation(degrees % 360, confidence)
