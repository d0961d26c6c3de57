"""ocrjobs: the shared core of the OCR pipeline (domain, repository, AWS adapters, services)."""

__version__ = "0.1.0"
