"""Helpers for the public report tests: images (with GPS EXIF, bombs), posting, counting."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.public_report import PublicReport, PublicUpload

PUB = "/api/v1/public"
GOOD_DESCRIPTION = "车间东侧通道堆放大量纸箱，堵塞安全出口"
PHONE = "13812345678"
IN_BOX = {"latitude": 31.40, "longitude": 121.49}


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG carrying a camera model and a GPS IFD, as a phone would write it."""
    exif = Image.Exif()
    exif[0x0110] = "ReporterPhone X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 24.0, 6.0)
    gps[3] = "E"
    gps[4] = (121.0, 29.0, 3.0)
    buf = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "JPEG", exif=exif)
    data = buf.getvalue()
    assert Image.open(BytesIO(data)).getexif().get_ifd(0x8825), "fixture must carry GPS"
    return data


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A few hundred bytes declaring 900 megapixels (a pixel flood)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


async def upload(
    client: httpx.AsyncClient, data: bytes, *, name: str = "photo.jpg", headers: Any = None
) -> httpx.Response:
    return await client.post(
        f"{PUB}/uploads", files={"file": (name, data, "image/jpeg")}, headers=headers or {}
    )


async def post_report(
    client: httpx.AsyncClient, headers: Any = None, **fields: Any
) -> httpx.Response:
    body = {"description": GOOD_DESCRIPTION, **fields}
    return await client.post(f"{PUB}/reports", json=body, headers=headers or {})


async def new_report(
    client: httpx.AsyncClient, office_headers: Any, **fields: Any
) -> dict[str, Any]:
    """Post a report and return the staff view of it (found via the list)."""
    resp = await post_report(client, **fields)
    assert resp.status_code == 201, resp.text
    code = resp.json()["receipt_code"]
    listing = await client.get("/api/v1/reports", params={"limit": 100}, headers=office_headers)
    item: dict[str, Any] = next(i for i in listing.json()["items"] if i["receipt_code"] == code)
    return item


async def count(session: AsyncSession, model: type[Any]) -> int:
    session.expire_all()
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def counts(session: AsyncSession) -> tuple[int, int]:
    return await count(session, PublicReport), await count(session, PublicUpload)
