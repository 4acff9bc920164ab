"""Public reporting from the mini-program (issue 5): upload, report, status, abuse limits,
hostile input, privacy. Every refused request is a problem+json and stores nothing."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.audit import IdempotencyRecord
from app.models.hazard import Hazard, HazardPhoto
from app.models.public_report import PublicReport, PublicUpload
from app.rules.receipts import CROCKFORD_ALPHABET, new_receipt_code
from tests.api.public_helpers import (
    GOOD_DESCRIPTION,
    IN_BOX,
    PHONE,
    PUB,
    count,
    counts,
    jpeg_with_gps,
    png_bomb,
    post_report,
    upload,
)
from tests.conftest import World, assert_problem

STATUS_KEYS = {
    "receipt_code",
    "status",
    "received_at",
    "outcome",
    "hazard_status",
    "reward_decided",
}
CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


async def test_happy_path_end_to_end(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    up = await upload(client, jpeg_with_gps())
    assert up.status_code == 201, up.text
    assert set(up.json()) == {"id", "content_type", "size", "width", "height"}
    assert up.json()["content_type"] == "image/jpeg"
    resp = await post_report(
        client,
        photo_ids=[up.json()["id"]],
        enterprise_name="测试企业E1",
        location_text="东门仓库",
        contact_phone=PHONE,
        wants_reward=True,
        **IN_BOX,
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "received"
    code = resp.json()["receipt_code"]
    assert CODE_RE.match(code)

    status = (await client.get(f"{PUB}/reports/{code}")).json()
    assert set(status) == STATUS_KEYS
    assert status["outcome"] == "pending"
    assert status["hazard_status"] is None
    assert status["reward_decided"] is False

    listing = await client.get("/api/v1/reports", headers=world.headers("grid1"))
    [item] = listing.json()["items"]
    assert item["enterprise_id"] == str(world.enterprises["E1"])
    triaged = await client.post(
        f"/api/v1/reports/{item['id']}/triage",
        json={"decision": "accept", "category": "fire"},
        headers=world.headers("grid1"),
    )
    assert triaged.status_code == 200, triaged.text
    hazard_id = uuid.UUID(triaged.json()["hazard_id"])

    hazard = await db.get(Hazard, hazard_id)
    assert hazard is not None
    assert hazard.source == "public_report"
    assert hazard.enterprise_id == world.enterprises["E1"]
    assert hazard.level == "general"
    assert await count(db, HazardPhoto) == 1
    ledger = await client.get(f"/api/v1/hazards/{hazard_id}", headers=world.headers("head1"))
    assert ledger.status_code == 200, ledger.text
    assert ledger.json()["source"] == "public_report"

    status = (await client.get(f"{PUB}/reports/{code}")).json()
    assert status["outcome"] == "accepted"
    assert status["hazard_status"] == "reported"
    # The hazard moves on: the reporter sees its progress, nothing more.
    await db.execute(update(Hazard).where(Hazard.id == hazard_id).values(status="rectifying"))
    await db.commit()
    status = (await client.get(f"{PUB}/reports/{code.lower().replace('-', '')}")).json()
    assert status["hazard_status"] == "rectifying"

    reward = await client.post(
        f"/api/v1/reports/{item['id']}/reward",
        json={"eligible": True, "amount": "200.00", "paid_on": "2026-11-30"},
        headers=world.headers("office"),
    )
    assert reward.status_code == 200, reward.text
    status = (await client.get(f"{PUB}/reports/{code}")).json()
    assert status["reward_decided"] is True
    assert set(status) == STATUS_KEYS


async def test_photos_come_back_without_exif(client: httpx.AsyncClient, world: World) -> None:
    up = (await upload(client, jpeg_with_gps())).json()
    code = (await post_report(client, photo_ids=[up["id"]])).json()["receipt_code"]
    [item] = (await client.get("/api/v1/reports", headers=world.headers("office"))).json()["items"]
    assert item["receipt_code"] == code
    assert item["photo_ids"] == [up["id"]]
    photo = await client.get(
        f"/api/v1/reports/{item['id']}/photos/{up['id']}", headers=world.headers("office")
    )
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    image = Image.open(BytesIO(photo.content))
    exif = image.getexif()
    assert len(exif) == 0
    assert not exif.get_ifd(0x8825)
    assert b"ReporterPhone" not in photo.content
    assert (image.width, image.height) == (64, 48)


async def test_sql_and_html_are_stored_verbatim(client: httpx.AsyncClient, world: World) -> None:
    hostile = '\'; DROP TABLE public_reports; -- <script>alert(1)</script> "OR 1=1" 企业'
    resp = await post_report(client, description=hostile, enterprise_name="<b>x</b>' OR '1'='1")
    assert resp.status_code == 201, resp.text
    listing = await client.get("/api/v1/reports", headers=world.headers("office"))
    assert listing.headers["content-type"] == "application/json"
    [item] = listing.json()["items"]
    assert item["description"] == hostile.strip()
    assert item["enterprise_name"] == "<b>x</b>' OR '1'='1"
    assert item["enterprise_id"] is None


def _seven() -> list[str]:
    return [str(uuid.uuid4()) for _ in range(7)]


HOSTILE_REPORTS: list[tuple[str, dict[str, Any], int]] = [
    ("too_long", {"description": "隐" * 2001}, 422),
    ("empty", {"description": ""}, 422),
    ("too_short", {"description": "太短了"}, 422),
    ("blank", {"description": " " * 30}, 422),
    ("seven_photos", {"photo_ids": _seven()}, 422),
    ("unknown_photo", {"photo_ids": [str(uuid.uuid4())]}, 422),
    ("duplicate_photo_ids", {"photo_ids": [str(uuid.UUID(int=1))] * 2}, 422),
    ("control_char", {"description": GOOD_DESCRIPTION + "\x07\x1b[2J"}, 422),
    ("nul", {"description": GOOD_DESCRIPTION + "\x00"}, 422),
    ("bidi_override", {"description": GOOD_DESCRIPTION + "\u202e"}, 422),
    ("long_unicode_name", {"enterprise_name": "🏭" * 201}, 422),
    ("long_unicode_location", {"location_text": "\u0301" * 301}, 422),
    ("control_in_name", {"enterprise_name": "企业\nX"}, 422),
    ("outside_box", {"latitude": 39.9, "longitude": 116.4}, 422),
    ("half_coordinates", {"latitude": 31.40}, 422),
    ("bad_phone", {"contact_phone": "12345678901"}, 422),
    ("phone_letters", {"contact_phone": "138abcd5678"}, 422),
    ("unknown_field", {"reporter_ip": "1.2.3.4"}, 422),
    ("wrong_type", {"wants_reward": "yes please"}, 422),
    ("photo_not_uuid", {"photo_ids": ["../../etc/passwd"]}, 422),
]


@pytest.mark.parametrize(
    ("case", "fields", "status"), HOSTILE_REPORTS, ids=[c[0] for c in HOSTILE_REPORTS]
)
async def test_hostile_report_refused_and_nothing_stored(
    client: httpx.AsyncClient,
    world: World,
    db: AsyncSession,
    case: str,
    fields: dict[str, Any],
    status: int,
) -> None:
    del world, case
    resp = await post_report(client, **fields)
    assert_problem(resp, status)
    assert "\x00" not in resp.text
    assert await counts(db) == (0, 0)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"description": "\\ud800\\udfff\\ud800 lone surrogate here"}',
        b"not json at all",
        b'{"description": ' + b'"' + b"a" * 20 + b'"',  # truncated
        b"[]",
    ],
)
async def test_malformed_json_refused(
    client: httpx.AsyncClient, world: World, db: AsyncSession, raw: bytes
) -> None:
    del world
    resp = await client.post(
        f"{PUB}/reports", content=raw, headers={"content-type": "application/json"}
    )
    assert_problem(resp, 422)
    assert await counts(db) == (0, 0)


async def test_oversized_report_body_is_413_before_parsing(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    del world
    big = {"description": GOOD_DESCRIPTION, "location_text": "x" * 100, "pad": "y" * 70_000}
    assert_problem(await client.post(f"{PUB}/reports", json=big), 413)

    async def chunks() -> Any:  # no Content-Length: the stream itself is counted
        for _ in range(100):
            yield b"a" * 1024

    resp = await client.post(
        f"{PUB}/reports", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(resp, 413)
    assert await counts(db) == (0, 0)


async def test_used_and_expired_uploads_refused(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    del world
    first = (await upload(client, jpeg_with_gps())).json()["id"]
    assert (await post_report(client, photo_ids=[first])).status_code == 201
    # Someone else's upload: already used by another report.
    assert_problem(await post_report(client, photo_ids=[first]), 422, "invalid_upload")
    old = (await upload(client, jpeg_with_gps((10, 10)))).json()["id"]
    await db.execute(
        update(PublicUpload)
        .where(PublicUpload.id == uuid.UUID(old))
        .values(created_at=datetime.now(UTC) - timedelta(hours=25))
    )
    await db.commit()
    fresh = (await upload(client, jpeg_with_gps((12, 12)))).json()["id"]
    # One bad id spoils the whole report: the fresh one stays unused.
    assert_problem(await post_report(client, photo_ids=[fresh, old]), 422, "invalid_upload")
    assert await counts(db) == (1, 3)
    db.expire_all()
    row = await db.get(PublicUpload, uuid.UUID(fresh))
    assert row is not None
    assert row.used_by_report_id is None


async def test_hostile_uploads(
    client: httpx.AsyncClient, world: World, db: AsyncSession, settings: Settings
) -> None:
    del world
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    assert_problem(await upload(client, exe, name="photo.jpg"), 415, "unsupported_image_type")
    polyglot = b"\xff\xd8\xff\xe0" + b"<?php system($_GET['c']); ?>" * 10
    assert_problem(await upload(client, polyglot, name="x.php"), 422)
    assert_problem(await upload(client, png_bomb(), name="bomb.png"), 422, "image_too_large_pixels")
    assert_problem(await upload(client, b"", name="empty.jpg"), 422)
    over = b"\xff\xd8\xff" + b"\x00" * settings.public_upload_max_bytes
    assert_problem(await upload(client, over), 413)
    way_over = b"\xff\xd8\xff" + b"\x00" * (settings.public_upload_max_bytes + 100_000)
    assert_problem(await upload(client, way_over), 413)
    missing = await client.post(f"{PUB}/uploads", files={"other": ("a.jpg", jpeg_with_gps())})
    assert_problem(missing, 422, "file_required")
    two = await client.post(
        f"{PUB}/uploads",
        files=[("file", ("a.jpg", jpeg_with_gps())), ("file", ("b.jpg", jpeg_with_gps()))],
    )
    assert_problem(two, 400)
    assert_problem(await client.post(f"{PUB}/uploads", json={"file": "x"}), 422)
    assert await counts(db) == (0, 0)


async def test_unknown_receipt_codes_are_404_alike(client: httpx.AsyncClient, world: World) -> None:
    del world
    code = (await post_report(client)).json()["receipt_code"]
    assert (await client.get(f"{PUB}/reports/{code}")).status_code == 200
    wrong = "0000-0000-0000-0000" if code != "0000-0000-0000-0000" else "1111-1111-1111-1111"
    bodies = []
    for probe in (wrong, "not-a-code", "x" * 500, "%27%20OR%201%3D1", code[:-1]):
        resp = await client.get(f"{PUB}/reports/{probe}")
        body = assert_problem(resp, 404, "report_not_found")
        bodies.append((body["title"], body["detail"]))
    assert len(set(bodies)) == 1


def test_receipt_codes_unique_and_unguessable() -> None:
    codes = [new_receipt_code() for _ in range(10_000)]
    assert len(set(codes)) == 10_000
    assert all(CODE_RE.match(c) for c in codes)
    nums = [
        int("".join(f"{CROCKFORD_ALPHABET.index(ch):05b}" for ch in c.replace("-", "")), 2)
        for c in codes
    ]
    # Not sequential: successive differences are not constant, and no code is its
    # predecessor plus a small step.
    diffs = {b - a for a, b in zip(nums, nums[1:], strict=False)}
    assert len(diffs) > 9_000
    assert all(abs(b - a) > 2**40 for a, b in zip(nums[:1000], nums[1:1001], strict=False))
    # Every one of the 80 bits varies (set in roughly half the codes).
    for bit in range(80):
        ones = sum((n >> bit) & 1 for n in nums)
        assert 4_500 < ones < 5_500, bit


async def test_flood_is_429_with_retry_after(
    client: httpx.AsyncClient,
    world: World,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    db: AsyncSession,
) -> None:
    del world
    monkeypatch.setattr(settings, "public_report_limit", "3/hour")
    for _ in range(3):
        assert (await post_report(client)).status_code == 201
    resp = await post_report(client)
    assert_problem(resp, 429, "rate_limited")
    assert 3000 < int(resp.headers["Retry-After"]) <= 3600
    # A forged X-Forwarded-For from an untrusted peer changes nothing.
    spoofed = await post_report(client, headers={"X-Forwarded-For": "203.0.113.9"})
    assert_problem(spoofed, 429)
    assert await count(db, PublicReport) == 3


async def test_device_limit_and_trusted_proxy(
    app_instance: Any, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    del world
    monkeypatch.setattr(settings, "public_report_limit", "2/hour")
    monkeypatch.setattr(settings, "trusted_proxies", ["10.9.0.0/16"])
    transport = httpx.ASGITransport(app=app_instance, client=("10.9.0.5", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as proxied:
        # Behind our proxy each forwarded client has its own address limit…
        for i in range(2):
            h = {"X-Forwarded-For": f"198.51.100.{i}", "X-Device-Id": "device-A"}
            assert (await post_report(proxied, headers=h)).status_code == 201
        # …but one device is limited whatever address it comes from.
        h = {"X-Forwarded-For": "198.51.100.7", "X-Device-Id": "device-A"}
        assert_problem(await post_report(proxied, headers=h), 429)
        h = {"X-Forwarded-For": "198.51.100.7", "X-Device-Id": "device-B"}
        assert (await post_report(proxied, headers=h)).status_code == 201
        # And one address is limited whatever device it claims.
        for dev in ("C", "D"):
            h = {"X-Forwarded-For": "198.51.100.8", "X-Device-Id": dev}
            await post_report(proxied, headers=h)
        h = {"X-Forwarded-For": "198.51.100.8", "X-Device-Id": "E"}
        assert_problem(await post_report(proxied, headers=h), 429)


async def test_upload_flood_limited(
    client: httpx.AsyncClient, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    del world
    monkeypatch.setattr(settings, "public_upload_limit", "2/minute")
    image = jpeg_with_gps((8, 8))
    assert (await upload(client, image)).status_code == 201
    assert (await upload(client, image)).status_code == 201
    resp = await upload(client, image)
    assert_problem(resp, 429)
    assert int(resp.headers["Retry-After"]) >= 1
    # Over the limit, a big body is refused before it is read (429, not 413).
    big = b"\xff\xd8\xff" + b"\x00" * (settings.public_upload_max_bytes + 100_000)
    assert_problem(await upload(client, big), 429)


REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_two_app_instances_share_the_limit_through_redis(
    settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    del world
    import redis.asyncio as aioredis

    from app.core.ratelimit import RedisRateLimiter
    from app.main import create_app

    probe = aioredis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        await probe.ping()
    except Exception:  # noqa: BLE001
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    monkeypatch.setattr(settings, "public_report_limit", "3/hour")
    prefix = f"zhiben:test:{uuid.uuid4().hex}:"
    cfg = settings.model_copy(update={"redis_url": REDIS_URL})
    apps = [create_app(cfg), create_app(cfg)]
    for app in apps:
        # Each instance has its own client; a unique prefix keeps parallel runs apart.
        await app.state.limiter.aclose()
        app.state.limiter = RedisRateLimiter(aioredis.from_url(REDIS_URL), prefix=prefix)
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://test")
        for a in apps
    ]
    try:
        answers = [(await post_report(clients[i % 2])).status_code for i in range(4)]
        assert answers == [201, 201, 201, 429]
        assert_problem(await post_report(clients[0]), 429)
    finally:
        for c in clients:
            await c.aclose()
        for app in apps:
            await app.state.limiter.aclose()
            await app.state.engine.dispose()
        keys = [k async for k in probe.scan_iter(match=prefix + "*")]
        if keys:
            await probe.delete(*keys)
        await probe.aclose()


async def test_phone_privacy(
    client: httpx.AsyncClient, world: World, db: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    zhiben = logging.getLogger("zhiben")
    zhiben.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    try:
        resp = await post_report(
            client, enterprise_name="测试企业E1", contact_phone="+86 138-1234-5678"
        )
        assert resp.status_code == 201
        assert PHONE not in resp.text
        office = await client.get("/api/v1/reports", headers=world.headers("office"))
        [item] = office.json()["items"]
        assert item["contact_phone"] == PHONE
        grid = (
            await client.get(f"/api/v1/reports/{item['id']}", headers=world.headers("grid1"))
        ).json()
        assert grid["contact_phone"] == "138****5678"
        for path in ("/api/v1/reports", f"/api/v1/reports/{item['id']}"):
            assert_problem(await client.get(path, headers=world.headers("head1")), 403)
        triage = await client.post(
            f"/api/v1/reports/{item['id']}/triage",
            json={"decision": "accept"},
            headers=world.headers("office"),
        )
        assert triage.status_code == 200
        assert triage.json()["contact_phone"] is None
        assert PHONE not in triage.text
        hazard_id = triage.json()["hazard_id"]
        for path in (f"/api/v1/hazards/{hazard_id}", "/api/v1/hazards"):
            seen = await client.get(path, headers=world.headers("head1"))
            assert seen.status_code == 200, (path, seen.text)
            assert hazard_id in seen.text
            assert PHONE not in seen.text
            assert "5678" not in seen.text
        for who in ("head1", "office"):
            export = await client.get("/api/v1/hazards/export", headers=world.headers(who))
            assert export.status_code == 200, export.text
            cells = _xlsx_text(export.content)
            assert "车间" in cells  # the report's hazard is in the export…
            assert "5678" not in cells  # …without the reporter's number
        # Nowhere at rest in clear: audit, outbox, idempotency, change log, hazards.
        for table in (
            "audit_log",
            "outbox_events",
            "idempotency_records",
            "hazards",
            "public_reports",
        ):
            rows = (await db.execute(text(f"SELECT * FROM {table}"))).all()  # noqa: S608
            assert PHONE not in repr(rows), table
    finally:
        zhiben.removeHandler(caplog.handler)
    assert caplog.records, "the access log should have captured the requests"
    assert PHONE not in caplog.text
    assert "1234-5678" not in caplog.text


def _xlsx_text(content: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(BytesIO(content), read_only=True)
    return " ".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    )


async def test_idempotent_anonymous_report(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    del world
    headers = {"Idempotency-Key": "mp-" + uuid.uuid4().hex}
    first = await post_report(client, headers=headers)
    again = await post_report(client, headers=headers)
    assert first.status_code == 201
    assert again.json() == first.json()
    assert await count(db, PublicReport) == 1
    # The idempotency record must not carry the reporter's address (PIPL minimisation).
    actors = (await db.scalars(select(IdempotencyRecord.actor))).all()
    assert len(actors) == 1
    assert actors[0].startswith("anon:")
    assert "127.0.0.1" not in actors[0]
    assert "testclient" not in actors[0]


async def test_matching_unmatched_name(client: httpx.AsyncClient, world: World) -> None:
    await post_report(client, enterprise_name="  某不存在的公司  ")
    [item] = (await client.get("/api/v1/reports", headers=world.headers("office"))).json()["items"]
    assert item["enterprise_name"] == "某不存在的公司"
    assert item["enterprise_id"] is None
    # Unmatched reports go to the street office only.
    grid = await client.get("/api/v1/reports", headers=world.headers("grid1"))
    assert grid.json()["items"] == []


@pytest.mark.parametrize(
    ("peer", "xff", "expected"),
    [
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # untrusted peer: header ignored
        ("10.9.0.5", "198.51.100.1", "198.51.100.1"),
        ("10.9.0.5", "198.51.100.1, 10.9.0.7", "198.51.100.1"),  # our second proxy skipped
        ("10.9.0.5", "1.1.1.1, 198.51.100.1", "198.51.100.1"),  # client-chosen left part ignored
        ("10.9.0.5", "garbage, 198.51.100.1", "198.51.100.1"),
        ("10.9.0.5", "198.51.100.1, garbage", "10.9.0.5"),  # a garbled hop: trust nothing beyond
        ("10.9.0.5", "10.9.0.8", "10.9.0.5"),  # only proxies: the peer
        ("10.9.0.5", "", "10.9.0.5"),
    ],
)
def test_client_address(peer: str, xff: str, expected: str) -> None:
    from app.core.clientaddr import client_address

    assert client_address(peer, xff, ["10.9.0.0/16", "not-a-network"]) == expected


async def test_blank_description_names_the_field(client: httpx.AsyncClient, world: World) -> None:
    del world
    body = assert_problem(await post_report(client, description=" " * 30), 422)
    assert ["body", "description"] in [e["loc"] for e in body["errors"]]  # type: ignore[union-attr]
    spec = (await client.get("/openapi.json")).json()
    schema = spec["components"]["schemas"]["PublicReportCreate"]["properties"]["description"]
    assert schema["minLength"] == 10


async def test_global_cap_holds_against_rotating_addresses(
    app_instance: Any,
    world: World,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    db: AsyncSession,
) -> None:
    del world
    monkeypatch.setattr(settings, "public_global_report_limit", "4/hour")
    monkeypatch.setattr(settings, "trusted_proxies", ["10.9.0.0/16"])
    transport = httpx.ASGITransport(app=app_instance, client=("10.9.0.5", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as proxied:
        # Every request from a new address and device: the per-client limits never bite…
        statuses = []
        for i in range(6):
            h = {"X-Forwarded-For": f"198.51.100.{i}", "X-Device-Id": f"device-{i}"}
            statuses.append((await post_report(proxied, headers=h)).status_code)
    # …but the cap on all anonymous reports does.
    assert statuses == [201, 201, 201, 201, 429, 429]
    assert await count(db, PublicReport) == 4
