"""Drills, trainings and special-operations certificates through the API (issue 6)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.rules.calendar import today_in_shanghai
from app.rules.idcard import id_check_char
from tests.conftest import World, assert_problem

FIRST17 = "11010519491231002"
VALID_ID = FIRST17 + id_check_char(FIRST17)
WRONG_CHECK = FIRST17 + ("0" if VALID_ID[-1] != "0" else "1")


def _url(world: World, ent: str, kind: str) -> str:
    return f"/api/v1/enterprises/{world.enterprises[ent]}/{kind}"


def drill_body(**kw: Any) -> dict[str, Any]:
    body = {
        "held_on": "2025-06-01",
        "kind": "evacuation",
        "scenario": "车间火灾疏散",
        "participants": 30,
    }
    return body | kw


def training_body(**kw: Any) -> dict[str, Any]:
    body = {
        "person_name": "张三",
        "person_role": "principal",
        "topic": "principal_special",
        "hours": 32,
        "completed_on": "2025-03-02",
    }
    return body | kw


def cert_body(**kw: Any) -> dict[str, Any]:
    today = today_in_shanghai()
    body = {
        "holder_name": "李四",
        "id_number": VALID_ID,
        "category": "electrical",
        "operation": "低压电工作业",
        "certificate_no": "T110105194912310021",
        "issued_on": (today - timedelta(days=400)).isoformat(),
        "expires_on": (today + timedelta(days=1000)).isoformat(),
    }
    return body | kw


@pytest.mark.parametrize(
    ("kind", "make"),
    [("drills", drill_body), ("trainings", training_body), ("certificates", cert_body)],
)
async def test_create_read_list_and_scope(
    client: httpx.AsyncClient, world: World, kind: str, make: Any
) -> None:
    url = _url(world, "E1", kind)
    created = await client.post(url, json=make(), headers=world.headers("head1"))
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assert created.json()["enterprise_id"] == str(world.enterprises["E1"])
    # Office may write any enterprise's records too.
    assert (await client.post(url, json=make(), headers=world.headers("office"))).status_code == 201
    for who in ("head1", "grid1", "office"):
        one = await client.get(f"{url}/{rid}", headers=world.headers(who))
        assert one.status_code == 200, (who, one.text)
        listed = await client.get(url, headers=world.headers(who))
        assert len(listed.json()["items"]) == 2
    # Foreign enterprise or grid → 404; the same record under another enterprise's path → 404.
    for who in ("head2", "grid2"):
        assert_problem(await client.get(url, headers=world.headers(who)), 404)
        assert_problem(await client.get(f"{url}/{rid}", headers=world.headers(who)), 404)
    assert_problem(
        await client.get(f"{_url(world, 'E2', kind)}/{rid}", headers=world.headers("office")), 404
    )
    assert_problem(await client.post(url, json=make(), headers=world.headers("head2")), 404)
    # Grid staff read but never write; the dashboard reads no enterprise record.
    assert_problem(await client.post(url, json=make(), headers=world.headers("grid1")), 403)
    assert_problem(await client.get(url, headers=world.headers("dashboard")), 403)
    assert_problem(await client.get(f"{url}/{rid}", headers=world.headers("dashboard")), 403)
    assert_problem(await client.get(url), 401)


@pytest.mark.parametrize(
    ("kind", "make"),
    [("drills", drill_body), ("trainings", training_body), ("certificates", cert_body)],
)
async def test_client_id_replay(
    client: httpx.AsyncClient, world: World, kind: str, make: Any
) -> None:
    url = _url(world, "E1", kind)
    body = make(id=str(uuid.uuid4()))
    first = await client.post(url, json=body, headers=world.headers("head1"))
    assert first.status_code == 201
    again = await client.post(url, json=body, headers=world.headers("head1"))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert len((await client.get(url, headers=world.headers("head1"))).json()["items"]) == 1
    changed = dict(body)
    key = {"drills": "scenario", "trainings": "person_name", "certificates": "certificate_no"}[kind]
    changed[key] = "另一个"
    assert_problem(await client.post(url, json=changed, headers=world.headers("head1")), 409)


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("drills", drill_body(participants=0), "participants"),
        ("drills", drill_body(kind="fire"), "kind"),
        ("drills", drill_body(scenario="a\x00b"), "scenario"),
        ("drills", drill_body(extra=1), "extra"),
        ("trainings", training_body(hours=0), "hours"),
        ("trainings", training_body(topic="x"), "topic"),
        ("trainings", training_body(person_role="boss"), "person_role"),
        ("certificates", cert_body(category="forklift"), "category"),
        ("certificates", cert_body(id_number=WRONG_CHECK), "id_number"),
        ("certificates", cert_body(id_number="11010519491331002X"), "id_number"),
        ("certificates", cert_body(id_number="123"), "id_number"),
        ("certificates", cert_body(expires_on="2000-01-01"), "expires_on"),
    ],
)
async def test_bad_input(
    client: httpx.AsyncClient, world: World, kind: str, body: dict[str, Any], field: str
) -> None:
    resp = await client.post(_url(world, "E1", kind), json=body, headers=world.headers("head1"))
    problem = assert_problem(resp, 422)
    assert any(e["loc"][-1] == field for e in problem["errors"]), problem  # type: ignore[attr-defined]


async def test_id_check_digit_lower_x_accepted(client: httpx.AsyncClient, world: World) -> None:
    first17 = next(
        f"110105199001011{n:02d}"
        for n in range(100)
        if id_check_char(f"110105199001011{n:02d}") == "X"
    )
    resp = await client.post(
        _url(world, "E1", "certificates"),
        json=cert_body(id_number=first17 + "x"),
        headers=world.headers("office"),
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["id_number"] == first17 + "X"


async def test_id_number_masked_except_for_office(client: httpx.AsyncClient, world: World) -> None:
    url = _url(world, "E1", "certificates")
    rid = (await client.post(url, json=cert_body(), headers=world.headers("head1"))).json()["id"]
    masked = VALID_ID[:6] + "********" + VALID_ID[-4:]
    for who, expected in (("office", VALID_ID), ("head1", masked), ("grid1", masked)):
        one = (await client.get(f"{url}/{rid}", headers=world.headers(who))).json()
        assert one["id_number"] == expected, who
        listed = (await client.get(url, headers=world.headers(who))).json()["items"]
        assert listed[0]["id_number"] == expected, who
    # The creator who is not the office already gets the masked form back.
    resp = await client.post(url, json=cert_body(), headers=world.headers("head1"))
    assert resp.json()["id_number"] == masked
    no_id = await client.post(url, json=cert_body(id_number=None), headers=world.headers("head1"))
    assert no_id.json()["id_number"] is None


async def test_certificate_status_by_date(client: httpx.AsyncClient, world: World) -> None:
    """First match wins: expired, review_due, expiring (60 days, inclusive), valid."""
    today = today_in_shanghai()
    d = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    long_ago = d(-2000)
    cases = {
        "expired_yesterday": ({"expires_on": d(-1), "next_review_on": d(500)}, "expired"),
        # Both lapsed: expired only (first match wins), in the status and in every filter.
        "expired_and_review_past": ({"expires_on": d(-1), "next_review_on": d(-30)}, "expired"),
        "expires_today": ({"expires_on": d(0), "next_review_on": d(500)}, "expiring"),
        "review_due": ({"expires_on": d(500), "next_review_on": d(-1)}, "review_due"),
        "review_today": ({"expires_on": d(500), "next_review_on": d(0)}, "expiring"),
        "expiry_at_60": ({"expires_on": d(60), "next_review_on": d(500)}, "expiring"),
        "expiry_at_61": ({"expires_on": d(61), "next_review_on": d(500)}, "valid"),
        "review_at_60": ({"expires_on": d(500), "next_review_on": d(60)}, "expiring"),
        "review_at_61": ({"expires_on": d(500), "next_review_on": d(61)}, "valid"),
    }
    url = _url(world, "E1", "certificates")
    ids: dict[str, str] = {}
    for name, (dates, status) in cases.items():
        resp = await client.post(
            url,
            json=cert_body(certificate_no=name, issued_on=long_ago, **dates),
            headers=world.headers("head1"),
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["status"] == status, name
        ids[name] = resp.json()["id"]
    for status in ("expired", "review_due", "expiring", "valid"):
        listed = await client.get(url, params={"status": status}, headers=world.headers("head1"))
        got = {c["certificate_no"] for c in listed.json()["items"]}
        assert got == {n for n, (_, s) in cases.items() if s == status}, status


async def test_next_review_defaults_to_issue_plus_three_years(
    client: httpx.AsyncClient, world: World
) -> None:
    url = _url(world, "E1", "certificates")
    body = cert_body(issued_on="2024-02-29", expires_on="2030-02-28")
    resp = await client.post(url, json=body, headers=world.headers("head1"))
    assert resp.json()["next_review_on"] == "2027-02-28"
    body = cert_body(issued_on="2023-05-10", expires_on="2029-05-10", next_review_on="2029-05-10")
    resp = await client.post(url, json=body, headers=world.headers("head1"))
    assert resp.json()["next_review_on"] == "2029-05-10"


async def test_keyset_pages_and_filters(client: httpx.AsyncClient, world: World) -> None:
    url = _url(world, "E1", "drills")
    for i in range(5):
        body = drill_body(held_on=f"2025-0{i + 1}-15", kind="evacuation" if i % 2 else "tabletop")
        await client.post(url, json=body, headers=world.headers("head1"))
    await client.post(url, json=drill_body(held_on="2024-12-31"), headers=world.headers("head1"))
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "year": 2025}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(url, params=params, headers=world.headers("head1"))).json()
        seen += [d["held_on"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == 5
    kinds = await client.get(url, params={"kind": "evacuation"}, headers=world.headers("head1"))
    assert {d["held_on"] for d in kinds.json()["items"]} == {
        "2025-02-15",
        "2025-04-15",
        "2024-12-31",
    }
    assert_problem(
        await client.get(url, params={"cursor": "!!"}, headers=world.headers("head1")), 422
    )


async def test_unknown_enterprise_404(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/enterprises/{uuid.uuid4()}/drills"
    assert_problem(await client.post(url, json=drill_body(), headers=world.headers("office")), 404)


async def test_only_office_records_its_observation(client: httpx.AsyncClient, world: World) -> None:
    url = _url(world, "E1", "drills")
    body = drill_body(observed_by_street_office=True)
    assert_problem(
        await client.post(url, json=body, headers=world.headers("head1")),
        403,
        "observation_office_only",
    )
    listed = await client.get(url, headers=world.headers("head1"))
    assert listed.json()["items"] == []
    resp = await client.post(url, json=body, headers=world.headers("office"))
    assert resp.status_code == 201
    assert resp.json()["observed_by_street_office"] is True
