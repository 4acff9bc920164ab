"""Issue 11 regression guard, not timed: the SQL statements a request sends, counted on the
engine (`before_cursor_execute`), on both databases. An N+1 or an extra round trip on the
hot paths fails here. BEGIN/COMMIT are driver calls, not cursor statements, and are not
counted; with `pool_pre_ping` back on, PostgreSQL would show one more statement per request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine.default import CACHE_HIT

from tests.api.hazard_helpers import PLAN_GENERAL, act, new_hazard, tomorrow
from tests.conftest import World

API = "/api/v1"


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def per_dialect(app: Any, *, postgresql: int, sqlite: int) -> int:
    name = app.state.engine.dialect.name
    return {"postgresql": postgresql, "sqlite": sqlite}[name]


async def _count(app: Any, send: Any) -> tuple[httpx.Response, list[str]]:
    with statements(app) as seen:
        resp = await send()
    return resp, list(seen)


@pytest.mark.parametrize("who", ["office", "head1", "grid1", "dashboard"])
async def test_auth_me_is_one_statement(
    client: httpx.AsyncClient, world: World, app_instance: Any, who: str
) -> None:
    """The actor (user + login session + grids) is one statement, and /auth/me adds none."""
    await client.get(f"{API}/auth/me", headers=world.headers(who))  # warm
    resp, seen = await _count(
        app_instance, lambda: client.get(f"{API}/auth/me", headers=world.headers(who))
    )
    assert resp.status_code == 200, resp.text
    assert len(seen) == 1, seen


async def test_hazard_read_is_actor_and_hazard(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    h = await new_hazard(client, world, "office")
    url = f"{API}/hazards/{h['id']}"
    resp, seen = await _count(app_instance, lambda: client.get(url, headers=world.headers("head1")))
    assert resp.status_code == 200, resp.text
    assert len(seen) == 2, seen  # actor, the hazard (scoped) with its photos folded in


@pytest.mark.parametrize("who", ["office", "head1", "grid1"])
async def test_hazard_list_page_does_not_grow_with_rows(
    client: httpx.AsyncClient, world: World, app_instance: Any, who: str
) -> None:
    for _ in range(6):
        await new_hazard(client, world, "office")
    url = f"{API}/hazards?limit=5"
    resp, seen = await _count(app_instance, lambda: client.get(url, headers=world.headers(who)))
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["items"]) == 5
    assert resp.json()["next_cursor"]
    assert len(seen) == 2, seen  # actor, the page (each row carries its photos)


async def test_dashboard_list_adds_one_statement_for_names(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    for ent in ("E1", "E2", "E1"):
        await new_hazard(client, world, "office", ent)
    url = f"{API}/hazards?limit=50"
    resp, seen = await _count(
        app_instance, lambda: client.get(url, headers=world.headers("dashboard"))
    )
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["items"]) == 3
    assert len(seen) == 3, seen  # actor, page (photos folded in), enterprise names (one IN)


async def test_checklist_statement_count(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    url = f"{API}/enterprises/{world.enterprises['E1']}/checklist"
    await client.get(url, headers=world.headers("head1"))  # the standard's items get cached
    resp, seen = await _count(app_instance, lambda: client.get(url, headers=world.headers("head1")))
    assert resp.status_code == 200, resp.text
    # actor, then the enterprise (scoped) with the current standard's version (its items are
    # cached in the process by version, so a new standard is read at once)
    assert len(seen) == 2, seen


async def test_plan_transition_statement_count(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    h = await new_hazard(client, world, "office")
    url = f"{API}/hazards/{h['id']}/plan"
    body = {**PLAN_GENERAL, "deadline": tomorrow()}
    resp, seen = await _count(
        app_instance, lambda: client.post(url, json=body, headers=world.headers("head1"))
    )
    assert resp.status_code == 200, resp.text
    # actor; the hazard FOR UPDATE with its enterprise's grid (for the event); the rollup's
    # read of the old cells; UPDATE; the rollup's cells; change feed; audit; outbox; history
    # (its seq computed inside the INSERT); photos of the answer. The rollup's cells are ONE
    # statement on PostgreSQL (every table's UPSERT as a data-modifying CTE) and one per
    # touched table on SQLite (tally, deadline day, deadline month).
    # Issue 11: 16 → 14 (no read-back of the new cells), then → 10 / 12 (one rollup
    # statement, seq in the INSERT, the grid read with the lock); one more fails here.
    assert len(seen) == per_dialect(app_instance, postgresql=10, sqlite=12), seen


async def test_submit_transition_statement_count(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    h = await new_hazard(client, world, "office")
    plan = {**PLAN_GENERAL, "deadline": tomorrow()}
    r = await act(client, world, "head1", h["id"], "plan", plan)
    assert r.status_code == 200, r.text
    url = f"{API}/hazards/{h['id']}/submit"
    resp, seen = await _count(
        app_instance,
        lambda: client.post(url, json={"evidence": "已更换"}, headers=world.headers("head1")),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "pending_verification"
    # As the plan: the tally move and the deadline counters leaving the overdue states.
    assert len(seen) == per_dialect(app_instance, postgresql=10, sqlite=12), seen


async def test_hazard_create_statement_count(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "source": "grid_patrol",
        "description": "配电箱门未关",
        "category": "electrical",
        "level": "general",
    }
    resp, seen = await _count(
        app_instance,
        lambda: client.post(f"{API}/hazards", json=body, headers=world.headers("office")),
    )
    assert resp.status_code == 201, resp.text
    # actor; the enterprise (scoped); the current standard; ledger number; SAVEPOINT; INSERT;
    # the rollup's read of the new hazard's cells (its enterprise's grid and sector, read in
    # the flush rather than trusted from a loaded object that may be stale); the rollup's
    # cells (PostgreSQL: one statement; SQLite: tally, then both facets); change feed;
    # RELEASE; audit; outbox; history (seq inside its INSERT); photos of the answer. The
    # event's grid comes from the enterprise already loaded. Issue 11: 17 → 14 / 15.
    assert len(seen) == per_dialect(app_instance, postgresql=14, sqlite=15), seen


@pytest.mark.parametrize("who", ["office", "dashboard", "grid1", "head1"])
async def test_targets_statement_count(
    client: httpx.AsyncClient, world: World, app_instance: Any, who: str
) -> None:
    """Issue 11: /stats/targets read ~20 statements (nine counts over the same enterprises);
    its counts are now one statement (app/services/stats/targets_facts.py)."""
    url = f"{API}/stats/targets?year=2026"
    await client.get(url, headers=world.headers(who))  # warm
    resp, seen = await _count(app_instance, lambda: client.get(url, headers=world.headers(who)))
    if who in ("grid1", "head1"):  # no statistics for these roles
        assert resp.status_code == 403, resp.text
        assert len(seen) == 1, seen  # the actor only
        return
    assert resp.status_code == 200, resp.text
    # actor; every count (enterprises, principal checks from principal_check_months, 五带头,
    # trainings, drills, major hazards); the accidents lacking a follow-up (a list); the
    # year's priority tasks (none here; each task with a target adds its progress reads).
    assert len(seen) == 4, seen


async def test_hot_writes_compile_nothing_once_warm(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    """A statement built per request with its values inlined (`.values([...])`) has no
    cache key and is compiled on every request: the rollups' UPSERTs were (issue 11: 7 % of
    the plan's CPU). Once each kind of write has run, repeating it must take every statement
    from the engine's compiled cache."""
    plan = {**PLAN_GENERAL, "deadline": tomorrow()}
    misses: list[str] = []

    def check(_conn: Any, _cursor: Any, sql: str, _params: Any, context: Any, _many: Any) -> None:
        savepoint = sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))  # plain strings
        if context.cache_hit is not CACHE_HIT and not savepoint:
            misses.append(f"{context.cache_hit}: {sql[:120]}")

    async def round_of_writes() -> None:
        h = await new_hazard(client, world, "office")
        assert (await act(client, world, "head1", h["id"], "plan", plan)).status_code == 200
        submit = await act(client, world, "head1", h["id"], "submit", {"evidence": "已更换"})
        assert submit.status_code == 200, submit.text

    await round_of_writes()
    await round_of_writes()
    engine = app_instance.state.engine.sync_engine
    event.listen(engine, "after_cursor_execute", check)
    try:
        await round_of_writes()
    finally:
        event.remove(engine, "after_cursor_execute", check)
    assert misses == []


@pytest.mark.parametrize("who", ["office", "dashboard"])
async def test_overview_statement_count(
    client: httpx.AsyncClient, world: World, app_instance: Any, who: str
) -> None:
    """Issue 11: the overview is a fixed handful of statements whatever the ledger's size; its
    tallies are summed in SQL (one UNION), not read cell by cell."""
    for _ in range(3):
        await new_hazard(client, world, "office")
    url = f"{API}/stats/overview"
    await client.get(url, headers=world.headers(who))  # warm
    resp, seen = await _count(app_instance, lambda: client.get(url, headers=world.headers(who)))
    assert resp.status_code == 200, resp.text
    # actor; tallies (one UNION of cells, status, level, source, category); overdue; closed
    # this year; enterprises per (grid, sector); the medians with nothing closed yet: on
    # PostgreSQL the close-span histogram (no probe), on SQLite the ledger's count per level.
    assert len(seen) == per_dialect(app_instance, postgresql=6, sqlite=7), seen
