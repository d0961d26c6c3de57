"""OCR for the worker: one long-lived Tesseract engine per process behind one interface.

Typical use::

    from worker.ocr import OcrFailure, create_engine

    with create_engine() as engine:          # tesserocr if installed, else pytesseract
        try:
            result = engine.recognize(image_bytes, "eng+por")
        except OcrFailure as exc:            # exc.code -> item.error_code
            ...

The worker reads each item through the preprocessing pipeline instead::

    from worker.ocr.preprocess import recognize_document   # imports numpy

    result = recognize_document(engine, image_bytes, "eng")  # + words, profile

Importing this package loads no engine, model or native library.
"""

from worker.ocr.engine import (
    BAD_IMAGE,
    ENGINE_FAILED,
    ENGINE_UNAVAILABLE,
    ERROR_CODES,
    LANGUAGE_UNAVAILABLE,
    PIPELINE_VERSION,
    TIMEOUT,
    TOO_LARGE,
    OcrEngine,
    OcrFailure,
    OcrResult,
    Orientation,
    find_tessdata,
    ocr_profile,
    prepare_environment,
)
from worker.ocr.image_checks import ImageLimits, PreparedImage, prepare_image
from worker.ocr.select import available_engines, available_languages, create_engine

__all__ = [
    "BAD_IMAGE",
    "ENGINE_FAILED",
    "ENGINE_UNAVAILABLE",
    "ERROR_CODES",
    "LANGUAGE_UNAVAILABLE",
    "PIPELINE_VERSION",
    "TIMEOUT",
    "TOO_LARGE",
    "ImageLimits",
    "OcrEngine",
    "OcrFailure",
    "OcrResult",
    "Orientation",
    "PreparedImage",
    "available_engines",
    "available_languages",
    "create_engine",
    "find_tessdata",
    "ocr_profile",
    "prepare_environment",
    "prepare_image",
]
