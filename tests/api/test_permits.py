"""Permits to work through the API (issue 15): the full life of each type, the guards of
第10号令 第十三条(二), the 13号令 art. 7 overlay, delegations, order-stop and consent."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.permit_helpers import API, Crew, iso, make_crew, new_id
from tests.conftest import World, assert_problem

# Permits have day-based rules (GB 30871-2022 5.3.1d re-tests a new day; validity ends at a
# time of day): every test runs at 11:00 Asia/Shanghai, whatever hour the suite starts.
pytestmark = pytest.mark.usefixtures("shanghai_midday")


@pytest.fixture
async def crew(client: httpx.AsyncClient, world: World, db: AsyncSession) -> Crew:
    return await make_crew(client, world, db)


async def test_confined_space_full_life(crew: Crew) -> None:
    space = await crew.space(["H2S"])
    # 13号令 art. 7: a dept head may not approve an H2S space; a written delegate may.
    pid = str((await crew.permit("confined_space", confined_space_id=space))["id"])
    await crew.measures(pid, "confined_space")
    assert (await crew.act(pid, "submit")).status_code == 200
    body = assert_problem(await crew.act(pid, "sign", {"on_site": True}, "approver"), 409)
    assert body["code"] == "approver_not_principal"
    assert "第13号 第七条" in str(body["citation"])
    assert (await crew.grant("approver", "principal_delegate")).status_code == 201
    assert_problem(await crew.act(pid, "sign", {"on_site": False}, "approver"), 422)
    resp = await crew.act(pid, "sign", {"on_site": True}, "approver")
    assert resp.json()["status"] == "approved"
    await crew.ready(pid)
    started = await crew.act(pid, "start")
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "active"
    for direction, tools in (("in", 3), ("out", 2)):
        e = {"person": "孙八", "direction": direction, "at": iso(), "tools": tools}
        resp = await crew.post(f"/permits/{pid}/entries", e)
        assert resp.status_code == 201
        assert resp.json()["violations"] == []
    assert_problem(await crew.act(pid, "complete"), 409, "entries_unbalanced")
    e = {"person": "孙八", "direction": "out", "at": iso(), "tools": 1}
    await crew.post(f"/permits/{pid}/entries", e)
    # still one more "out" than "in" for the person: balance people too
    assert_problem(await crew.act(pid, "complete"), 409, "entries_unbalanced")
    e = {"person": "孙八", "direction": "in", "at": iso(), "tools": 0}
    assert (await crew.post(f"/permits/{pid}/entries", e)).status_code == 201
    assert (await crew.act(pid, "complete")).json()["status"] == "completed"
    closed = await crew.act(pid, "accept")
    assert closed.json()["status"] == "closed"
    assert closed.json()["allowed_actions"] == []
    hist = await crew.client.get(f"{API}/permits/{pid}/history", headers=crew.h("head1"))
    actions = [r["action"] for r in hist.json()["items"]]
    assert actions == ["create", "submit", "sign", "start", "complete", "accept"]


async def test_permit_numbers_unique_per_enterprise_and_never_reused(crew: Crew) -> None:
    a = await crew.permit("hot_work")
    b = await crew.permit("work_at_height", height={"height_m": 3})
    assert re.fullmatch(r"DH-\d{4}-0001", a["permit_no"])
    assert re.fullmatch(r"GC-\d{4}-0002", b["permit_no"])
    await crew.act(a["id"], "cancel", {"reason": "取消"})
    c = await crew.permit("hot_work")
    assert c["permit_no"].endswith("-0003")
    other = await crew.permit("hot_work", who="head2", ent="E2")
    assert other["permit_no"].endswith("-0001")


async def test_client_id_replays_and_if_match(crew: Crew) -> None:
    pid = new_id()
    first = await crew.permit("hot_work", id=pid)
    body = {
        "id": pid,
        "enterprise_id": first["enterprise_id"],
        "type": "hot_work",
        "location": "一号车间",
        "work_content": "检修",
        "planned_start": iso(-5),
    }
    again = await crew.post("/permits", body)
    assert again.status_code == 200
    assert again.json()["permit_no"] == first["permit_no"]
    stale = await crew.client.patch(
        f"{API}/permits/{pid}",
        json={"location": "二号车间"},
        headers=crew.h("head1") | {"If-Match": '"99"'},
    )
    assert_problem(stale, 412)
    ok = await crew.client.patch(
        f"{API}/permits/{pid}", json={"location": "二号车间"}, headers=crew.h("head1")
    )
    assert ok.status_code == 200
    assert ok.headers["ETag"] == '"2"'


async def test_edit_after_submit_is_refused_and_wrong_transition_names_allowed(
    crew: Crew,
) -> None:
    pid = await crew.approved("hot_work")
    resp = await crew.client.patch(
        f"{API}/permits/{pid}", json={"location": "别处"}, headers=crew.h("head1")
    )
    body = assert_problem(resp, 409, "permit_frozen")
    assert "4.16" in str(body["citation"])
    m = {"code": "H-4.4", "involved": True}
    assert_problem(await crew.post(f"/permits/{pid}/measures", m), 409, "permit_state_forbids")
    body = assert_problem(await crew.act(pid, "accept"), 409, "invalid_transition")
    assert set(body["allowed_actions"]) == {"start", "cancel", "expire"}  # type: ignore[arg-type]


async def test_start_guards_for_confined_space(crew: Crew) -> None:
    space = await crew.space([])
    pid = await crew.approved("confined_space", confined_space_id=space)
    assert_problem(await crew.act(pid, "start"), 409, "guardian_missing")
    g = {"role": "guardian", "name": "赵六", "checked_in": True}
    await crew.post(f"/permits/{pid}/people", g)
    assert_problem(await crew.act(pid, "start"), 409, "gas_test_stale")
    assert (await crew.gas(pid, -40)).status_code == 201  # older than 30 min
    assert_problem(await crew.act(pid, "start"), 409, "gas_test_stale")
    assert (await crew.gas(pid, -4, o2=18.0)).json()["passed"] is False
    assert_problem(await crew.act(pid, "start"), 409, "gas_test_failed")
    assert (await crew.gas(pid, -3)).json()["passed"] is True
    body = assert_problem(await crew.act(pid, "start"), 409, "ventilation_missing")
    assert "第十四条" in str(body["citation"])
    # Ventilation that began after the test does not count: ventilate, *then* test.
    v = {"method": "mechanical", "started_at": iso(-1)}
    await crew.post(f"/permits/{pid}/ventilation", v)
    assert_problem(await crew.act(pid, "start"), 409, "ventilation_missing")
    await crew.post(f"/permits/{pid}/ventilation", {"method": "natural", "started_at": iso(-10)})
    assert (await crew.act(pid, "start")).json()["status"] == "active"


async def test_resume_after_any_interruption_needs_ventilation_and_retest(crew: Crew) -> None:
    space = await crew.space([])
    pid = await crew.approved("confined_space", confined_space_id=space)
    await crew.ready(pid)
    assert (await crew.act(pid, "start")).status_code == 200
    resp = await crew.post(f"/permits/{pid}/interruptions", {"reason": "午休"})
    assert resp.json()["status"] == "suspended"
    assert_problem(await crew.act(pid, "resume"), 409, "retest_required")
    await crew.gas(pid, 0)
    # The ventilation from before the interruption stopped? It is still running (no end),
    # so it counts; a test after the interruption is what was missing.
    assert (await crew.act(pid, "resume")).json()["status"] == "active"
    listed = await crew.client.get(f"{API}/permits/{pid}/interruptions", headers=crew.h("head1"))
    assert listed.json()["items"][0]["ended_at"] is not None


async def test_failing_test_during_work_suspends(crew: Crew) -> None:
    space = await crew.space([])
    pid = await crew.approved("confined_space", confined_space_id=space)
    await crew.ready(pid)
    await crew.act(pid, "start")
    resp = await crew.gas(pid, 0, o2=19.0, phase="periodic")
    assert resp.json()["passed"] is False
    judged = {j["gas"]: j for j in resp.json()["judgements"]}
    assert judged["O2"]["rule"] == "oxygen"
    assert judged["O2"]["citation"] == "GB 30871-2022 6.4a"
    got = await crew.client.get(f"{API}/permits/{pid}", headers=crew.h("head1"))
    assert got.json()["status"] == "suspended"


@pytest.mark.parametrize(
    ("reading", "code"),
    [
        ({"gas": "XX1", "value": 1, "unit": "vol_pct"}, "gas_unknown"),
        ({"gas": "O2", "value": 20, "unit": "ppm"}, "gas_unit_invalid"),
    ],
)
async def test_unjudgeable_readings_are_422(
    crew: Crew, reading: dict[str, object], code: str
) -> None:
    pid = await crew.approved("hot_work")
    body = {"sampled_at": iso(), "analyst": "钱七", "readings": [reading]}
    problem = assert_problem(await crew.post(f"/permits/{pid}/gas-tests", body), 422, code)
    assert problem["citation"]
    listed = await crew.client.get(f"{API}/permits/{pid}/gas-tests", headers=crew.h("head1"))
    assert listed.json()["items"] == []


@pytest.mark.parametrize("unit", ["furlong", "LEL"])
async def test_unknown_unit_is_a_validation_error(crew: Crew, unit: str) -> None:
    pid = await crew.approved("hot_work")
    body = {
        "sampled_at": iso(),
        "analyst": "钱七",
        "readings": [{"gas": "CH4", "value": 1, "unit": unit}],
    }
    assert_problem(await crew.post(f"/permits/{pid}/gas-tests", body), 422)


async def test_naive_datetime_and_nul_are_422(crew: Crew) -> None:
    body = {
        "enterprise_id": str(crew.world.enterprises["E1"]),
        "type": "hot_work",
        "location": "一号\x00车间",
        "work_content": "检修",
        "planned_start": "2026-12-01T08:00:00",
    }
    resp = await crew.post("/permits", body)
    assert_problem(resp, 422)
    far = body | {"location": "x", "planned_start": "9999-12-31T23:00:00+00:00"}
    # Past the calendar's sane range the boundary type refuses it (issue 10).
    assert_problem(await crew.post("/permits", far), 422, "validation_error")


async def test_start_outside_validity_is_refused(crew: Crew) -> None:
    pid = await crew.approved("hot_work", planned_start=iso(-10), planned_end=iso(-1))
    await crew.post(
        f"/permits/{pid}/people", {"role": "guardian", "name": "赵六", "checked_in": True}
    )
    body = assert_problem(await crew.act(pid, "start"), 409, "outside_validity")
    assert "4.16" in str(body["citation"])
    assert (await crew.act(pid, "expire")).json()["status"] == "expired"


async def test_submit_needs_answered_measures_and_a_ledger_space(crew: Crew) -> None:
    pid = str((await crew.permit("hot_work"))["id"])
    assert_problem(await crew.act(pid, "submit"), 409, "measures_unanswered")
    body = {
        "enterprise_id": str(crew.world.enterprises["E1"]),
        "type": "confined_space",
        "location": "池",
        "work_content": "清淤",
        "planned_start": iso(),
    }
    problem = assert_problem(await crew.post("/permits", body), 422, "space_not_in_ledger")
    assert "第六条" in str(problem["citation"])
    foreign = await crew.space([], ent="E2", who="head2")
    resp = await crew.post("/permits", body | {"confined_space_id": foreign})
    assert_problem(resp, 422, "space_not_in_ledger")


@pytest.mark.parametrize("field", ["location", "work_content"])
async def test_patch_refuses_null_for_required_fields(crew: Crew, field: str) -> None:
    pid = str((await crew.permit("hot_work"))["id"])
    resp = await crew.client.patch(
        f"{API}/permits/{pid}", json={field: None}, headers=crew.h("head1")
    )
    assert_problem(resp, 422)


async def test_reissue_names_a_permit_of_the_same_enterprise_and_type(crew: Crew) -> None:
    old = await crew.permit("hot_work")
    new = await crew.permit("hot_work", predecessor_id=old["id"])
    assert new["predecessor_id"] == old["id"]
    foreign = await crew.permit("hot_work", who="head2", ent="E2")
    body = {
        "enterprise_id": str(crew.world.enterprises["E1"]),
        "type": "hot_work",
        "location": "一号车间",
        "work_content": "检修",
        "planned_start": iso(),
    }
    for pred in (foreign["id"], new_id()):
        resp = await crew.post("/permits", body | {"predecessor_id": pred})
        assert_problem(resp, 422, "predecessor_invalid")
    height = await crew.post(
        "/permits",
        body | {"type": "work_at_height", "height": {"height_m": 3}, "predecessor_id": old["id"]},
    )
    assert_problem(height, 422, "predecessor_invalid")
