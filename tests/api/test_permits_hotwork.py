"""Permits (issue 15, part 2) through the API: the B.1 multi-step sign-off, the hot-work
extras (fire watch, 特级 video, residual-fire check, related permit, re-tests, wind stop),
the measure catalogues, and the street office's findings becoming hazards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.user import Role
from app.rules.calendar import shanghai_date
from app.services.permits import guards
from tests.api.permit_helpers import API, Crew, iso, make_crew
from tests.conftest import World, add_user, assert_problem

# Permits have day-based rules (GB 30871-2022 5.3.1d re-tests a new day; validity ends at a
# time of day): every test runs at 11:00 Asia/Shanghai, whatever hour the suite starts.
pytestmark = pytest.mark.usefixtures("shanghai_midday")

SPECIAL = {"fire_explosion_area": True, "running_equipment": True}


@pytest.fixture
async def crew(client: httpx.AsyncClient, world: World, db: AsyncSession) -> Crew:
    crew = await make_crew(client, world, db)
    # clerk applies; approver is dept_head (make_crew); safety is safety_manager.
    for who in ("clerk", "safety"):
        await add_user(db, world, who, Role.enterprise_head, enterprise="E1")
    await db.commit()
    assert (await crew.grant("safety", "safety_manager")).status_code == 201
    return crew


async def _submitted(crew: Crew, ptype: str = "hot_work", **kw: Any) -> str:
    pid = str((await crew.permit(ptype, who="clerk", **kw))["id"])
    await crew.measures(pid, ptype)
    assert (await crew.act(pid, "submit", {}, "clerk")).status_code == 200
    return pid


async def _sign(crew: Crew, pid: str, who: str, **kw: Any) -> httpx.Response:
    return await crew.act(pid, "sign", {"on_site": True} | kw, who)


async def test_special_hot_work_is_signed_in_order_by_distinct_people(crew: Crew) -> None:
    pid = await _submitted(crew, hot_work=SPECIAL)
    got = await crew.client.get(f"{API}/permits/{pid}", headers=crew.h("clerk"))
    steps = [s["step"] for s in got.json()["approval"]["steps"]]
    assert steps == ["unit_opinion", "safety_dept_opinion", "approval"]
    out_of_order = await _sign(crew, pid, "safety", step="approval")
    assert_problem(out_of_order, 409, "signoff_out_of_order")
    assert_problem(await _sign(crew, pid, "clerk"), 409, "approver_is_applicant")
    first = await _sign(crew, pid, "approver", step="unit_opinion")
    assert first.json()["status"] == "submitted"
    assert_problem(await _sign(crew, pid, "approver"), 409, "signer_not_distinct")
    assert (await _sign(crew, pid, "safety")).json()["status"] == "submitted"
    # 特级 → 主管领导: only the principal approves, on site.
    body = assert_problem(await _sign(crew, pid, "approver"), 409, "signer_not_distinct")
    assert "B.1" in str(body["citation"])
    assert_problem(await crew.act(pid, "sign", {"on_site": False}, "head1"), 422)
    done = await _sign(crew, pid, "head1")
    assert done.json()["status"] == "approved"
    assert done.json()["approved_at"] is not None
    hist = await crew.client.get(f"{API}/permits/{pid}/history", headers=crew.h("clerk"))
    actions = [r["action"] for r in hist.json()["items"]]
    assert actions == ["create", "submit", "sign", "sign", "sign"]


async def test_a_step_needs_its_duty(crew: Crew, db: AsyncSession) -> None:
    pid = await _submitted(crew, hot_work=SPECIAL)
    assert (await _sign(crew, pid, "approver")).status_code == 200
    await add_user(db, crew.world, "dept2", Role.enterprise_head, enterprise="E1")
    await db.commit()
    assert (await crew.grant("dept2", "dept_head")).status_code == 201
    body = assert_problem(await _sign(crew, pid, "dept2"), 409, "approver_without_authority")
    assert "表A.1" in str(body["citation"])


async def test_rejection_at_any_step_ends_the_round(crew: Crew) -> None:
    pid = await _submitted(crew, hot_work={"pipe_rack": True})  # 一级: unit → safety
    assert (await _sign(crew, pid, "approver")).json()["status"] == "submitted"
    no_right = await crew.act(pid, "reject", {"reason": "x"}, "clerk")
    assert_problem(no_right, 409, "approver_is_applicant")  # the applicant cancels instead
    rejected = await crew.act(pid, "reject", {"reason": "措施不全"}, "safety")
    assert rejected.json()["status"] == "rejected"
    # A new submission is a new round: every step is signed again.
    assert (await crew.act(pid, "submit", {}, "clerk")).json()["approval"]["round"] == 2
    assert (await _sign(crew, pid, "safety", step="approval")).status_code == 409
    assert (await _sign(crew, pid, "approver")).json()["status"] == "submitted"
    assert (await _sign(crew, pid, "safety")).json()["status"] == "approved"


async def test_measures_are_confirmed_against_the_catalogue(crew: Crew) -> None:
    pid = str((await crew.permit("work_at_height", height={"height_m": 3}))["id"])
    url = f"/permits/{pid}/measures"
    body = assert_problem(await crew.post(url, {"code": "H-5.2.1a", "involved": True}), 422)
    assert body["code"] == "measure_unknown"
    ok = await crew.post(url, {"code": "W-4.4", "involved": True, "confirmed_by": "王五"})
    assert ok.json()["text"] == "作业前进行安全交底"
    await crew.post(url, {"code": "W-4.9", "involved": False})
    await crew.post(url, {"code": "W-8.2.2", "involved": True})  # mandatory, nobody confirmed
    await crew.post(url, {"code": "W-8.2.6", "involved": True, "confirmed_by": "王五"})
    problem = assert_problem(await crew.act(pid, "submit"), 409, "measures_unanswered")
    assert "W-8.2.2" in str(problem["detail"])
    assert "W-8.2.8" in str(problem["detail"])
    again = await crew.post(url, {"code": "W-8.2.2", "involved": True, "confirmed_by": "王五"})
    assert_problem(again, 409, "measure_answered")


async def test_hot_work_start_needs_a_fire_watch_and_special_needs_video(crew: Crew) -> None:
    pid = await _submitted(crew, hot_work=SPECIAL)
    for who in ("approver", "safety", "head1"):
        assert (await _sign(crew, pid, who)).status_code == 200
    g = {"role": "guardian", "name": "孙八", "checked_in": True}
    await crew.post(f"/permits/{pid}/people", g)
    body = assert_problem(await crew.act(pid, "start"), 409, "fire_watch_missing")
    assert "5.2.1" in str(body["citation"])
    fw = await crew.hot_ready(pid, await crew.cert())
    body = assert_problem(await crew.act(pid, "start"), 409, "video_missing")
    assert body["citation"] == "GB 30871-2022 5.2.11"
    started = await crew.act(pid, "start", {"video_ref": "NVR-03-20261201"})
    assert started.json()["status"] == "active"
    assert started.json()["video_ref"] == "NVR-03-20261201"
    # The fire watch is present throughout: leaving suspends the work.
    out = await crew.post(f"/permits/{pid}/check-out", {"person_id": fw})
    assert out.json()["violations"] == []
    got = await crew.client.get(f"{API}/permits/{pid}", headers=crew.h("head1"))
    assert got.json()["status"] == "suspended"
    assert_problem(await crew.act(pid, "resume"), 409, "fire_watch_missing")


async def test_completion_needs_the_residual_fire_check_by_a_fire_watch(crew: Crew) -> None:
    pid = await crew.approved("hot_work")
    fw = await crew.hot_ready(pid, await crew.cert())
    assert (await crew.act(pid, "start")).status_code == 200
    body = assert_problem(await crew.act(pid, "complete"), 409, "residual_fire_unchecked")
    assert body["citation"] == "GB 30871-2022 5.2.14"
    people = await crew.client.get(f"{API}/permits/{pid}/people", headers=crew.h("head1"))
    operator = next(p["id"] for p in people.json()["items"] if p["role"] == "hot_work_operator")
    wrong = await crew.act(pid, "complete", {"residual_checked_by": operator})
    assert_problem(wrong, 409, "residual_fire_unchecked")
    done = await crew.act(pid, "complete", {"residual_checked_by": fw})
    assert done.json()["residual_checked_at"] is not None
    assert (await crew.act(pid, "accept")).json()["status"] == "closed"


async def test_hot_work_inside_a_confined_space_needs_that_permit_active(crew: Crew) -> None:
    space = await crew.space([])
    cs = await crew.approved("confined_space", confined_space_id=space)
    hot = await crew.approved("hot_work", related_permit_id=cs)
    await crew.hot_ready(hot, await crew.cert())
    body = assert_problem(await crew.act(hot, "start"), 409, "related_permit_inactive")
    assert body["citation"] == "GB 30871-2022 4.6"
    await crew.ready(cs)
    assert (await crew.act(cs, "start")).status_code == 200
    started = await crew.act(hot, "start")
    assert started.json()["related_permit_id"] == cs
    foreign = await crew.permit("hot_work", who="head2", ent="E2")
    resp = await crew.post(
        "/permits",
        {
            "enterprise_id": str(crew.world.enterprises["E1"]),
            "type": "hot_work",
            "location": "池内",
            "work_content": "焊接",
            "planned_start": iso(),
            "related_permit_id": foreign["id"],
        },
    )
    assert_problem(resp, 422, "related_permit_invalid")


async def test_wind_force_5_stops_outdoor_hot_work_and_height(crew: Crew) -> None:
    hot = await crew.approved("hot_work", outdoor=True)
    await crew.hot_ready(hot, await crew.cert())
    body = assert_problem(await crew.act(hot, "start", {"wind_force": 5}), 409, "wind_stop")
    assert body["citation"] == "GB 30871-2022 5.2.15"
    assert (await crew.act(hot, "start", {"wind_force": 4})).status_code == 200
    height = await crew.approved("work_at_height", height={"height_m": 3})
    g = {"role": "guardian", "name": "赵六", "checked_in": True}
    await crew.post(f"/permits/{height}/people", g)
    body = assert_problem(await crew.act(height, "start", {"wind_force": 6}), 409, "wind_stop")
    assert body["citation"] == "GB 30871-2022 8.2.6"
    assert (await crew.act(height, "start", {"wind_force": 3})).status_code == 200
    await crew.act(height, "suspend", {"reason": "起风"})
    assert_problem(await crew.act(height, "resume", {"wind_force": 5}), 409, "wind_stop")
    assert_problem(await crew.act(height, "resume", {"wind_force": 18}), 422)
    assert (await crew.act(height, "resume", {"wind_force": 2})).json()["status"] == "active"


def _clock(monkeypatch: pytest.MonkeyPatch, minutes: float) -> datetime:
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    monkeypatch.setattr(guards, "now_utc", lambda: at)
    monkeypatch.setattr(guards, "today", lambda: shanghai_date(at))
    return at


async def _started_level2(crew: Crew) -> str:
    pid = await crew.approved("hot_work")
    await crew.hot_ready(pid, await crew.cert())
    assert (await crew.act(pid, "start")).status_code == 200
    return pid


async def test_hot_work_retest_after_an_interruption_over_the_threshold(
    crew: Crew, monkeypatch: pytest.MonkeyPatch
) -> None:
    short, long_ = await _started_level2(crew), await _started_level2(crew)
    for pid in (short, long_):
        await crew.act(pid, "suspend", {"reason": "午休"})
    _clock(monkeypatch, 45)  # 二级: ≤ 60 min needs no new test (GB 5.3.1d)
    assert (await crew.act(short, "resume")).json()["status"] == "active"
    _clock(monkeypatch, 62)
    body = assert_problem(await crew.act(long_, "resume"), 409, "gas_test_stale")
    assert "5.3.1" in str(body["citation"])
    test = {
        "sampled_at": iso(61),
        "analyst": "钱七",
        "readings": [{"gas": "CH4", "value": 0.1, "unit": "vol_pct"}],
    }
    assert (await crew.post(f"/permits/{long_}/gas-tests", test)).status_code == 201
    assert (await crew.act(long_, "resume")).json()["status"] == "active"


async def test_hot_work_is_tested_again_on_a_new_day(
    crew: Crew, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = await _started_level2(crew)
    _clock(monkeypatch, 24 * 60 - 5)
    await crew.act(pid, "suspend", {"reason": "夜间停工"})
    _clock(monkeypatch, 24 * 60)  # a 5-minute gap, but the last test was yesterday
    body = assert_problem(await crew.act(pid, "resume"), 409, "daily_retest_required")
    assert body["citation"] == "GB 30871-2022 5.3.1d"
    test = {
        "sampled_at": iso(24 * 60 - 1),
        "analyst": "钱七",
        "readings": [{"gas": "CH4", "value": 0.1, "unit": "vol_pct"}],
    }
    assert (await crew.post(f"/permits/{pid}/gas-tests", test)).status_code == 201
    assert (await crew.act(pid, "resume")).json()["status"] == "active"


async def test_hot_work_needs_a_certified_operator_in_their_own_name(crew: Crew) -> None:
    cert = await crew.cert()  # held by 焊工甲
    pid = await crew.approved("hot_work")
    fw = {"role": "fire_watch", "name": "赵六", "checked_in": True}
    await crew.post(f"/permits/{pid}/people", fw)
    test = {
        "sampled_at": iso(-2),
        "analyst": "钱七",
        "readings": [{"gas": "CH4", "value": 0.1, "unit": "vol_pct"}],
    }
    await crew.post(f"/permits/{pid}/gas-tests", test)
    # No 动火人 named at all (GB 30871-2022 表A.1).
    assert_problem(await crew.act(pid, "start"), 409, "certificate_invalid")
    op = {"role": "hot_work_operator", "name": "焊工乙", "certificate_id": cert}
    await crew.post(f"/permits/{pid}/people", op)
    body = assert_problem(await crew.act(pid, "start"), 409, "certificate_invalid")
    assert "焊工乙" in str(body["detail"])  # someone else's certificate
