"""The preprocessing steps on rendered pages, without Tesseract (milliseconds each)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ocrjobs.domain.words import PageWords, WordBox
from worker.ocr.engine import Orientation, parse_osd, words_from_tsv
from worker.ocr.preprocess import (
    MIN_LINE_PX,
    NOISE_THRESHOLD,
    SPLIT_NOISE,
    UNEVEN_PAPER,
    Plan,
    _crop_box,
    _histogram,
    _rotate_small,
    _upscale_factor,
    analyse,
    binarize,
    estimate_skew,
    flatten_background,
    ink_mask,
    ink_threshold,
    map_words,
    otsu_threshold,
    paper_evenness,
    splits_paper,
    text_line_height,
)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TEXT = [
    "The quick brown fox jumps over the lazy dog",
    "A reunião foi marcada para quinta-feira",
    "Please keep this receipt with the delivery note",
    "Os documentos devem ser entregues até o meio-dia",
]


def page(size: int = 24) -> Image.Image:
    face = ImageFont.truetype(str(FONT), size)
    width = round(max(face.getlength(line) for line in TEXT)) + 4 * size
    img = Image.new("L", (width, round(size * 1.5) * len(TEXT) + 4 * size), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(TEXT):
        draw.text((2 * size, 2 * size + i * round(size * 1.5)), line, font=face, fill=0)
    return img


def noisy(img: Image.Image, sigma: float = 20.0) -> Image.Image:
    a = np.asarray(img, dtype=np.float32) * 0.5 + 90.0  # low contrast: ink 90, paper 217
    a += np.random.default_rng(1).normal(0.0, sigma, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


@pytest.mark.parametrize("angle", [-3.5, -1.2, 2.0, 4.0])
def test_skew_is_measured_to_a_few_tenths_of_a_degree(angle: float) -> None:
    skewed = page().rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    # The correction turns the other way.
    assert estimate_skew(ink_mask(skewed)) == pytest.approx(-angle, abs=0.3)


def test_straight_page_needs_no_deskew() -> None:
    assert abs(analyse(page()).skew_deg) < 0.5


def test_deskewed_page_is_straight_again() -> None:
    skewed = page().rotate(3.0, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    fixed = _rotate_small(skewed, analyse(skewed).skew_deg)
    assert abs(estimate_skew(ink_mask(fixed))) < 0.3


def test_tiny_text_is_upscaled_to_readable_height_and_normal_text_is_not() -> None:
    tiny, normal = page(9), page(28)
    tiny_line = text_line_height(ink_mask(tiny))
    normal_line = text_line_height(ink_mask(normal))
    assert tiny_line is not None
    assert tiny_line < MIN_LINE_PX
    assert normal_line is not None
    assert normal_line >= MIN_LINE_PX
    scale = _upscale_factor(tiny_line, tiny.size)
    assert 2.0 <= scale <= 4.0
    assert 25 <= tiny_line * scale <= 35
    assert _upscale_factor(normal_line, normal.size) == 1.0


def test_upscaling_is_capped_by_pixels() -> None:
    assert _upscale_factor(5.0, (8000, 8000)) == 1.0


def test_blank_page_has_no_lines_and_no_skew() -> None:
    blank = Image.new("L", (300, 200), 255)
    analysis = analyse(blank)
    assert analysis.line_px is None
    assert analysis.skew_deg == 0.0
    assert analysis.noise < 1.0


def test_noise_separates_photos_from_clean_pages() -> None:
    assert analyse(page()).noise < 1.0
    assert analyse(noisy(page())).noise > NOISE_THRESHOLD


def test_binarised_noisy_page_is_close_to_the_clean_one() -> None:
    clean = np.asarray(page()) < 128
    out = np.asarray(binarize(noisy(page()))) < 128
    assert out.shape == clean.shape
    assert (out != clean).mean() < 0.03


def test_otsu_splits_two_levels() -> None:
    a = np.array([[20] * 50 + [230] * 50], dtype=np.uint8)
    assert 20 < otsu_threshold(a) <= 230


def sheet_photo(noise: float = 24.0) -> Image.Image:
    """A paragraph in the corner of a large sheet of noisy paper (a phone photo of a
    whole page, as bench/accuracy's ``photo`` pages): ink under 1 % of the pixels, low
    contrast (ink 110, paper 190), a little blur and strong sensor noise."""
    sheet = Image.new("L", (1600, 2200), 255)
    sheet.paste(page(30), (100, 150))
    a = np.asarray(sheet.filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float32)
    a = 110.0 + a * (80.0 / 255.0)
    a += np.random.default_rng(1).normal(0.0, noise, a.shape).astype(np.float32)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def test_otsu_splitting_the_paper_of_a_sheet_photo_is_caught() -> None:
    photo = sheet_photo(noise=8.0)
    analysis = analyse(photo)
    assert splits_paper(_histogram(photo))
    # Too quiet to count as noisy by itself: binarised because its threshold splits it.
    assert SPLIT_NOISE < analysis.noise < NOISE_THRESHOLD
    assert analysis.noisy
    assert not splits_paper(_histogram(page()))
    assert not splits_paper(_histogram(noisy(page())))  # text fills this one: Otsu holds


@pytest.mark.parametrize(
    "name",
    ["light text on a dark ground", "mostly a photo"],
)
def test_pages_that_are_not_mostly_paper_keep_otsu(name: str) -> None:
    rng = np.random.default_rng(2)
    if name == "light text on a dark ground":
        a = 255.0 - np.asarray(page(30), dtype=np.float32) * (225.0 / 255.0)
    else:
        a = np.full((1000, 1000), 255.0, dtype=np.float32)  # a picture over 2/3 of it
        a[:650] = np.repeat(np.repeat(rng.uniform(20, 235, (65, 100)), 10, 0), 10, 1)
        a[680:980, :911] = np.asarray(page(30))
    a += rng.normal(0.0, 8.0, a.shape)
    grey = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    smooth = grey.filter(ImageFilter.GaussianBlur(1.0))
    assert ink_threshold(_histogram(smooth)) == otsu_threshold(np.asarray(smooth))
    assert not splits_paper(_histogram(grey))


def test_a_sheet_photo_is_binarised_to_its_text_not_its_noise() -> None:
    photo = sheet_photo()
    clean = np.zeros((2200, 1600), dtype=bool)
    clean[150 : 150 + page(30).height, 100 : 100 + page(30).width] = np.asarray(page(30)) < 128
    out = np.asarray(binarize(photo)) < 128
    # Plain Otsu put the threshold inside the paper's noise: a third of the sheet was ink.
    assert out.mean() < 2 * clean.mean()
    assert (out != clean).mean() < 0.01


def test_ink_threshold_is_otsu_where_ink_and_paper_are_apart() -> None:
    two_levels = np.zeros(256)
    two_levels[[20, 230]] = [5_000, 95_000]
    assert ink_threshold(two_levels) == otsu_threshold(
        np.repeat(np.array([20, 230], dtype=np.uint8), [5_000, 95_000])
    )


def test_quiet_large_page_below_the_split_noise_is_left_to_tesseract() -> None:
    sheet = Image.new("L", (1600, 2200), 255)
    sheet.paste(page(30), (100, 150))
    analysis = analyse(noisy(sheet, 1.0))
    assert not analysis.noisy


def word(x: int, y: int, w: int, h: int) -> WordBox:
    return WordBox(x, y, w, h, 90.0, "word")


def test_identity_plan_keeps_boxes() -> None:
    words = PageWords(100, 50, 0, (word(10, 5, 20, 8),))
    out = map_words(
        words, Plan(), upright_size=(100, 50), processed_size=(100, 50), exif_orientation=None
    )
    assert out == words


def test_upscaled_boxes_are_scaled_back() -> None:
    words = PageWords(300, 150, 0, (word(30, 15, 60, 24),))
    out = map_words(
        words,
        Plan(scale=3.0),
        upright_size=(100, 50),
        processed_size=(300, 150),
        exif_orientation=None,
    )
    assert (out.width, out.height) == (100, 50)
    assert out.words[0] == word(10, 5, 20, 8)


def test_deskewed_boxes_land_on_the_ink_of_the_skewed_page() -> None:
    skewed = Image.new("L", (400, 300), 255)
    ImageDraw.Draw(skewed).rectangle((250, 60, 330, 80), fill=0)
    deg = 3.0
    straight = _rotate_small(skewed, deg)
    ys, xs = np.nonzero(np.asarray(straight) < 128)
    box = word(int(xs.min()), int(ys.min()), int(xs.max() - xs.min()), int(ys.max() - ys.min()))
    out = map_words(
        PageWords(straight.width, straight.height, 0, (box,)),
        Plan(skew_deg=deg),
        upright_size=skewed.size,
        processed_size=straight.size,
        exif_orientation=None,
    )
    mapped = out.words[0]
    # The mapped box contains the original rectangle, loosely (a turned box is bigger).
    assert mapped.x <= 252
    assert mapped.x + mapped.w >= 328
    assert mapped.y <= 62
    assert mapped.y + mapped.h >= 78
    assert mapped.w < 80 + 15
    assert mapped.h < 20 + 15


@pytest.mark.parametrize(
    ("turn", "exif", "rotate"),
    [(0, None, 0), (270, None, 90), (180, None, 180), (90, None, 270), (0, 6, 90), (90, 6, 0)],
)
def test_rotate_counts_clockwise_quarter_turns_from_the_stored_pixels(
    turn: int, exif: int | None, rotate: int
) -> None:
    out = map_words(
        PageWords(10, 10, 0, ()),
        Plan(turn=turn),
        upright_size=(10, 10),
        processed_size=(10, 10),
        exif_orientation=exif,
    )
    assert out.rotate == rotate


def test_cropped_boxes_get_the_crop_offset_back() -> None:
    words = PageWords(150, 60, 0, (word(10, 5, 20, 8),))
    out = map_words(
        words,
        Plan(crop=(0, 40, 150, 100)),
        upright_size=(400, 100),
        processed_size=(150, 60),
        exif_orientation=None,
    )
    assert (out.width, out.height, out.rotate) == (400, 100, 0)
    assert out.words[0] == word(10, 45, 20, 8)
    # A crop on every side, as a Plan may carry (the pipeline keeps the left edge).
    out = map_words(
        words,
        Plan(crop=(30, 40, 180, 100)),
        upright_size=(400, 100),
        processed_size=(150, 60),
        exif_orientation=None,
    )
    assert out.words[0] == word(40, 45, 20, 8)


def test_cropped_and_upscaled_boxes_are_scaled_then_offset() -> None:
    out = map_words(
        PageWords(300, 180, 0, (word(30, 15, 60, 24),)),
        Plan(crop=(0, 200, 100, 260), scale=3.0),
        upright_size=(400, 260),
        processed_size=(300, 180),
        exif_orientation=None,
    )
    assert out.words[0] == word(10, 205, 20, 8)


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_cropped_and_deskewed_boxes_land_on_the_ink_of_the_stored_page(scale: float) -> None:
    stored = Image.new("L", (900, 700), 255)
    ImageDraw.Draw(stored).rectangle((250, 460, 330, 480), fill=0)
    deg = 3.0
    crop = (0, 400, 600, 700)
    straight = _rotate_small(stored.crop(crop), deg)
    processed = straight.resize((round(straight.width * scale), round(straight.height * scale)))
    ys, xs = np.nonzero(np.asarray(processed) < 128)
    box = word(int(xs.min()), int(ys.min()), int(xs.max() - xs.min()), int(ys.max() - ys.min()))
    out = map_words(
        PageWords(processed.width, processed.height, 0, (box,)),
        Plan(crop=crop, skew_deg=deg, scale=scale),
        upright_size=stored.size,
        processed_size=processed.size,
        exif_orientation=None,
    )
    mapped = out.words[0]
    assert (out.width, out.height) == stored.size
    # The mapped box contains the drawn rectangle, loosely (a turned box is bigger).
    assert 235 <= mapped.x <= 252
    assert 328 <= mapped.x + mapped.w <= 345
    assert 445 <= mapped.y <= 462
    assert 478 <= mapped.y + mapped.h <= 495


def test_crop_does_not_change_rotate() -> None:
    out = map_words(
        PageWords(10, 10, 0, ()),
        Plan(turn=90, crop=(0, 5, 8, 20)),
        upright_size=(20, 20),
        processed_size=(8, 15),
        exif_orientation=6,
    )
    assert out.rotate == 0


def test_rotate_matches_pil_turn() -> None:
    """``rotate`` clockwise degrees reproduce the upright page from the stored one."""
    stored = Image.new("L", (40, 20), 255)
    stored.putpixel((0, 0), 0)
    upright = stored.rotate(90, expand=True)  # what the pipeline does for OSD degrees=90
    rotate = map_words(
        PageWords(20, 40, 0, ()),
        Plan(turn=90),
        upright_size=upright.size,
        processed_size=upright.size,
        exif_orientation=None,
    ).rotate
    # Consumers turn the stored image by -rotate (clockwise) with PIL, as searchable_pdf does.
    assert stored.rotate(-rotate, expand=True).tobytes() == upright.tobytes()


def test_words_from_tsv_reads_word_rows() -> None:
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
        "\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t200\t100\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t95.5\tHello\n"
        "5\t1\t1\t1\t1\t2\t50\t20\t40\t12\t-1\t \n"
        "5\t1\t1\t1\t1\t3\t95\t20\t40\t12\t-1\tworld\n"
    )
    words = words_from_tsv(tsv, 200, 100)
    assert words == PageWords(
        200, 100, 0, (WordBox(10, 20, 30, 12, 95.5, "Hello"), WordBox(95, 20, 40, 12, 0.0, "world"))
    )


def test_parse_osd() -> None:
    text = (
        "Page number: 0\nOrientation in degrees: 270\nRotate: 90\n"
        "Orientation confidence: 17.23\nScript: Latin\nScript confidence: 25.19\n"
    )
    assert parse_osd(text) == Orientation(270, 17.23)
    assert parse_osd("Orientation in degrees: x\n") is None
    assert parse_osd("") is None


def test_skew_math_agrees_with_pil_direction() -> None:
    # A horizontal bar turned by PIL's +deg (counter-clockwise) needs -deg to straighten.
    img = Image.new("L", (600, 400), 255)
    for y in range(100, 300, 40):
        ImageDraw.Draw(img).rectangle((100, y, 500, y + 6), fill=0)
    turned = img.rotate(5, expand=True, fillcolor=255)
    assert estimate_skew(ink_mask(turned)) == pytest.approx(-5, abs=0.3)
    assert math.isclose(estimate_skew(ink_mask(img)), 0.0, abs_tol=0.2)


def test_sideways_pages_are_told_from_upright_ones() -> None:
    upright = page()
    for turned in (upright, upright.rotate(180, expand=True)):
        assert not analyse(turned).sideways
    for quarter in (90, 270):
        assert analyse(upright.rotate(quarter, expand=True)).sideways


@pytest.mark.parametrize(
    "img",
    [
        Image.new("L", (5, 5), 0),
        Image.new("L", (1, 1), 255),
        Image.new("L", (3000, 2), 0),
        Image.new("L", (40, 30), 128),
    ],
    ids=["black", "one-pixel", "strip", "flat-grey"],
)
def test_degenerate_pages_are_analysed_without_error(img: Image.Image) -> None:
    analysis = analyse(img)
    assert analysis.skew_deg == 0.0
    assert not analysis.sideways


def test_uneven_light_is_measured_and_flattened() -> None:
    clean = page()
    a = np.asarray(clean, dtype=np.float32) * np.linspace(1.0, 0.35, clean.width)[None, :]
    shadowed = Image.fromarray(a.astype(np.uint8), "L")
    assert paper_evenness(clean) > 0.9
    assert paper_evenness(shadowed) < UNEVEN_PAPER
    flat = np.asarray(flatten_background(shadowed))
    # The paper is white again at both ends.
    assert flat[:5, :5].mean() > 225
    assert flat[:5, -5:].mean() > 225


def on_a4(img: Image.Image, at: tuple[int, int]) -> Image.Image:
    """``img`` pasted on a white A4 page at 300 dpi (analysed on a reduced copy)."""
    out = Image.new("L", (2480, 3508), 255)
    out.paste(img, at)
    return out


def test_ink_box_holds_every_mark_of_a_large_page_faint_ones_too() -> None:
    a4 = on_a4(page(), (300, 900))
    draw = ImageDraw.Draw(a4)
    # Light grey notes far from the text, lighter than where Otsu puts ink.
    draw.text((1500, 3100), "faint footnote", font=ImageFont.truetype(str(FONT), 24), fill=200)
    draw.text((1400, 400), "fainter header", font=ImageFont.truetype(str(FONT), 20), fill=230)
    analysis = analyse(a4)
    assert analysis.ink_box is not None
    left, top, right, bottom = analysis.ink_box
    pixels = np.asarray(a4)

    # How far the marks darker than `level` reach out of the box (0: all inside), and
    # how much blank the box holds beyond them.
    def out_and_slack(level: int) -> tuple[int, int]:
        ys, xs = np.nonzero(pixels < level)
        edges = (xs.min() - left, ys.min() - top, right - 1 - xs.max(), bottom - 1 - ys.max())
        return max(0, -min(edges)), max(edges)

    assert out_and_slack(224)[0] == 0
    # The palest anti-aliased edges are a few pixels out at most (the analysis copy is
    # reduced 1.9× and smoothed), far inside the crop's margin (50 px at 300 dpi); and
    # the box is tight.
    out, slack = out_and_slack(255)
    assert out < 8
    assert slack < 8


def test_blank_page_has_no_ink_box() -> None:
    assert analyse(Image.new("L", (300, 200), 255)).ink_box is None


def test_large_margins_are_cropped_at_the_top_and_right_only() -> None:
    a4 = on_a4(page(), (300, 900))
    analysis = analyse(a4)
    assert analysis.ink_box is not None
    crop = _crop_box(analysis, a4.size, 300)
    assert crop is not None
    left, top, right, bottom = crop
    # The left and bottom edges stay (Tesseract's coordinates start there); at 300 dpi
    # the margin is 50 px.
    assert (left, bottom) == (0, a4.height)
    assert top == analysis.ink_box[1] - 50
    assert right == analysis.ink_box[2] + 50
    # Twice as many dots per inch, twice the margin.
    assert _crop_box(analysis, a4.size, 600) == (0, top - 50, right + 50, a4.height)


def test_pages_with_narrow_margins_or_noise_are_not_cropped() -> None:
    tight = page()  # margins of two text lines: a crop would save little
    assert _crop_box(analyse(tight), tight.size, 300) is None
    photo = noisy(on_a4(page(), (300, 900)))
    analysis = analyse(photo)
    assert analysis.noise > NOISE_THRESHOLD
    assert _crop_box(analysis, photo.size, 300) is None


def test_noise_of_large_pages_is_told_apart_finest_patterns_too() -> None:
    clean = on_a4(page(), (300, 900))
    assert analyse(clean).noise < 1.0
    # A one-pixel checkerboard over the paper: the reduced copy averages most of it
    # away, so it is measured at full resolution and still found noisy.
    a = np.asarray(clean, dtype=np.int16) - 20
    a += np.indices(a.shape).sum(axis=0) % 2 * 24 - 12
    checkered = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    assert analyse(checkered).noise > NOISE_THRESHOLD
