"""Choose and build the OCR engine; list what this host can do.

The worker calls :func:`create_engine` once per process with its settings::

    engine = create_engine(
        settings.ocr_engine or None,
        tessdata=settings.tessdata_dir or None,
        limits=ImageLimits(max_bytes=settings.max_file_bytes, max_pixels=settings.max_pixels),
    )

Nothing is imported or loaded until one of these functions is called.
"""

from __future__ import annotations

import logging
import os

from worker.ocr.engine import (
    ENGINE_UNAVAILABLE,
    OcrEngine,
    OcrFailure,
    find_tessdata,
    languages_in,
    prepare_environment,
)
from worker.ocr.image_checks import ImageLimits

log = logging.getLogger(__name__)

ENGINES = ("tesserocr", "pytesseract")
"""Every engine, fastest first."""


def available_engines(*, tessdata: str | os.PathLike[str] | None = None) -> list[str]:
    """Names of the engines that can run here, fastest first.

    An engine counts when its binding imports and what it needs is present: language data
    for tesserocr, the ``tesseract`` program for pytesseract. Calls
    :func:`~worker.ocr.engine.prepare_environment` first, because probing tesserocr loads
    libtesseract.

    Args:
        tessdata: Language data directory to check (as passed to :func:`create_engine`).
    """
    return [name for name in ENGINES if _unavailable_reason(name, tessdata) is None]


def create_engine(
    name: str | None = None,
    *,
    tessdata: str | os.PathLike[str] | None = None,
    psm: int = 3,
    timeout_s: float | None = None,
    limits: ImageLimits | None = None,
) -> OcrEngine:
    """Build the named engine, or the fastest available one.

    Args:
        name: ``"tesserocr"``, ``"pytesseract"``, or ``None``/``""`` for the fastest
            available (tesserocr, then pytesseract).
        tessdata: Language data directory; default: ``TESSDATA_PREFIX`` or the usual
            distribution location (see :func:`~worker.ocr.engine.find_tessdata`).
        psm: Tesseract page segmentation mode (3: automatic page segmentation; 1 adds
            orientation detection, which reads rotated scans at ~1.6× the time).
        timeout_s: Per-image limit the engine enforces itself (``None``: none).
        limits: Byte/pixel limits and default resolution for the image checks.

    Returns:
        A ready engine; close it (or use it as a context manager) when done.

    Raises:
        OcrFailure: ``ENGINE_UNAVAILABLE`` for an unknown name, when the named engine
            cannot run here (the message says why), or when no engine can.
        ValueError: For a page segmentation mode that produces no text (0, 2).
    """
    if name:
        if name not in ENGINES:
            raise OcrFailure(
                ENGINE_UNAVAILABLE,
                f"unknown OCR engine {name!r} (choose {' or '.join(ENGINES)})",
            )
        try:
            return _construct(name, tessdata, psm, timeout_s, limits)
        except OcrFailure as exc:
            if exc.code != ENGINE_UNAVAILABLE:
                raise
            raise OcrFailure(
                ENGINE_UNAVAILABLE, f"OCR engine {name} is not available: {exc.message}"
            ) from exc
    reasons: list[str] = []
    for candidate in ENGINES:
        try:
            engine = _construct(candidate, tessdata, psm, timeout_s, limits)
        except OcrFailure as exc:
            if exc.code != ENGINE_UNAVAILABLE:
                raise
            log.info("OCR engine %s not available: %s", candidate, exc.message)
            reasons.append(f"{candidate}: {exc.message}")
            continue
        return engine
    raise OcrFailure(ENGINE_UNAVAILABLE, "no OCR engine available (" + "; ".join(reasons) + ")")


def available_languages(
    engine: OcrEngine | str | None = None,
    *,
    tessdata: str | os.PathLike[str] | None = None,
) -> list[str]:
    """Recognition languages installed here, sorted, without ``osd`` (for a language picker).

    Args:
        engine: A running engine (asked directly), an engine name, or ``None``.
        tessdata: Language data directory, as passed to :func:`create_engine`.

    Returns:
        Codes such as ``["eng", "por"]``; empty when no language data is found.
    """
    if isinstance(engine, OcrEngine):
        return engine.languages()
    try:
        directory = find_tessdata(tessdata)
    except OcrFailure:
        return []
    if directory is not None:
        return languages_in(directory)
    if engine in (None, "pytesseract") and _unavailable_reason("pytesseract", None) is None:
        # No data directory we know of: ask the binary about its compiled-in default.
        import pytesseract

        return sorted(str(lang) for lang in pytesseract.get_languages() if lang != "osd")
    return []


def _construct(
    name: str,
    tessdata: str | os.PathLike[str] | None,
    psm: int,
    timeout_s: float | None,
    limits: ImageLimits | None,
) -> OcrEngine:
    if name == "tesserocr":
        from worker.ocr.tesserocr_engine import TesserocrEngine

        return TesserocrEngine(tessdata=tessdata, psm=psm, timeout_s=timeout_s, limits=limits)
    try:
        from worker.ocr.pytesseract_engine import PytesseractEngine
    except ImportError as exc:
        raise OcrFailure(ENGINE_UNAVAILABLE, f"pytesseract is not installed: {exc}") from exc
    return PytesseractEngine(tessdata=tessdata, psm=psm, timeout_s=timeout_s, limits=limits)


def _unavailable_reason(name: str, tessdata: str | os.PathLike[str] | None) -> str | None:
    """Why ``name`` cannot run here, or ``None`` if it can (without loading any model)."""
    prepare_environment()
    try:
        directory = find_tessdata(tessdata)  # raises if an explicit directory has no data
        if name == "tesserocr":
            from worker.ocr.tesserocr_engine import import_tesserocr

            import_tesserocr()
            return None if directory is not None else "no Tesseract language data found"
        try:
            from worker.ocr.pytesseract_engine import tesseract_binary
        except ImportError as exc:
            return f"pytesseract is not installed: {exc}"
        if tesseract_binary() is None:
            return "the tesseract program was not found on PATH"
        return None
    except OcrFailure as exc:
        return exc.message
