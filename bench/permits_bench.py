"""Permits benchmark (issue 15): the street office's live view with 1,000 active permits, and
the SQL statements of the `start` transition, on PostgreSQL, one request at a time.

Builds its own small database (dropped first with --fresh): 200 enterprises in 10 grids,
1,000 active permits and 4,000 closed ones; then runs the app in-process over httpx's ASGI
transport (no network, no queueing), so the figures are the request's own cost:

    .venv/bin/python bench/permits_bench.py --db zhiben_bench_permits --fresh --runs 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.config import Settings  # noqa: E402
from app.core.security import hash_password  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Enterprise, Grid, Permit, User, UserGrid  # noqa: E402
from app.rules.permits.measures import CATALOGUES
from bench.common import ADMIN_URL, BENCH_PASSWORD, BENCH_SECRET, create_database, db_url  # noqa: E402
from bench.common import migrate as run_migrations  # noqa: E402

API = "/api/v1"


def _pct(samples: list[float]) -> dict[str, float]:
    qs = statistics.quantiles(samples, n=20, method="inclusive")
    return {
        "runs": len(samples),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(qs[18], 1),
        "max_ms": round(max(samples), 1),
    }


async def populate(app: Any, active: int, closed: int) -> None:
    now = datetime.now(UTC)
    async with app.state.sessionmaker() as s:
        grids = [Grid(id=uuid.uuid4(), name=f"网格{i}") for i in range(10)]
        s.add_all(grids)
        await s.flush()  # no ORM relationships: flush parents before children
        ents = [
            Enterprise(
                id=uuid.uuid4(),
                name=f"企业{i}",
                grid_id=grids[i % 10].id,
                tier="small",
                sector="machinery",
                features=["confined_space"],
                latitude=31.40 + i / 10000,
                longitude=121.48,
            )
            for i in range(200)
        ]
        s.add_all(ents)
        await s.flush()
        pw = hash_password(BENCH_PASSWORD)
        office = User(
            id=uuid.uuid4(),
            username="pb_office",
            password_hash=pw,
            role="street_office",
            is_active=True,
        )
        grid = User(
            id=uuid.uuid4(), username="pb_grid", password_hash=pw, role="grid_staff", is_active=True
        )
        head = User(
            id=uuid.uuid4(),
            username="pb_head",
            password_hash=pw,
            role="enterprise_head",
            enterprise_id=ents[0].id,
            is_active=True,
        )
        approver = User(
            id=uuid.uuid4(),
            username="pb_approver",
            password_hash=pw,
            role="enterprise_head",
            enterprise_id=ents[0].id,
            is_active=True,
        )
        s.add_all([office, grid, head, approver])
        await s.flush()
        s.add(UserGrid(user_id=grid.id, grid_id=grids[0].id))
        for i in range(active + closed):
            types = ("hot_work", "work_at_height", "confined_space")
            s.add(
                Permit(
                    enterprise_id=ents[i % 200].id,
                    permit_no=f"DH-2026-{i:05d}",
                    type=types[i % 3],
                    grade=("level2", "II", None)[i % 3],
                    location="车间",
                    work_content="检修",
                    planned_start=now,
                    planned_end=now + timedelta(hours=8),
                    valid_from=now - timedelta(hours=1),
                    valid_to=now + timedelta(hours=7),
                    status="active" if i < active else "closed",
                    rules_version="bench",
                    started_at=now,
                )
            )
        await s.commit()


async def _login(client: httpx.AsyncClient, user: str) -> dict[str, str]:
    resp = await client.post(
        f"{API}/auth/token", data={"username": user, "password": BENCH_PASSWORD}
    )
    resp.raise_for_status()
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


async def _walk_live(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    """Every page of the live view (100 a page): what a map client loads."""
    n, cursor = 0, None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        r = await client.get(f"{API}/permits/live", params=params, headers=headers)
        r.raise_for_status()
        n += len(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if not cursor:
            return n


async def _timed(samples: list[float], coro: Any) -> Any:
    t0 = time.perf_counter()
    out = await coro
    samples.append((time.perf_counter() - t0) * 1000)
    return out


async def _approved_confined(client: httpx.AsyncClient, h: dict[str, str], ent: str) -> str:
    """A confined-space permit approved and ready to start (guardian, ventilation, test)."""
    space = (
        await client.post(
            f"{API}/enterprises/{ent}/confined-spaces",
            json={"name": "池", "location": "东"},
            headers=h["head"],
        )
    ).json()
    now = datetime.now(UTC)
    body = {
        "enterprise_id": ent,
        "type": "confined_space",
        "location": "东",
        "work_content": "清淤",
        "planned_start": now.isoformat(),
        "confined_space_id": space["id"],
    }
    pid = (await client.post(f"{API}/permits", json=body, headers=h["head"])).json()["id"]
    measures = [
        ("measures", {"code": m.code, "involved": True, "confirmed_by": "甲"}, "head")
        for m in CATALOGUES["confined_space"]
    ]
    steps = [
        *measures,
        ("submit", {}, "head"),
        ("sign", {"on_site": True}, "approver"),
        ("people", {"role": "guardian", "name": "监护人", "checked_in": True}, "head"),
        (
            "ventilation",
            {"method": "mechanical", "started_at": (now - timedelta(minutes=10)).isoformat()},
            "head",
        ),
        (
            "gas-tests",
            {
                "sampled_at": now.isoformat(),
                "analyst": "甲",
                "readings": [{"gas": "O2", "value": 20.9, "unit": "vol_pct"}],
            },
            "head",
        ),
    ]
    for step, payload, who in steps:
        r = await client.post(f"{API}/permits/{pid}/{step}", json=payload, headers=h[who])
        assert r.status_code in (200, 201), r.text
    return str(pid)


async def bench(url: str, runs: int, active: int, closed: int) -> dict[str, Any]:
    settings = Settings(database_url=url, secret_key=BENCH_SECRET, log_level="WARNING")
    app = create_app(settings)
    await populate(app, active, closed)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
    try:
        h = {u: await _login(client, f"pb_{u}") for u in ("office", "grid", "head", "approver")}
        figures: dict[str, Any] = {}
        for who in ("office", "grid"):
            first: list[float] = []
            walk: list[float] = []
            for _ in range(runs + 1):
                await _timed(
                    first, client.get(f"{API}/permits/live", params={"limit": 100}, headers=h[who])
                )
                seen = await _timed(walk, _walk_live(client, h[who]))
            figures[f"live_{who}_first_page"] = _pct(first[1:])
            figures[f"live_{who}_all_pages"] = _pct(walk[1:]) | {"permits": seen}
        figures |= await _start_statements(app, client, h, runs)
        return figures
    finally:
        await client.aclose()
        await app.state.engine.dispose()


async def _start_statements(
    app: Any, client: httpx.AsyncClient, h: dict[str, dict[str, str]], runs: int
) -> dict[str, Any]:
    me = (await client.get(f"{API}/auth/me", headers=h["head"])).json()
    ent = me["enterprise_id"]
    office, approver = (
        h["office"],
        (await client.get(f"{API}/auth/me", headers=h["approver"])).json(),
    )
    grant = {
        "enterprise_id": ent,
        "grantee_id": me["id"],
        "duty": "principal",
        "valid_from": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "valid_to": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
    }
    assert (await client.post(f"{API}/delegations", json=grant, headers=office)).status_code == 201
    grant |= {"grantee_id": approver["id"], "duty": "dept_head"}
    assert (
        await client.post(f"{API}/delegations", json=grant, headers=h["head"])
    ).status_code == 201
    counts: list[int] = []
    times: list[float] = []
    statements: list[str] = []

    def count(_c: Any, _cur: Any, stmt: str, *_a: Any) -> None:
        statements.append(stmt)

    for _ in range(max(3, runs // 3)):
        pid = await _approved_confined(client, h, ent)
        statements.clear()
        event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
        try:
            r = await _timed(
                times, client.post(f"{API}/permits/{pid}/start", json={}, headers=h["head"])
            )
        finally:
            event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)
        assert r.status_code == 200, r.text
        counts.append(len(statements))
    listed = [" ".join(st.split())[:70] for st in statements]
    return {
        "start": _pct(times)
        | {"statements": counts[-1], "statement_counts": sorted(set(counts)), "sql": listed}
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench_permits")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--fresh", action="store_true", help="drop and re-create the database")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--active", type=int, default=1000)
    ap.add_argument("--closed", type=int, default=4000)
    args = ap.parse_args()
    url = db_url(args.db, args.admin_url)
    asyncio.run(create_database(args.db, args.admin_url, drop=args.fresh))
    run_migrations(url)
    figures = asyncio.run(bench(url, args.runs, args.active, args.closed))
    print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
