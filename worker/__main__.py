"""``python -m worker``: the headless OCR consumer (same as the ``ocrjobs-worker`` script)."""

from worker.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
