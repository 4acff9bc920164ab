"""Fault drill (b), issue 7: the app is killed with SIGKILL mid-load and restarted.

A client creates hazards (each with its own client `id` and `Idempotency-Key`) from several
connections; part-way through, the whole `zhiben serve --workers 2` process group gets
SIGKILL. The app is started again and *every* create is re-sent with the same id and key.

Expected: no acknowledged hazard lost; no hazard twice; no half-written hazard (each has its
history row and its audit row); the re-sends create nothing new. Prints `lost = 0`,
`duplicates = 0`, `half_written = 0` (exit 1 otherwise).

The database is a dedicated one on the local cluster (the app is killed, not PostgreSQL).

    .venv/bin/python bench/fault_kill9.py --count 400
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ADMIN_URL, Server, create_database, db_url, login, migrate, start_server  # noqa: E402
from bench.generate import generate  # noqa: E402

DB = "zhiben_drill_kill9"


@dataclass(frozen=True)
class Create:
    id: str
    key: str
    body: dict[str, Any]


@dataclass
class Round:
    statuses: Counter[int | str] = field(default_factory=Counter)
    acked: set[str] = field(default_factory=set)
    server_errors: list[str] = field(default_factory=list)


async def _send(client: httpx.AsyncClient, token: str, c: Create, rnd: Round) -> None:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": c.key}
    try:
        resp = await client.post("/api/v1/hazards", json=c.body, headers=headers)
    except httpx.HTTPError as exc:  # killed mid-request: not acknowledged
        rnd.statuses[type(exc).__name__] += 1
        return
    rnd.statuses[resp.status_code] += 1
    if resp.status_code in (200, 201):
        assert resp.json()["id"] == c.id, resp.text
        rnd.acked.add(c.id)
    elif resp.status_code >= 500:
        rnd.server_errors.append(f"{resp.status_code} {resp.text[:160]}")


async def send_all(base: str, token: str, creates: list[Create], concurrency: int) -> Round:
    rnd, queue = Round(), asyncio.Queue[Create]()
    for c in creates:
        queue.put_nowait(c)

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            while not queue.empty():
                await _send(client, token, queue.get_nowait(), rnd)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return rnd


def _kill_later(server: Server, after: float) -> None:
    time.sleep(after)
    server.kill9()
    print(f"SIGKILL sent to the server process group after {after:.1f}s", flush=True)


async def first_round(server: Server, token: str, creates: list[Create], args: Any) -> Round:
    killer = asyncio.to_thread(_kill_later, server, args.kill_after)
    rnd, _ = await asyncio.gather(send_all(server.base, token, creates, args.concurrency), killer)
    return rnd


async def _check(url: str, ids: list[str]) -> dict[str, Any]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        stored = await conn.fetch(
            "SELECT h.id::text AS id,"
            " (SELECT count(*) FROM hazard_history x WHERE x.hazard_id = h.id) AS history,"
            " (SELECT count(*) FROM audit_log a WHERE a.object_id = h.id::text) AS audit"
            " FROM hazards h WHERE h.id = ANY($1::uuid[])",
            ids,
        )
        total = await conn.fetchval("SELECT count(*) FROM hazards")
    finally:
        await conn.close()
    return {"rows": {r["id"]: (r["history"], r["audit"]) for r in stored}, "total": total}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--kill-after", type=float, default=3.0)
    ap.add_argument("--app-port", type=int, default=18780)
    args = ap.parse_args()
    asyncio.run(create_database(DB, ADMIN_URL, drop=True))
    url = db_url(DB)
    migrate(url)
    asyncio.run(generate(url, enterprises=20, hazards=0, inspections=0, grids=2))
    ent = asyncio.run(_first_enterprise(url))
    creates = [
        Create(str(uuid.uuid4()), str(uuid.uuid4()), _body(ent, i)) for i in range(args.count)
    ]
    for c in creates:
        c.body["id"] = c.id
    server = start_server(url, args.app_port, 2)
    token = login(server.base, "bench_office")
    first = asyncio.run(first_round(server, token, creates, args))
    server = start_server(url, args.app_port, 2)  # restarted after the crash
    try:
        second = asyncio.run(send_all(server.base, token, creates, args.concurrency))
    finally:
        server.stop()
    return _report(first, second, asyncio.run(_check(url, [c.id for c in creates])), len(creates))


def _body(enterprise_id: str, i: int) -> dict[str, Any]:
    return {"enterprise_id": enterprise_id, "description": f"演练隐患 {i}：配电箱未接地",
            "category": "electrical"}  # fmt: skip


async def _first_enterprise(url: str) -> str:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return str(await conn.fetchval("SELECT id::text FROM enterprises ORDER BY name LIMIT 1"))
    finally:
        await conn.close()


def _report(first: Round, second: Round, db: dict[str, Any], sent: int) -> int:
    rows = db["rows"]
    lost = [i for i in first.acked | second.acked if i not in rows]
    half = [i for i, (history, audit) in rows.items() if history < 1 or audit < 1]
    duplicates = db["total"] - len(rows)  # hazards the drill did not ask for
    summary = {
        "sent": sent,
        "before_kill": dict(first.statuses),
        "after_restart": dict(second.statuses),
        "acked_before_kill": len(first.acked),
        "stored": len(rows),
        "server_errors": (first.server_errors + second.server_errors)[:5],
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    print(f"lost = {len(lost)}, duplicates = {duplicates}, half_written = {len(half)}")
    complete = (
        len(rows) == sent and second.statuses.get(201, 0) + second.statuses.get(200, 0) == sent
    )
    print(f"every create applied exactly once after re-sending: {complete}")
    return 0 if not lost and not half and duplicates == 0 and complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
