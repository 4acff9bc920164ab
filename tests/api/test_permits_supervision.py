"""Permits (issue 15): violations become hazards, order-stop and consent, delegations, the
live view, certificates and grades through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.user import Role
from app.rules.calendar import today_in_shanghai
from tests.api.permit_helpers import API, Crew, iso, make_crew
from tests.conftest import World, add_user, assert_problem

# Permits have day-based rules (GB 30871-2022 5.3.1d re-tests a new day; validity ends at a
# time of day): every test runs at 11:00 Asia/Shanghai, whatever hour the suite starts.
pytestmark = pytest.mark.usefixtures("shanghai_midday")


@pytest.fixture
async def crew(client: httpx.AsyncClient, world: World, db: AsyncSession) -> Crew:
    return await make_crew(client, world, db)


async def _hazard(crew: Crew, hid: str) -> dict[str, Any]:
    resp = await crew.client.get(f"{API}/hazards/{hid}", headers=crew.h("office"))
    assert resp.status_code == 200
    return dict(resp.json())


async def _hazard_count(crew: Crew) -> int:
    resp = await crew.client.get(
        f"{API}/hazards", params={"source": "permit_check"}, headers=crew.h("office")
    )
    return len(resp.json()["items"])


async def test_entry_while_suspended_is_one_major_13_2_hazard(crew: Crew) -> None:
    space = await crew.space(["H2S", "CO"])
    assert (await crew.grant("approver", "principal_delegate")).status_code == 201
    pid = await crew.approved("confined_space", confined_space_id=space)
    await crew.ready(pid)
    await crew.act(pid, "start")
    await crew.act(pid, "suspend", {"reason": "停电"})
    entry = {"person": "孙八", "direction": "in", "at": iso(), "tools": 0}
    resp = await crew.post(f"/permits/{pid}/entries", entry)
    assert resp.status_code == 201
    found = resp.json()["violations"]
    assert [v["code"] for v in found] == ["entry_not_tested"]
    hazard = await _hazard(crew, found[0]["hazard_id"])
    assert hazard["level"] == "major"
    assert hazard["basis"]["item_codes"] == ["13.2"]
    assert hazard["category"] == "confined_space"
    assert hazard["source"] == "permit_check"
    again = await crew.post(f"/permits/{pid}/entries", entry)
    assert [v["hazard_id"] for v in again.json()["violations"]] == [found[0]["hazard_id"]]
    assert await _hazard_count(crew) == 1


async def test_without_poisoning_risk_the_hazard_is_general_without_item(crew: Crew) -> None:
    space = await crew.space([])
    pid = str((await crew.permit("confined_space", confined_space_id=space))["id"])
    entry = {"person": "孙八", "direction": "in", "at": iso(), "tools": 1}
    resp = await crew.post(f"/permits/{pid}/entries", entry)
    codes = sorted(v["code"] for v in resp.json()["violations"])
    assert codes == ["entry_not_approved"]
    hazard = await _hazard(crew, resp.json()["violations"][0]["hazard_id"])
    assert hazard["level"] == "general"
    assert hazard["basis"]["item_codes"] == []
    assert "第13号" in hazard["basis"]["manual_reason"]


async def test_entry_before_start_without_guardian_or_test(crew: Crew) -> None:
    space = await crew.space(["H2S"])
    assert (await crew.grant("approver", "principal_delegate")).status_code == 201
    pid = await crew.approved("confined_space", confined_space_id=space)
    entry = {"person": "孙八", "direction": "in", "at": iso()}
    resp = await crew.post(f"/permits/{pid}/entries", entry)
    codes = sorted(v["code"] for v in resp.json()["violations"])
    assert codes == ["entry_no_guardian", "entry_not_tested"]
    assert await _hazard_count(crew) == 2


async def test_order_stop_needs_consent_before_resume(crew: Crew) -> None:
    space = await crew.space(["H2S"])
    assert (await crew.grant("approver", "principal_delegate")).status_code == 201
    pid = await crew.approved("confined_space", confined_space_id=space)
    await crew.ready(pid)
    await crew.act(pid, "start")
    stop = {"reason": "监护人离岗", "create_hazard": True}
    assert_problem(await crew.act(pid, "order-stop", stop, "grid1"), 403)
    assert_problem(await crew.act(pid, "order-stop", stop, "head1"), 403)
    resp = await crew.act(pid, "order-stop", stop, "office")
    assert resp.status_code == 200, resp.text
    assert resp.json()["requires_review"] is True
    assert resp.json()["status"] == "suspended"
    hazards = await crew.client.get(
        f"{API}/hazards", params={"source": "enforcement"}, headers=crew.h("office")
    )
    [hazard] = hazards.json()["items"]
    assert hazard["basis"]["item_codes"] == ["13.2"]
    await crew.gas(pid, 0)
    assert_problem(await crew.act(pid, "resume"), 409, "review_required")
    assert_problem(await crew.act(pid, "consent", {}, "head1"), 403)
    assert (await crew.act(pid, "consent", {"note": "已整改"}, "office")).status_code == 200
    assert_problem(await crew.act(pid, "consent", {}, "office"), 409, "no_review_pending")
    resumed = await crew.act(pid, "resume")
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "active"


async def test_delegation_expiry_and_revocation(crew: Crew) -> None:
    space = await crew.space(["CO2"])
    expired = await crew.grant(
        "approver", "principal_delegate", valid_from=iso(-120), valid_to=iso(-60)
    )
    assert expired.status_code == 201
    assert expired.json()["active"] is False
    pid = str((await crew.permit("confined_space", confined_space_id=space))["id"])
    await crew.measures(pid, "confined_space")
    await crew.act(pid, "submit")
    assert_problem(
        await crew.act(pid, "sign", {"on_site": True}, "approver"), 409, "approver_not_principal"
    )
    live = await crew.grant("approver", "principal_delegate")
    revoked = await crew.post(f"/delegations/{live.json()['id']}/revoke", {"reason": "调岗"})
    assert revoked.json()["active"] is False
    assert_problem(
        await crew.act(pid, "sign", {"on_site": True}, "approver"), 409, "approver_not_principal"
    )
    # the principal itself signs, but not its own application
    assert_problem(
        await crew.act(pid, "sign", {"on_site": True}, "head1"), 409, "approver_is_applicant"
    )


async def test_only_the_principal_designates_and_only_the_office_names_the_principal(
    crew: Crew,
) -> None:
    assert_problem(await crew.grant("approver", "principal"), 403)
    assert_problem(await crew.grant("head1", "dept_head", by="approver"), 403)
    bad = await crew.grant("approver2", "dept_head")  # an E2 account
    assert_problem(bad, 422, "grantee_not_of_enterprise")
    listed = await crew.client.get(f"{API}/delegations", headers=crew.h("head2"))
    assert listed.json()["items"] == []


async def test_approver_without_authority(crew: Crew, db: AsyncSession) -> None:
    pid = str((await crew.permit("hot_work", hot_work={"pipe_rack": True}))["id"])
    await crew.measures(pid, "hot_work")
    submitted = await crew.act(pid, "submit")
    assert submitted.json()["approval"]["approvers"] == ["safety_manager"]
    # 一级动火: 所在单位意见 (dept_head) first, then 安全管理部门 approves (B.1).
    first = await crew.act(pid, "sign", {"on_site": False}, "approver")
    assert first.json()["status"] == "submitted"
    await add_user(db, crew.world, "approver3", Role.enterprise_head, enterprise="E1")
    await db.commit()
    assert (await crew.grant("approver3", "dept_head")).status_code == 201
    body = assert_problem(await crew.act(pid, "sign", {"on_site": True}, "approver3"), 409)
    assert body["code"] == "approver_without_authority"
    assert body["citation"] == "GB 30871-2022 B.1"


async def _cert(crew: Crew, category: str, expires_in_days: int) -> str:
    today = today_in_shanghai()
    body = {
        "holder_name": "焊工甲",
        "category": category,
        "certificate_no": f"T{expires_in_days}{category}",
        "issued_on": (today - timedelta(days=400)).isoformat(),
        "expires_on": (today + timedelta(days=expires_in_days)).isoformat(),
    }
    url = f"/enterprises/{crew.world.enterprises['E1']}/certificates"
    resp = await crew.post(url, body)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def test_hot_work_life_needs_a_valid_welding_certificate(crew: Crew) -> None:
    pid = await crew.approved("hot_work")
    expired = await _cert(crew, "welding_cutting", -1)
    fw = await crew.hot_ready(pid, expired)
    problem = assert_problem(await crew.act(pid, "start"), 409, "certificate_invalid")
    assert "第三条第（二）项" in str(problem["citation"])
    valid = await _cert(crew, "welding_cutting", 300)
    pid2 = await crew.approved("hot_work")
    fw = await crew.hot_ready(pid2, valid)
    assert (await crew.act(pid2, "start")).json()["status"] == "active"
    assert (await crew.act(pid2, "complete", {"residual_checked_by": fw})).status_code == 200
    assert (await crew.act(pid2, "accept")).json()["status"] == "closed"


async def test_height_grade_and_validity_computed(crew: Crew) -> None:
    p = await crew.permit(
        "work_at_height",
        height={"height_m": 18, "hazard_factors": ["wind_force_5"]},
        planned_end=iso(60 * 24 * 10),
    )
    assert (p["grade"], p["grade_computed"]) == ("IV", "IV")
    from datetime import datetime

    span = datetime.fromisoformat(p["valid_to"]) - datetime.fromisoformat(p["valid_from"])
    assert span == timedelta(days=7)
    body = {
        "enterprise_id": p["enterprise_id"],
        "type": "work_at_height",
        "location": "屋面",
        "work_content": "检修",
        "planned_start": iso(),
        "height": {"height_m": 18},
        "grade_override": "II",
        "grade_override_reason": "x",
    }
    assert_problem(await crew.post("/permits", body), 422, "grade_override_lower")
    raised = await crew.post(
        "/permits", body | {"grade_override": "IV", "grade_override_reason": None}
    )
    assert_problem(raised, 422, "grade_override_reason")
    hot = await crew.permit("hot_work", hot_work={"holiday_or_night": True}, planned_end=iso(600))
    assert hot["grade"] == "level1"
    span = datetime.fromisoformat(hot["valid_to"]) - datetime.fromisoformat(hot["valid_from"])
    assert span == timedelta(hours=8)


async def test_live_view_is_scoped(crew: Crew) -> None:
    pid = await crew.approved("hot_work")
    await crew.hot_ready(pid, await crew.cert())
    assert (await crew.act(pid, "start")).status_code == 200
    office = await crew.client.get(f"{API}/permits/live", headers=crew.h("office"))
    [item] = office.json()["items"]
    assert item["id"] == pid
    assert item["enterprise"]["id"] == str(crew.world.enterprises["E1"])
    mine = await crew.client.get(f"{API}/permits/live", headers=crew.h("grid1"))
    assert [i["id"] for i in mine.json()["items"]] == [pid]
    other = await crew.client.get(f"{API}/permits/live", headers=crew.h("grid2"))
    assert other.json()["items"] == []
    filtered = await crew.client.get(
        f"{API}/permits/live", params={"type": "confined_space"}, headers=crew.h("office")
    )
    assert filtered.json()["items"] == []
    for who in ("head1", "dashboard"):
        resp = await crew.client.get(f"{API}/permits/live", headers=crew.h(who))
        assert_problem(resp, 403)
    foreign = await crew.client.get(f"{API}/permits/{pid}", headers=crew.h("head2"))
    assert_problem(foreign, 404)
    seen = await crew.client.get(f"{API}/permits/{pid}", headers=crew.h("grid1"))
    assert seen.status_code == 200
    assert_problem(await crew.act(pid, "suspend", {"reason": "x"}, "grid1"), 403)


async def test_last_guardian_leaving_with_people_inside(crew: Crew) -> None:
    space = await crew.space(["H2S"])
    assert (await crew.grant("approver", "principal_delegate")).status_code == 201
    pid = await crew.approved("confined_space", confined_space_id=space)
    await crew.ready(pid)
    g2 = await crew.post(f"/permits/{pid}/people", {"role": "guardian", "name": "周九"})
    assert g2.json()["checked_in_at"] is None
    assert (
        await crew.post(f"/permits/{pid}/check-in", {"person_id": g2.json()["id"]})
    ).status_code == 200
    await crew.act(pid, "start")
    await crew.post(f"/permits/{pid}/entries", {"person": "孙八", "direction": "in", "at": iso()})
    people = await crew.client.get(f"{API}/permits/{pid}/people", headers=crew.h("head1"))
    first, second = (p["id"] for p in people.json()["items"] if p["role"] == "guardian")
    one = await crew.post(f"/permits/{pid}/check-out", {"person_id": first})
    [v] = one.json()["violations"]
    assert v["code"] == "guardian_left"
    assert (await _hazard(crew, v["hazard_id"]))["level"] == "general"
    two = await crew.post(f"/permits/{pid}/check-out", {"person_id": second})
    [v] = two.json()["violations"]
    assert v["code"] == "guardian_left_alone"
    hazard = await _hazard(crew, v["hazard_id"])
    assert hazard["basis"]["item_codes"] == ["13.2"]
    got = await crew.client.get(f"{API}/permits/{pid}", headers=crew.h("head1"))
    assert got.json()["status"] == "suspended"
    assert_problem(await crew.act(pid, "resume"), 409, "guardian_missing")


async def test_item_not_applicable_to_the_enterprise_gives_a_general_hazard(crew: Crew) -> None:
    # E2 has no confined_space feature, so 13.2 does not apply to it even for an H2S space.
    space = await crew.space(["H2S"], ent="E2", who="head2")
    pid = str(
        (await crew.permit("confined_space", who="head2", ent="E2", confined_space_id=space))["id"]
    )
    resp = await crew.post(
        f"/permits/{pid}/entries", {"person": "甲", "direction": "in", "at": iso()}, "head2"
    )
    [v] = resp.json()["violations"]
    hazard = await _hazard(crew, v["hazard_id"])
    assert (hazard["level"], hazard["basis"]["item_codes"]) == ("general", [])
