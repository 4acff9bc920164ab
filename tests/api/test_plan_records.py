"""Priority tasks (§三(三)5), 五带头 records (§四(二)) and disclosures (§三(七)14, §四(四))
through the HTTP API."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.hazard import Hazard
from app.rules.calendar import today_in_shanghai
from tests.api.records_helpers import add_hazard
from tests.conftest import World, add_enterprise, assert_problem

YEAR = today_in_shanghai().year
FIVE = (
    "hazard_campaign",
    "post_responsibility",
    "dangerous_work",
    "outsourcing",
    "emergency_drill",
)


async def targets(
    client: httpx.AsyncClient, world: World, who: str = "dashboard"
) -> dict[str, Any]:
    resp = await client.get(
        "/api/v1/stats/targets", params={"year": YEAR}, headers=world.headers(who)
    )
    assert resp.status_code == 200, resp.text
    return {t["code"]: t for t in resp.json()["targets"]}


async def test_priority_tasks_progress(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    office = world.headers("office")
    await add_enterprise(db, world, "CS", "G1", features=["confined_space"])
    await db.commit()
    await add_hazard(db, world, "E1", category="hot_work", found_at=f"{YEAR}-02-01T10:00:00+08:00")
    await add_hazard(
        db,
        world,
        "E2",
        category="hot_work",
        level="general",
        status="closed",
        found_at=f"{YEAR}-03-01T10:00:00+08:00",
        closed_at=f"{YEAR}-03-05T10:00:00+08:00",
    )
    await add_hazard(
        db, world, "E2", category="electrical", found_at=f"{YEAR}-03-01T10:00:00+08:00"
    )
    hot = {
        "year": YEAR,
        "title": "动火作业专项整治",
        "focus_kind": "hazard_category",
        "focus_values": ["hot_work"],
        "target_inspected": 1,
    }
    resp = await client.post("/api/v1/priority-tasks", json=hot, headers=office)
    assert resp.status_code == 201, resp.text
    task = resp.json()
    assert task["citation"].startswith("实施方案 三(三)5")
    p = task["progress"]
    assert (p["hazards_found"], p["hazards_closed"], p["major_open"], p["inspected"]) == (
        2,
        1,
        1,
        0,
    )
    assert task["met"] is False
    confined = {
        "year": YEAR,
        "title": "有限空间作业",
        "focus_kind": "feature",
        "focus_values": ["confined_space"],
    }
    assert (
        await client.post("/api/v1/priority-tasks", json=confined, headers=office)
    ).status_code == 201
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "kind": "enforcement",
        "started_at": f"{YEAR}-04-01T09:00:00+08:00",
    }
    assert (await client.post("/api/v1/inspections", json=body, headers=office)).status_code == 201
    listing = (
        await client.get("/api/v1/priority-tasks", params={"year": YEAR}, headers=office)
    ).json()
    assert [t["title"] for t in listing] == ["动火作业专项整治", "有限空间作业"]
    assert listing[0]["progress"]["inspected"] == 1
    assert listing[0]["met"] is True
    assert listing[1]["progress"]["enterprises"] == 1
    assert listing[1]["met"] is None
    t = (await targets(client, world))[f"priority_task:{task['id']}"]
    assert (t["actual"], t["target_value"], t["met"]) == (1, 1, True)
    for who in ("head1", "grid1", "dashboard"):
        h = world.headers(who)
        assert_problem(
            await client.get("/api/v1/priority-tasks", params={"year": YEAR}, headers=h), 403
        )
        assert_problem(await client.post("/api/v1/priority-tasks", json=hot, headers=h), 403)
    assert_problem(await client.get("/api/v1/priority-tasks", headers=office), 422)
    bad = {**hot, "focus_values": []}
    assert_problem(await client.post("/api/v1/priority-tasks", json=bad, headers=office), 422)


async def test_five_lead_records_scope_and_coverage(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    url = f"/api/v1/enterprises/{world.enterprises['E1']}/principal-actions"
    body = {
        "action": "hazard_campaign",
        "acted_on": f"{YEAR}-03-01",
        "description": "主持召开重大事故隐患排查整治专题会",
    }
    # No principal head on file and none given: refused with the field named.
    assert_problem(await client.post(url, json=body, headers=world.headers("head1")), 422)
    await client.patch(
        f"/api/v1/enterprises/{world.enterprises['E1']}",
        json={"principal_name": "王五"},
        headers=world.headers("office"),
    )
    resp = await client.post(url, json=body, headers=world.headers("head1"))
    assert resp.status_code == 201, resp.text
    got = resp.json()
    assert (got["principal_name"], got["label"]) == (
        "王五",
        "带头研究组织本企业重大事故隐患排查整治",
    )
    rid = str(uuid.uuid4())
    for action in FIVE[1:]:
        one = {**body, "action": action, "principal_name": "王五"}
        assert (
            await client.post(url, json=one, headers=world.headers("office"))
        ).status_code == 201
    again = {**body, "action": "outsourcing", "id": rid, "principal_name": "王五"}
    assert (await client.post(url, json=again, headers=world.headers("office"))).status_code == 201
    assert (await client.post(url, json=again, headers=world.headers("office"))).status_code == 200
    listing = (await client.get(url, params={"year": YEAR}, headers=world.headers("grid1"))).json()
    assert len(listing["items"]) == 6
    assert (
        await client.get(url, params={"year": YEAR - 1}, headers=world.headers("office"))
    ).json()["items"] == []
    for who in ("head2", "grid2"):
        assert_problem(await client.get(url, headers=world.headers(who)), 404)
    assert_problem(await client.post(url, json=body, headers=world.headers("head2")), 404)
    assert_problem(await client.post(url, json=body, headers=world.headers("grid1")), 403)
    assert_problem(await client.get(url, headers=world.headers("dashboard")), 403)
    assert_problem(
        await client.post(url, json={**body, "action": "other"}, headers=world.headers("office")),
        422,
    )
    t = (await targets(client, world))["five_lead_coverage"]
    assert (t["done"], t["total"], t["actual"]) == (1, 2, 50.0)
    assert "四(二)" in t["citation"]
    enums = (await client.get("/api/v1/meta/enums")).json()
    assert set(enums["five_lead"]) == set(FIVE)


async def test_disclosures_publish_unpublish_public_view(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    office = world.headers("office")
    hid = await add_hazard(db, world, "E1", deadline=date(YEAR, 12, 31))
    body = {"kind": "major_hazard", "hazard_id": str(hid)}
    # Not yet 挂牌督办: refused.
    assert_problem(
        await client.post("/api/v1/disclosures", json=body, headers=office), 422, "not_disclosable"
    )
    await db.execute(
        update(Hazard)
        .where(Hazard.id == hid)
        .values(supervised=True, responsible_person="赵六", basis={"item_codes": ["1.1"]})
    )
    await db.commit()
    public = "/api/v1/public/disclosures"
    assert (await client.get(public)).json()["items"] == []  # nothing public until published
    resp = await client.post("/api/v1/disclosures", json=body, headers=office)
    assert resp.status_code == 201, resp.text
    d = resp.json()
    assert (d["enterprise_name"], d["status"], d["deadline"]) == (
        "测试企业E1",
        "整改中",
        f"{YEAR}-12-31",
    )
    assert "第1.1项" in d["basis"]
    case = {
        "kind": "enforcement_case",
        "enterprise_id": str(world.enterprises["E2"]),
        "item": "未按规定开展有限空间作业审批",
        "basis": "《安全生产法》第一百零一条",
        "case_status": "已立案处罚",
    }
    assert (await client.post("/api/v1/disclosures", json=case, headers=office)).status_code == 201
    items = (await client.get(public)).json()["items"]
    assert [i["kind"] for i in items] == ["enforcement_case", "major_hazard"]
    assert set(items[0]) == {
        "id",
        "kind",
        "enterprise_name",
        "item",
        "basis",
        "deadline",
        "status",
        "published_at",
    }
    assert "赵六" not in str(items)
    resp = await client.post(f"/api/v1/disclosures/{d['id']}/unpublish", headers=office)
    assert resp.status_code == 200, resp.text
    assert resp.json()["unpublished_at"] is not None
    assert [i["kind"] for i in (await client.get(public)).json()["items"]] == ["enforcement_case"]
    assert (
        await client.post(f"/api/v1/disclosures/{d['id']}/publish", headers=office)
    ).status_code == 200
    assert len((await client.get(public)).json()["items"]) == 2
    await db.execute(update(Hazard).where(Hazard.id == hid).values(status="closed"))
    await db.commit()
    live = {i["kind"]: i["status"] for i in (await client.get(public)).json()["items"]}
    assert live == {"major_hazard": "已销号", "enforcement_case": "已立案处罚"}
    for who in ("head1", "grid1", "dashboard"):
        h = world.headers(who)
        assert_problem(await client.post("/api/v1/disclosures", json=case, headers=h), 403)
        assert_problem(await client.get("/api/v1/disclosures", headers=h), 403)
        assert_problem(
            await client.post(f"/api/v1/disclosures/{d['id']}/unpublish", headers=h), 403
        )
    assert_problem(
        await client.post(f"/api/v1/disclosures/{uuid.uuid4()}/unpublish", headers=office), 404
    )
    assert len((await client.get("/api/v1/disclosures", headers=office)).json()["items"]) == 2
    assert_problem(await client.get(public, params={"cursor": "x\x00"}), 422)


async def test_priority_task_on_checklist_items(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    """A focus on 判定标准 items counts the hazards whose basis cites them (JSON on both DBs)."""
    found = f"{YEAR}-02-01T10:00:00+08:00"
    cited = await add_hazard(db, world, "E1", found_at=found)
    other = await add_hazard(db, world, "E2", found_at=found)
    await db.execute(
        update(Hazard).where(Hazard.id == cited).values(basis={"item_codes": ["3.1", "4.2"]})
    )
    await db.execute(
        update(Hazard).where(Hazard.id == other).values(basis={"item_codes": ["3.10"]})
    )
    await db.commit()
    body = {
        "year": YEAR,
        "title": "金属冶炼专项",
        "focus_kind": "checklist_item",
        "focus_values": ["3.1"],
    }
    resp = await client.post("/api/v1/priority-tasks", json=body, headers=world.headers("office"))
    assert resp.status_code == 201, resp.text
    assert (resp.json()["progress"]["hazards_found"], resp.json()["progress"]["major_open"]) == (
        1,
        1,
    )
