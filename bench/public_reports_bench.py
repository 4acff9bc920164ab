"""Sustained anonymous report posting (issue 5 benchmark), loopback only, bounded in time.

Starts `zhiben serve --workers 2` on a fresh PostgreSQL database (migrated first), posts
reports without photos from `--concurrency` connections for `--seconds`, then stops the
server and proves durability: every receipt code answered 201 must be in the database.

Traffic looks like many mini-program users behind our own proxy: 127.0.0.1 is configured as
a trusted proxy and every request carries a different `X-Forwarded-For` and `X-Device-Id`,
so each simulated client stays under the (default-like) per-address limit while the limiter
(Redis, as in production) still does its full work on every request.

    .venv/bin/python bench/public_reports_bench.py --seconds 60 --concurrency 32

Prints reports/s accepted, latency percentiles of the 201s, answers by status, and the
durability count (`in_db`, `missing`). Exit status 1 if any 201 is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ADMIN_URL,
    create_database,
    db_url,
    migrate,
    print_table,
    start_server,
)

DESCRIPTION = "压测：车间东侧通道堆放纸箱，堵塞安全出口，第 {} 号"


def _client_headers(i: int) -> dict[str, str]:
    return {
        "X-Forwarded-For": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
        "X-Device-Id": f"bench-device-{i}",
    }


async def _worker(
    client: httpx.AsyncClient,
    counter: list[int],
    deadline: float,
    latencies: list[float],
    codes: list[str],
    statuses: Counter[int | str],
) -> None:
    while time.monotonic() < deadline:
        i = counter[0]
        counter[0] += 1
        body = {
            "description": DESCRIPTION.format(i),
            "latitude": 31.40,
            "longitude": 121.49,
            "contact_phone": "13812345678",
        }
        started = time.perf_counter()
        try:
            resp = await client.post(
                "/api/v1/public/reports", json=body, headers=_client_headers(i)
            )
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
            continue
        statuses[resp.status_code] += 1
        if resp.status_code == 201:
            latencies.append(time.perf_counter() - started)
            codes.append(resp.json()["receipt_code"])


async def load(
    base: str, seconds: float, concurrency: int
) -> tuple[list[float], list[str], Counter[int | str], float]:
    latencies: list[float] = []
    codes: list[str] = []
    statuses: Counter[int | str] = Counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        started = time.monotonic()
        deadline = started + seconds
        counter = [0]
        await asyncio.gather(
            *(
                _worker(client, counter, deadline, latencies, codes, statuses)
                for _ in range(concurrency)
            )
        )
        elapsed = time.monotonic() - started
    return latencies, codes, statuses, elapsed


async def durability(url: str, codes: list[str]) -> tuple[int, int, int]:
    """(rows in the table, 201 codes found, 201 codes missing)."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        total = await conn.fetchval("SELECT count(*) FROM public_reports")
        found = await conn.fetchval(
            "SELECT count(*) FROM public_reports WHERE receipt_code = ANY($1::text[])", codes
        )
    finally:
        await conn.close()
    return int(total), int(found), len(set(codes)) - int(found)


async def forget_limiter_keys() -> None:
    """The bench's counters would otherwise sit in Redis for an hour."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(
        os.environ.get("ZHIBEN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    )
    try:
        batch = []
        async for key in client.scan_iter(match="zhiben:rl:pub:report:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                await client.delete(*batch)
                batch = []
        if batch:
            await client.delete(*batch)
    finally:
        await client.aclose()


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return round(sorted_values[k] * 1000, 1)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 120:
        raise SystemExit("--seconds must be 1–120 (this machine is shared)")

    name = f"zhiben_bench_public_{uuid.uuid4().hex[:8]}"
    url = db_url(name)
    asyncio.run(create_database(name))
    try:
        migrate(url)
        server = start_server(
            url,
            args.port,
            workers=args.workers,
            ZHIBEN_TRUSTED_PROXIES=json.dumps(["127.0.0.1"]),
            ZHIBEN_PUBLIC_REPORT_LIMIT=os.environ.get("ZHIBEN_PUBLIC_REPORT_LIMIT", "5/hour"),
            # Each simulated reporter is distinct; the global cap would measure the limiter.
            ZHIBEN_PUBLIC_GLOBAL_REPORT_LIMIT="100000000/hour",
        )
        try:
            latencies, codes, statuses, elapsed = asyncio.run(
                load(server.base, args.seconds, args.concurrency)
            )
        finally:
            server.stop()
        total, found, missing = asyncio.run(durability(url, codes))
        asyncio.run(forget_limiter_keys())
    finally:
        if not args.keep:
            asyncio.run(drop_database(name))
    latencies.sort()
    print_table(
        [
            {
                "seconds": round(elapsed, 1),
                "concurrency": args.concurrency,
                "accepted_201": len(codes),
                "reports_per_s": round(len(codes) / elapsed, 1),
                "p50_ms": _pct(latencies, 50),
                "p95_ms": _pct(latencies, 95),
                "p99_ms": _pct(latencies, 99),
                "max_ms": _pct(latencies, 100),
                "answers": dict(statuses),
                "rows_in_db": total,
                "201_in_db": found,
                "201_missing": missing,
            }
        ],
        [
            "seconds",
            "concurrency",
            "accepted_201",
            "reports_per_s",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "max_ms",
            "answers",
            "rows_in_db",
            "201_in_db",
            "201_missing",
        ],
    )
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
