"""The accuracy corpus: pages rendered with Pillow from texts we can cite, with ground truth.

Every page is generated from a seed, so a run is reproducible and nothing is downloaded.
Sources of the text:

* English sentences written for this benchmark (ours, no copyright issue), and the opening
  of Charles Dickens, *A Tale of Two Cities* (1859, public domain).
* Portuguese sentences written for this benchmark, and the first stanza of Luís de Camões,
  *Os Lusíadas* (1572, public domain), in modern spelling.

Fonts: DejaVu (``fonts-dejavu-core``, always present where the tests run) and Liberation
(``fonts-liberation``, metric clones of Times/Arial/Courier) when installed.

Plus the project's own sample images (``resources/samples``: a line, paragraphs, an
invoice and a full A4 page, with their ground truth), as the ``samples`` category.

No public image set with ground truth is available offline here: Debian's Tesseract
packages (``tesseract-ocr``, ``-eng``, ``-por``, ``-osd``) ship models only, no Debian
package found by ``apt-cache search`` ships OCR test images, and the project may not
download data sets. The corpus is therefore synthetic; the categories imitate the
failure modes seen in real input (rotated scans, small type, phone photos).
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ENGLISH = (
    "The invoice was paid on the third of March, two days after the goods arrived at the "
    "warehouse. Please keep this receipt together with the delivery note, because the "
    "auditors will ask for both of them at the end of the year. Our office is open from "
    "Monday to Friday between nine and five; on public holidays the phone line is closed. "
    "A copy of the contract, signed by both parties, is attached to this letter.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was "
    "the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it "
    "was the season of Light, it was the season of Darkness, it was the spring of hope, it "
    "was the winter of despair, we had everything before us, we had nothing before us.",
    "Meeting notes: the new scanner reads about forty pages per minute, but small print on "
    "receipts is often blurred. Several customers sent photographs of their forms taken with "
    "a phone, some of them upside down. We agreed to test the software on rotated pages, "
    "faded copies and tiny type before the release planned for the spring.",
)
"""The second passage is Dickens, *A Tale of Two Cities* (1859); the others are ours."""

PORTUGUESE = (
    "A reunião foi marcada para quinta-feira às três horas da tarde, na sala do segundo "
    "andar. Os documentos devem ser entregues até o meio-dia, com a assinatura do "
    "responsável e o número do processo. Não esqueça de trazer a nota fiscal e o "
    "comprovante de pagamento, porque a contabilidade ainda não recebeu as cópias.",
    "As armas e os barões assinalados, que da ocidental praia Lusitana, por mares nunca de "
    "antes navegados, passaram ainda além da Taprobana, em perigos e guerras esforçados, "
    "mais do que prometia a força humana, e entre gente remota edificaram novo reino, que "
    "tanto sublimaram.",
    "O técnico verificou a impressora e trocou o cartucho de tinta. Depois disso, as "
    "páginas saíram nítidas, mas a digitalização das fichas antigas continua lenta. A "
    "equipe decidiu guardar uma cópia de segurança de cada arquivo no servidor da empresa "
    "e apagar os rascunhos que já não são necessários.",
)
"""The second passage is Camões, *Os Lusíadas* (1572), canto I, stanza 1; the others are ours."""

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSerif.ttf",
    "LiberationSerif-Regular.ttf",
    "LiberationSans-Regular.ttf",
    "DejaVuSansMono.ttf",
)

CATEGORIES = ("clean", "small", "rotated", "skewed", "noisy", "shadow", "photo", "samples")
"""What each category is (see :func:`generate`):

* ``clean``: a scan-like page, font size 22-30 px at 300 dpi (about 5-7 pt), straight.
* ``small``: the same pages at font size 7-11 px (tiny type, a reduced photo).
* ``rotated``: clean pages turned by 90°, 180° or 270°.
* ``skewed``: clean pages turned by 1.5-4° either way.
* ``noisy``: phone-photo-like: low contrast, uneven light, blur, sensor noise, JPEG.
* ``shadow``: clean pages under a shadow: light falling to 30-55% across or down the
  page, no noise (a page photographed under a lamp, the edge of a scanner lid).
* ``photo``: a phone photo of a whole A4 sheet (2480×3508 px, no resolution in the file):
  a paragraph of 30-42 px text on an otherwise blank page, with the ``noisy`` treatment.
  Unlike ``noisy`` (the paper cropped close around the text), most of the picture is
  noisy paper.
