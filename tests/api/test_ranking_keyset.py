"""Issue 11: GET /stats/ranking pages by keyset in SQL. The walk of small pages equals one
big page and the order Python `evaluate` gives (sorted here), ties broken by id, ranks the
position in the whole ordering; a tampered cursor is refused; each scope ranks its own
enterprises; when the SQL key and Python disagree the row shows Python's codes."""

from __future__ import annotations

import importlib
import logging
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.user import Role
from app.rules.compliance import Check
from app.services.policy import Actor
from tests.conftest import World, assert_problem
from tests.services.unmet_world import MONTHLY, Ent, closed_year, python_unmet, store

ranking_service = importlib.import_module("app.services.stats.ranking")
YEAR = 2025
MAJOR = {"level": "major", "status": "rectifying", "found_at": "2025-05-01T10:00:00+08:00"}
BARE: dict[str, Any] = {"principal": None, "drills": [], "checks": [], "trainings": []}

# Names in code-point order "Zeta" < "alpha" < "Ä" < "中文" (a linguistic collation would not
# agree); three enterprises share a name and their counts (ties broken by id).
WORLD: dict[str, tuple[str, Ent]] = {
    "clean": ("alpha", Ent()),
    "clean_z": ("Zeta", Ent()),
    "clean_umlaut": ("Ä", Ent()),
    "clean_cjk": ("中文", Ent()),
    "twin1": ("同名企业", Ent(**BARE)),
    "twin2": ("同名企业", Ent(**BARE)),
    "twin3": ("同名企业", Ent(**BARE)),
    "overdue2": (
        "同名企业",
        Ent(**{**BARE, "hazards": [{**MAJOR, "deadline": date(2025, 3, 1)}] * 2}),
    ),
    "smelting_gap": (
        "冶炼",
        Ent(features=["metal_smelting"], checks=[(t, True) for t in MONTHLY[1:]]),
    ),
    "general_overdue": (
        "alpha",
        Ent(hazards=[{**MAJOR, "level": "general", "deadline": date(2025, 1, 1)}]),
    ),
    "g2_clean": ("乙", Ent()),
    "g2_bare": ("甲", Ent(**BARE)),
}


@pytest.fixture
async def ranked_world(db: AsyncSession, world: World) -> World:
    for key, (name, ent) in WORLD.items():
        ent.name = name
        await store(db, world, key, ent, grid="G2" if key.startswith("g2") else "G1")
    return world


async def _page(
    client: httpx.AsyncClient, world: World, limit: int, cursor: str | None = None
) -> dict[str, Any]:
    params: dict[str, Any] = {"year": YEAR, "limit": limit}
    if cursor:
        params["cursor"] = cursor
    resp = await client.get("/api/v1/stats/ranking", params=params, headers=world.headers("office"))
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def _walk(client: httpx.AsyncClient, world: World, limit: int) -> list[dict[str, Any]]:
    items, cursor = [], None
    for _ in range(100):
        body = await _page(client, world, limit, cursor)
        assert len(body["items"]) <= limit
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the walk does not end")


async def test_walks_equal_one_page_and_pythons_order(
    client: httpx.AsyncClient, ranked_world: World, db: AsyncSession, caplog: Any
) -> None:
    world = ranked_world
    caplog.set_level(logging.WARNING, logger="zhiben.stats")
    whole = await _page(client, world, 100)
    assert whole["next_cursor"] is None
    assert whole["evaluated_on"] == "2025-12-31"
    items = whole["items"]
    for limit in (1, 2, 5):
        assert await _walk(client, world, limit) == items, limit
    # The order today's code gave: every enterprise evaluated in Python, sorted.
    on, live = closed_year(YEAR)
    py = await python_unmet(db, year=YEAR, on=on, live=live, settings=world.settings)
    names = {world.enterprises[k]: n for k, (n, _) in WORLD.items()}
    names |= {world.enterprises[k]: f"测试企业{k}" for k in ("E1", "E2")}
    want = sorted(py, key=lambda e: (-len(py[e]["unmet"]), -py[e]["overdue"], names[e], str(e)))
    assert [i["enterprise_id"] for i in items] == [str(e) for e in want]
    assert [i["rank"] for i in items] == list(range(1, len(want) + 1))
    for i in items:
        eid = uuid.UUID(i["enterprise_id"])
        assert i["unmet_codes"] == py[eid]["unmet"]
        assert i["unmet_count"] == len(py[eid]["unmet"])
        assert i["overdue_hazards"] == py[eid]["overdue"]
    by_key = {k: next(i for i in items if i["enterprise_id"] == str(v)) for k, v in
              world.enterprises.items() if k in WORLD}  # fmt: skip
    # Written out: bare = 5 unmet; two overdue major hazards add major_overdue and
    # major_zero (7) and lead; the twins follow by id; the clean ones by code point.
    assert (by_key["overdue2"]["unmet_count"], by_key["overdue2"]["rank"]) == (7, 1)
    twins = sorted(str(world.enterprises[k]) for k in ("twin1", "twin2", "twin3"))
    assert [i["enterprise_id"] for i in items[1:4]] == twins
    assert [i["unmet_count"] for i in items[1:4]] == [5, 5, 5]
    assert by_key["smelting_gap"]["unmet_codes"] == ["principal_checks"]
    # None unmet: the one with an overdue general hazard first, then code-point order.
    clean = [i["enterprise_name"] for i in items if i["unmet_count"] == 0]
    assert clean == ["alpha", "Zeta", "alpha", "Ä", "中文", "乙"]
    assert items[-6]["enterprise_id"] == str(world.enterprises["general_overdue"])
    assert not [r for r in caplog.records if r.name == "zhiben.stats"]


