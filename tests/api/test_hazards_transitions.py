"""Lifecycle transitions for each role (brief §3): allowed, refused, and why."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.hazard import Hazard
from app.rules.calendar import today_in_shanghai
from tests.api.hazard_helpers import (
    API,
    PLAN_GENERAL,
    PLAN_MAJOR,
    act,
    major,
    new_hazard,
    to_pending,
    tomorrow,
    yesterday,
)
from tests.conftest import World, assert_problem


async def test_general_happy_path_by_grid_staff(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "grid1")
    r = await act(client, world, "head1", h["id"], "plan", {**PLAN_GENERAL, "deadline": tomorrow()})
    assert r.json()["status"] == "rectifying"
    assert r.json()["planned_at"]
    r = await act(client, world, "head1", h["id"], "submit", {"evidence": "已更换"})
    assert r.json()["status"] == "pending_verification"
    # Found by grid staff: the enterprise may not verify it; grid staff (its grid) may.
    assert_problem(await act(client, world, "head1", h["id"], "verify", {"passed": True}), 403)
    r = await act(client, world, "grid1", h["id"], "verify", {"passed": True, "note": "合格"})
    body = r.json()
    assert (body["status"], body["verified_by"]) == ("closed", str(world.users["grid1"]))
    assert body["closed_at"]
    assert body["allowed_actions"] == []
    hist = (await client.get(f"{API}/{h['id']}/history", headers=world.headers("grid1"))).json()
    assert [i["action"] for i in hist["items"]] == ["create", "plan", "submit", "verify"]


async def test_self_found_general_verified_by_enterprise(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await new_hazard(client, world, "head1")
    await to_pending(client, world, "head1", h, PLAN_GENERAL)
    assert_problem(await act(client, world, "grid1", h["id"], "verify", {"passed": True}), 403)
    r = await act(client, world, "head1", h["id"], "verify", {"passed": True})
    assert r.json()["status"] == "closed"


async def test_major_only_street_office_verifies(client: httpx.AsyncClient, world: World) -> None:
    h = await major(client, world)
    r = await act(client, world, "head1", h["id"], "plan", {**PLAN_GENERAL, "deadline": tomorrow()})
    prob = assert_problem(r, 422, "plan_incomplete")
    assert ["body", "funds"] in [e["loc"] for e in prob["errors"]]  # type: ignore[union-attr]
    await to_pending(client, world, "head1", h, PLAN_MAJOR)
    for who in ("head1", "grid1"):
        r = await act(client, world, who, h["id"], "verify", {"passed": True})
        assert_problem(r, 403, "not_verifier")
    r = await act(client, world, "office", h["id"], "verify", {"passed": True})
    assert r.json()["status"] == "closed"
    assert r.json()["funds"] == 12000.5


async def test_verify_fail_needs_note_and_may_set_deadline(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await new_hazard(client, world, "grid1")
    await to_pending(client, world, "head1", h, PLAN_GENERAL)
    r = await act(client, world, "grid1", h["id"], "verify", {"passed": False})
    assert_problem(r, 422, "note_required")
    r = await act(
        client,
        world,
        "grid1",
        h["id"],
        "verify",
        {"passed": False, "note": "未整改到位", "new_deadline": yesterday()},
    )
    assert_problem(r, 422, "date_in_past")
    later = (today_in_shanghai() + timedelta(days=10)).isoformat()
    r = await act(
        client,
        world,
        "grid1",
        h["id"],
        "verify",
        {"passed": False, "note": "未整改到位", "new_deadline": later},
    )
    assert (r.json()["status"], r.json()["deadline"]) == ("rectifying", later)
    hist = (await client.get(f"{API}/{h['id']}/history", headers=world.headers("grid1"))).json()
    last = hist["items"][-1]
    assert last["data"]["old_deadline"] == tomorrow()
    assert last["note"] == "未整改到位"


async def test_wrong_transition_is_409_naming_allowed(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await new_hazard(client, world, "grid1")
    prob = assert_problem(
        await act(client, world, "grid1", h["id"], "submit", {"evidence": "x"}),
        409,
        "invalid_transition",
    )
    assert prob["allowed_actions"] == ["plan", "void", "supervise", "downgrade"]
    assert prob["current_status"] == "reported"


async def test_void_only_street_office(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "grid1")
    for who in ("head1", "grid1"):
        assert_problem(await act(client, world, who, h["id"], "void", {"reason": "重复"}), 403)
    r = await act(client, world, "office", h["id"], "void", {"reason": "重复登记"})
    assert (r.json()["status"], r.json()["void_reason"]) == ("voided", "重复登记")
    r = await act(client, world, "office", h["id"], "void", {"reason": "again"})
    assert_problem(r, 409, "invalid_transition")
    assert_problem(await act(client, world, "office", h["id"], "void", {}), 422)


async def test_fixed_on_spot(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "grid1", fixed_on_spot=True, evidence="当场整改")
    assert (h["status"], h["evidence"]) == ("closed", "当场整改")
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "description": "x",
        "category": "fire",
        "fixed_on_spot": True,
    }
    r = await client.post(API, json=body, headers=world.headers("grid1"))
    assert_problem(r, 422, "evidence_required")
    r = await client.post(
        API, json={**body, "evidence": "e", "item_codes": ["3.1"]}, headers=world.headers("office")
    )
    assert_problem(r, 422, "fixed_on_spot_major")


@pytest.mark.parametrize(
    ("kind", "granter", "refused"),
    [
        ("general_grid", "grid1", ["head1"]),
        ("general_self", "head1", ["grid1"]),
        ("major", "office", ["head1", "grid1"]),
    ],
)
async def test_extension_rules(
    client: httpx.AsyncClient, world: World, kind: str, granter: str, refused: list[str]
) -> None:
    if kind == "major":
        h, plan = await major(client, world), PLAN_MAJOR
    else:
        h, plan = (
            await new_hazard(client, world, "grid1" if kind == "general_grid" else "head1"),
            PLAN_GENERAL,
        )
    r = await act(client, world, "head1", h["id"], "plan", {**plan, "deadline": tomorrow()})
    assert r.status_code == 200
    later = (today_in_shanghai() + timedelta(days=30)).isoformat()
    body = {"new_deadline": later, "reason": "设备到货延迟"}
    for who in refused:
        assert_problem(await act(client, world, who, h["id"], "extend", body), 403)
    r = await act(client, world, granter, h["id"], "extend", body)
    assert r.json()["deadline"] == later
    hist = (await client.get(f"{API}/{h['id']}/history", headers=world.headers("office"))).json()
    assert hist["items"][-1]["data"] == {"old_deadline": tomorrow(), "new_deadline": later}
    r = await act(client, world, granter, h["id"], "extend", {**body, "new_deadline": yesterday()})
    assert_problem(r, 422, "date_in_past")


async def test_supervise_major_by_office(client: httpx.AsyncClient, world: World) -> None:
    g = await new_hazard(client, world, "grid1")
    m = await major(client, world)
    body = {"unit": "区应急管理局", "due": tomorrow()}
    assert_problem(await act(client, world, "grid1", m["id"], "supervise", body), 403)
    assert_problem(await act(client, world, "office", g["id"], "supervise", body), 409, "not_major")
    r = await act(client, world, "office", m["id"], "supervise", body)
    assert (r.json()["supervised"], r.json()["supervise_unit"]) == (True, "区应急管理局")
    listed = await client.get(API, params={"supervised": True}, headers=world.headers("office"))
    assert [i["id"] for i in listed.json()["items"]] == [m["id"]]


async def test_downgrade_by_office_recorded_in_basis(
    client: httpx.AsyncClient, world: World
) -> None:
    m = await major(client, world)
    body = {"reason": "复核不属于重大事故隐患"}
    assert_problem(await act(client, world, "grid1", m["id"], "downgrade", body), 403)
    r = await act(client, world, "office", m["id"], "downgrade", body)
    data = r.json()
    assert data["level"] == "general"
    assert data["basis"]["downgraded"]["reason"] == body["reason"]
    assert data["basis"]["item_codes"] == ["3.1"]
    assert_problem(await act(client, world, "office", m["id"], "downgrade", body), 409, "not_major")
    hist = (await client.get(f"{API}/{m['id']}/history", headers=world.headers("office"))).json()
    assert hist["items"][-1]["action"] == "downgrade"


async def test_plan_deadline_in_past_refused_and_overdue_derived(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    h = await new_hazard(client, world, "grid1")
    r = await act(
        client, world, "head1", h["id"], "plan", {**PLAN_GENERAL, "deadline": yesterday()}
    )
    assert_problem(r, 422, "date_in_past")
    today = today_in_shanghai().isoformat()
    r = await act(client, world, "head1", h["id"], "plan", {**PLAN_GENERAL, "deadline": today})
    # Overdue only from the day after the deadline (brief §3).
    assert (r.json()["overdue"], r.json()["days_overdue"]) == (False, 0)
    other = await new_hazard(client, world, "grid1")
    # Time passes: the deadline lies three days back now.
    await db.execute(
        update(Hazard)
        .where(Hazard.id == uuid.UUID(h["id"]))
        .values(deadline=today_in_shanghai() - timedelta(days=3))
    )
    await db.commit()
    got = (await client.get(f"{API}/{h['id']}", headers=world.headers("grid1"))).json()
    assert (got["overdue"], got["days_overdue"]) == (True, 3)
    off = world.headers("office")
    late = (await client.get(API, params={"overdue": True}, headers=off)).json()["items"]
    in_time = (await client.get(API, params={"overdue": False}, headers=off)).json()["items"]
    assert [i["id"] for i in late] == [h["id"]]
    assert [i["id"] for i in in_time] == [other["id"]]
    await to_pending_from_rectifying(client, world, h["id"])
    got = (await client.get(f"{API}/{h['id']}", headers=world.headers("grid1"))).json()
    assert got["overdue"] is False  # pending verification is not overdue


async def to_pending_from_rectifying(client: httpx.AsyncClient, world: World, hid: str) -> None:
    r = await act(client, world, "head1", hid, "submit", {"evidence": "done"})
    assert r.status_code == 200


async def test_if_match(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "grid1")
    etag = (await client.get(f"{API}/{h['id']}", headers=world.headers("grid1"))).headers["etag"]
    body = {**PLAN_GENERAL, "deadline": tomorrow()}
    r = await act(client, world, "head1", h["id"], "plan", body, **{"If-Match": etag})
    assert r.status_code == 200
    assert r.headers["etag"] != etag
    r = await act(
        client, world, "grid1", h["id"], "submit", {"evidence": "x"}, **{"If-Match": etag}
    )
    assert_problem(r, 412)