* ``samples``: ``resources/samples/*.png`` as they are (clean, 42 px DejaVu Sans, 300 dpi).
"""

A4_PX = (2480, 3508)
"""An A4 sheet at 300 dpi."""

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "resources" / "samples"


@dataclass(frozen=True, slots=True)
class Sample:
    """One corpus page.

    Attributes:
        name: Unique, e.g. ``rotated-03-eng``.
        category: One of :data:`CATEGORIES`.
        language: Tesseract language to read it with (``eng`` or ``por``).
        font: Font file name.
        truth: The text drawn, lines separated by ``\\n``.
        image: The page as a PNG or JPEG file.
        detail: What was done to the page (size, angle, noise), for the report.
    """

    name: str
    category: str
    language: str
    font: str
    truth: str
    image: bytes
    detail: str


def available_fonts() -> list[Path]:
    """The corpus fonts installed here (DejaVu at least)."""
    found = []
    for name in FONT_FILES:
        for directory in FONT_DIRS:
            path = Path(directory, name)
            if path.is_file():
                found.append(path)
                break
    if not found:
        raise RuntimeError(
            "no DejaVu or Liberation fonts found (apt-get install fonts-dejavu-core)"
        )
    return found


def render_page(
    text: str, font_path: Path, size_px: int, *, width_chars: int = 52, margin: int | None = None
) -> tuple[Image.Image, str]:
    """Draw ``text`` wrapped into lines, black on white; return the page and its truth.

    Args:
        text: A paragraph.
        font_path: A TrueType font.
        size_px: Font size in pixels.
        width_chars: Approximate line length in characters.
        margin: White border in pixels (default: two lines' height).
    """
    font = ImageFont.truetype(str(font_path), size_px)
    max_width = font.getlength("n") * width_chars
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and font.getlength(candidate) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    line_height = round(size_px * 1.45)
    pad = margin if margin is not None else 2 * line_height
    width = round(max(font.getlength(line) for line in lines)) + 2 * pad
    height = line_height * len(lines) + 2 * pad
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((pad, pad + i * line_height), line, font=font, fill=0)
    return page, "\n".join(lines)


def _png(img: Image.Image, dpi: int | None = 300) -> bytes:
    buf = io.BytesIO()
    if dpi:
        img.save(buf, "PNG", dpi=(dpi, dpi))
    else:
        img.save(buf, "PNG")
    return buf.getvalue()


def _photo(img: Image.Image, rng: np.random.Generator, level: float) -> bytes:
    """Make a page look like a phone photo: contrast, light gradient, blur, noise, JPEG."""
    blurred = img.filter(ImageFilter.GaussianBlur(0.6 + 0.6 * level))
    a = np.asarray(blurred, dtype=np.float32) / 255.0
    ink, paper = 70.0 + 40.0 * level, 215.0 - 25.0 * level
    a = ink + (paper - ink) * a
    h, w = a.shape
    # Light falling off towards one corner, as under a desk lamp.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a *= 1.0 - 0.25 * level * (xx / w + yy / h) / 2.0
    a += rng.normal(0.0, 10.0 + 14.0 * level, size=a.shape).astype(np.float32)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=round(60 - 25 * level))
    return buf.getvalue()


def _shadow(img: Image.Image, darkest: float, *, across: bool) -> Image.Image:
    """Light falling linearly from full to ``darkest`` across (or down) the page."""
    a = np.asarray(img, dtype=np.float32)
    h, w = a.shape
    if across:
        light = np.linspace(1.0, darkest, w, dtype=np.float32)[None, :]
    else:
        light = np.linspace(darkest, 1.0, h, dtype=np.float32)[:, None]
    return Image.fromarray(np.clip(a * light, 0, 255).astype(np.uint8), "L")


def generate(per_category: int = 10, seed: int = 6) -> Iterator[Sample]:
    """Yield the project's samples, then ``per_category`` rendered pages of each other
    category, half English, half Portuguese.

    Args:
        per_category: Pages per category.
        seed: Everything random (font, passage, size, angle, noise) derives from it.
    """
    fonts = available_fonts()
    yield from project_samples()
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    for category in CATEGORIES[:-1]:
        for i in range(per_category):
            language = "eng" if i % 2 == 0 else "por"
            passages = ENGLISH if language == "eng" else PORTUGUESE
            text = passages[(i // 2) % len(passages)]
            font = fonts[i % len(fonts)]
            name = f"{category}-{i:02d}-{language}"
            if category == "small":
                size = rng.randint(7, 11)
                page, truth = render_page(text, font, size)
                yield Sample(name, category, language, font.name, truth, _png(page), f"{size}px")
                continue
            if category == "photo":
                level = rng.uniform(0.3, 1.0)
                size = rng.randint(30, 42)
                page, truth = render_page(text, font, size)
                sheet = Image.new("L", A4_PX, 255)
                sheet.paste(page, (rng.randint(100, 300), rng.randint(100, 600)))
                data = _photo(sheet, nprng, level)
                yield Sample(
                    name,
                    category,
                    language,
                    font.name,
                    truth,
                    data,
                    f"{size}px A4 noise{level:.2f}",
                )
                continue
            size = rng.randint(22, 30)
            page, truth = render_page(text, font, size)
            if category == "clean":
                detail = f"{size}px"
                data = _png(page)
            elif category == "rotated":
                quarter = (90, 180, 270)[i % 3]
                detail = f"{size}px rot{quarter}"
                data = _png(page.rotate(quarter, expand=True))
            elif category == "skewed":
                angle = rng.choice((-1, 1)) * rng.uniform(1.5, 4.0)
                detail = f"{size}px skew{angle:+.1f}"
                rotated = page.rotate(
                    angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC
                )
                data = _png(rotated)
            elif category == "shadow":
                darkest = rng.uniform(0.3, 0.55)
                across = i % 2 == 0
                detail = f"{size}px shadow{darkest:.2f}{'x' if across else 'y'}"
                data = _png(_shadow(page, darkest, across=across))
            else:
                level = rng.uniform(0.3, 1.0)
                detail = f"{size}px noise{level:.2f}"
                data = _photo(page, nprng, level)
            yield Sample(name, category, language, font.name, truth, data, detail)


def project_samples() -> Iterator[Sample]:
    """The repository's sample images with their ground truth (``samples`` category)."""
    for png in sorted(SAMPLES_DIR.glob("*.png")):
        truth = png.with_suffix(".txt").read_text(encoding="utf-8").rstrip("\n")
        language = "por" if png.name.startswith("pt-") else "eng"
        with Image.open(png) as img:
            detail = f"{img.width}x{img.height}"
        yield Sample(
            f"samples-{png.stem}",
            "samples",
            language,
            "DejaVuSans.ttf",
            truth,
            png.read_bytes(),
            detail,
        )
