"""Photo sanitising: type by magic bytes, size and pixel caps, metadata stripped."""

from __future__ import annotations

import hashlib
import struct
import time
import zlib
from io import BytesIO

import pytest
from PIL import Image, PngImagePlugin

from app.core.errors import AppError, PayloadTooLarge, Unprocessable, UnsupportedMediaType
from app.services.images import CleanImage, sanitize_image, sniff_format

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf'
    b'-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    b'xmp:CreatorTool="phone"/></rdf:RDF></x:xmpmeta>'
)
GPS_IFD = 0x8825


def sanitize(data: bytes, **kw: int) -> CleanImage:
    return sanitize_image(
        data, max_bytes=kw.get("max_bytes", MAX_BYTES), max_pixels=kw.get("max_pixels", MAX_PIXELS)
    )


def photo(mode: str = "RGB", size: tuple[int, int] = (40, 20)) -> Image.Image:
    im = Image.new(mode, size)
    # A left/right split so the orientation of the output can be checked by its pixels.
    im.paste(Image.new(mode, (size[0] // 2, size[1]), "white"), (0, 0))
    return im


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (31.0, 13.0, 48.0), 3: "E", 4: (121.0, 28.0, 12.0)}
    return exif


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    buf = BytesIO()
    im.save(buf, format=fmt, **params)
    return buf.getvalue()


def assert_no_metadata(out: bytes) -> None:
    reopened = Image.open(BytesIO(out))
    assert dict(reopened.getexif()) == {}
    assert GPS_IFD not in reopened.getexif()
    assert reopened.getexif().get_ifd(GPS_IFD) == {}
    for marker in (b"Exif", b"EXIF", b"eXIf", b"http://ns.adobe.com/xap", b"tEXt", b"iTXt"):
        assert marker not in out, marker
    assert "icc_profile" not in reopened.info


def luminance(im: Image.Image, xy: tuple[int, int]) -> float:
    value = im.convert("L").getpixel(xy)
    assert isinstance(value, int | float)
    return value


def pillow_limit() -> int:
    assert Image.MAX_IMAGE_PIXELS is not None
    return Image.MAX_IMAGE_PIXELS


def assert_problem(exc: pytest.ExceptionInfo[AppError], status: int, code: str) -> None:
    assert exc.value.status == status
    assert exc.value.code == code


def png_header_only_flood(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of one colour, width x height, a few KB: built row by row in zlib."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    comp = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- the happy paths ------------------------------------------------------------------------


def test_jpeg_exif_gps_xmp_stripped_and_orientation_applied() -> None:
    src = encode(
        photo(),
        "JPEG",
        exif=exif_with_gps(orientation=6),
        xmp=XMP,
        comment=b"shot at 31.23N 121.47E",
        icc_profile=b"\x00" * 128,
    )
    assert b"Exif" in src  # the fixture really carries what must be stripped
    assert b"http://ns.adobe.com/xap" in src

    clean = sanitize(src)

    assert clean.content_type == "image/jpeg"
    assert (clean.width, clean.height) == (20, 40)  # orientation 6 = rotate 90° clockwise
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()
    assert b"31.23N" not in clean.data
    assert_no_metadata(clean.data)
    out = Image.open(BytesIO(clean.data))
    assert out.format == "JPEG"
    assert out.size == (20, 40)
    # The white left half of the original is on top after a clockwise turn.
    assert luminance(out, (10, 5)) > 200
    assert luminance(out, (10, 35)) < 50


def test_png_exif_and_text_chunks_stripped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 31.2304,121.4737")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    src = encode(photo("RGBA"), "PNG", pnginfo=info, exif=exif_with_gps())
    assert b"eXIf" in src
    assert b"tEXt" in src

    clean = sanitize(src)

    assert clean.content_type == "image/png"
    assert (clean.width, clean.height) == (40, 20)
    assert b"31.2304" not in clean.data
    assert_no_metadata(clean.data)
    assert Image.open(BytesIO(clean.data)).mode == "RGBA"


def test_webp_round_trip() -> None:
    src = encode(photo(), "WEBP", exif=exif_with_gps(), xmp=XMP, quality=90)
    assert b"EXIF" in src

    clean = sanitize(src)

    assert clean.content_type == "image/webp"
    assert clean.data[:4] == b"RIFF"
    assert clean.data[8:12] == b"WEBP"
    assert (clean.width, clean.height) == (40, 20)
    assert b"XMP " not in clean.data
    assert_no_metadata(clean.data)


@pytest.mark.parametrize("mode", ["CMYK", "L"])
def test_jpeg_modes_become_web_safe(mode: str) -> None:
    clean = sanitize(encode(photo(mode), "JPEG"))
    assert Image.open(BytesIO(clean.data)).mode in {"RGB", "L"}


def test_palette_png_keeps_transparency() -> None:
    im = photo("P")
    src = encode(im, "PNG", transparency=0)
    out = Image.open(BytesIO(sanitize(src).data))
    alpha = out.convert("RGBA").getpixel((39, 0))
    assert isinstance(alpha, tuple)
    assert alpha[3] == 0


def test_sanitised_output_is_stable() -> None:
    src = encode(photo(), "PNG")
    assert sanitize(src).data == sanitize(src).data


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200,  # a Windows .exe renamed .jpg
        b"just some text pretending to be photo.jpg\n",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",  # HEIC
        b"RIFF\x10\x00\x00\x00WAVEfmt ",  # RIFF, but not WebP
        b"\xff\xd8\xff<?php system($_GET['c']); ?>",  # JPEG magic, then a script
        b"\x89PNG\r\n\x1a\n<?php echo 1; ?>",
    ],
    ids=["exe", "text", "pdf", "heic", "wav", "jpeg-polyglot", "png-polyglot"],
)
def test_not_an_accepted_image_is_415(data: bytes) -> None:
    with pytest.raises(UnsupportedMediaType) as exc:
        sanitize(data)
    assert_problem(exc, 415, "unsupported_image_type")


def test_gif_is_415() -> None:
    with pytest.raises(UnsupportedMediaType) as exc:
        sanitize(encode(photo("P"), "GIF"))
    assert_problem(exc, 415, "unsupported_image_type")


def test_type_comes_from_bytes_not_name() -> None:
    assert sniff_format(encode(photo(), "PNG")) == "PNG"
    assert sniff_format(encode(photo(), "JPEG")) == "JPEG"
    assert sniff_format(encode(photo(), "WEBP")) == "WEBP"
    assert sniff_format(encode(photo("P"), "GIF")) is None


def test_oversized_is_413() -> None:
    src = encode(photo(), "PNG")
    with pytest.raises(PayloadTooLarge) as exc:
        sanitize(src, max_bytes=len(src) - 1)
    assert_problem(exc, 413, "payload_too_large")
    assert sanitize(src, max_bytes=len(src)).width == 40


def test_empty_is_422() -> None:
    with pytest.raises(Unprocessable) as exc:
        sanitize(b"")
    assert_problem(exc, 422, "empty_file")


@pytest.fixture(scope="module")
def flood_png() -> bytes:
    return png_header_only_flood(20_000, 20_000)


def test_pixel_flood_png_is_422_fast(flood_png: bytes) -> None:
    assert len(flood_png) < 100_000
    started = time.perf_counter()
    with pytest.raises(Unprocessable) as exc:
        sanitize(flood_png)
    assert time.perf_counter() - started < 1.0
    assert_problem(exc, 422, "image_too_large_pixels")


def test_pillow_bomb_error_maps_to_422(flood_png: bytes) -> None:
    # With our cap set above Pillow's own, Pillow's DecompressionBombError (> 2x its limit)
    # is what stops the 400 MP image; it must become the same 422.
    assert 2 * pillow_limit() < 20_000 * 20_000
    with pytest.raises(Unprocessable) as exc:
        sanitize(flood_png, max_pixels=10**12)
    assert_problem(exc, 422, "image_too_large_pixels")


def test_pillow_bomb_warning_maps_to_422() -> None:
    side = 10_000  # 100 MP: above Pillow's warning threshold, below its error threshold
    assert pillow_limit() < side * side < 2 * pillow_limit()
    with pytest.raises(Unprocessable) as exc:
        sanitize(png_header_only_flood(side, side), max_pixels=10**12)
    assert_problem(exc, 422, "image_too_large_pixels")


def test_pixel_cap_is_inclusive() -> None:
    src = encode(photo(), "PNG")
    assert sanitize(src, max_pixels=40 * 20).width == 40
    with pytest.raises(Unprocessable):
        sanitize(src, max_pixels=40 * 20 - 1)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_image_is_422(fmt: str) -> None:
    noisy = Image.effect_noise((256, 256), 64).convert("RGB")
    src = encode(noisy, fmt)
    with pytest.raises(Unprocessable) as exc:
        sanitize(src[: len(src) * 2 // 3])
    assert_problem(exc, 422, "corrupt_image")


def test_corrupt_png_data_is_422() -> None:
    src = bytearray(encode(Image.effect_noise((64, 64), 64), "PNG"))
    idat = src.index(b"IDAT")
    src[idat + 20 : idat + 60] = b"\x00" * 40  # garbage inside the compressed stream
    with pytest.raises(Unprocessable) as exc:
        sanitize(bytes(src))
    assert_problem(exc, 422, "corrupt_image")


def test_trailing_payload_after_valid_jpeg_is_dropped() -> None:
    src = encode(photo(), "JPEG") + b"<?php system($_GET['c']); ?>"
    clean = sanitize(src)
    assert b"<?php" not in clean.data
    assert clean.data.endswith(b"\xff\xd9")
