"""Read benchmark (issue 11): the CPU, statements and Python calls of the authenticated GETs
of the load mix (`/healthz` as the bare reference, `/auth/me`, a hazard read, the four hazard
lists, a checklist), one request at a time, in-process over httpx's ASGI transport: the
server's own cost without wrk, the network or queueing.

Per endpoint: process CPU per request (`time.process_time`, the httpx client included; the
least and the median over batches of 30), statements per request (engine
`before_cursor_execute`), and Python function calls per request under cProfile — the same for
the same code path however busy the machine is, so the steadiest A/B figure on a shared box.
The "ratio" column is `/healthz`'s least CPU over the endpoint's: what a CPU-bound server's
req/s ratio would be, without wrk's own share of the cores.
ZHIBEN_BENCH_ROOT=<checkout> runs another checkout's `app`, so two trees can alternate:

    for i in 1 2; do
      ZHIBEN_BENCH_ROOT=/work/wt/base .venv/bin/python bench/read_bench.py --db b
      .venv/bin/python bench/read_bench.py --db b
    done
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ADMIN_URL, db_url  # noqa: E402
from bench.inprocess import in_process  # noqa: E402

API = "/api/v1"
BATCH = 30


async def _ids(url: str) -> dict[str, list[str]]:
    conn = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=10)
    try:
        q = {
            "hazards": "SELECT id::text FROM hazards ORDER BY found_at DESC LIMIT 300",
            "enterprises": "SELECT id::text FROM enterprises ORDER BY id LIMIT 300",
            "grid": "SELECT grid_id::text FROM enterprises GROUP BY grid_id"
            " ORDER BY count(*) DESC, grid_id LIMIT 1",
        }
        return {k: [r[0] for r in await conn.fetch(sql)] for k, sql in q.items()}
    finally:
        await conn.close()


def endpoints(ids: dict[str, list[str]]) -> dict[str, tuple[str, list[str]]]:
    """name → (user, paths to cycle through); the same shapes as load.py's mix."""
    grid = ids["grid"][0]
    return {
        "healthz": ("bench_office", ["/healthz"]),
        "auth_me": ("bench_office", [f"{API}/auth/me"]),
        "hazard_read": ("bench_office", [f"{API}/hazards/{h}" for h in ids["hazards"]]),
        "list_office": ("bench_office", [f"{API}/hazards?limit=50"]),
        "list_status_level": (
            "bench_office",
            [f"{API}/hazards?status=rectifying&level=general&limit=50"],
        ),
        "list_grid_overdue": (
            "bench_office",
            [f"{API}/hazards?status=rectifying&grid_id={grid}&overdue=true&limit=50"],
        ),
        "list_head": ("bench_head", [f"{API}/hazards?limit=50"]),
        "checklist": (
            "bench_office",
            [f"{API}/enterprises/{e}/checklist" for e in ids["enterprises"]],
        ),
    }


async def _get(client: httpx.AsyncClient, path: str, token: str) -> None:
    r = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, (path, r.status_code, r.text[:300])


async def _one(
    client: httpx.AsyncClient, token: str, paths: list[str], count: int, profiled: int
) -> dict[str, Any]:
    for i in range(BATCH):  # warm: compiled caches, the standard's items, the pool
        await _get(client, paths[i % len(paths)], token)
    batches, walls = [], []
    n0 = _STATEMENTS[0]
    for b in range(count // BATCH):
        cpu0 = time.process_time()
        for i in range(BATCH):
            t0 = time.perf_counter()
            await _get(client, paths[(b * BATCH + i) % len(paths)], token)
            walls.append((time.perf_counter() - t0) * 1000)
        batches.append((time.process_time() - cpu0) * 1000 / BATCH)
    statements = _STATEMENTS[0] - n0
    profile = cProfile.Profile()
    profile.enable()
    for i in range(profiled):
        await _get(client, paths[i % len(paths)], token)
    profile.disable()
    timed = len(walls)
    return {
        "cpu_ms_min": round(min(batches), 3),
        "cpu_ms_median": round(statistics.median(batches), 3),
        "wall_p50_ms": round(statistics.median(walls), 2),
        "statements": round(statements / timed, 2),
        "python_calls": round(pstats.Stats(profile).total_calls / profiled),  # type: ignore[attr-defined]
    }


_STATEMENTS = [0]


async def bench(url: str, count: int, profiled: int, only: list[str] | None) -> dict[str, Any]:
    def counted(*_: Any) -> None:
        _STATEMENTS[0] += 1

    async with in_process(url, ["bench_office", "bench_head"]) as run:
        client, tokens = run.client, run.tokens
        event.listen(run.app.state.engine.sync_engine, "before_cursor_execute", counted)
        rows: dict[str, Any] = {}
        for name, (user, paths) in endpoints(await _ids(url)).items():
            if only and name not in only and name != "healthz":
                continue
            rows[name] = await _one(client, tokens[user], paths, count, profiled)
        bare = rows["healthz"]["cpu_ms_min"]
        for row in rows.values():
            row["ratio"] = round(bare / row["cpu_ms_min"], 3)
        return {
            "tree": os.environ.get("ZHIBEN_BENCH_ROOT", "."),
            "load_average": round(os.getloadavg()[0], 2),
            "rows": rows,
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--count", type=int, default=300, help="timed requests per endpoint")
    ap.add_argument("--profiled", type=int, default=20, help="requests run under cProfile")
    ap.add_argument("--only", nargs="*", help="endpoint names (healthz always runs)")
    args = ap.parse_args()
    url = db_url(args.db, args.admin_url)
    out = asyncio.run(bench(url, args.count, args.profiled, args.only))
    print(json.dumps(out), flush=True)
    keys = ("cpu_ms_min", "cpu_ms_median", "wall_p50_ms", "statements", "python_calls", "ratio")
    print(f"{'endpoint':20s} " + " ".join(f"{k:>13s}" for k in keys))
    for name, row in out["rows"].items():
        print(f"{name:20s} " + " ".join(f"{row[k]:>13}" for k in keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
