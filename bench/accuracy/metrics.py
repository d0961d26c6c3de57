"""Character and word error rates (Levenshtein distance over the reference length)."""

from __future__ import annotations

from collections.abc import Sequence


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space: line breaks are layout, not text."""
    return " ".join(text.split())


def edit_distance(a: Sequence[object], b: Sequence[object]) -> int:
    """Levenshtein distance (insertions, deletions, substitutions all cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate of whitespace-normalised texts (can exceed 1 for extra text)."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return edit_distance(hyp, ref) / max(1, len(ref))


def wer(hypothesis: str, reference: str) -> float:
    """Word error rate (words split on whitespace)."""
    ref, hyp = reference.split(), hypothesis.split()
    return edit_distance(hyp, ref) / max(1, len(ref))