async def test_tampered_or_foreign_cursor_is_refused(
    client: httpx.AsyncClient, ranked_world: World
) -> None:
    world = ranked_world
    first = await _page(client, world, 2)
    cursor = first["next_cursor"]
    payload, _, mac = cursor.partition(".")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    hazards = await client.get(
        "/api/v1/hazards", params={"limit": 1}, headers=world.headers("office")
    )
    foreign = hazards.json()["next_cursor"]
    assert foreign
    for bad in (f"{flipped}.{mac}", f"{payload}.{mac[:-1]}", "garbage", foreign):
        resp = await client.get(
            "/api/v1/stats/ranking",
            params={"year": YEAR, "limit": 2, "cursor": bad},
            headers=world.headers("office"),
        )
        assert_problem(resp, 422, "invalid_cursor")


def _actor(role: Role, **kw: Any) -> Actor:
    return Actor(user_id=uuid.uuid4(), username="t", role=role, **kw)


async def test_each_scope_ranks_its_own(
    client: httpx.AsyncClient, ranked_world: World, db: AsyncSession, monkeypatch: Any
) -> None:
    world = ranked_world
    monkeypatch.setattr(ranking_service, "authorize", lambda _actor: None)
    g2 = _actor(Role.grid_staff, grid_ids=frozenset({world.grids["G2"]}))
    head = _actor(Role.enterprise_head, enterprise_id=world.enterprises["smelting_gap"])
    for actor, keys in (
        (g2, ["E2", "g2_bare", "g2_clean"]),
        (head, ["smelting_gap"]),
    ):
        items, cursor = [], None
        while True:
            body = await ranking_service.ranking(
                db, actor=actor, year=YEAR, settings=world.settings, limit=1, cursor=cursor
            )
            items += body["items"]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert [i["enterprise_id"] for i in items] == [world.enterprises[k] for k in keys]
        assert [i["rank"] for i in items] == list(range(1, len(keys) + 1))
    dash = (await client.get(
        "/api/v1/stats/ranking", params={"year": YEAR, "limit": 100},
        headers=world.headers("dashboard"),
    )).json()  # fmt: skip
    office = await _page(client, world, 100)
    assert dash["items"] == office["items"]


async def test_python_decides_what_a_row_shows(
    client: httpx.AsyncClient, ranked_world: World, monkeypatch: Any, caplog: Any
) -> None:
    """A row whose SQL key and Python evaluation disagree keeps its place and shows
    Python's codes, and the disagreement is logged."""
    world = ranked_world
    real = ranking_service.evaluate
    target = world.enterprises["clean_cjk"]

    def evaluate(ent: Any, facts: Any, **kw: Any) -> list[Check]:
        checks = real(ent, facts, **kw)
        if ent.id == target:
            checks[0] = Check("evacuation_drill", False, "模拟", "")
        return checks

    before = (await _page(client, world, 100))["items"]
    monkeypatch.setattr(ranking_service, "evaluate", evaluate)
    caplog.set_level(logging.WARNING, logger="zhiben.stats")
    after = (await _page(client, world, 100))["items"]
    assert [i["enterprise_id"] for i in after] == [i["enterprise_id"] for i in before]
    row = next(i for i in after if i["enterprise_id"] == str(target))
    assert (row["unmet_count"], row["unmet_codes"]) == (1, ["evacuation_drill"])
    logged = [r.getMessage() for r in caplog.records if r.name == "zhiben.stats"]
    assert len(logged) == 1
    assert str(target) in logged[0]


async def test_a_page_beyond_the_id_list_reads_the_scope(
    client: httpx.AsyncClient, ranked_world: World, monkeypatch: Any
) -> None:
    """The bulletin asks for every row at once: past `_ID_LIST_MAX` ids the page's facts are
    gathered for the whole scope, with the same body."""
    world = ranked_world
    listed = await _page(client, world, 100)
    monkeypatch.setattr(ranking_service, "_ID_LIST_MAX", 1)
    assert await _page(client, world, 100) == listed
