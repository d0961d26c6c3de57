"""Image checks before OCR, and the pure helpers the engines share (no Tesseract needed)."""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from worker.ocr.engine import (
    BAD_IMAGE,
    ENGINE_UNAVAILABLE,
    LANGUAGE_UNAVAILABLE,
    TOO_LARGE,
    OcrFailure,
    check_language,
    check_psm,
    clean_text,
    find_tessdata,
    languages_in,
    mean_word_confidence,
)
from worker.ocr.image_checks import ImageLimits, prepare_image


def encode(img: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def text_image(mode: str = "L", size: tuple[int, int] = (120, 40)) -> Image.Image:
    img = Image.new("L", size, 255)
    ImageDraw.Draw(img).rectangle((10, 10, 60, 30), fill=0)
    return img.convert(mode)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width``×``height`` 1-bit pixels but carries almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def code_of(excinfo: pytest.ExceptionInfo[OcrFailure]) -> str:
    return excinfo.value.code


# --- refusals ---------------------------------------------------------------------------


def test_empty_bytes_are_bad_image() -> None:
    with pytest.raises(OcrFailure) as excinfo:
        prepare_image(b"")
    assert code_of(excinfo) == BAD_IMAGE
    assert "0 bytes" in excinfo.value.message


def test_non_image_is_bad_image() -> None:
    with pytest.raises(OcrFailure) as excinfo:
        prepare_image(b"%PDF-1.7 this is not a picture" * 10)
    assert code_of(excinfo) == BAD_IMAGE


def test_formats_outside_the_allow_list_are_refused_before_decoding() -> None:
    # Pillow can read ICO (and EPS, via Ghostscript); we never hand such files to a decoder.
    data = encode(text_image("RGBA", (32, 32)), "ICO")
    assert Image.open(io.BytesIO(data)).format == "ICO"
    with pytest.raises(OcrFailure) as excinfo:
        prepare_image(data)
    assert code_of(excinfo) == BAD_IMAGE
    assert "supported format" in excinfo.value.message


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "WEBP"])
def test_truncated_files_are_bad_image(fmt: str) -> None:
    img = Image.effect_noise((400, 300), 60).convert("L")  # incompressible: a long body
    data = encode(img, fmt)
    with pytest.raises(OcrFailure) as excinfo:
        prepare_image(data[: len(data) // 2])
    assert code_of(excinfo) == BAD_IMAGE


def test_corrupt_png_body_is_bad_image() -> None:
    data = bytearray(encode(Image.effect_noise((200, 200), 60).convert("L")))
    data[200:260] = b"\xff" * 60  # inside IDAT: zlib or CRC error on decode
    with pytest.raises(OcrFailure) as excinfo:
        prepare_image(bytes(data))
    assert code_of(excinfo) == BAD_IMAGE


def test_byte_limit() -> None:
    data = encode(text_image())
    assert prepare_image(data, max_bytes=len(data)).image.size == (120, 40)
    with pytest.raises(OcrFailure) as excinfo:
        prepare_image(data, max_bytes=len(data) - 1)
    assert code_of(excinfo) == TOO_LARGE


def test_pixel_limit_is_checked_from_the_header_before_decoding() -> None:
    # 10000 × 5000 declared in ~70 bytes: decoding would need 50 MB.
    data = png_header_only(10_000, 5_000)
    with pytest.raises(OcrFailure) as excinfo:
        prepare_image(data, max_pixels=10_000_000)
    assert code_of(excinfo) == TOO_LARGE
    assert "10000×5000" in excinfo.value.message


def test_pixel_limit_does_not_depend_on_pillows_global(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # someone disabled Pillow's check
    with pytest.raises(OcrFailure) as excinfo:
        prepare_image(png_header_only(5_000, 5_000), max_pixels=1_000_000)
    assert code_of(excinfo) == TOO_LARGE


def test_pillows_own_bomb_error_is_too_large() -> None:
    # Above twice Pillow's global limit Pillow raises inside Image.open, before our check.
    data = png_header_only(60_000, 60_000)
    for max_pixels in (10_000_000, 10**12):
        with pytest.raises(OcrFailure) as excinfo:
            prepare_image(data, max_pixels=max_pixels)
        assert code_of(excinfo) == TOO_LARGE


def test_zero_sized_image_is_bad_image() -> None:
    with pytest.raises(OcrFailure) as excinfo:
        prepare_image(png_header_only(0, 10))
    assert code_of(excinfo) == BAD_IMAGE


def test_limits_validate() -> None:
    assert ImageLimits().max_pixels == 80_000_000
    with pytest.raises(ValueError, match="positive"):
        ImageLimits(max_bytes=0)
    with pytest.raises(ValueError, match="default_dpi"):
        ImageLimits(default_dpi=10)


# --- modes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("L", "L"),
        ("RGB", "RGB"),
        ("1", "L"),
        ("P", "RGB"),
        ("LA", "L"),
        ("RGBA", "RGB"),
        ("CMYK", "RGB"),
        ("I;16", "L"),
        ("I", "L"),
        ("F", "L"),
    ],
)
def test_modes_become_8bit_grey_or_rgb(mode: str, expected: str) -> None:
    fmt = "TIFF" if mode in ("CMYK", "I", "F") else "PNG"
    prepared = prepare_image(encode(text_image(mode), fmt))
    assert prepared.image.mode == expected
    assert prepared.bytes_per_pixel == (1 if expected == "L" else 3)
    assert prepared.image.size == (120, 40)
    if mode not in ("L", "RGB"):
        assert any(f"converted {mode}" in note for note in prepared.notes)


def test_transparent_background_is_flattened_onto_white() -> None:
    # Black text on a fully transparent (black) background: dropping alpha would give
    # black on black.
    img = Image.new("RGBA", (80, 30), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((10, 10, 40, 20), fill=(0, 0, 0, 255))
    prepared = prepare_image(encode(img))
    assert prepared.image.mode == "RGB"
    assert prepared.image.getpixel((2, 2)) == (255, 255, 255)
    assert prepared.image.getpixel((20, 15)) == (0, 0, 0)


def test_palette_with_transparency_is_flattened_onto_white() -> None:
    img = Image.new("P", (40, 20), 0)
    img.putpalette([0, 0, 0, 10, 20, 30] + [0] * 762)
    img.info["transparency"] = 0
    ImageDraw.Draw(img).rectangle((5, 5, 15, 15), fill=1)
    prepared = prepare_image(encode(img))
    assert prepared.image.getpixel((1, 1)) == (255, 255, 255)
    assert prepared.image.getpixel((10, 10)) == (10, 20, 30)


def test_16bit_grey_is_stretched_not_clipped() -> None:
    # A 12-bit scan stored in 16 bits: Pillow's plain conversion would make it all white.
    img = Image.new("I;16", (4, 1))
    for x, value in enumerate((0, 1000, 2000, 4095)):
        img.putpixel((x, 0), value)
    prepared = prepare_image(encode(img))
    assert [prepared.image.getpixel((x, 0)) for x in range(4)] == [0, 62, 125, 255]


def test_uniform_16bit_image() -> None:
    prepared = prepare_image(encode(Image.new("I;16", (10, 10), 3000)))
    assert prepared.image.getpixel((0, 0)) == 255


def test_multi_frame_gif_uses_the_first_frame() -> None:
    frames = [Image.new("L", (30, 20), shade).convert("P") for shade in (0, 128, 255)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    prepared = prepare_image(data)
    assert prepared.format == "GIF"
    assert prepared.image.getpixel((0, 0)) == (0, 0, 0)
    assert any("3 frames: first used" in note for note in prepared.notes)


def test_multi_page_tiff_uses_the_first_page() -> None:
    pages = [Image.new("L", (30, 20), shade) for shade in (10, 200)]
    data = encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    prepared = prepare_image(data)
    assert prepared.image.getpixel((0, 0)) == 10
    assert any("2 frames" in note for note in prepared.notes)


def test_mpo_from_a_phone_camera_uses_the_main_picture() -> None:
    main, preview = Image.new("RGB", (50, 40), (10, 10, 10)), Image.new("RGB", (50, 40), "white")
    data = encode(main, "MPO", save_all=True, append_images=[preview])
    prepared = prepare_image(data)
    assert prepared.format == "MPO"
    assert prepared.image.getpixel((0, 0)) == (10, 10, 10)


# --- orientation and resolution ---------------------------------------------------------


def test_exif_orientation_is_applied() -> None:
    img = text_image("RGB", (120, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display turns it 90° clockwise
    prepared = prepare_image(encode(img, "JPEG", exif=exif, dpi=(200, 100)))
    assert prepared.image.size == (40, 120)
    assert any("EXIF orientation 6" in note for note in prepared.notes)
    assert prepared.dpi == 200  # the stored horizontal resolution is now vertical


def test_upright_exif_changes_nothing() -> None:
    exif = Image.Exif()
    exif[0x0112] = 1
    prepared = prepare_image(encode(text_image("RGB"), "JPEG", exif=exif))
    assert prepared.image.size == (120, 40)
    assert not any("EXIF" in note for note in prepared.notes)


@pytest.mark.parametrize(
    ("dpi", "expected", "noted"),
    [
        (None, 300, True),
        ((300, 300), 300, False),
        ((299.9994, 299.9994), 300, False),
        ((72, 72), 72, False),
        ((600, 600), 600, False),
        ((1, 1), 300, True),
        ((10_000, 10_000), 300, True),
    ],
)
def test_resolution(dpi: tuple[float, float] | None, expected: int, noted: bool) -> None:
    params = {} if dpi is None else {"dpi": dpi}
    prepared = prepare_image(encode(text_image(), **params))
    assert prepared.dpi == expected
    assert any("dpi assumed" in note for note in prepared.notes) is noted


def test_default_resolution_is_configurable() -> None:
    assert prepare_image(encode(text_image()), default_dpi=150).dpi == 150


def test_jpeg_density_is_read() -> None:
    assert prepare_image(encode(text_image(), "JPEG", dpi=(200, 200))).dpi == 200


def test_the_samples_are_300_dpi_greyscale() -> None:
    samples = Path(__file__).resolve().parents[2] / "resources" / "samples"
    pngs = sorted(samples.glob("*.png"))
    assert len(pngs) >= 3
    for png in pngs:
        assert png.stat().st_size <= 150 * 1024
        assert png.with_suffix(".txt").is_file()
        prepared = prepare_image(png.read_bytes())
        assert (prepared.dpi, prepared.image.mode, prepared.notes) == (300, "L", ())


# --- helpers shared by the engines --------------------------------------------------------


def test_check_language() -> None:
    installed = ["eng", "por"]
    assert check_language(" eng+por ", installed) == "eng+por"
    assert check_language("osd", installed) == "osd"
    for bad in ("", "eng+", "eng por", "eng;rm -rf", "../eng", "-l"):
        with pytest.raises(OcrFailure) as excinfo:
            check_language(bad, installed)
        assert code_of(excinfo) == LANGUAGE_UNAVAILABLE
    with pytest.raises(OcrFailure, match="deu not installed") as excinfo:
        check_language("eng+deu", installed)
    assert code_of(excinfo) == LANGUAGE_UNAVAILABLE


def test_check_psm() -> None:
    assert check_psm(3) == 3
    assert check_psm(1) == 1
    for bad in (0, 2, 14, -1):
        with pytest.raises(ValueError, match="page segmentation"):
            check_psm(bad)


def test_mean_word_confidence_reads_word_rows_only() -> None:
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
        "\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t\n"
        "4\t1\t1\t1\t1\t0\t0\t0\t100\t50\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90.5\tHello\n"
        "5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t80\tworld\n"
        "5\t1\t1\t1\t1\t3\t0\t0\t10\t10\t-1\t\n"
    )
    assert mean_word_confidence(tsv) == 85.25
    assert mean_word_confidence("1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t\n") is None
    assert mean_word_confidence("") is None


def test_ocr_failure_carries_a_code_and_survives_pickling() -> None:
    from ocrjobs.domain.errors import OcrJobsError

    failure = OcrFailure(TOO_LARGE, "image is 2×2 pixels too many")
    assert isinstance(failure, OcrJobsError)
    assert str(failure) == failure.message == "image is 2×2 pixels too many"
    copy = pickle.loads(pickle.dumps(failure))
    assert (type(copy), copy.code, copy.message) == (OcrFailure, TOO_LARGE, failure.message)


def test_clean_text_drops_trailing_whitespace_and_form_feeds() -> None:
    assert clean_text("a\n\nb \n\f") == "a\n\nb"
    assert clean_text("\f") == ""


def test_find_tessdata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "share" / "tessdata"
    (data / "script").mkdir(parents=True)
    for name in ("eng", "por", "osd", "script/Latin"):
        (data / f"{name}.traineddata").write_bytes(b"")
    assert find_tessdata(data) == data.resolve()
    assert find_tessdata(data.parent) == data.resolve()  # Tesseract 3 style prefix
    monkeypatch.setenv("TESSDATA_PREFIX", str(data))
    assert find_tessdata() == data.resolve()
    assert languages_in(data) == ["eng", "por", "script/Latin"]
    with pytest.raises(OcrFailure) as excinfo:
        find_tessdata(tmp_path / "empty")
    assert code_of(excinfo) == ENGINE_UNAVAILABLE
