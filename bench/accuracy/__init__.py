"""Accuracy benchmark: stock ``tesseract`` against our preprocessing pipeline (CER/WER).

Run ``python -m bench.accuracy``; see :mod:`bench.accuracy.__main__`.
"""
