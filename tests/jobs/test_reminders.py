"""Reminders with a frozen business day: a hazard walked from T-7 to +14 (every stage, every
recipient, no duplicates across two scans and two concurrent scanners), extension, closing,
downtime, escalation of a major hazard, certificates, untriaged reports; and the inbox API."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.records import Certificate
from app.rules.calendar import SHANGHAI, today_in_shanghai
from app.services import reminders
from tests.api.hazard_helpers import PLAN_GENERAL, PLAN_MAJOR, act, major, new_hazard
from tests.conftest import World
from tests.jobs_helpers import runner_for

API = "/api/v1/notifications"


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=SHANGHAI).astimezone(UTC)


async def scan(app: Any, day: date) -> reminders.ScanResult:
    async with app.state.sessionmaker() as session, session.begin():
        return await reminders.scan(
            session, today=day, now=at_nine(day), settings=app.state.settings
        )


async def inbox(client: httpx.AsyncClient, world: World, who: str, **params: Any) -> list[Any]:
    """The caller's hazard notifications (periodic-duty reminders are tested on their own)."""
    params.setdefault("kind", "hazard_deadline")
    if params["kind"] is None:
        del params["kind"]
    resp = await client.get(API, params=params, headers=world.headers(who))
    assert resp.status_code == 200, resp.text
    items: list[Any] = resp.json()["items"]
    return items


async def planned(
    client: httpx.AsyncClient, world: World, deadline: date, *, level: str = "general"
) -> dict[str, Any]:
    if level == "major":
        h = await major(client, world)
        plan = PLAN_MAJOR
    else:
        h = await new_hazard(client, world, "grid1")
        plan = PLAN_GENERAL
    r = await act(
        client, world, "office", h["id"], "plan", {**plan, "deadline": deadline.isoformat()}
    )
    assert r.status_code == 200, r.text
    return h


EXPECTED_WALK = {  # day offset from the deadline → the stage sent that day (None: nothing)
    -8: None, -7: "T-7", -6: None, -2: None, -1: "T-1", 0: "T0", 1: "+1", 2: None,
    3: "+3", 4: None, 6: None, 7: "+7", 8: None, 13: None, 14: "+14",
}  # fmt: skip


