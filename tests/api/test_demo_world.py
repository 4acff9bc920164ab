"""`zhiben seed-demo`'s world (issue 18), checked through the API on a freshly seeded
database: every hazard state and case, compliance both ways, every certificate status and
triage outcome, non-trivial statistics — and nothing on the enterprises the plan names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.base import Base
from app.services.seed import seed_demo
from tests.conftest import empty_database

PASSWORD = "demo-pass-2024"
# The ten enterprises plan §二 names (the real ones): never any activity.
PLAN_NAMES = {
    "上海世纪联华超市宝山有限公司海江路店",
    "上海乐宝酒店服务有限公司宝山德尔塔酒店",
    "上海烟草集团宝山烟草糖酒有限公司",
    "上海宝铸商业经营管理有限公司",
    "华域皮尔博格泵技术有限公司",
    "上海弘益冶金材料有限公司",
    "上海金刚冶金材料有限公司",
    "上海华翼钢丝绳制品有限公司",
    "上海建工一建集团有限公司机械工程公司",
    "上海众杨装饰材料有限公司",
}
COMPLIANCE_CODES = {
    "accident_followup",
    "hazard_standard_training",
    "evacuation_drill",
    "principal_checks",
    "principal_quiz",
    "principal_training",
    "certificates_valid",
    "major_overdue",
    "major_zero",
    "standardization",
}


async def _login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    resp = await client.post(
        "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


async def _all(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    items: list[Any] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        resp = await client.get(path, params=params, headers=headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items += body["items"]
        if not body["next_cursor"]:
            return items
        params["cursor"] = body["next_cursor"]


@pytest.fixture(scope="module")
async def seeded(app_instance: Any, settings: Settings) -> AsyncIterator[None]:
    """Seeded once for the module (seeding is the slow part); emptied after its last test."""
    async with app_instance.state.sessionmaker() as session:
        await seed_demo(session, settings=settings)
        await session.commit()
    yield
    await empty_database(app_instance)


@pytest.fixture(autouse=True)
async def _clean_database() -> None:
    """Overrides the per-test emptying: these tests only read the world `seeded` built."""


@pytest.fixture
async def office(seeded: None, client: httpx.AsyncClient) -> dict[str, str]:
    return await _login(client, "demo_office")


async def _enterprises(client: httpx.AsyncClient, office: dict[str, str]) -> tuple[set, set]:
    ents = await _all(client, "/api/v1/enterprises", office)
    real = {e["id"] for e in ents if e["name"] in PLAN_NAMES}
    demo = {e["id"] for e in ents if e["name"].endswith("（演示）")}
    assert len(real) == 10
    assert len(demo) == 7
    assert real.isdisjoint(demo)
    return real, demo


async def test_hazards_in_every_state_and_case(
    client: httpx.AsyncClient, office: dict[str, str]
) -> None:
    _, demo = await _enterprises(client, office)
    hazards = await _all(client, "/api/v1/hazards", office)
    assert {h["enterprise_id"] for h in hazards} <= demo
    statuses = {h["status"] for h in hazards}
    assert statuses == {"reported", "rectifying", "pending_verification", "closed", "voided"}
    assert any(h["overdue"] and h["level"] == "major" for h in hazards)
    assert any(h["overdue"] and h["level"] == "general" for h in hazards)
    assert any(h["supervised"] for h in hazards)
    assert any(h["fixed_on_spot"] and h["status"] == "closed" for h in hazards)
    assert {h["source"] for h in hazards} >= {
        "self_check",
        "principal_check",
        "grid_patrol",
        "enforcement",
        "public_report",
    }
    actions: dict[str, list[dict[str, Any]]] = {}
    for h in hazards:
        history = (await client.get(f"/api/v1/hazards/{h['id']}/history", headers=office)).json()
        assert history["items"][0]["action"] == "create"
        for row in history["items"]:
            actions.setdefault(row["action"], []).append(row)
    assert {"plan", "submit", "verify", "void", "supervise", "extend", "downgrade"} <= set(actions)
    failed = [r for r in actions["verify"] if r["data"]["passed"] is False]
    assert len(failed) == 1
    assert failed[0]["to_status"] == "rectifying"


async def test_inspections_produced_the_major_hazards(
    client: httpx.AsyncClient, office: dict[str, str]
) -> None:
    inspections = await _all(client, "/api/v1/inspections", office)
    kinds = {i["kind"] for i in inspections}
    assert kinds >= {"self_check", "principal_check", "grid_patrol", "enforcement"}
    failed = [r for i in inspections for r in i["responses"] if r["result"] == "fail"]
    assert len(failed) >= 6
    for r in failed:
        hazard = (await client.get(f"/api/v1/hazards/{r['hazard_id']}", headers=office)).json()
        assert hazard["basis"]["item_codes"] == [r["item_code"]]
    principal = [i for i in inspections if i["kind"] == "principal_check"]
    assert all(i["quiz"] for i in principal)


async def test_compliance_codes_met_and_unmet(
    client: httpx.AsyncClient, office: dict[str, str]
) -> None:
    _, demo = await _enterprises(client, office)
    seen: dict[str, set[bool]] = {}
    statuses: set[str] = set()
    for eid in demo:
        resp = await client.get(f"/api/v1/enterprises/{eid}/compliance", headers=office)
        for check in resp.json()["checks"]:
            seen.setdefault(check["code"], set()).add(check["met"])
        certs = await _all(client, f"/api/v1/enterprises/{eid}/certificates", office)
        statuses |= {c["status"] for c in certs}
    assert set(seen) == COMPLIANCE_CODES
    assert all(v == {True, False} for v in seen.values()), seen
    assert statuses == {"valid", "expiring", "review_due", "expired"}


async def test_records_accident_and_demonstration(
    client: httpx.AsyncClient, office: dict[str, str]
) -> None:
    _, demo = await _enterprises(client, office)
    drills = [
        d for e in demo for d in await _all(client, f"/api/v1/enterprises/{e}/drills", office)
    ]
    assert [d["kind"] for d in drills if d["observed_by_street_office"]] == ["evacuation"]
    trainings = [
        t for e in demo for t in await _all(client, f"/api/v1/enterprises/{e}/trainings", office)
    ]
    trained = {t["enterprise_id"] for t in trainings if t["topic"] == "principal_special"}
    assert 0 < len(trained) < len(demo)  # principals partly covered
    accidents = await _all(client, "/api/v1/accidents", office)
    # An accident with its interview, and a 重大涉险 event still waiting for both (§三(三)6).
    assert len(accidents) == 2
    [accident] = [a for a in accidents if not a["major_risk_event"]]
    [near_miss] = [a for a in accidents if a["major_risk_event"]]
    assert accident["grade"] == "general"
    accidents = [accident]
    interviews = await _all(client, "/api/v1/interviews", office)
    assert accidents[0]["id"] in {i["accident_id"] for i in interviews}
    assert near_miss["id"] not in {i["accident_id"] for i in interviews}
    ents = await _all(client, "/api/v1/enterprises", office)
    fictitious = [e for e in ents if e["id"] in demo]
    assert all(e["is_demo"] and len(e["uscc"]) == 18 for e in fictitious)
    assert {e["designation"] for e in fictitious} >= {"demonstration"}
    assert {e["standardization_grade"] for e in fictitious} >= {2, 3}
    tenant = [e for e in fictitious if e["landlord_id"]]
    assert len(tenant) == 1
    assert tenant[0]["landlord_id"] in demo


async def test_public_reports_in_every_outcome(
    client: httpx.AsyncClient, office: dict[str, str]
) -> None:
    reports = await _all(client, "/api/v1/reports", office)
    assert sorted(r["outcome"] for r in reports) == ["accepted", "duplicate", "invalid", "pending"]
    accepted = next(r for r in reports if r["outcome"] == "accepted")
    assert accepted["hazard_id"] is not None
    assert accepted["reward"]["eligible"] is True
    assert accepted["reward"]["amount"] == "200.00"
    assert all(r["photo_ids"] for r in reports)
    assert all(r["contact_phone"] is None or r["contact_phone"].startswith("140") for r in reports)
    status = await client.get(f"/api/v1/public/reports/{accepted['receipt_code']}")
    assert status.json()["reward_decided"] is True
    assert status.json()["hazard_status"] == "rectifying"


async def test_statistics_and_targets_non_trivial(
    client: httpx.AsyncClient, office: dict[str, str]
) -> None:
    board = await _login(client, "demo_dashboard")
    overview = (await client.get("/api/v1/stats/overview", headers=board)).json()
    assert overview["enterprises"] == 17
    assert overview["hazards_open"] >= 10
    assert overview["major_open"] >= 5
    assert overview["overdue"] >= 2
    assert overview["closed"] >= 3
    year = date.fromisoformat(overview["as_of"]).year
    targets = (await client.get(f"/api/v1/stats/targets?year={year}", headers=board)).json()
    by_code = {t["code"]: t for t in targets["targets"]}
    assert by_code["demonstration_enterprises"]["actual"] == 1
    assert by_code["demonstration_enterprises"]["met"] is True
    assert sum(1 for t in targets["targets"] if t["actual"]) >= 4


async def test_nothing_on_the_plan_enterprises(
    client: httpx.AsyncClient, office: dict[str, str]
) -> None:
    real, demo = await _enterprises(client, office)
    for path in (
        "/api/v1/hazards",
        "/api/v1/inspections",
        "/api/v1/accidents",
        "/api/v1/interviews",
    ):
        rows = await _all(client, path, office)
        assert rows
        assert {r["enterprise_id"] for r in rows} <= demo, path
    reports = await _all(client, "/api/v1/reports", office)
    assert not {r["enterprise_id"] for r in reports} & real
    for eid in real:
        for kind in ("drills", "trainings", "certificates"):
            assert await _all(client, f"/api/v1/enterprises/{eid}/{kind}", office) == []


async def test_heads_see_their_own_enterprise_only(
    client: httpx.AsyncClient, office: dict[str, str]
) -> None:
    head = await _login(client, "demo_head")
    me = (await client.get("/api/v1/auth/me", headers=head)).json()
    hazards = await _all(client, "/api/v1/hazards", head)
    assert hazards
    assert {h["enterprise_id"] for h in hazards} == {me["enterprise_id"]}
    grid = await _login(client, "demo_grid")
    reports = await _all(client, "/api/v1/hazards", grid)
    assert 0 < len(reports) < len(await _all(client, "/api/v1/hazards", office))


async def _row_counts(db: AsyncSession) -> dict[str, int]:
    return {
        t.name: int(await db.scalar(select(func.count()).select_from(t)) or 0)
        for t in Base.metadata.sorted_tables
    }


async def test_seeding_twice_changes_nothing(
    seeded: None, db: AsyncSession, settings: Settings
) -> None:
    first = await _row_counts(db)
    assert first["hazards"] >= 15
    await seed_demo(db, settings=settings)
    await db.commit()
    assert await _row_counts(db) == first
    # The hazard rollups the statistics read agree with the ledger they summarise.
    dims = "e.grid_id, e.sector, h.status, h.level"
    rollup = await db.execute(
        text("SELECT grid_id, sector, status, level, n FROM hazard_tallies WHERE n > 0")
    )
    recount = await db.execute(
        text(
            f"SELECT {dims}, count(*) FROM hazards h JOIN enterprises e ON e.id = h.enterprise_id "
            f"GROUP BY {dims}"
        )
    )
    assert sorted(map(tuple, rollup)) == sorted(map(tuple, recount))


async def test_permits_ledgers_and_a_permit_hazard(
    client: httpx.AsyncClient, office: dict[str, str]
) -> None:
    permits = await _all(client, "/api/v1/permits", office)
    by_status = sorted((p["type"], p["status"]) for p in permits)
    assert by_status == [
        ("confined_space", "active"),
        ("confined_space", "suspended"),
        ("hot_work", "closed"),
    ]
    stopped = next(p for p in permits if p["status"] == "suspended")
    assert stopped["requires_review"] is True
    assert "consent" in stopped["allowed_actions"]
    live = await _all(client, "/api/v1/permits/live", office)
    assert {p["status"] for p in live} >= {"active"}
    active = next(p for p in permits if p["status"] == "active")
    pid = active["id"]
    for record, n in (("ventilation", 1), ("gas-tests", 1), ("people", 1), ("entries", 2)):
        rows = await _all(client, f"/api/v1/permits/{pid}/{record}", office)
        assert len(rows) == n, record
    hazards = await _all(client, "/api/v1/hazards", office)
    from_permits = [h for h in hazards if h["source"] == "permit_check"]
    assert len(from_permits) == 1
    assert from_permits[0]["enterprise_id"] == stopped["enterprise_id"]
    spaces = await _all(
        client, f"/api/v1/enterprises/{stopped['enterprise_id']}/confined-spaces", office
    )
    assert [(s["code"], s["poisoning_risk"]) for s in spaces] == [
        ("YXKJ-0001", True),
        ("YXKJ-0002", False),
    ]
