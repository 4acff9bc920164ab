"""Inspection plans, the 重点检查 list coverage, 双随机 draws and the yearly cap (plan §三(七)14),
through the HTTP API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.inspection_plan import InspectionDraw
from app.models.user import Role
from app.rules.calendar import today_in_shanghai
from tests.conftest import World, add_enterprise, add_user, assert_problem

API = "/api/v1/inspection-plans"
YEAR = today_in_shanghai().year


def plan_body(**kw: Any) -> dict[str, Any]:
    return {
        "year": YEAR,
        "title": f"{YEAR}年度工贸行业安全生产检查计划",
        "items": [
            {
                "name": "重大事故隐患排查整治情况",
                "legal_basis": "《安全生产法》第六十五条；实施方案 三(七)14",
                "method": "双随机抽查",
                "frequency": "每年1次",
                "yearly_cap": 1,
            }
        ],
        **kw,
    }


async def make_plan(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    resp = await client.post(API, json=plan_body(), headers=world.headers("office"))
    assert resp.status_code == 201, resp.text
    return resp.json()


async def inspect(client: httpx.AsyncClient, world: World, ent: str, **kw: Any) -> httpx.Response:
    body = {
        "enterprise_id": str(world.enterprises[ent]),
        "kind": "enforcement",
        "started_at": f"{YEAR}-01-05T09:00:00+08:00",
        **kw,
    }
    return await client.post("/api/v1/inspections", json=body, headers=world.headers("office"))


async def test_plan_items_and_roles(client: httpx.AsyncClient, world: World) -> None:
    plan = await make_plan(client, world)
    assert plan["items"][0]["yearly_cap"] == 1
    office = world.headers("office")
    again = await client.post(API, json={**plan_body(), "id": plan["id"]}, headers=office)
    assert (again.status_code, again.json()["id"]) == (200, plan["id"])  # an offline re-send
    # The same jurisdiction and year twice is a conflict, not a second plan.
    assert_problem(await client.post(API, json=plan_body(), headers=office), 409, "plan_exists")
    item = {
        "name": "有限空间作业",
        "legal_basis": "应急管理部令第13号",
        "method": "现场检查",
        "frequency": "每半年1次",
    }
    resp = await client.post(f"{API}/{plan['id']}/items", json=item, headers=office)
    assert resp.status_code == 201, resp.text
    got = (await client.get(f"{API}/{plan['id']}", headers=office)).json()
    assert [i["name"] for i in got["items"]] == ["重大事故隐患排查整治情况", "有限空间作业"]
    listing = (await client.get(API, params={"year": YEAR}, headers=office)).json()
    assert [p["id"] for p in listing["items"]] == [plan["id"]]
    for who in ("head1", "grid1", "dashboard"):
        h = world.headers(who)
        assert_problem(await client.get(API, headers=h), 403)
        assert_problem(await client.get(f"{API}/{plan['id']}", headers=h), 403)
        assert_problem(await client.post(API, json=plan_body(year=2030), headers=h), 403)
        assert_problem(await client.get(f"{API}/{plan['id']}/key-list", headers=h), 403)
    assert_problem(await client.get(f"{API}/{uuid.uuid4()}", headers=office), 404)
    bad = plan_body(title="a\x00b")
    assert_problem(await client.post(API, json=bad, headers=office), 422)


async def test_key_list_coverage(client: httpx.AsyncClient, world: World, db: AsyncSession) -> None:
    """区级重点 enterprises start the list; the office adds 街道重点 ones; visits cover them."""
    await add_enterprise(db, world, "K", "G2")
    await db.commit()
    resp = await client.patch(
        f"/api/v1/enterprises/{world.enterprises['K']}",
        json={"tier": "district_key"},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    plan = await make_plan(client, world)
    url = f"{API}/{plan['id']}/key-list"
    office = world.headers("office")
    cov = (await client.get(url, headers=office)).json()
    assert (cov["total"], cov["covered"], cov["unvisited"]) == (1, 0, [str(world.enterprises["K"])])
    entries = [
        {"enterprise_id": str(world.enterprises["K"]), "level": "district"},
        {"enterprise_id": str(world.enterprises["E1"]), "level": "street"},
    ]
    resp = await client.put(url, json={"entries": entries}, headers=office)
    assert resp.status_code == 200, resp.text
    assert resp.json()["total"] == 2
    # A self-check is the enterprise's own, not a visit; an enforcement inspection is.
    head = {
        "enterprise_id": str(world.enterprises["E1"]),
        "kind": "self_check",
        "started_at": f"{YEAR}-02-01T09:00:00+08:00",
    }
    assert (
        await client.post("/api/v1/inspections", json=head, headers=world.headers("head1"))
    ).status_code == 201
    cov = (await client.get(url, headers=office)).json()
    assert cov["covered"] == 0
    assert (await inspect(client, world, "E1")).status_code == 201
    cov = (await client.get(url, headers=office)).json()
    assert (cov["total"], cov["covered"], cov["rate"]) == (2, 1, 50.0)
    assert cov["unvisited"] == [str(world.enterprises["K"])]
    by_id = {e["enterprise_id"]: e for e in cov["entries"]}
    assert by_id[str(world.enterprises["E1"])]["visited"] is True
    assert by_id[str(world.enterprises["E1"])]["level"] == "street"
    end = today_in_shanghai().replace(month=12, day=31)
    assert cov["days_left"] == (end - today_in_shanghai()).days + 1
    unknown = {"entries": [{"enterprise_id": str(uuid.uuid4()), "level": "street"}]}
    assert_problem(await client.put(url, json=unknown, headers=office), 422, "unknown_enterprise")


async def _draw_world(client: httpx.AsyncClient, world: World, db: AsyncSession) -> dict[str, Any]:
    for i in range(6):
        await add_enterprise(db, world, f"P{i}", "G1" if i % 2 else "G2")
    await add_user(db, world, "office2", Role.street_office)
    await db.commit()
    return await make_plan(client, world)


async def test_draw_reproducible_verifiable_and_immutable(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    plan = await _draw_world(client, world, db)
    office = world.headers("office")
    url = f"{API}/{plan['id']}/draws"
    excluded = str(world.enterprises["P0"])
    body = {
        "count": 3,
        "seed": "2026-sj-01",
        "exclusions": [{"enterprise_id": excluded, "reason": "本年度已行政处罚"}],
        "plan_item_id": plan["items"][0]["id"],
        "witnesses": ["见证人甲"],
    }
    resp = await client.post(url, json=body, headers=office)
    assert resp.status_code == 201, resp.text
    draw = resp.json()
    assert (draw["algorithm"], draw["seed"], draw["status"]) == (
        "sha256-rank/v1",
        "2026-sj-01",
        "published",
    )
    pool = {p["id"] for p in draw["object_pool"]}
    assert excluded not in pool
    assert len(pool) == 7  # E1, E2, P1–P5
    assert draw["exclusions"] == [{"enterprise_id": excluded, "reason": "本年度已行政处罚"}]
    assert len(draw["result"]) == 3
    grid_of = {p["id"]: p["grid_id"] for p in draw["object_pool"]}
    grids_of = {i["id"]: set(i["grid_ids"]) for i in draw["inspector_pool"]}
    assert set(grids_of) == {str(world.users[u]) for u in ("office", "office2", "grid1", "grid2")}
    for pair in draw["result"]:
        assert pair["enterprise_id"] in pool
        assert len(set(pair["inspector_ids"])) == 2
        for uid in pair["inspector_ids"]:
            assert grid_of[pair["enterprise_id"]] not in grids_of[uid]  # 回避 own grid
    # Same seed and same snapshots: the same objects and pairs.
    twin = (await client.post(url, json=body, headers=office)).json()
    assert twin["id"] != draw["id"]
    assert twin["result"] == draw["result"]
    other = (await client.post(url, json={**body, "seed": "other-seed"}, headers=office)).json()
    assert other["seed"] == "other-seed"
    verify = await client.get(f"{url}/{draw['id']}/verify", headers=office)
    assert verify.status_code == 200, verify.text
    assert verify.json()["matches"] is True
    assert verify.json()["recomputed"] == draw["result"]
    # A re-sent create with the same id answers the stored draw (no second draw).
    replay = await client.post(url, json={**body, "id": draw["id"]}, headers=office)
    assert replay.status_code == 200
    assert replay.json()["result"] == draw["result"]
    changed = await client.post(url, json={**body, "id": draw["id"], "count": 4}, headers=office)
    assert_problem(changed, 409, "id_conflict")
    # A stored result changed behind the API's back no longer verifies.
    forged = [dict(draw["result"][0], enterprise_id=excluded), *draw["result"][1:]]
    await db.execute(
        update(InspectionDraw)
        .where(InspectionDraw.id == uuid.UUID(draw["id"]))
        .values(result=forged)
    )
    await db.commit()
    assert (await client.get(f"{url}/{draw['id']}/verify", headers=office)).json()[
        "matches"
    ] is False
    listing = (await client.get(url, headers=office)).json()
    assert {d["id"] for d in listing["items"]} == {draw["id"], twin["id"], other["id"]}
    one = await client.get(f"{url}/{draw['id']}", headers=office)
    assert one.json()["witnesses"] == ["见证人甲"]
    for method in ("PATCH", "PUT", "DELETE"):
        assert (
            await client.request(method, f"{url}/{draw['id']}", headers=office)
        ).status_code == 405
    assert_problem(await client.get(f"{url}/{uuid.uuid4()}", headers=office), 404)
    assert_problem(await client.get(url, headers=world.headers("grid1")), 403)


async def test_draw_ratio_and_refusals(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    plan = await _draw_world(client, world, db)
    office = world.headers("office")
    url = f"{API}/{plan['id']}/draws"
    # 8 enterprises; 25 % → 2; the seed is generated when not given.
    resp = await client.post(url, json={"ratio_percent": "25"}, headers=office)
    assert resp.status_code == 201, resp.text
    assert (resp.json()["drawn_count"], len(resp.json()["result"])) == (2, 2)
    assert len(resp.json()["seed"]) == 32
    for bad in (
        {},
        {"count": 2, "ratio_percent": "10"},
        {"count": 0},
        {"ratio_percent": "101"},
        {"count": 2, "inspectors_per_enterprise": 1},
        {"count": 2, "seed": "a b"},
    ):
        assert_problem(await client.post(url, json=bad, headers=office), 422)
    # Two inspectors only, one of them in G1: G1 enterprises cannot be paired twice over.
    few = {"count": 8, "inspector_ids": [str(world.users["grid1"]), str(world.users["office"])]}
    assert_problem(await client.post(url, json=few, headers=office), 422, "draw_impossible")
    stranger = {"count": 1, "inspector_ids": [str(world.users["head1"])]}
    assert_problem(await client.post(url, json=stranger, headers=office), 422, "unknown_inspector")


async def test_inspections_reference_plan_and_yearly_cap(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    plan = await _draw_world(client, world, db)
    item = plan["items"][0]["id"]
    first = await inspect(client, world, "E1", plan_item_id=item)
    assert first.status_code == 201, first.text
    assert (first.json()["plan_item_id"], first.json()["trigger"]) == (item, "routine")
    second = await inspect(
        client, world, "E1", plan_item_id=item, started_at=f"{YEAR}-03-01T09:00:00+08:00"
    )
    body = assert_problem(second, 422, "inspection_cap_reached")
    assert "每年1次" in str(body["detail"])
    assert body["cap"] == 1
    for trigger in ("complaint", "referral"):
        resp = await inspect(client, world, "E1", plan_item_id=item, trigger=trigger)
        assert resp.status_code == 201, resp.text
    # Another enterprise has its own cap.
    assert (await inspect(client, world, "E2", plan_item_id=item)).status_code == 201
    draw = (
        await client.post(
            f"{API}/{plan['id']}/draws",
            json={"count": 1, "seed": "x", "plan_item_id": item},
            headers=world.headers("office"),
        )
    ).json()
    drawn = draw["result"][0]["enterprise_id"]
    name = next(k for k, v in world.enterprises.items() if str(v) == drawn)
    not_drawn = next(
        k for k, v in world.enterprises.items() if str(v) != drawn and k.startswith("P")
    )
    resp = await inspect(client, world, not_drawn, draw_id=draw["id"])
    assert_problem(resp, 422, "not_drawn")
    ok = await inspect(client, world, name, draw_id=draw["id"])
    if name in ("E1", "E2"):
        assert_problem(ok, 422, "inspection_cap_reached")  # the draw's item counts too
    else:
        assert ok.status_code == 201, ok.text
        assert ok.json()["plan_item_id"] == item
    assert_problem(
        await inspect(client, world, "E1", plan_item_id=str(uuid.uuid4())), 422, "unknown_plan_item"
    )
    last_year = await inspect(
        client, world, "E2", plan_item_id=item, started_at=f"{YEAR - 1}-06-01T09:00:00+08:00"
    )
    assert_problem(last_year, 422, "plan_year_mismatch")
