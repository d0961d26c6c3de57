"""Word boxes: what the worker stores beside the text and what overlays and PDFs draw.

Stored as JSON in ``job_items.words``::

    {"v": 1, "width": W, "height": H, "rotate": 0,
     "words": [[x, y, w, h, conf, "text"], ...]}

Coordinates are pixels of the image as OCRed, after the image was turned by ``rotate``
degrees clockwise (0, 90, 180, 270) from the stored object; ``conf`` is Tesseract's
0–100 word confidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

FORMAT_VERSION = 1
LOW_CONFIDENCE = 60.0
"""Words below this confidence are highlighted; items with many of them need review."""
REVIEW_SHARE = 0.15
"""An item needs review when more than this share of its words are low-confidence."""


@dataclass(frozen=True, slots=True)
class WordBox:
    x: int
    y: int
    w: int
    h: int
    conf: float
    text: str


@dataclass(frozen=True, slots=True)
class PageWords:
    width: int
    height: int
    rotate: int
    words: tuple[WordBox, ...]

    @property
    def low_confidence(self) -> tuple[WordBox, ...]:
        return tuple(w for w in self.words if w.conf < LOW_CONFIDENCE)

    @property
    def needs_review(self) -> bool:
        return bool(self.words) and len(self.low_confidence) > REVIEW_SHARE * len(self.words)


def encode_words(page: PageWords) -> str:
    return json.dumps(
        {
            "v": FORMAT_VERSION,
            "width": page.width,
            "height": page.height,
            "rotate": page.rotate,
            "words": [[w.x, w.y, w.w, w.h, round(w.conf, 1), w.text] for w in page.words],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_words(raw: str | None) -> PageWords | None:
    """Parse stored word boxes; None for absent or unreadable data (never raises)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        words = tuple(
            WordBox(int(x), int(y), int(w), int(h), float(c), str(t))
            for x, y, w, h, c, t in data["words"]
        )
        return PageWords(int(data["width"]), int(data["height"]), int(data.get("rotate", 0)), words)
    except (ValueError, TypeError, KeyError):
        return None
