"""Webhook subscriptions over HTTP: street office only, secret shown once, SSRF refusals."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.audit import AuditLog
from tests.conftest import World, assert_problem

API = "/api/v1/webhooks"
GOOD = {"name": "区大屏", "url": "https://hooks.example.com/zhiben", "topics": ["hazard.*"]}


async def create(client: httpx.AsyncClient, world: World, **body: Any) -> dict[str, Any]:
    resp = await client.post(API, json={**GOOD, **body}, headers=world.headers("office"))
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


async def test_create_shows_secret_once(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    hook = await create(client, world)
    assert hook["secret"].startswith("whsec_")
    assert len(hook["secret"]) > 30
    assert hook["topics"] == ["hazard.*"]
    assert hook["is_active"] is True
    assert hook["created_by"] == str(world.users["office"])
    one = await client.get(f"{API}/{hook['id']}", headers=world.headers("office"))
    assert one.status_code == 200
    assert "secret" not in one.json()
    listed = await client.get(API, headers=world.headers("office"))
    assert [h["id"] for h in listed.json()["items"]] == [hook["id"]]
    assert hook["secret"] not in listed.text
    assert hook["secret"] not in one.text
    # The audit trail records the subscription but never its secret.
    rows = list(await db.scalars(select(AuditLog).where(AuditLog.object_type == "webhook")))
    assert [r.action for r in rows] == ["create"]
    assert hook["secret"] not in str(rows[0].changes)


async def test_create_resent_with_id(client: httpx.AsyncClient, world: World) -> None:
    hid = str(uuid.uuid4())
    first = await create(client, world, id=hid)
    again = await client.post(API, json={**GOOD, "id": hid}, headers=world.headers("office"))
    assert again.status_code == 200, again.text
    assert again.json()["id"] == hid
    assert again.json()["secret"] is None
    assert first["secret"] not in again.text
    other = await client.post(
        API, json={**GOOD, "id": hid, "name": "别的"}, headers=world.headers("office")
    )
    assert_problem(other, 409, "id_conflict")
    listed = await client.get(API, headers=world.headers("office"))
    assert len(listed.json()["items"]) == 1


async def test_list_pages(client: httpx.AsyncClient, world: World) -> None:
    ids = [(await create(client, world, name=f"h{i}"))["id"] for i in range(3)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(API, params=params, headers=world.headers("office"))).json()
        seen += [h["id"] for h in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids


async def test_patch(client: httpx.AsyncClient, world: World) -> None:
    hook = await create(client, world)
    url = f"{API}/{hook['id']}"
    resp = await client.patch(
        url,
        json={"is_active": False, "topics": ["hazard.created"]},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["is_active"] is False
    assert resp.json()["topics"] == ["hazard.created"]
    assert resp.json()["name"] == GOOD["name"]
    assert "secret" not in resp.json()
    # The URL is not editable (a new URL is a new subscription with a new secret).
    bad = await client.patch(
        url, json={"url": "https://x.example/"}, headers=world.headers("office")
    )
    assert_problem(bad, 422)
    missing = await client.patch(
        f"{API}/{uuid.uuid4()}", json={"name": "x"}, headers=world.headers("office")
    )
    assert_problem(missing, 404)


@pytest.mark.parametrize("who", ["head1", "grid1", "dashboard"])
async def test_other_roles_forbidden(client: httpx.AsyncClient, world: World, who: str) -> None:
    hook = await create(client, world)
    h = world.headers(who)
    assert_problem(await client.post(API, json=GOOD, headers=h), 403)
    assert_problem(await client.get(API, headers=h), 403)
    assert_problem(await client.get(f"{API}/{hook['id']}", headers=h), 403)
    assert_problem(await client.patch(f"{API}/{hook['id']}", json={"name": "x"}, headers=h), 403)
    assert_problem(await client.get(f"{API}/{hook['id']}/deliveries", headers=h), 403)


async def test_anonymous_refused(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(API), 401)
    assert_problem(await client.post(API, json=GOOD), 401)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "https://127.0.0.1/hook",
        "http://[::1]/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        # IPv6 transition forms embedding a non-public IPv4 (issue 10 finding 9).
        "https://[::7f00:1]/",
        "https://[::127.0.0.1]/",
        "https://[64:ff9b::a9fe:a9fe]/",
        "https://[64:ff9b::a00:1]/",
        "https://[64:ff9b:1::808:808]/",
        "https://[2002:7f00:1::]/",
        "https://[2002:a9fe:a9fe::1]/",
        "https://[::ffff:0:7f00:1]/",
        "https://[::ffff:0:a00:1]/",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        "https://[::]/",
        "https://[fe80::1]/",
        "https://[fc00::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/",
        "https://192.168.1.10/",
        "https://100.64.0.1/",
        "https://224.0.0.1/",
        "https://0.0.0.0/",
        "file:///etc/passwd",
        "gopher://hooks.example.com:70/_x",
        "ftp://hooks.example.com/x",
        "http://hooks.example.com/hook",
        "https://user:pass@hooks.example.com/hook",
        "https://user@hooks.example.com/hook",
        "https://hooks.example.com/hook#frag",
        "https:///nohost",
        "https://hooks.example.com:99999/",
    ],
)
async def test_ssrf_urls_refused(client: httpx.AsyncClient, world: World, url: str) -> None:
    resp = await client.post(API, json={**GOOD, "url": url}, headers=world.headers("office"))
    body = assert_problem(resp, 422, "webhook_url_refused")
    assert body["errors"][0]["loc"] == ["body", "url"]  # type: ignore[index]
    listed = await client.get(API, headers=world.headers("office"))
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"topics": ["Hazard.*"]},
        {"topics": ["hazard.**"]},
        {"topics": ["hazard*"]},
        {"topics": [""]},
        {"name": ""},
        {"url": "https://hooks.example.com/\x00"},
        {"extra": 1},
    ],
)
async def test_bad_input(client: httpx.AsyncClient, world: World, body: dict[str, Any]) -> None:
    resp = await client.post(API, json={**GOOD, **body}, headers=world.headers("office"))
    assert_problem(resp, 422)


async def test_allowed_host_may_use_http_and_private_address(
    client: httpx.AsyncClient, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "webhook_allowed_hosts", ["127.0.0.1", "hooks.internal"])
    for url in ("http://127.0.0.1:8080/hook", "http://hooks.internal/x", "https://127.0.0.1/"):
        await create(client, world, url=url)
    # Listing one host allows that host only.
    other = await client.post(
        API, json={**GOOD, "url": "http://10.0.0.1/"}, headers=world.headers("office")
    )
    assert_problem(other, 422, "webhook_url_refused")


async def test_deliveries_list_empty_and_404(client: httpx.AsyncClient, world: World) -> None:
    hook = await create(client, world)
    resp = await client.get(f"{API}/{hook['id']}/deliveries", headers=world.headers("office"))
    assert resp.status_code == 200
    assert resp.json() == {"items": [], "next_cursor": None}
    missing = await client.get(f"{API}/{uuid.uuid4()}/deliveries", headers=world.headers("office"))
    assert_problem(missing, 404)
