"""OCR in-process through tesserocr (libtesseract), keeping models loaded between images.

The fastest engine: no process start and no model load per image (~40 small images/s
against ~5 for :mod:`worker.ocr.pytesseract_engine` on the same machine). One
``PyTessBaseAPI`` is kept per language combination (``"eng"``, ``"eng+por"``...) in a small
least-recently-used cache. The tesserocr wheel bundles libtesseract but no language data:
the data directory is found by :func:`~worker.ocr.engine.find_tessdata`.

Pixels go straight from Pillow to Tesseract (``SetImageBytes``: no encoding round trip) and
the resolution is set with ``user_defined_dpi``, exactly what ``tesseract --dpi`` does.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Protocol

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
    prepare_environment,
    words_from_tsv,
)
from worker.ocr.image_checks import ImageLimits, PreparedImage, prepare_image

log = logging.getLogger(__name__)

NAME = "tesserocr"


class _TessApi(Protocol):
    """The part of ``tesserocr.PyTessBaseAPI`` we use."""

    def SetVariable(self, name: str, val: str) -> bool: ...  # noqa: N802
    def SetImageBytes(  # noqa: N802
        self, imagedata: bytes, width: int, height: int, bytes_per_pixel: int, bytes_per_line: int
    ) -> None: ...
    def Recognize(self, timeout: int = 0) -> bool: ...  # noqa: N802
    def GetUTF8Text(self) -> str: ...  # noqa: N802
    def GetTSVText(self, page_number: int) -> str: ...  # noqa: N802
    def DetectOrientationScript(self) -> dict[str, object] | None: ...  # noqa: N802
    def Clear(self) -> None: ...  # noqa: N802
    def End(self) -> None: ...  # noqa: N802


def import_tesserocr() -> ModuleType:
    """Import tesserocr after :func:`~worker.ocr.engine.prepare_environment`.

    Raises:
        OcrFailure: ``ENGINE_UNAVAILABLE`` if it is not installed or cannot load.
    """
    prepare_environment()  # an OpenMP build reads OMP_THREAD_LIMIT when the library loads
    try:
        import tesserocr
    except ImportError as exc:  # not installed, or libtesseract could not be loaded
        raise OcrFailure(ENGINE_UNAVAILABLE, f"tesserocr is not usable: {exc}") from exc
    module: ModuleType = tesserocr
    return module


class TesserocrEngine(OcrEngine):
    """Tesseract as a library, one loaded model set per language combination.

    Calls are serialised by a lock (a ``PyTessBaseAPI`` must not be used by two threads at
    once); run one engine per process to use several cores.

    Args:
        tessdata: Language data directory; default: found by
            :func:`~worker.ocr.engine.find_tessdata`.
        psm: Page segmentation mode (3: automatic, no orientation detection).
        timeout_s: Abandon recognition after this many seconds (``None``: no limit).
            Tesseract checks the deadline between words, so layout analysis of a huge
            page can overrun it; the worker's own per-item timeout is the backstop.
        limits: Byte, pixel and default-resolution settings for the image checks.
        max_loaded: How many language combinations stay loaded (least recently used
            is dropped first).

    Raises:
        OcrFailure: ``ENGINE_UNAVAILABLE`` if tesserocr or the language data is missing.
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
        max_loaded: int = 4,
    ) -> None:
        self.psm = check_psm(psm)
        if max_loaded < 1:
            raise ValueError("max_loaded must be at least 1")
        self.timeout_s = timeout_s
        self.limits = limits or ImageLimits()
        self.max_loaded = max_loaded
        self._tesserocr = import_tesserocr()
        found = find_tessdata(tessdata)
        if found is None:
            raise OcrFailure(
                ENGINE_UNAVAILABLE,
                "no Tesseract language data found: set the tessdata_dir setting or "
                "TESSDATA_PREFIX (the tesserocr wheel ships none)",
            )
        self.tessdata: Path = found
        self._apis: OrderedDict[str, _TessApi] = OrderedDict()
        self._osd: _TessApi | None = None
        self._lock = threading.Lock()
        self._closed = False
        log.info(
            "OCR engine %s ready: tesseract=%s tessdata=%s psm=%d timeout_s=%s",
            self.name,
            self._tesserocr.PyTessBaseAPI.Version(),
            self.tessdata,
            self.psm,
            timeout_s,
        )

    def languages(self) -> list[str]:
        """Installed recognition languages (sorted, without ``osd``)."""
        return languages_in(self.tessdata)

    def recognize(self, image_bytes: bytes, language: str) -> OcrResult:
        """Check, decode and recognise one image (see :meth:`OcrEngine.recognize`)."""
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
        started = time.perf_counter()
        language = check_language(language, self.languages())
        with self._lock:
            if self._closed:
                raise RuntimeError("OCR engine is closed")
            text, tsv = self._run(self._api(language), page)
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
        """Orientation by Tesseract's OSD (see :meth:`OcrEngine.detect_orientation`)."""
        if not (self.tessdata / "osd.traineddata").is_file():
            return None
        with self._lock:
            if self._closed:
                raise RuntimeError("OCR engine is closed")
            if self._osd is None:
                self._osd = self._tesserocr.PyTessBaseAPI(
                    path=f"{self.tessdata}{os.sep}",
                    lang="osd",
                    psm=self._tesserocr.PSM.OSD_ONLY,
                    variables={
                        "debug_file": os.devnull,
                        "min_characters_to_try": str(OSD_MIN_CHARACTERS),
                    },
                )
            api = self._osd
            image = page.image
            pixels = image.tobytes()
            try:
                api.SetVariable("user_defined_dpi", str(page.dpi))
                api.SetImageBytes(
                    pixels,
                    image.width,
                    image.height,
                    page.bytes_per_pixel,
                    image.width * page.bytes_per_pixel,
                )
                found = api.DetectOrientationScript()
            except RuntimeError as exc:
                raise OcrFailure(ENGINE_FAILED, f"Tesseract OSD failed: {exc}") from exc
            finally:
                api.Clear()
        if not found:
            return None
        degrees, confidence = found.get("orient_deg"), found.get("orient_conf")
        if not isinstance(degrees, int) or not isinstance(confidence, int | float):
            return None
        return Orientation(degrees % 360, float(confidence))

    def close(self) -> None:
        """Unload every model (``End()``); further calls are refused. Idempotent."""
        with self._lock:
            self._closed = True
            if self._osd is not None:
                self._osd.End()
                self._osd = None
            while self._apis:
                language, api = self._apis.popitem()
                api.End()
                log.debug("unloaded Tesseract models for %s", language)

    def _api(self, language: str) -> _TessApi:
        cached = self._apis.get(language)
        if cached is not None:
            self._apis.move_to_end(language)
            return cached
        started = time.perf_counter()
        try:
            api: _TessApi = self._tesserocr.PyTessBaseAPI(
                path=f"{self.tessdata}{os.sep}",
                lang=language,
                psm=self.psm,
                # Tesseract's chatter ("Detected 12 diacritics", "Empty page!!") must not reach
                # our stderr (the worker's JSON log lines); the CLI's goes to pytesseract's pipe.
                # tesserocr 2.13 already defaults to this; other builds may not.
                variables={"debug_file": os.devnull},
            )
        except RuntimeError as exc:
            raise OcrFailure(
                ENGINE_FAILED, f"Tesseract could not load {language} from {self.tessdata}: {exc}"
            ) from exc
        self._apis[language] = api
        log.info(
            "loaded Tesseract models for %s in %.3f s", language, time.perf_counter() - started
        )
        while len(self._apis) > self.max_loaded:
            old_language, old = self._apis.popitem(last=False)
            old.End()
            log.info("unloaded Tesseract models for %s (cache full)", old_language)
        return api

    def _run(self, api: _TessApi, page: PreparedImage) -> tuple[str, str]:
        image = page.image
        pixels = image.tobytes()  # must outlive recognition: Tesseract does not copy it
        timeout_s = self.timeout_s or 0.0
        try:
            api.SetVariable("user_defined_dpi", str(page.dpi))
            api.SetImageBytes(
                pixels,
                image.width,
                image.height,
                page.bytes_per_pixel,
                image.width * page.bytes_per_pixel,
            )
            started = time.perf_counter()
            if not api.Recognize(round(timeout_s * 1000)):
                # False means the deadline passed (partial results are discarded) or, very
                # rarely, that layout analysis failed.
                if timeout_s and time.perf_counter() - started >= timeout_s:
                    raise OcrFailure(
                        TIMEOUT, f"OCR took longer than {timeout_s:g} s and was stopped"
                    )
                raise OcrFailure(ENGINE_FAILED, "Tesseract could not recognise the image")
            return api.GetUTF8Text(), api.GetTSVText(0)
        except RuntimeError as exc:
            raise OcrFailure(ENGINE_FAILED, f"Tesseract failed: {exc}") from exc
        finally:
            api.Clear()  # free the image and results, keep the models
