"""OCR by running the ``tesseract`` program through pytesseract (one process per image).

Slower than :mod:`worker.ocr.tesserocr_engine` (a process start and a model load per call,
~0.1 s) but needs only the ``tesseract`` binary. The image is decoded and checked by
:func:`~worker.ocr.image_checks.prepare_image`, written losslessly to a private temporary
directory and handed to ``tesseract`` with an explicit ``--dpi`` and ``--psm``: pytesseract's
own helpers would re-encode JPEGs (lossy) and drop the resolution.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytesseract

from worker.ocr.engine import (
    ENGINE_FAILED,
    ENGINE_UNAVAILABLE,
    OSD_MIN_CHARACTERS,
    TIMEOUT,
    OcrEngine,
    OcrFailure,
    OcrResult,
    Orientation,
    check_language,
    check_psm,
    clean_text,
    find_tessdata,
    languages_in,
    mean_word_confidence,
    parse_osd,
    prepare_environment,
    words_from_tsv,
)
from worker.ocr.image_checks import ImageLimits, PreparedImage, prepare_image

log = logging.getLogger(__name__)

NAME = "pytesseract"


def tesseract_binary() -> str | None:
    """The ``tesseract`` executable pytesseract will run, or ``None`` if there is none."""
    cmd = str(pytesseract.pytesseract.tesseract_cmd)
    return shutil.which(cmd)


class PytesseractEngine(OcrEngine):
    """Tesseract through its command-line program.

    Thread-safe: every call runs its own process in its own temporary directory.

    Args:
        tessdata: Language data directory; default: found by
            :func:`~worker.ocr.engine.find_tessdata`, else the binary's own default.
        psm: Page segmentation mode (3: automatic, no orientation detection).
        timeout_s: Kill ``tesseract`` after this many seconds (``None``: no limit).
        limits: Byte, pixel and default-resolution settings for the image checks.

    Raises:
        OcrFailure: ``ENGINE_UNAVAILABLE`` if pytesseract or the binary is missing, or
            ``tessdata`` holds no language data.
        ValueError: For a page segmentation mode that produces no text.
    """

    name = NAME

    def __init__(
        self,
        *,
        tessdata: str | os.PathLike[str] | None = None,
        psm: int = 3,
        timeout_s: float | None = None,
        limits: ImageLimits | None = None,
    ) -> None:
        prepare_environment()
        self.psm = check_psm(psm)
        self.timeout_s = timeout_s
        self.limits = limits or ImageLimits()
        binary = tesseract_binary()
        if binary is None:
            raise OcrFailure(ENGINE_UNAVAILABLE, "the tesseract program was not found on PATH")
        self.binary = binary
        self.tessdata = find_tessdata(tessdata)
        self._tessdata_args = _tessdata_args(self.tessdata)
        self._languages: list[str] | None = None
        self._closed = False
        log.info(
            "OCR engine %s ready: binary=%s tessdata=%s psm=%d timeout_s=%s",
            self.name,
            binary,
            self.tessdata or "(tesseract's default)",
            self.psm,
            timeout_s,
        )

    def languages(self) -> list[str]:
        """Installed recognition languages (sorted, without ``osd``)."""
        if self.tessdata is not None:
            return languages_in(self.tessdata)
        if self._languages is None:
            try:
                found = pytesseract.get_languages()
            except (pytesseract.TesseractNotFoundError, OSError) as exc:
                raise OcrFailure(ENGINE_UNAVAILABLE, f"tesseract --list-langs: {exc}") from exc
            self._languages = sorted(str(lang) for lang in found if lang != "osd")
        return list(self._languages)

    def recognize(self, image_bytes: bytes, language: str) -> OcrResult:
        """Check, decode and recognise one image (see :meth:`OcrEngine.recognize`)."""
        if self._closed:
            raise RuntimeError("OCR engine is closed")
        started = time.perf_counter()
        language = check_language(language, self.languages())
        page = prepare_image(
            image_bytes,
            max_bytes=self.limits.max_bytes,
            max_pixels=self.limits.max_pixels,
            default_dpi=self.limits.default_dpi,
        )
        result = self.recognize_page(page, language)
        return replace(result, duration_s=time.perf_counter() - started)

    def recognize_page(self, page: PreparedImage, language: str) -> OcrResult:
        """Recognise decoded pixels (see :meth:`OcrEngine.recognize_page`)."""
        if self._closed:
            raise RuntimeError("OCR engine is closed")
        started = time.perf_counter()
        language = check_language(language, self.languages())
        text, tsv = self._run(page, language)
        return OcrResult(
            text=clean_text(text),
            mean_confidence=mean_word_confidence(tsv),
            duration_s=time.perf_counter() - started,
            engine=self.name,
            dpi=page.dpi,
            notes=page.notes,
            words=words_from_tsv(tsv, page.image.width, page.image.height),
        )

    def detect_orientation(self, page: PreparedImage) -> Orientation | None:
        """Orientation by ``tesseract --psm 0`` (see :meth:`OcrEngine.detect_orientation`)."""
        if self._closed:
            raise RuntimeError("OCR engine is closed")
        if self.tessdata is not None and not (self.tessdata / "osd.traineddata").is_file():
            return None
        if self.tessdata is None and "osd" not in self._all_languages():
            return None
        config = _join(
            [
                *self._tessdata_args,
                *("--psm", "0", "--dpi", str(page.dpi)),
                *("-c", f"min_characters_to_try={OSD_MIN_CHARACTERS}"),
            ]
        )
        try:
            with tempfile.TemporaryDirectory(prefix="ocrjobs-osd-") as tmp:
                source = Path(tmp, "page.pgm" if page.image.mode == "L" else "page.ppm")
                page.image.save(source)
                out = Path(tmp, "out")
                pytesseract.pytesseract.run_tesseract(
                    str(source),
                    str(out),
                    extension="osd",
                    lang="osd",
                    config=config,
                    timeout=self.timeout_s or 0,
                )
                found = out.with_suffix(".osd").read_text(encoding="utf-8")
        except pytesseract.TesseractError:
            # Tesseract exits non-zero when it finds too little text to decide.
            return None
        except (pytesseract.TesseractNotFoundError, RuntimeError, OSError) as exc:
            raise OcrFailure(ENGINE_FAILED, f"tesseract --psm 0 failed: {exc}") from exc
        return parse_osd(found)

    def _all_languages(self) -> list[str]:
        try:
            return [str(lang) for lang in pytesseract.get_languages()]
        except (pytesseract.TesseractNotFoundError, OSError):
            return []

    def close(self) -> None:
        """Nothing to free (each call's process is gone); further calls are refused."""
        self._closed = True

    def _run(self, page: PreparedImage, language: str) -> tuple[str, str]:
        # Outputs are asked for with variables, not the "txt"/"tsv" config files, so a
        # tessdata directory holding only *.traineddata (as shipped with the app) works.
        config = _join(
            [
                *self._tessdata_args,
                *("--psm", str(self.psm), "--dpi", str(page.dpi)),
                *("-c", "tessedit_create_txt=1", "-c", "tessedit_create_tsv=1"),
            ]
        )
        try:
            with tempfile.TemporaryDirectory(prefix="ocrjobs-tess-") as tmp:
                # PGM/PPM: lossless, no compression to spend time on, read by leptonica.
                source = Path(tmp, "page.pgm" if page.image.mode == "L" else "page.ppm")
                page.image.save(source)
                out = Path(tmp, "out")
                pytesseract.pytesseract.run_tesseract(
                    str(source),
                    str(out),
                    extension="",
                    lang=language,
                    config=config,
                    timeout=self.timeout_s or 0,
                )
                text = out.with_suffix(".txt").read_text(encoding="utf-8")
                tsv = out.with_suffix(".tsv").read_text(encoding="utf-8")
        except pytesseract.TesseractNotFoundError as exc:
            raise OcrFailure(ENGINE_UNAVAILABLE, "the tesseract program disappeared") from exc
        except pytesseract.TesseractError as exc:
            raise OcrFailure(
                ENGINE_FAILED, f"tesseract exited with status {exc.status}: {exc.message}"
            ) from exc
        except RuntimeError as exc:
            if self.timeout_s is None or "timeout" not in str(exc):
                raise OcrFailure(ENGINE_FAILED, f"tesseract run failed: {exc}") from exc
            # pytesseract killed tesseract at the timeout.
            raise OcrFailure(
                TIMEOUT, f"OCR took longer than {self.timeout_s:g} s and was stopped"
            ) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise OcrFailure(
                ENGINE_FAILED, f"tesseract run failed: {type(exc).__name__}: {exc}"
            ) from exc
        return text, tsv


def _tessdata_args(tessdata: Path | None) -> list[str]:
    """``--tessdata-dir`` so the binary reads the same data as tesserocr would."""
    if tessdata is None:
        return []  # the binary's own default (or TESSDATA_PREFIX)
    if sys.platform == "win32" and any(ch.isspace() for ch in str(tessdata)):
        # pytesseract splits the config with shlex in non-POSIX mode on Windows, which
        # keeps quotes in the argument: a path with spaces cannot be passed this way.
        if Path(os.environ.get("TESSDATA_PREFIX", "")).resolve() == tessdata:
            return []  # the binary reads TESSDATA_PREFIX itself
        raise OcrFailure(
            ENGINE_UNAVAILABLE,
            f"tessdata path {tessdata} contains spaces: set TESSDATA_PREFIX to it instead",
        )
    return ["--tessdata-dir", str(tessdata)]


def _join(args: list[str]) -> str:
    """Quote for pytesseract's ``shlex.split`` (POSIX rules except on Windows)."""
    if sys.platform == "win32":
        return " ".join(args)  # no argument has whitespace (see _tessdata_args)
    return shlex.join(args)
