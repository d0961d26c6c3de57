"""Both OCR engines against real Tesseract: same text, same errors, same resolution handling.

tesserocr 2.13 bundles Tesseract 5.5.4; pytesseract runs Debian's Tesseract 5.3.0. On
English text and on the sample images they return identical text; on some Portuguese
lines they differ by a diacritic or a short word (a version difference, measured and
described in ``worker/ocr/engine.py``), so the generated lines here are English.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from worker.ocr import (
    BAD_IMAGE,
    ENGINE_UNAVAILABLE,
    LANGUAGE_UNAVAILABLE,
    TIMEOUT,
    TOO_LARGE,
    ImageLimits,
    OcrEngine,
    OcrFailure,
    available_engines,
    available_languages,
    create_engine,
    find_tessdata,
)
from worker.ocr.select import ENGINES

pytestmark = pytest.mark.ocr

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
LANGUAGE_OF_PREFIX = {"en": "eng", "pt": "por"}


def sample(stem: str) -> tuple[bytes, str, str]:
    """The sample's PNG bytes, its ground truth (without the final newline), its language."""
    png = SAMPLES / f"{stem}.png"
    truth = png.with_suffix(".txt").read_text(encoding="utf-8").rstrip("\n")
    return png.read_bytes(), truth, LANGUAGE_OF_PREFIX[stem.split("-", maxsplit=1)[0]]


def render(
    lines: list[str],
    size: int,
    font: str = "DejaVuSans.ttf",
    dpi: int | None = 300,
    fmt: str = "PNG",
) -> bytes:
    """Black text on white, one line every 2 × ``size`` pixels."""
    face = ImageFont.truetype(str(FONTS / font), size)
    width = max(round(face.getlength(line)) for line in lines) + 2 * size
    img = Image.new("L", (width, size * (2 * len(lines) + 1)), 255)
    draw = ImageDraw.Draw(img)
    for number, line in enumerate(lines):
        draw.text((size, size // 2 + number * 2 * size), line, font=face, fill=0)
    buf = io.BytesIO()
    img.save(buf, fmt, **({} if dpi is None else {"dpi": (dpi, dpi)}))
    return buf.getvalue()


def open_engine(name: str, **kwargs: Any) -> OcrEngine:
    try:
        return create_engine(name, **kwargs)
    except OcrFailure as exc:
        pytest.skip(exc.message)


@pytest.fixture(scope="module")
def engines() -> Iterator[dict[str, OcrEngine]]:
    """One long-lived engine of each kind, as the worker holds them."""
    opened = {name: open_engine(name) for name in ENGINES}
    yield opened
    for engine in opened.values():
        engine.close()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, engines: dict[str, OcrEngine]) -> OcrEngine:
    return engines[request.param]


def recognize_both(engines: dict[str, OcrEngine], data: bytes, language: str) -> list[str]:
    return [engines[name].recognize(data, language).text for name in ENGINES]


# --- same text from both engines ----------------------------------------------------------


@pytest.mark.parametrize("stem", sorted(p.stem for p in SAMPLES.glob("*.png")))
def test_samples_are_read_exactly_by_both_engines(engines: dict[str, OcrEngine], stem: str) -> None:
    data, truth, language = sample(stem)
    results = [engines[name].recognize(data, language) for name in ENGINES]
    for result in results:
        assert result.text == truth, result.engine
        assert result.dpi == 300
        assert result.notes == ()
        assert result.mean_confidence is not None
        assert 90 <= result.mean_confidence <= 100
        assert result.duration_s > 0
    assert {r.engine for r in results} == set(ENGINES)
    # Confidences come from the same TSV parsing; the versions score slightly differently.
    tesserocr_conf, pytesseract_conf = (r.mean_confidence or 0 for r in results)
    assert abs(tesserocr_conf - pytesseract_conf) < 2


@pytest.mark.parametrize(
    ("font", "size", "dpi"),
    [
        ("DejaVuSans.ttf", 20, 300),
        ("DejaVuSerif.ttf", 26, None),
        ("DejaVuSansMono.ttf", 34, 150),
        ("DejaVuSans-Bold.ttf", 46, 72),
        ("DejaVuSerif-Italic.ttf", 30, 300),
    ],
)
def test_generated_english_lines_are_identical(
    engines: dict[str, OcrEngine], font: str, size: int, dpi: int | None
) -> None:
    lines = ["Invoice 1984 was paid on 12 May, total 42.50 EUR.", "Call us at 555-0173 (office)."]
    texts = recognize_both(engines, render(lines, size, font, dpi), "eng")
    assert texts == ["\n".join(lines)] * 2


def test_portuguese_sample_with_two_languages(engines: dict[str, OcrEngine]) -> None:
    data, truth, _ = sample("pt-paragraph")
    assert recognize_both(engines, data, "eng+por") == [truth, truth]


def test_both_engines_receive_the_same_resolution(engines: dict[str, OcrEngine]) -> None:
    # 14 px text claimed at 600 dpi is ~1.7 pt: Tesseract drops the first line as noise.
    # Both engines agree at each resolution, and the resolutions give different text, so the
    # file's dpi really reaches both.
    lines = [
        "the quick brown fox jumps over the lazy dog",
        "pack my box with five dozen liquor jugs",
    ]
    by_dpi = {}
    for dpi in (300, 600):
        texts = recognize_both(engines, render(lines, 14, dpi=dpi), "eng")
        assert texts[0] == texts[1], dpi
        by_dpi[dpi] = texts[0]
    assert by_dpi[300].split() == " ".join(lines).split()
    assert by_dpi[600] == lines[1]


def test_missing_resolution_defaults_to_300(engine: OcrEngine) -> None:
    lines = ["No resolution in this file"]
    result = engine.recognize(render(lines, 40, dpi=None), "eng")
    assert (result.text, result.dpi) == (lines[0], 300)
    assert any("300 dpi assumed" in note for note in result.notes)


def test_jpeg_input_gives_identical_text(engines: dict[str, OcrEngine]) -> None:
    # The engines share the decoded pixels: no lossy re-encoding on the way to Tesseract.
    lines = ["A JPEG photo of a printed page, 2024."]
    data = render(lines, 40, fmt="JPEG")
    assert recognize_both(engines, data, "eng") == [lines[0]] * 2


def test_exif_rotated_photo_is_read_upright(engines: dict[str, OcrEngine]) -> None:
    data, truth, language = sample("en-line")
    stored = Image.open(io.BytesIO(data)).rotate(90, expand=True)  # as a sideways camera
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buf = io.BytesIO()
    stored.save(buf, "PNG", exif=exif, dpi=(300, 300))
    assert recognize_both(engines, buf.getvalue(), language) == [truth, truth]


def test_text_on_transparent_background(engine: OcrEngine) -> None:
    img = Image.new("RGBA", (900, 120), (0, 0, 0, 0))
    face = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 40)
    ImageDraw.Draw(img).text((30, 30), "Black text on transparency", font=face, fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    assert engine.recognize(buf.getvalue(), "eng").text == "Black text on transparency"


def test_blank_page_has_no_text_and_no_confidence(engine: OcrEngine) -> None:
    buf = io.BytesIO()
    Image.new("L", (600, 400), 255).save(buf, "PNG")
    result = engine.recognize(buf.getvalue(), "eng")
    assert (result.text, result.mean_confidence) == ("", None)


def test_a_long_lived_engine_keeps_no_state_between_images(
    engines: dict[str, OcrEngine],
) -> None:
    engine = engines["tesserocr"]  # pytesseract starts afresh for every image anyway
    line, line_truth, _ = sample("en-line")
    pt, pt_truth, _ = sample("pt-paragraph")
    first = engine.recognize(line, "eng")
    assert engine.recognize(pt, "por").text == pt_truth
    again = engine.recognize(line, "eng")
    assert first.text == again.text == line_truth
    assert first.mean_confidence == again.mean_confidence


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", BAD_IMAGE),
        (b"not an image at all", BAD_IMAGE),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", BAD_IMAGE),
    ],
)
def test_bad_images(engine: OcrEngine, data: bytes, code: str) -> None:
    with pytest.raises(OcrFailure) as excinfo:
        engine.recognize(data, "eng")
    assert excinfo.value.code == code


