"""Enterprises: create/list/read/update per role, scope, and bad input (brief §7, issue 2)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.audit import AuditLog
from app.models.enterprise import Enterprise
from tests.conftest import World, assert_problem

URL = "/api/v1/enterprises"
VALID_USCC = "91350100M000100Y43"


def new_enterprise(world: World, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "上海测试冶金材料有限公司",
        "grid_id": str(world.grids["G1"]),
        "tier": "small",
        "sector": "metallurgy",
        "features": ["metal_smelting", "confined_space"],
        "uscc": VALID_USCC,
        "employee_count": 40,
        "latitude": 31.40,
        "longitude": 121.48,
    }
    body.update(over)
    return body


async def count_enterprises(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Enterprise)) or 0)


async def test_office_creates_and_reads(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    resp = await client.post(URL, json=new_enterprise(world), headers=world.headers("office"))
    assert resp.status_code == 201, resp.text
    ent = resp.json()
    assert ent["features"] == ["confined_space", "metal_smelting"]
    assert resp.headers["etag"] == '"1"'
    got = await client.get(f"{URL}/{ent['id']}", headers=world.headers("office"))
    assert got.status_code == 200
    assert got.json()["uscc"] == VALID_USCC
    audit = await db.scalar(select(AuditLog).where(AuditLog.object_id == ent["id"]))
    assert audit is not None
    assert audit.action == "create"


async def test_create_with_client_id_is_idempotent(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    body = new_enterprise(world, id=str(uuid.uuid4()))
    first = await client.post(URL, json=body, headers=world.headers("office"))
    again = await client.post(URL, json=body, headers=world.headers("office"))
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert await count_enterprises(db) == 3
    clash = await client.post(
        URL, json=dict(body, name="别的企业"), headers=world.headers("office")
    )
    assert_problem(clash, 409, "id_conflict")


async def test_idempotency_key_replays_first_answer(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    headers = dict(world.headers("office"), **{"Idempotency-Key": "k-1"})
    body = new_enterprise(world, uscc=None)
    first = await client.post(URL, json=body, headers=headers)
    second = await client.post(URL, json=body, headers=headers)
    assert first.status_code == 201
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers.get("idempotent-replayed") == "true"
    assert await count_enterprises(db) == 3
    other = await client.post(URL, json=dict(body, name="不同的请求体"), headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    # Without the header requests are processed normally (never 400/428 for its absence).
    plain = await client.post(
        URL, json=dict(body, name="无幂等键"), headers=world.headers("office")
    )
    assert plain.status_code == 201


@pytest.mark.parametrize("who", ["head1", "grid1", "dashboard"])
async def test_only_office_creates(client: httpx.AsyncClient, world: World, who: str) -> None:
    resp = await client.post(URL, json=new_enterprise(world), headers=world.headers(who))
    assert_problem(resp, 403, "forbidden")


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("office", {"E1", "E2"}),
        ("head1", {"E1"}),
        ("head2", {"E2"}),
        ("grid1", {"E1"}),
        ("grid2", {"E2"}),
    ],
)
async def test_list_and_read_scope(
    client: httpx.AsyncClient, world: World, who: str, visible: set[str]
) -> None:
    resp = await client.get(URL, headers=world.headers(who))
    assert resp.status_code == 200
    ids = {item["id"] for item in resp.json()["items"]}
    assert ids == {str(world.enterprises[e]) for e in visible}
    for name, ent_id in world.enterprises.items():
        got = await client.get(f"{URL}/{ent_id}", headers=world.headers(who))
        if name in visible:
            assert got.status_code == 200
        else:
            assert_problem(got, 404, "not_found")


async def test_dashboard_reads_no_enterprise(client: httpx.AsyncClient, world: World) -> None:
    assert_problem(await client.get(URL, headers=world.headers("dashboard")), 403)
    resp = await client.get(f"{URL}/{world.enterprises['E1']}", headers=world.headers("dashboard"))
    assert_problem(resp, 403)


async def test_grid_reassignment_applies_at_once(client: httpx.AsyncClient, world: World) -> None:
    e2 = f"{URL}/{world.enterprises['E2']}"
    assert (await client.get(e2, headers=world.headers("grid1"))).status_code == 404
    resp = await client.patch(
        f"/api/v1/users/{world.users['grid1']}",
        json={"grid_ids": [str(world.grids["G2"])]},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200
    assert resp.json()["grid_ids"] == [str(world.grids["G2"])]
    got = await client.get(e2, headers=world.headers("grid1"))
    assert got.status_code == 200
    assert (got.json()["id"], got.json()["name"], got.json()["grid_id"]) == (
        str(world.enterprises["E2"]),
        "测试企业E2",
        str(world.grids["G2"]),
    )
    # The old grid is gone at once too: E1 (G1) is hidden, and the list holds E2 only.
    e1 = f"{URL}/{world.enterprises['E1']}"
    assert_problem(await client.get(e1, headers=world.headers("grid1")), 404)
    listed = await client.get(URL, headers=world.headers("grid1"))
    assert [i["id"] for i in listed.json()["items"]] == [str(world.enterprises["E2"])]


async def test_list_filters_and_pagination(client: httpx.AsyncClient, world: World) -> None:
    for i in range(5):
        body = new_enterprise(
            world,
            name=f"分页企业{i}",
            uscc=None,
            sector="textile",
            features=["dust_explosion"] if i % 2 else [],
        )
        assert (
            await client.post(URL, json=body, headers=world.headers("office"))
        ).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sector": "textile"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(URL, params=params, headers=world.headers("office"))).json()
        seen += [i["name"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"分页企业{i}" for i in range(5)]
    dust = await client.get(
        URL, params={"feature": "dust_explosion"}, headers=world.headers("office")
    )
    assert [i["name"] for i in dust.json()["items"]] == ["分页企业1", "分页企业3"]
    q = await client.get(URL, params={"q": "企业E"}, headers=world.headers("office"))
    assert {i["id"] for i in q.json()["items"]} == {str(v) for v in world.enterprises.values()}
    pct = await client.get(URL, params={"q": "%"}, headers=world.headers("office"))
    assert pct.json()["items"] == []
    g2 = await client.get(
        URL, params={"grid_id": str(world.grids["G2"])}, headers=world.headers("office")
    )
    assert [i["id"] for i in g2.json()["items"]] == [str(world.enterprises["E2"])]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"uscc": "91350100M000100Y44"}, "uscc"),
        ({"uscc": "short"}, "uscc"),
        ({"grid_id": str(uuid.uuid4())}, "grid_id"),
        ({"sector": "mining"}, "sector"),
        ({"features": ["volcano"]}, "features"),
        ({"tier": "huge"}, "tier"),
        ({"name": "x" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"name": "bad\u0000name"}, "name"),
        ({"employee_count": "many"}, "employee_count"),
        ({"latitude": 91}, "latitude"),
        ({"status": "closed"}, "status"),
    ],
)
async def test_bad_input_is_422_naming_field(
    client: httpx.AsyncClient, world: World, db: AsyncSession, over: dict[str, Any], field: str
) -> None:
    resp = await client.post(
        URL, json=new_enterprise(world, **over), headers=world.headers("office")
    )
    body = assert_problem(resp, 422)
    locs = [e["loc"] for e in body["errors"]]  # type: ignore[union-attr]
    assert any(field in loc for loc in locs), locs
    assert await count_enterprises(db) == 2


async def test_duplicate_uscc_is_409(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    assert (
        await client.post(URL, json=new_enterprise(world), headers=world.headers("office"))
    ).status_code == 201
    dup = await client.post(
        URL, json=new_enterprise(world, name="另一家"), headers=world.headers("office")
    )
    assert_problem(dup, 409, "duplicate_uscc")
    assert await count_enterprises(db) == 3
    bad = assert_problem(
        await client.post(
            URL,
            json=new_enterprise(world, uscc="91350100M000100Y44"),
            headers=world.headers("office"),
        ),
        422,
        "invalid_uscc",
    )
    assert bad["errors"][0]["loc"] == ["body", "uscc"]  # type: ignore[index]


async def test_head_updates_only_its_contact_fields(
    client: httpx.AsyncClient, world: World
) -> None:
    own = f"{URL}/{world.enterprises['E1']}"
    ok = await client.patch(
        own,
        json={"address": "友谊路1号", "employee_count": 12, "principal_name": "张三"},
        headers=world.headers("head1"),
    )
    assert ok.status_code == 200
    assert ok.json()["address"] == "友谊路1号"
    for field, value in [
        ("tier", "district_key"),
        ("sector", "tobacco"),
        ("name", "新名字"),
        ("features", []),
        ("grid_id", str(world.grids["G2"])),
    ]:
        resp = await client.patch(
            own, json={field: value, "address": "x"}, headers=world.headers("head1")
        )
        body = assert_problem(resp, 403, "field_forbidden")
        assert body["fields"] == [field]
    foreign = f"{URL}/{world.enterprises['E2']}"
    assert_problem(
        await client.patch(foreign, json={"address": "x"}, headers=world.headers("head1")), 404
    )
    assert_problem(
        await client.patch(own, json={"address": "x"}, headers=world.headers("grid1")), 403
    )
    got = (await client.get(own, headers=world.headers("head1"))).json()
    assert got["address"] == "友谊路1号"
    assert got["tier"] == "small"


async def test_office_update_with_if_match(client: httpx.AsyncClient, world: World) -> None:
    url = f"{URL}/{world.enterprises['E1']}"
    etag = (await client.get(url, headers=world.headers("office"))).headers["etag"]
    ok = await client.patch(
        url,
        json={"standardization_grade": 3},
        headers=dict(world.headers("office"), **{"If-Match": etag}),
    )
    assert ok.status_code == 200
    assert ok.headers["etag"] != etag
    stale = await client.patch(
        url,
        json={"standardization_grade": 2},
        headers=dict(world.headers("office"), **{"If-Match": etag}),
    )
    assert_problem(stale, 412, "precondition_failed")
    assert_problem(
        await client.patch(url, json={"sector": None}, headers=world.headers("office")), 422
    )
