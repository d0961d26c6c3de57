"""``python -m ocrjobs`` runs the CLI."""

import sys

from ocrjobs.cli import main

sys.exit(main())