def test_limits_are_constructor_parameters() -> None:
    data, _, _ = sample("en-line")
    for name in ENGINES:
        with open_engine(name, limits=ImageLimits(max_pixels=100_000)) as small:
            with pytest.raises(OcrFailure) as excinfo:
                small.recognize(data, "eng")
            assert excinfo.value.code == TOO_LARGE


@pytest.mark.parametrize("language", ["deu", "eng+deu", "eng;rm -rf /", "", "--psm 0"])
def test_unavailable_or_malformed_language(engine: OcrEngine, language: str) -> None:
    data, _, _ = sample("en-line")
    with pytest.raises(OcrFailure) as excinfo:
        engine.recognize(data, language)
    assert excinfo.value.code == LANGUAGE_UNAVAILABLE


@pytest.mark.parametrize("name", ENGINES)
def test_timeout(name: str) -> None:
    data, _, _ = sample("en-paragraph")
    with open_engine(name, timeout_s=0.001) as engine:
        with pytest.raises(OcrFailure) as excinfo:
            engine.recognize(data, "eng")
        assert excinfo.value.code == TIMEOUT
        assert "0.001 s" in excinfo.value.message


def test_closed_engine_refuses_work() -> None:
    data, _, _ = sample("en-line")
    for name in ENGINES:
        engine = open_engine(name)
        engine.close()
        engine.close()  # idempotent
        with pytest.raises(RuntimeError, match="closed"):
            engine.recognize(data, "eng")


# --- tesserocr specifics ------------------------------------------------------------------


