"""Where one /stats/* request's time goes (issue 11): every SQL statement with its wall time
on the client (cursor execute → result, i.e. round trip + server), then each statement
re-run under EXPLAIN (ANALYZE, BUFFERS) for its server-side execution and planning time.

    .venv/bin/python bench/stats_trace.py --db <copy of zhiben_bench_full> [--show 1]

In-process (httpx ASGI), street office, after `--warm` untimed requests. The remainder
(request wall − the statements' wall) is Python: authentication, SQLAlchemy compilation,
result processing, the handler and JSON. `--runs N` also prints the request's p50 over N.
ZHIBEN_BENCH_ROOT=<checkout> traces another tree's code, as for stats_bench.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ADMIN_URL, db_url  # noqa: E402
from bench.inprocess import in_process  # noqa: E402


class Trace:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._t0 = 0.0

    def before(self, _c: Any, _cur: Any, sql: str, params: Any, *_a: Any) -> None:
        self._t0 = time.perf_counter()
        self.rows.append({"sql": sql, "params": params})

    def after(self, *_a: Any) -> None:
        self.rows[-1]["wall_ms"] = (time.perf_counter() - self._t0) * 1000


async def _explain(url: str, rows: list[dict[str, Any]], show: list[int]) -> None:
    conn = await asyncpg.connect(url)
    try:
        for r in rows:
            if not r["sql"].lstrip().upper().startswith("SELECT"):
                continue
            params = list(r["params"] or ())
            # TIMING OFF: per-node clocks on ~45,000 rows would double the figure; the
            # plan shown by --show is a second run with them on.
            plan = await conn.fetchval(
                "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) " + r["sql"], *params
            )
            top = json.loads(plan)[0]
            r["exec_ms"] = top["Execution Time"]
            r["plan_ms"] = top["Planning Time"]
            r["jit"] = "JIT" in top
            if rows.index(r) in show:
                r["plan"] = await conn.fetchval(
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + r["sql"], *params
                )
    finally:
        await conn.close()


async def main(args: argparse.Namespace) -> None:
    url = db_url(args.db, args.admin_url)
    trace = Trace()
    async with in_process(url, [args.user]) as run:
        client, engine = run.client, run.app.state.engine.sync_engine
        for _ in range(args.warm):
            (await client.get(args.path)).raise_for_status()
        samples = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            (await client.get(args.path)).raise_for_status()
            samples.append((time.perf_counter() - t0) * 1000)
        event.listen(engine, "before_cursor_execute", trace.before)
        event.listen(engine, "after_cursor_execute", trace.after)
        t0 = time.perf_counter()
        (await client.get(args.path)).raise_for_status()
        total = (time.perf_counter() - t0) * 1000
        event.remove(engine, "before_cursor_execute", trace.before)
        event.remove(engine, "after_cursor_execute", trace.after)
    await _explain(url, trace.rows, args.show)
    sql_wall = sum(r.get("wall_ms", 0) for r in trace.rows)
    server = sum(r.get("exec_ms", 0) + r.get("plan_ms", 0) for r in trace.rows)
    for i, r in enumerate(trace.rows):
        head = " ".join(r["sql"].split())[: args.width]
        print(
            f"{i:2} wall {r.get('wall_ms', 0):7.2f}  exec {r.get('exec_ms', 0):7.2f}"
            f"  plan {r.get('plan_ms', 0):6.2f}{' JIT' if r.get('jit') else ''}  {head}"
        )
    print(
        f"request {total:.1f} ms; {len(trace.rows)} statements, wall {sql_wall:.1f} ms "
        f"(server exec+plan {server:.1f} ms); outside the statements {total - sql_wall:.1f} ms"
    )
    for i in args.show:
        r = trace.rows[i]
        print(f"--- statement {i}: {r['sql']}\n    params {r['params']}")
        print(
            json.dumps(json.loads(r.get("plan", "[{}]"))[0].get("Plan"), indent=1)[
                : args.plan_chars
            ]
        )
    if samples:
        print(f"p50 over {len(samples)} untraced requests: {statistics.median(samples):.1f} ms")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--path", default="/api/v1/stats/targets")
    ap.add_argument("--user", default="bench_office")
    ap.add_argument("--warm", type=int, default=3)
    ap.add_argument("--runs", type=int, default=0)
    ap.add_argument("--width", type=int, default=110)
    ap.add_argument("--show", type=int, nargs="*", default=[], help="print these statements' plans")
    ap.add_argument("--plan-chars", type=int, default=6000)
    asyncio.run(main(ap.parse_args()))
