"""Hazard ledger benchmark (issue 4): list latency and export memory on PostgreSQL.

Uses the database `bench/generate.py` builds (1,000,000 hazards over 20,000 enterprises at
scale 1), runs the app in-process over httpx's ASGI transport (no network), and reports:

- p50/p95 of the filtered list (status + grid + overdue, 50 rows) and of a cursor page deep
  in the list (after following `next_cursor` `--depth` times);
- export wall time and the process's peak RSS, each export in a fresh subprocess so the
  peaks are comparable (`--export-filters` small vs large row counts).

    .venv/bin/python bench/generate.py --db zhiben_bench --scale 0.1
    .venv/bin/python bench/hazards_bench.py --db zhiben_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.common import (  # noqa: E402
    ADMIN_URL,
    BENCH_PASSWORD,
    BENCH_SECRET,
    db_url,
    login,
    start_server,
)

API = "/api/v1/hazards"


async def _client(url: str) -> tuple[httpx.AsyncClient, Any]:
    settings = Settings(database_url=url, secret_key=BENCH_SECRET, log_level="WARNING")
    app = create_app(settings)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    resp = await client.post(
        "/api/v1/auth/token", data={"username": "bench_office", "password": BENCH_PASSWORD}
    )
    resp.raise_for_status()
    client.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
    return client, app


def _pct(samples: list[float]) -> dict[str, float]:
    qs = statistics.quantiles(samples, n=20)
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(qs[18], 1)}


async def _timed(client: httpx.AsyncClient, params: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    resp = await client.get(API, params=params)
    resp.raise_for_status()
    return (time.perf_counter() - t0) * 1000, resp.json()


async def list_bench(url: str, runs: int, depth: int) -> dict[str, Any]:
    client, app = await _client(url)
    try:
        grids = (await client.get("/api/v1/grids", params={"limit": 1})).json()["items"]
        base = {"status": "rectifying", "grid_id": grids[0]["id"], "overdue": True, "limit": 50}
        filtered = [(await _timed(client, base))[0] for _ in range(runs)]
        cursor, params = None, {"limit": 50}
        for _ in range(depth):  # walk down to a deep page once
            _, body = await _timed(client, {**params, "cursor": cursor} if cursor else params)
            cursor = body["next_cursor"]
        deep = [(await _timed(client, {**params, "cursor": cursor}))[0] for _ in range(runs)]
        return {"filtered_list": _pct(filtered), f"page_after_{depth}": _pct(deep)}
    finally:
        await client.aclose()
        await app.state.engine.dispose()


async def export_once(url: str, fmt: str, filters: dict[str, str]) -> dict[str, Any]:
    client, app = await _client(url)
    try:
        t0, size, rows = time.perf_counter(), 0, 0
        async with client.stream("GET", f"{API}/export", params={"format": fmt, **filters}) as r:
            r.raise_for_status()
            async for chunk in r.aiter_bytes():
                size += len(chunk)
                rows += chunk.count(b"\n") if fmt == "csv" else 0
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        secs = round(time.perf_counter() - t0, 2)
        return {"format": fmt, "filters": filters, "bytes": size, "csv_rows": rows,
                "seconds": secs, "peak_rss_mb": round(peak_kb / 1024, 1)}  # fmt: skip
    finally:
        await client.aclose()
        await app.state.engine.dispose()


def _peak_rss_mb(pid: int) -> float:
    """Peak RSS (VmHWM) of a process and its children, in MB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        total += int(next(x for x in status.splitlines() if x.startswith("VmHWM")).split()[1])
        todo += [int(k) for k in kids]
    return round(total / 1024, 1)


def export_served(url: str, fmt: str, filters: dict[str, str], port: int) -> dict[str, Any]:
    """One export over a real socket from a fresh `zhiben serve --workers 1`: the server's own
    peak RSS, without the in-process client (httpx's ASGITransport buffers whole bodies)."""
    server = start_server(url, port, workers=1)
    try:
        base_rss = _peak_rss_mb(server.proc.pid)
        headers = {"Authorization": f"Bearer {login(server.base, 'bench_office')}"}
        t0, size = time.perf_counter(), 0
        params = {"format": fmt, **filters}
        with httpx.stream(
            "GET", f"{server.base}{API}/export", params=params, headers=headers, timeout=600
        ) as r:
            r.raise_for_status()
            for chunk in r.iter_bytes():
                size += len(chunk)
        secs = round(time.perf_counter() - t0, 2)
        return {"format": fmt, "filters": filters, "bytes": size, "seconds": secs,
                "server_rss_before_mb": base_rss,
                "server_peak_rss_mb": _peak_rss_mb(server.proc.pid)}  # fmt: skip
    finally:
        server.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--depth", type=int, default=200, help="pages to walk for the deep page")
    ap.add_argument("--export-one", help=argparse.SUPPRESS)  # child mode: JSON filters
    ap.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
    ap.add_argument(
        "--export-filters",
        nargs="*",
        default=['{"status": "rectifying"}', "{}"],
        help="JSON query filters, one export per filter and format (e.g. small vs large)",
    )
    ap.add_argument("--skip-list", action="store_true", help="exports only")
    ap.add_argument("--served", action="store_true", help="exports over a socket, server RSS")
    ap.add_argument("--port", type=int, default=18790)
    args = ap.parse_args()
    url = db_url(args.db, args.admin_url)
    if args.export_one is not None:
        print(json.dumps(asyncio.run(export_once(url, args.format, json.loads(args.export_one)))))
        return 0
    if not args.skip_list:
        figures = asyncio.run(list_bench(url, args.runs, args.depth))
        print(json.dumps(figures, ensure_ascii=False), flush=True)
    # Small vs large export, each in a fresh process so peak RSS compares like with like.
    for filters in map(json.loads, args.export_filters):
        if args.served:
            for fmt in ("csv", "xlsx"):
                print(json.dumps(export_served(url, fmt, filters, args.port)), flush=True)
            continue
        for fmt in ("csv", "xlsx"):
            out = subprocess.run(
                [sys.executable, __file__, "--db", args.db, "--admin-url", args.admin_url,
                 "--format", fmt, "--export-one", json.dumps(filters)],
                check=True, capture_output=True, text=True, timeout=3600,
            )  # fmt: skip
            print(out.stdout.strip(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