def test_tesserocr_keeps_a_bounded_set_of_languages_loaded() -> None:
    from worker.ocr.tesserocr_engine import TesserocrEngine

    try:
        engine = TesserocrEngine(max_loaded=1)
    except OcrFailure as exc:
        pytest.skip(exc.message)
    line, line_truth, _ = sample("en-line")
    pt, pt_truth, _ = sample("pt-paragraph")
    with engine:  # eng, por, eng: each switch unloads one model set and loads the other
        assert engine.recognize(line, "eng").text == line_truth
        assert engine.recognize(pt, "por").text == pt_truth
        assert engine.recognize(line, "eng").text == line_truth


def test_tesserocr_engine_is_safe_to_share_between_threads(
    engines: dict[str, OcrEngine],
) -> None:
    line, line_truth, _ = sample("en-line")
    paragraph, paragraph_truth, _ = sample("en-paragraph")
    engine = engines["tesserocr"]
    jobs = [line, paragraph] * 3
    with ThreadPoolExecutor(max_workers=3) as pool:
        texts = list(pool.map(lambda data: engine.recognize(data, "eng").text, jobs))
    assert texts == [line_truth, paragraph_truth] * 3


# --- selection, languages, environment ---------------------------------------------------


def test_available_engines_fastest_first() -> None:
    names = available_engines()
    assert names == [name for name in ENGINES if name in names]
    assert names, "no OCR engine on this host"


def test_create_engine_prefers_tesserocr() -> None:
    if "tesserocr" not in available_engines():
        pytest.skip("tesserocr not available")
    for name in (None, ""):
        with create_engine(name) as engine:
            assert engine.name == "tesserocr"
            assert engine.psm == 3


def test_create_engine_psm_is_passed(engines: dict[str, OcrEngine]) -> None:
    data, truth, _ = sample("en-line")
    for name in ENGINES:
        with open_engine(name, psm=7) as engine:  # a single text line
            assert engine.psm == 7
            assert engine.recognize(data, "eng").text == truth
    with pytest.raises(ValueError, match="page segmentation"):
        create_engine("pytesseract", psm=0)


def test_unknown_engine_name() -> None:
    with pytest.raises(OcrFailure, match="unknown OCR engine 'tesseract'") as excinfo:
        create_engine("tesseract")
    assert excinfo.value.code == ENGINE_UNAVAILABLE


def test_forced_engine_that_cannot_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # import tesserocr -> ImportError
    assert "tesserocr" not in available_engines()
    with pytest.raises(OcrFailure, match="OCR engine tesserocr is not available") as excinfo:
        create_engine("tesserocr")
    assert excinfo.value.code == ENGINE_UNAVAILABLE
    with create_engine() as fallback:
        assert fallback.name == "pytesseract"


def test_no_engine_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    monkeypatch.setitem(sys.modules, "tesserocr", None)
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    assert available_engines() == []
    with pytest.raises(OcrFailure, match="no OCR engine available") as excinfo:
        create_engine()
    assert excinfo.value.code == ENGINE_UNAVAILABLE
    assert "tesseract program was not found" in excinfo.value.message


def test_explicit_tessdata_directory(tmp_path: Path) -> None:
    installed = find_tessdata()
    if installed is None:
        pytest.skip("no tessdata")
    (tmp_path / "eng.traineddata").symlink_to(installed / "eng.traineddata")
    data, truth, _ = sample("en-line")
    for name in ENGINES:
        with open_engine(name, tessdata=tmp_path) as engine:
            assert engine.languages() == ["eng"]
            assert engine.recognize(data, "eng").text == truth
            with pytest.raises(OcrFailure) as excinfo:
                engine.recognize(data, "por")
            assert excinfo.value.code == LANGUAGE_UNAVAILABLE
    assert available_languages(tessdata=tmp_path) == ["eng"]
    with pytest.raises(OcrFailure) as excinfo:
        create_engine(tessdata=tmp_path / "nowhere")
    assert excinfo.value.code == ENGINE_UNAVAILABLE


def test_available_languages(engines: dict[str, OcrEngine]) -> None:
    languages = available_languages()
    assert {"eng", "por"} <= set(languages)
    assert "osd" not in languages
    assert languages == sorted(languages)
    for name, engine in engines.items():
        assert available_languages(engine) == languages
        assert available_languages(name) == languages


def test_engines_limit_openmp_threads(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    with open_engine("pytesseract"):
        assert os.environ["OMP_THREAD_LIMIT"] == "1"
    monkeypatch.setenv("OMP_THREAD_LIMIT", "2")
    with caplog.at_level(logging.WARNING), open_engine("pytesseract"):
        assert os.environ["OMP_THREAD_LIMIT"] == "2"  # an operator's explicit choice is kept
    assert "OMP_THREAD_LIMIT=2" in caplog.text


def test_importing_worker_ocr_loads_no_engine() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    code = (
        "import os, sys, worker.ocr\n"
        "print(sorted(m for m in ('tesserocr', 'pytesseract') if m in sys.modules),"
        " os.environ.get('OMP_THREAD_LIMIT'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[] None"
