"""Upload validation and sanitising for photos (ASVS 5.2.1/5.2.2/5.2.6; PIPL Art. 28).

Every accepted photo is decoded and re-encoded from pixels alone: nothing of the original
file — EXIF with its GPS IFD, XMP, ICC profile, comments, maker notes, trailing bytes of a
polyglot — survives. A reporter's location must not leak through a picture of a hazard.

`sanitize_image` is synchronous CPU work; callers use `sanitize_in_worker`, which runs it in
a small dedicated thread pool: decoding costs CPU and memory in proportion to the pixels (a
40-megapixel PNG of 113 KB takes seconds and 300 MB), so the number decoded at once is
bounded per process, and anonymous uploads (a lower pixel cap as well) get their own single
thread, so a flood of them cannot hold up the staff's uploads (issue 10 finding 13).
"""

from __future__ import annotations

import asyncio
import hashlib
import struct
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType

JPEG_QUALITY = 85
WEBP_QUALITY = 85

# Pillow format name -> (content type, modes the encoder keeps as they are)
_FORMATS: dict[str, tuple[str, frozenset[str]]] = {
    "JPEG": ("image/jpeg", frozenset({"L", "RGB"})),
    "PNG": ("image/png", frozenset({"1", "L", "LA", "I;16", "P", "RGB", "RGBA"})),
    "WEBP": ("image/webp", frozenset({"RGB", "RGBA"})),
}
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": JPEG_QUALITY, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": WEBP_QUALITY},
}
# Decoding errors Pillow raises for truncated or malformed data.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    TypeError,
    struct.error,
)


_STAFF_DECODERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="image-staff")
_PUBLIC_DECODERS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="image-public")


@dataclass(frozen=True, slots=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str


def sniff_format(data: bytes) -> str | None:
    """The Pillow format name from the magic bytes; None for anything we do not accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def sanitize_image(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanImage:
    """Validate an uploaded photo and return a fresh, metadata-free encoding of it.

    413 over `max_bytes`; 422 empty, over `max_pixels`, or corrupt; 415 for anything that is
    not a JPEG, PNG or WebP by its content (file names and client headers are never consulted).
    """
    if not data:
        raise Unprocessable("文件为空", "The file is empty", code="empty_file")
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"图片不得超过 {max_bytes} 字节",
            f"The image must not exceed {max_bytes} bytes",
            code="payload_too_large",
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise _unsupported()
    # Pillow reports a decompression bomb with a warning; made an error here. The explicit
    # size check in _decode is the primary guard, since warnings filters are process-global
    # and not thread-safe on Python 3.11 (this runs in a thread pool).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _decode(data, fmt, max_pixels)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(max_pixels) from None
    out = _reencode(image, fmt)
    return CleanImage(
        data=out,
        content_type=_FORMATS[fmt][0],
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(out).hexdigest(),
    )


async def sanitize_in_worker(
    data: bytes, *, max_bytes: int, max_pixels: int, anonymous: bool
) -> CleanImage:
    """`sanitize_image` in the bounded decoding threads (anonymous ones apart)."""
    pool = _PUBLIC_DECODERS if anonymous else _STAFF_DECODERS
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        pool, lambda: sanitize_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
    )


def _decode(data: bytes, fmt: str, max_pixels: int) -> Image.Image:
    """Open with only the sniffed decoder, check the header size, then decode and orient."""
    try:
        # Limiting `formats` keeps Pillow's other decoders (and their bugs) out of reach.
        image = Image.open(BytesIO(data), formats=[fmt])
    except UnidentifiedImageError:
        # Right magic bytes but not a decodable header: a polyglot or a renamed file.
        raise _unsupported() from None
    except _DECODE_ERRORS:
        raise _corrupt() from None
    # The header gives the size before any pixel is decoded, so a pixel flood (a few KB
    # declaring 20000x20000) is refused without allocating its bitmap.
    if image.width * image.height > max_pixels:
        raise _too_many_pixels(max_pixels)
    try:
        image.load()
        # Bake the EXIF orientation into the pixels, since the EXIF itself is dropped.
        return ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:
        raise _corrupt() from None


def _reencode(image: Image.Image, fmt: str) -> bytes:
    image = _normalise_mode(image, fmt)
    # Pillow's encoders fall back to `image.info` for some metadata (PNG: ICC profile; JPEG:
    # comment), so everything but palette transparency is dropped before saving.
    kept = {k: v for k, v in image.info.items() if k == "transparency" and image.mode == "P"}
    image.info.clear()
    image.info.update(kept)
    buf = BytesIO()
    image.save(buf, format=fmt, **_SAVE_OPTIONS[fmt])
    return buf.getvalue()


def _normalise_mode(image: Image.Image, fmt: str) -> Image.Image:
    keep = _FORMATS[fmt][1]
    if image.mode in keep:
        return image
    has_alpha = image.mode in {"LA", "PA", "RGBA", "RGBa", "La"} or "transparency" in image.info
    # JPEG has no alpha: a CMYK, palette or LA photo becomes plain RGB.
    target = "RGBA" if has_alpha and "RGBA" in keep else "RGB"
    return image.convert(target)


def _unsupported() -> UnsupportedMediaType:
    return UnsupportedMediaType(
        "仅支持 JPEG、PNG、WebP 图片",
        "Only JPEG, PNG and WebP images are accepted",
        code="unsupported_image_type",
    )


def _corrupt() -> Unprocessable:
    return Unprocessable(
        "图片已损坏或不完整", "The image is corrupt or truncated", code="corrupt_image"
    )


def _too_many_pixels(max_pixels: int) -> Unprocessable:
    return Unprocessable(
        f"图片像素数不得超过 {max_pixels}",
        f"The image must not exceed {max_pixels} pixels",
        code="image_too_large_pixels",
    )
