"""Checking submitted files by their content: what is refused, with which code and why."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import uuid
import zlib
from pathlib import Path

import pytest
from PIL import Image

from ocrjobs.domain.model import NamedBytes, s3_key_for
from ocrjobs.services import intake
from ocrjobs.services.intake import Refused, Source, check, expand

MAX_BYTES = 1_000_000
MAX_PIXELS = 5_000_000
KEY = re.compile(r"jobs/[0-9a-f-]{36}/[0-9a-f-]{36}\.[a-z0-9]+")


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "L") -> bytes:
    buf = io.BytesIO()
    img = Image.new(mode, size, 255)
    for x in range(0, size[0], 3):  # some content so compression is not trivial
        img.putpixel((x, x % size[1]), 0)
    img.save(buf, format=fmt)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG header claiming ``width`` x ``height`` with a tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + (png_chunk(b"IEND", b""))
    )


def run(data: bytes, name: str = "f", **limits: int) -> intake.CheckedImage:
    return check(
        Source(name=name, data=data),
        max_bytes=limits.get("max_bytes", MAX_BYTES),
        max_pixels=limits.get("max_pixels", MAX_PIXELS),
    )


def refusal(data: bytes, name: str = "f", **limits: int) -> tuple[str, str]:
    with pytest.raises(Refused) as info:
        run(data, name, **limits)
    r = info.value.rejection
    assert r.name == name
    assert r.reason
    return r.code, r.reason


# -- accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "ext", "content_type"),
    [
        ("PNG", "png", "image/png"),
        ("JPEG", "jpg", "image/jpeg"),
        ("TIFF", "tiff", "image/tiff"),
        ("BMP", "bmp", "image/bmp"),
        ("GIF", "gif", "image/gif"),
        ("WEBP", "webp", "image/webp"),
        ("PPM", "pnm", "image/x-portable-anymap"),
    ],
)
def test_accepted_formats(fmt: str, ext: str, content_type: str) -> None:
    data = image_bytes(fmt)
    img = run(data, "scan")
    assert (img.ext, img.content_type) == (ext, content_type)
    assert (img.width, img.height) == (64, 48)
    assert img.size_bytes == len(data)
    assert img.sha256 == hashlib.sha256(data).hexdigest()
    assert img.data == data
    assert img.without_data().data == b""


def test_format_comes_from_content_not_name() -> None:
    img = run(image_bytes("PNG"), "holiday.jpg")
    assert (img.ext, img.content_type) == ("png", "image/png")


def test_accepted_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "a.jpeg"
    path.write_bytes(image_bytes("JPEG", mode="RGB"))
    img = check(Source(name="a.jpeg", path=path), max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
    assert img.ext == "jpg"
    assert img.size_bytes == path.stat().st_size


# -- refused, one by one ---------------------------------------------------------------------


def test_zero_byte_file() -> None:
    code, reason = refusal(b"")
    assert code == intake.EMPTY
    assert "empty" in reason


def test_text_file_is_not_an_image() -> None:
    code, _ = refusal(b"hello, this is not a picture\n" * 10)
    assert code == intake.NOT_IMAGE


def test_random_bytes_are_not_an_image() -> None:
    code, _ = refusal(bytes(range(256)) * 20)
    assert code == intake.NOT_IMAGE


def test_damaged_pdf_is_refused_naming_the_pdf() -> None:
    source = intake.Source(
        "broken.pdf", data=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    )
    with pytest.raises(intake.Refused) as info:
        list(intake.iter_images(source, max_bytes=10**6, max_pixels=10**8))
    assert info.value.rejection.code == intake.CORRUPT
    assert "PDF" in info.value.rejection.reason


def test_image_format_ocr_cannot_read() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buf, format="ICO")
    code, reason = refusal(buf.getvalue())
    assert code == intake.UNSUPPORTED
    assert "ICO" in reason


def test_oversize_file() -> None:
    data = image_bytes("BMP", (200, 200))
    code, reason = refusal(data, max_bytes=len(data) - 1)
    assert code == intake.TOO_LARGE
    assert f"{len(data):,}" in reason
    run(data, max_bytes=len(data))  # exactly at the limit is fine


def test_too_many_pixels_in_a_big_file() -> None:
    data = image_bytes("BMP", (100, 100))  # uncompressed: 10 KB for 10,000 pixels
    code, reason = refusal(data, max_pixels=9_999)
    assert code == intake.TOO_LARGE
    assert "100x100" in reason


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "TIFF", "WEBP"])
def test_truncated_image(fmt: str) -> None:
    data = image_bytes(fmt, (400, 300), mode="RGB" if fmt == "JPEG" else "L")
    code, _ = refusal(data[: len(data) * 2 // 3])
    assert code in {intake.CORRUPT, intake.NOT_IMAGE}


def test_truncated_jpeg_is_corrupt() -> None:
    buf = io.BytesIO()
    img = Image.effect_noise((400, 300), 64).convert("RGB")
    img.save(buf, format="JPEG", quality=90)
    data = buf.getvalue()
    code, reason = refusal(data[: len(data) // 2])
    assert code == intake.CORRUPT
    assert "truncated" in reason or "damaged" in reason


def test_truncated_png_is_corrupt() -> None:
    buf = io.BytesIO()
    Image.effect_noise((300, 300), 64).save(buf, format="PNG")
    data = buf.getvalue()
    code, _ = refusal(data[: len(data) // 2])
    assert code == intake.CORRUPT


def test_png_with_damaged_pixel_data() -> None:
    data = bytearray(image_bytes("PNG", (300, 200)))
    idat = data.index(b"IDAT")
    for i in range(idat + 8, idat + 40):
        data[i] ^= 0xFF
    code, _ = refusal(bytes(data))
    assert code == intake.CORRUPT


def test_header_only_png() -> None:
    code, _ = refusal(image_bytes("PNG")[:40])
    assert code in {intake.CORRUPT, intake.NOT_IMAGE}


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (100_000, 100_000),  # over Pillow's hard limit: DecompressionBombError
        (9_500, 9_500),  # over Pillow's warning limit: DecompressionBombWarning
        (3_000, 2_000),  # under Pillow's limits, over ours
    ],
)
def test_decompression_bomb(width: int, height: int) -> None:
    data = png_claiming(width, height)
    assert len(data) < 200
    code, _ = refusal(data)
    assert code == intake.BOMB


def test_bomb_check_leaves_no_warning_filter_behind() -> None:
    refusal(png_claiming(9_500, 9_500))
    # A later, unrelated image is still fine (no global state changed).
    run(image_bytes("PNG"))


def test_unreadable_path(tmp_path: Path) -> None:
    source = Source(name="gone.png", path=tmp_path / "gone.png")
    with pytest.raises(Refused) as info:
        check(source, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
    assert info.value.rejection.code == intake.UNREADABLE


# -- names never reach keys --------------------------------------------------------------------

NASTY_NAMES = [
    "ação é ü 名前.png",
    "with space .png",
    "../../etc/passwd.png",
    "a/b\\c.png",
    "file\x00name.png",
    "emoji 📄.jpg",
    "x" * 600 + ".png",
    ".hidden.png",
    "no-extension",
]


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_names_never_reach_keys(name: str) -> None:
    img = run(image_bytes("PNG"), name)
    assert img.source.name == name  # kept for display...
    key = s3_key_for(uuid.uuid4(), uuid.uuid4(), img.ext)
    assert KEY.fullmatch(key)  # ...but the key is ids and the detected format only


# -- expanding files and folders ---------------------------------------------------------------


def test_expand_files_folders_and_bytes(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    (drop / ".git").mkdir()
    (drop / "b.png").write_bytes(b"b")
    (drop / "a.png").write_bytes(b"a")
    (drop / "sub" / "c.png").write_bytes(b"c")
    (drop / ".hidden.png").write_bytes(b"h")
    (drop / ".git" / "x.png").write_bytes(b"x")
    single = tmp_path / "single.jpg"
    single.write_bytes(b"s")
    sources = expand([drop, str(single), NamedBytes("pasted.png", b"p")])
    assert [s.name for s in sources] == [
        "drop/a.png",
        "drop/b.png",
        "drop/sub/c.png",
        "single.jpg",
        "pasted.png",
    ]
    assert [s.read() for s in sources] == [b"a", b"b", b"c", b"s", b"p"]
    assert sources[-1].path is None
    assert sources[-1].size() == 1


def test_expand_empty_folder(tmp_path: Path) -> None:
    assert expand([tmp_path]) == []
