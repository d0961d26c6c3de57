"""Rebuild the sample images and their ground truth: ``python resources/samples/generate.py``.

Each sample is black text rendered with DejaVu Sans (Debian package ``fonts-dejavu-core``)
on a white 8-bit greyscale canvas, saved as PNG with a 300 dpi ``pHYs`` chunk, next to a
``.txt`` file holding exactly the text drawn (lines joined by ``\\n``, one final newline).
See README.md in this directory.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DPI = 300
MARGIN = 120  # pixels (~1 cm at 300 dpi)
MAX_BYTES = 150 * 1024


@dataclass(frozen=True)
class Sample:
    stem: str
    language: str
    lines: tuple[str, ...]
    size_px: int = 42  # ~10 pt at 300 dpi
    page: tuple[int, int] | None = None  # fixed canvas (A4) instead of fitting the text
    justify: bool = False  # full justification, as in print; "" lines end paragraphs


PAGE_LINES = (
    "Operators drag scanned pages into the desktop window and",
    "watch each job progress item by item. Every image is stored",
    "in the bucket under the prefix of its job, and one message per",
    "item is sent to the queue. A worker receives the message,",
    "downloads the image, runs Tesseract and writes the recognised",
    "text back to the database. When every item of a job is done,",
    "the job itself is done; when one item fails, the job reports",
    "an error and the other items keep their text.",
    "",
    "Messages that are not processed before the retention deadline",
    "expire. Their items are marked as expired and can be retried",
    "from the desktop. Workers scale out by adding instances: each",
    "one processes a single message at a time per core and deletes",
    "it from the queue only after the result has been committed.",
    "",
    "Every create, rename, delete and processing step is recorded",
    "in the audit log with the identifiers of the job, the item and",
    "the message, so administrators can follow what happened to any",
    "image long after its job has finished.",
)

SAMPLES = (
    Sample("en-line", "eng", ("The quick brown fox jumps over the lazy dog.",)),
    Sample(
        "en-paragraph",
        "eng",
        (
            "Optical character recognition turns pictures",
            "of printed text into characters that can be",
            "searched, copied and edited. This sample has",
            "four lines of clear English text.",
        ),
    ),
    Sample(
        "en-invoice",
        "eng",
        (
            "Invoice 2024-0173 dated 12 March 2024",
            "Customer: Blue Harbour Trading Ltd",
            "3 boxes of paper at 24.50 each, total",
            "due 73.50 EUR within 30 days.",
        ),
        justify=True,
    ),
    Sample(
        "pt-paragraph",
        "por",
        (
            "Informação sobre a ação de cobrança:",
            "a comissão não aprovou a revisão do",
            "orçamento. Atenção, o código é válido",
            "até março e a decisão será pública.",
        ),
    ),
    Sample("en-page", "eng", PAGE_LINES, page=(2480, 3508), justify=True),
)


def render(sample: Sample) -> Image.Image:
    """Draw the sample's lines, black on white, one line every 1.5 × the font size."""
    font = ImageFont.truetype(str(FONT), sample.size_px)
    step = round(sample.size_px * 1.5)
    widest = max(round(font.getlength(line)) for line in sample.lines)
    if sample.page is not None:
        width, height = sample.page
    else:
        width = widest + 2 * MARGIN
        height = step * len(sample.lines) + 2 * MARGIN
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(sample.lines):
        top = MARGIN + number * step
        last_of_paragraph = number + 1 == len(sample.lines) or not sample.lines[number + 1]
        if not sample.justify or last_of_paragraph:
            draw.text((MARGIN, top), line, font=font, fill=0)
            continue
        # Spread the words over the full measure: ragged lines make Tesseract's paragraph
        # detector start a new paragraph wherever the next word would have fitted.
        words = line.split()
        gap = (widest - sum(font.getlength(word) for word in words)) / (len(words) - 1)
        x = float(MARGIN)
        for word in words:
            draw.text((round(x), top), word, font=font, fill=0)
            x += font.getlength(word) + gap
    return image


def main() -> None:
    """Write ``<stem>.png`` and ``<stem>.txt`` for every sample."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for sample in SAMPLES:
        png = out / f"{sample.stem}.png"
        render(sample).save(png, dpi=(DPI, DPI), optimize=True)
        size = png.stat().st_size
        if size > MAX_BYTES:
            raise SystemExit(f"{png} is {size:,} bytes, over the {MAX_BYTES:,} byte budget")
        (out / f"{sample.stem}.txt").write_text("\n".join(sample.lines) + "\n", encoding="utf-8")
        print(f"{png.name}: {size:,} bytes, language {sample.language}")


if __name__ == "__main__":
    main()
