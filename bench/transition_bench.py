"""Transition benchmark (issue 11): the CPU and statements of `POST /hazards/{id}/plan`, one
request at a time, in-process over httpx's ASGI transport — the server's own cost without
wrk, the network or queueing, so a change of a few percent shows on a shared machine.

Each run plans `--count` different reported general hazards of a database built by
`bench/generate.py` (hazards `--offset` … in id order: give each run its own slice, a hazard
is planned once). Reports the process CPU (`time.process_time`, client included) and wall
time per request (the least and the median of batches of 30), the SQL statements per
request (engine `before_cursor_execute`) and the Python function calls per request (the last
`--profiled` requests under cProfile: the same for the same code path however busy the
machine is, so the steadiest A/B figure here).
ZHIBEN_BENCH_ROOT=<checkout> runs another checkout's `app`, so two trees can alternate:

    for i in 0 1 2; do
      ZHIBEN_BENCH_ROOT=/work/wt/base .venv/bin/python bench/transition_bench.py \\
          --db b --offset $((i*1000)) --count 300
      .venv/bin/python bench/transition_bench.py --db b --offset $((i*1000+500)) --count 300
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

BATCH = 30
PLAN = {"responsible_person": "压测负责人", "deadline": "2027-06-30", "measures": "压测整改措施"}


async def _hazards(url: str, offset: int, count: int) -> list[str]:
    conn = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT id::text FROM hazards WHERE status = 'reported' AND level = 'general'"
            " ORDER BY id OFFSET $1 LIMIT $2",
            offset,
            count,
        )
        return [r[0] for r in rows]
    finally:
        await conn.close()


async def _plan(client: httpx.AsyncClient, hid: str) -> None:
    r = await client.post(f"/api/v1/hazards/{hid}/plan", json=PLAN)
    assert r.status_code == 200, r.text


async def _calls(client: httpx.AsyncClient, ids: list[str], dump: str | None) -> int:
    profile = cProfile.Profile()
    profile.enable()
    for hid in ids:
        await _plan(client, hid)
    profile.disable()
    if dump:
        profile.dump_stats(dump)
    return round(pstats.Stats(profile).total_calls / len(ids))  # type: ignore[attr-defined]


async def bench(
    url: str, ids: list[str], warmup: int, profiled: int, dump: str | None = None
) -> dict[str, Any]:
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    async with in_process(url) as run:
        client = run.client
        event.listen(run.app.state.engine.sync_engine, "before_cursor_execute", count)
        walls, batches = [], []
        cpu0, n0 = 0.0, 0
        for i, hid in enumerate(ids[: len(ids) - profiled]):
            if i == warmup:
                n0 = statements
            if i >= warmup and (i - warmup) % BATCH == 0:
                cpu0 = time.process_time()
            t0 = time.perf_counter()
            await _plan(client, hid)
            if i >= warmup:
                walls.append((time.perf_counter() - t0) * 1000)
                if (i - warmup) % BATCH == BATCH - 1:
                    batches.append((time.process_time() - cpu0) * 1000 / BATCH)
        timed = len(walls)
        n1 = statements
        calls = await _calls(client, ids[len(ids) - profiled :], dump)
        return {
            "tree": os.environ.get("ZHIBEN_BENCH_ROOT", "."),
            "requests": timed,
            # The least CPU of any batch: a shared machine only ever adds to it.
            "cpu_ms_per_req_min": round(min(batches), 2),
            "cpu_ms_per_req_median": round(statistics.median(batches), 2),
            "wall_p50_ms": round(statistics.median(walls), 2),
            "statements_per_req": round((n1 - n0) / timed, 2),
            # Python function calls per request (cProfile): deterministic for one code path.
            "python_calls_per_req": calls,
            "load_average": os.getloadavg()[0],
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--profiled", type=int, default=20, help="requests run under cProfile")
    ap.add_argument("--pstats", help="write the cProfile statistics to this file")
    args = ap.parse_args()
    url = db_url(args.db, args.admin_url)
    ids = asyncio.run(_hazards(url, args.offset, args.count))
    if len(ids) < args.warmup + args.profiled + BATCH:
        raise SystemExit(f"only {len(ids)} reported general hazards from offset {args.offset}")
    print(
        json.dumps(asyncio.run(bench(url, ids, args.warmup, args.profiled, args.pstats))),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
