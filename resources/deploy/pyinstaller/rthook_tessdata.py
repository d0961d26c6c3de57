"""PyInstaller runtime hook: the bundled Tesseract language data, found before any import.

Runs in the frozen worker (and desktop) before their entry script. The bundle carries
``eng``, ``por`` and ``osd`` in ``<bundle>/tessdata``; :func:`worker.ocr.engine.find_tessdata`
reads ``TESSDATA_PREFIX`` after an explicit ``tessdata_dir`` setting, so an operator can
still point elsewhere with ``OCRJOBS_TESSDATA_DIR`` or their own ``TESSDATA_PREFIX``.
OCR child processes (spawned) inherit the variable.
"""

import os
import sys

_bundle = getattr(sys, "_MEIPASS", None)
if _bundle and os.path.isdir(os.path.join(_bundle, "tessdata")):
    os.environ.setdefault("TESSDATA_PREFIX", os.path.join(_bundle, "tessdata"))
# Tesseract must not start one OpenMP thread per core in every OCR process (FIELD-NOTES).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
