"""Statistics benchmark (issue 6): /stats/* latency on PostgreSQL, one request at a time.

Runs the app in-process over httpx's ASGI transport (no network, no queueing), against a
database built by `bench/generate.py`, as the street office (the whole jurisdiction, the
largest scope). Prints p50/p95 per endpoint and, with `--dump`, writes each response body to
a JSON file so two versions of the code can be compared on the same data (figures must not
change when the queries do):

    .venv/bin/python bench/stats_bench.py --db zhiben_bench --runs 20 --dump /tmp/after.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.common import ADMIN_URL, BENCH_PASSWORD, BENCH_SECRET, db_url  # noqa: E402

PATHS = {
    "overview": "/api/v1/stats/overview",
    "targets": "/api/v1/stats/targets",
    "hazards_by_grid": "/api/v1/stats/hazards?group_by=grid&from=2025-01-01",
}


def _pct(samples: list[float]) -> dict[str, float]:
    out = {"runs": len(samples), "p50_ms": round(statistics.median(samples), 1)}
    if len(samples) >= 2:
        qs = statistics.quantiles(samples, n=20, method="inclusive")
        out["p95_ms"] = round(qs[18], 1)
    out["max_ms"] = round(max(samples), 1)
    return out


async def bench(url: str, runs: int, only: list[str], user: str) -> tuple[dict, dict]:
    settings = Settings(database_url=url, secret_key=BENCH_SECRET, log_level="WARNING")
    app = create_app(settings)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120
    )
    try:
        resp = await client.post(
            "/api/v1/auth/token", data={"username": user, "password": BENCH_PASSWORD}
        )
        resp.raise_for_status()
        client.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        figures: dict[str, Any] = {}
        bodies: dict[str, Any] = {}
        for name in only:
            samples = []
            for _ in range(runs + 1):  # the first request warms caches and is dropped
                t0 = time.perf_counter()
                r = await client.get(PATHS[name])
                r.raise_for_status()
                samples.append((time.perf_counter() - t0) * 1000)
                bodies[name] = r.json()
            figures[name] = _pct(samples[1:])
            print(name, figures[name], flush=True)
        return figures, bodies
    finally:
        await client.aclose()
        await app.state.engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--user", default="bench_office")
    ap.add_argument("--only", nargs="*", default=list(PATHS), choices=list(PATHS))
    ap.add_argument("--dump", help="write the response bodies to this JSON file")
    args = ap.parse_args()
    figures, bodies = asyncio.run(
        bench(db_url(args.db, args.admin_url), args.runs, args.only, args.user)
    )
    print(json.dumps(figures))
    if args.dump:
        Path(args.dump).write_text(json.dumps(bodies, ensure_ascii=False, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