async def test_walk_from_t_minus_7_to_plus_14(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    deadline = today_in_shanghai() + timedelta(days=8)
    h = await planned(client, world, deadline)
    for offset in range(-8, 15):
        day = deadline + timedelta(days=offset)
        first = await scan(app_instance, day)
        second = await scan(app_instance, day)  # a re-run the same day sends nothing
        expected = EXPECTED_WALK.get(offset)
        assert first.stages["hazard"] == (1 if expected else 0), (offset, first)
        assert second.stages["hazard"] == 0
        assert second.notifications == 0
    for who in ("head1", "grid1"):  # the enterprise's head, its grid's staff
        notes = await inbox(client, world, who, kind="hazard_deadline")
        stages = [n["stage"] for n in notes]
        assert sorted(stages) == sorted(s for s in EXPECTED_WALK.values() if s)
        assert {n["object_id"] for n in notes} == {h["id"]}
        assert all(n["object_type"] == "hazard" and not n["is_read"] for n in notes)
    for who in ("head2", "grid2", "office", "dashboard"):
        resp = await client.get(API, params={"kind": "hazard_deadline"}, headers=world.headers(who))
        assert resp.status_code == (403 if who == "dashboard" else 200)
        if who != "dashboard":
            assert resp.json()["items"] == []  # a general hazard is not escalated
    [t0] = [n for n in await inbox(client, world, "head1") if n["stage"] == "T0"]
    assert "今天到期" in t0["body"]
    assert t0["title"].startswith("隐患今日到期")


async def test_two_concurrent_scanners_send_each_stage_once(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    deadline = today_in_shanghai() + timedelta(days=1)
    await planned(client, world, deadline)
    results = await asyncio.gather(*(scan(app_instance, deadline) for _ in range(2)))
    assert sorted(r.stages["hazard"] for r in results) == [0, 1]
    assert len(await inbox(client, world, "head1")) == 1


async def test_after_downtime_only_the_newest_missed_stage(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    deadline = today_in_shanghai() + timedelta(days=2)
    await planned(client, world, deadline)
    await scan(app_instance, deadline + timedelta(days=5))  # nothing ran from T-7 to +5
    assert [n["stage"] for n in await inbox(client, world, "grid1")] == ["+3"]
    body = (await inbox(client, world, "grid1"))[0]["body"]
    assert "已逾期 5 天" in body


async def test_extension_restarts_and_closing_ends(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    today = today_in_shanghai()
    h = await planned(client, world, today + timedelta(days=1))
    await scan(app_instance, today + timedelta(days=1))  # T0 of the first deadline
    new = today + timedelta(days=10)
    r = await act(
        client, world, "grid1", h["id"], "extend", {"new_deadline": new.isoformat(), "reason": "x"}
    )
    assert r.status_code == 200, r.text
    await scan(app_instance, new - timedelta(days=7))
    stages = [n["stage"] for n in await inbox(client, world, "head1")]
    assert sorted(stages) == ["T-7", "T0"]  # the new deadline's T-7 is sent again
    r = await act(client, world, "head1", h["id"], "submit", {"evidence": "已整改"})
    assert r.status_code == 200, r.text
    r = await act(client, world, "grid1", h["id"], "verify", {"passed": True})
    assert r.status_code == 200, r.text
    assert (await scan(app_instance, new)).stages["hazard"] == 0  # closed: no T0


async def test_major_overdue_three_days_escalates_to_the_office(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    deadline = today_in_shanghai() + timedelta(days=1)
    h = await planned(client, world, deadline, level="major")
    await scan(app_instance, deadline + timedelta(days=1))
    assert await inbox(client, world, "office", kind=None) == []  # +1: not yet
    await scan(app_instance, deadline + timedelta(days=3))
    [note] = await inbox(client, world, "office", kind=None)
    assert (note["kind"], note["stage"], note["object_id"]) == ("hazard_escalation", "+3", h["id"])
    assert "建议列入挂牌督办" in note["body"]
    r = await act(
        client, world, "office", h["id"], "supervise",
        {"unit": "区应急局", "due": (deadline + timedelta(days=30)).isoformat()},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    await scan(app_instance, deadline + timedelta(days=7))
    newest = (await inbox(client, world, "office", kind=None))[0]
    assert newest["stage"] == "+7"
    assert "已挂牌督办" in newest["body"]


async def test_certificate_warning_then_expiry(
    client: httpx.AsyncClient, world: World, app_instance: Any, db: AsyncSession
) -> None:
    expires = date(2027, 6, 30)
    db.add(
        Certificate(
            id=uuid.uuid4(),
            enterprise_id=world.enterprises["E1"],
            holder_name="李四",
            category="electrical",
            certificate_no="T310101",
            issued_on=date(2021, 6, 30),
            expires_on=expires,
            next_review_on=expires,
        )
    )
    await db.commit()
    assert (await scan(app_instance, expires - timedelta(days=61))).stages["certificate"] == 0
    assert (await scan(app_instance, expires - timedelta(days=60))).stages["certificate"] == 1
    assert (await scan(app_instance, expires - timedelta(days=30))).stages["certificate"] == 0
    assert (await scan(app_instance, expires + timedelta(days=1))).stages["certificate"] == 1
    notes = await inbox(client, world, "head1", kind="certificate_expiry")
    assert [n["stage"] for n in notes] == ["expired", "expiring"]
    assert len(await inbox(client, world, "grid1", kind="certificate_expiry")) == 2
    assert await inbox(client, world, "head2", kind="certificate_expiry") == []


async def test_inbox_read_one_read_all_and_foreign_404(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    deadline = today_in_shanghai() + timedelta(days=1)
    await planned(client, world, deadline)
    await scan(app_instance, deadline - timedelta(days=1))
    await scan(app_instance, deadline)
    newest, older = await inbox(client, world, "head1")
    assert (newest["stage"], older["stage"]) == ("T0", "T-1")
    r = await client.post(f"{API}/{older['id']}/read", headers=world.headers("head1"))
    assert r.status_code == 200, r.text
    assert r.json()["is_read"] is True
    assert r.json()["read_at"] is not None
    listed = await inbox(client, world, "head1")
    assert [n["stage"] for n in listed] == ["T0", "T-1"]  # unread first
    assert [n["stage"] for n in await inbox(client, world, "head1", unread="true")] == ["T0"]
    for who in ("head2", "grid1", "office"):  # grid1 has its own copy, not this one
        r = await client.post(f"{API}/{newest['id']}/read", headers=world.headers(who))
        assert r.status_code == 404, (who, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    kind = "hazard_deadline"
    page = await client.get(API, params={"limit": 1, "kind": kind}, headers=world.headers("head1"))
    assert page.json()["next_cursor"]
    nxt = await client.get(
        API, params={"limit": 1, "cursor": page.json()["next_cursor"], "kind": kind},
        headers=world.headers("head1"),
    )  # fmt: skip
    assert [n["stage"] for n in nxt.json()["items"]] == ["T-1"]
    r = await client.post(f"{API}/read-all", headers=world.headers("head1"))
    assert r.json()["updated"] >= 1
    assert await inbox(client, world, "head1", unread="true", kind=None) == []
    assert len(await inbox(client, world, "grid1", unread="true")) == 2  # untouched
    bad = await client.get(API, params={"kind": "nope"}, headers=world.headers("head1"))
    assert bad.status_code == 422
    r = await client.post(f"{API}/not-a-uuid/read", headers=world.headers("head1"))
    assert r.status_code == 422


async def test_principal_check_and_drill_due_at_30_and_7_days_left(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    """Quarterly principal-led checks (plan §三(三)4) and a yearly evacuation drill (§三(六)12):
    nothing recorded in Q4 2026 → reminders with 30 and 7 days left; a recorded drill ends
    the drill's."""
    await scan(app_instance, date(2026, 11, 30))  # 31 days left: nothing yet
    assert await inbox(client, world, "head1", kind=None) == []
    await scan(app_instance, date(2026, 12, 1))
    stages = {(n["kind"], n["stage"]) for n in await inbox(client, world, "head1", kind=None)}
    assert stages == {("principal_check_due", "check:D-30"), ("drill_due", "drill:D-30")}
    assert len(await inbox(client, world, "grid1", kind="drill_due")) == 1
    r = await client.post(
        f"/api/v1/enterprises/{world.enterprises['E1']}/drills",
        json={"held_on": "2026-12-02", "kind": "evacuation", "scenario": "火灾疏散",
              "participants": 30},
        headers=world.headers("head1"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    await scan(app_instance, date(2026, 12, 24))
    new = [n for n in await inbox(client, world, "head1", kind=None) if n["stage"].endswith("D-7")]
    assert [(n["kind"], n["stage"]) for n in new] == [("principal_check_due", "check:D-7")]
    e2 = await inbox(client, world, "head2", kind="drill_due")
    assert [n["stage"] for n in e2] == ["drill:D-7", "drill:D-30"]


async def test_log_channel_gets_each_scans_notifications(
    client: httpx.AsyncClient,
    world: World,
    app_instance: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(app_instance.state.settings, "notification_channels", ["log"])
    deadline = today_in_shanghai() + timedelta(days=1)
    await planned(client, world, deadline)
    await scan(app_instance, deadline)
    with caplog.at_level(logging.INFO, logger="zhiben.notifications"):
        await runner_for(app_instance).drain()
    lines = [r.getMessage() for r in caplog.records if r.name == "zhiben.notifications"]
    assert any(str(world.users["head1"]) in line and "T0" in line for line in lines)
    assert any(str(world.users["grid1"]) in line for line in lines)
