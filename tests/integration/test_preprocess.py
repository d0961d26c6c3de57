"""recognize_document on real Tesseract: rotated, skewed, tiny and clean pages, both engines."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ocrjobs.domain.words import PageWords
from worker.ocr import OcrEngine, OcrFailure, create_engine
from worker.ocr.engine import PIPELINE_VERSION
from worker.ocr.preprocess import recognize_document
from worker.ocr.select import ENGINES

pytestmark = pytest.mark.ocr

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LINES = [
    "Please keep this receipt together",
    "with the delivery note for the audit.",
    "Our office is open from nine to five.",
]
TRUTH = "\n".join(LINES)


def render(size: int = 26) -> Image.Image:
    face = ImageFont.truetype(str(FONT), size)
    width = round(max(face.getlength(line) for line in LINES)) + 4 * size
    img = Image.new("L", (width, round(size * 1.5) * len(LINES) + 4 * size), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(LINES):
        draw.text((2 * size, 2 * size + i * round(size * 1.5)), line, font=face, fill=0)
    return img


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


@pytest.fixture(scope="module")
def ocr_engines() -> Iterator[dict[str, OcrEngine]]:
    opened: dict[str, OcrEngine] = {}
    for name in ENGINES:
        try:
            opened[name] = create_engine(name)
        except OcrFailure as exc:
            pytest.skip(exc.message)
    yield opened
    for engine in opened.values():
        engine.close()


@pytest.fixture(scope="module")
def tess(ocr_engines: dict[str, OcrEngine]) -> OcrEngine:
    return ocr_engines["tesserocr"]


@pytest.mark.parametrize("quarter", [90, 180])
def test_turned_page_reads_right_with_both_engines(
    ocr_engines: dict[str, OcrEngine], quarter: int
) -> None:
    data = png(render().rotate(quarter, expand=True))
    for engine in ocr_engines.values():
        result = recognize_document(engine, data, "eng")
        assert result.text == TRUTH, engine.name
        assert result.words is not None
        # The stored page was turned `quarter` counter-clockwise: as many degrees
        # clockwise undo it.
        assert result.words.rotate == quarter
        assert [w.text for w in result.words.words] == TRUTH.split()


def test_upright_page_boxes_are_in_the_stored_frame(tess: OcrEngine) -> None:
    img = render()
    result = recognize_document(tess, png(img), "eng")
    assert result.words is not None
    assert (result.words.width, result.words.height, result.words.rotate) == (*img.size, 0)
    first = result.words.words[0]
    assert first.text == "Please"
    # The box holds ink where the word was drawn (2 × size from the top-left corner).
    assert 40 <= first.x <= 60
    assert 45 <= first.y <= 62


def test_skewed_page_is_deskewed(tess: OcrEngine) -> None:
    img = render().rotate(3.0, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    result = recognize_document(tess, png(img), "eng")
    assert any(note.startswith("deskewed by -3.") for note in result.notes)
    assert result.text == TRUTH
    assert result.words is not None
    assert (result.words.width, result.words.height) == img.size


def test_tiny_text_is_upscaled_and_read(tess: OcrEngine) -> None:
    img = render(9)
    data = png(img)
    plain = tess.recognize(data, "eng")
    result = recognize_document(tess, data, "eng")
    assert any(note.startswith("upscaled") for note in result.notes)
    assert result.text == TRUTH
    assert plain.text != TRUTH  # what the pipeline is for
    assert result.words is not None
    assert (result.words.width, result.words.height) == img.size
    assert all(w.x + w.w <= img.width and w.y + w.h <= img.height for w in result.words.words)


def test_clean_page_text_is_unchanged_by_the_pipeline(tess: OcrEngine) -> None:
    data = png(render(30))
    plain = tess.recognize(data, "eng")
    result = recognize_document(tess, data, "eng")
    assert result.text == plain.text == TRUTH
    assert result.words == plain.words
    assert result.notes == plain.notes  # nothing was done to the page


def sheet_photo() -> bytes:
    """The three lines in the corner of an A4 sheet photographed with a phone: low
    contrast, blur, strong sensor noise, JPEG; ink under 1 % of the picture."""
    sheet = Image.new("L", (2480, 3508), 255)
    sheet.paste(render(36), (200, 300))
    a = np.asarray(sheet.filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float32)
    a = 110.0 + a * (80.0 / 255.0)
    a += np.random.default_rng(3).normal(0.0, 24.0, a.shape).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L").save(buf, "JPEG", quality=40)
    return buf.getvalue()


def test_whole_sheet_photo_is_read(tess: OcrEngine) -> None:
    data = sheet_photo()
    plain = tess.recognize(data, "eng")
    result = recognize_document(tess, data, "eng")
    assert plain.text == ""  # Tesseract's own threshold splits the paper: no text at all
    assert "noisy page binarised" in result.notes
    assert TRUTH in result.text  # a speck of the noise may read as a dot
    assert len(result.text) <= len(TRUTH) + 4


def test_profile_names_engine_language_mode_and_pipeline(tess: OcrEngine) -> None:
    result = recognize_document(tess, png(render()), "eng")
    assert result.profile == f"tesserocr:eng:psm3:{PIPELINE_VERSION}"


def test_both_engines_return_the_same_word_boxes(ocr_engines: dict[str, OcrEngine]) -> None:
    data = png(render())
    results = [ocr_engines[name].recognize(data, "eng") for name in ENGINES]
    boxes = [[(w.x, w.y, w.w, w.h, w.text) for w in r.words.words] for r in results if r.words]
    assert len(boxes) == 2
    assert boxes[0] == boxes[1]
    assert [w.text for w in results[0].words.words] == TRUTH.split()  # type: ignore[union-attr]
    # Confidences come from two Tesseract versions (5.5.4 and 5.3.0): close, not equal.
    for a, b in zip(results[0].words.words, results[1].words.words, strict=True):  # type: ignore[union-attr]
        assert abs(a.conf - b.conf) < 3.0


def test_pipeline_failures_are_ocr_failures(tess: OcrEngine) -> None:
    with pytest.raises(OcrFailure) as info:
        recognize_document(tess, b"not an image", "eng")
    assert info.value.code == "BAD_IMAGE"
    with pytest.raises(OcrFailure) as info:
        recognize_document(tess, png(render()), "xxx")
    assert info.value.code == "LANGUAGE_UNAVAILABLE"


def test_exif_turn_is_folded_into_rotate(tess: OcrEngine) -> None:
    """Boxes refer to the stored pixels turned by ``rotate``, EXIF orientation included."""
    upright = render()
    stored = upright.rotate(90, expand=True)  # a camera held sideways...
    exif = Image.Exif()
    exif[0x0112] = 6  # ...says "turn 90° clockwise to display"
    buf = io.BytesIO()
    stored.save(buf, "PNG", dpi=(300, 300), exif=exif)
    result = recognize_document(tess, buf.getvalue(), "eng")
    assert result.text == TRUTH
    assert result.words is not None
    assert result.words.rotate == 90
    assert (result.words.width, result.words.height) == upright.size
    assert stored.rotate(-result.words.rotate, expand=True).size == upright.size


def test_page_in_a_shadow_is_flattened_and_read(tess: OcrEngine) -> None:
    img = render()
    a = np.asarray(img, dtype=np.float32) * np.linspace(1.0, 0.3, img.width)[None, :]
    data = png(Image.fromarray(a.astype(np.uint8), "L"))
    assert tess.recognize(data, "eng").text != TRUTH  # Tesseract alone loses the dark side
    result = recognize_document(tess, data, "eng")
    assert "uneven light flattened" in result.notes
    assert result.text == TRUTH


def test_tiny_skewed_upside_down_page_reads_right_and_boxes_land_on_the_words(
    tess: OcrEngine,
) -> None:
    straight = render(11).rotate(3.0, expand=True, fillcolor=255)
    stored = straight.rotate(180, expand=True)
    result = recognize_document(tess, png(stored), "eng")
    assert result.text == TRUTH
    assert result.words is not None
    assert result.words.rotate == 180
    # Every box, on the stored page turned by `rotate`, covers ink.
    shown = np.asarray(stored.rotate(-result.words.rotate, expand=True)) < 128
    for w in result.words.words:
        assert shown[w.y : w.y + w.h, w.x : w.x + w.w].any(), w


def on_a4(img: Image.Image, at: tuple[int, int]) -> Image.Image:
    """``img`` pasted on a white A4 page at 300 dpi, ``at`` its top-left corner."""
    page = Image.new("L", (2480, 3508), 255)
    page.paste(img, at)
    return page


def assert_boxes_on_the_words(shown: Image.Image, words: PageWords) -> None:
    """Every box holds ink and the boxes together hold (nearly) all the ink of ``shown``."""
    ink = np.asarray(shown.convert("L")) < 128
    covered = np.zeros_like(ink)
    for w in words.words:
        assert ink[w.y : w.y + w.h, w.x : w.x + w.w].any(), w
        covered[w.y : w.y + w.h, w.x : w.x + w.w] = True
    assert (covered & ink).sum() >= 0.97 * ink.sum()


def test_page_with_wide_margins_is_cropped_with_the_same_text_and_boxes(
    tess: OcrEngine,
) -> None:
    data = png(on_a4(render(), (400, 1200)))
    plain = tess.recognize(data, "eng")
    result = recognize_document(tess, data, "eng")
    assert any(note.startswith("margins cropped") for note in result.notes)
    assert result.text == plain.text == TRUTH
    # Only the top and right margins go: Tesseract saw the text at the same coordinates
    # from the bottom-left corner, so the mapped boxes are exactly the uncropped ones.
    assert result.words == plain.words


def test_cropped_skewed_page_boxes_land_on_the_words(tess: OcrEngine) -> None:
    stored = on_a4(render(), (900, 1500)).rotate(
        3.0, fillcolor=255, resample=Image.Resampling.BICUBIC
    )
    result = recognize_document(tess, png(stored), "eng")
    assert any(note.startswith("margins cropped") for note in result.notes)
    assert any(note.startswith("deskewed by -") for note in result.notes)  # -2.8° or so
    assert result.text == TRUTH
    assert result.words is not None
    assert (result.words.width, result.words.height, result.words.rotate) == (2480, 3508, 0)
    assert_boxes_on_the_words(stored, result.words)


def test_cropped_tiny_text_is_upscaled_and_boxes_land_on_the_words(tess: OcrEngine) -> None:
    stored = on_a4(render(11), (1200, 700))
    result = recognize_document(tess, png(stored), "eng")
    assert any(note.startswith("margins cropped") for note in result.notes)
    assert any(note.startswith("upscaled") for note in result.notes)
    assert result.text == TRUTH
    assert result.words is not None
    assert_boxes_on_the_words(stored, result.words)
    first = result.words.words[0]
    assert first.text == "Please"
    assert 1218 <= first.x <= 1226  # drawn at 2 × 11 px from the text's corner
    assert 718 <= first.y <= 728


@pytest.mark.parametrize("quarter", [90, 180, 270])
def test_cropped_turned_page_boxes_land_on_the_words(tess: OcrEngine, quarter: int) -> None:
    stored = on_a4(render(), (300, 2600)).rotate(quarter, expand=True)
    result = recognize_document(tess, png(stored), "eng")
    assert any(note.startswith("margins cropped") for note in result.notes)
    assert result.text == TRUTH
    assert result.words is not None
    assert result.words.rotate == quarter
    assert_boxes_on_the_words(stored.rotate(-result.words.rotate, expand=True), result.words)
