"""``python -m worker``: the headless OCR consumer (same as the ``ocrjobs-worker`` script)."""

import multiprocessing

from worker.cli import main

if __name__ == "__main__":
    # The frozen worker (PyInstaller) spawns its OCR processes by re-running this
    # executable; freeze_support() turns those runs into the child instead of a new worker.
    multiprocessing.freeze_support()
    raise SystemExit(main())
