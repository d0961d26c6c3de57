"""``python -m desktop`` (and the frozen ``ocrjobs-desktop``)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # First, before Qt is imported: a frozen build's OCR child processes start here too.
    multiprocessing.freeze_support()
    from desktop.app import main

    sys.exit(main())
