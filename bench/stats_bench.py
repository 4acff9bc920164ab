"""Statistics benchmark (issue 6): /stats/* latency on PostgreSQL, one request at a time.

Runs the app in-process over httpx's ASGI transport (no network, no queueing), against a
database built by `bench/generate.py`, as the street office (the whole jurisdiction, the
largest scope). Prints p50/p95 per endpoint and, with `--dump`, writes each response body to
a JSON file so two versions of the code can be compared on the same data (figures must not
change when the queries do):

    .venv/bin/python bench/stats_bench.py --db zhiben_bench --runs 20 --dump /tmp/after.json

`ranking_deep` is the page reached by following `next_cursor` --deep-pages times (the walk
is not timed; the page is then requested --runs times). ZHIBEN_BENCH_ROOT=<checkout> runs an
older checkout's `app` with this script (for the "before" figures and bodies); `--compare`
prints the endpoints whose bodies differ from an earlier dump (timestamps and cursors aside).
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

from bench.common import ADMIN_URL, db_url  # noqa: E402
from bench.inprocess import in_process  # noqa: E402

PATHS = {
    "overview": "/api/v1/stats/overview",
    "targets": "/api/v1/stats/targets",
    "hazards_by_grid": "/api/v1/stats/hazards?group_by=grid&from=2025-01-01",
    "hazards_by_month": "/api/v1/stats/hazards?group_by=month&from=2024-01-01",
    "ranking_first": "/api/v1/stats/ranking?limit=50",
    "ranking_deep": "/api/v1/stats/ranking?limit=50",
    # The per-request floor (authentication, middlewares, session): what no query change removes.
    "floor_me": "/api/v1/auth/me",
}
# Not compared between versions: generated per request, or opaque.
VOLATILE = ("next_cursor", "generated_at")


def _pct(samples: list[float]) -> dict[str, float]:
    out = {"runs": len(samples), "p50_ms": round(statistics.median(samples), 1)}
    if len(samples) >= 2:
        qs = statistics.quantiles(samples, n=20, method="inclusive")
        out["p95_ms"] = round(qs[18], 1)
    out["max_ms"] = round(max(samples), 1)
    return out


async def _deep_url(client: httpx.AsyncClient, pages: int) -> tuple[str, list[Any]]:
    """The URL of page `pages + 1`, and the rows of every page walked to reach it."""
    url, seen = PATHS["ranking_deep"], []
    for _ in range(pages):
        r = await client.get(url)
        r.raise_for_status()
        seen += r.json()["items"]
        url = f"{PATHS['ranking_deep']}&cursor={r.json()['next_cursor']}"
    return url, seen


async def _time(client: httpx.AsyncClient, url: str, runs: int) -> tuple[dict, Any]:
    samples, body = [], None
    for _ in range(runs + 1):  # the first request warms caches and is dropped
        t0 = time.perf_counter()
        r = await client.get(url)
        r.raise_for_status()
        samples.append((time.perf_counter() - t0) * 1000)
        body = r.json()
    return _pct(samples[1:]), body


async def bench(url: str, runs: int, only: list[str], user: str, deep: int) -> tuple[dict, dict]:
    async with in_process(url, [user]) as run:
        client = run.client
        figures: dict[str, Any] = {}
        bodies: dict[str, Any] = {}
        for name in only:
            path = PATHS[name]
            if name == "ranking_deep":
                path, walked = await _deep_url(client, deep)
                bodies["ranking_walked"] = walked
            figures[name], bodies[name] = await _time(client, path, runs)
            print(name, figures[name], flush=True)
        return figures, bodies


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--user", default="bench_office")
    ap.add_argument("--only", nargs="*", default=list(PATHS), choices=list(PATHS))
    ap.add_argument("--deep-pages", type=int, default=40)
    ap.add_argument("--dump", help="write the response bodies to this JSON file")
    ap.add_argument("--compare", help="an earlier --dump to compare the bodies with")
    args = ap.parse_args()
    figures, bodies = asyncio.run(
        bench(db_url(args.db, args.admin_url), args.runs, args.only, args.user, args.deep_pages)
    )
    print(json.dumps(figures))
    if args.dump:
        Path(args.dump).write_text(json.dumps(bodies, ensure_ascii=False, indent=1, sort_keys=True))
    if args.compare:
        return _compare(json.loads(Path(args.compare).read_text()), bodies)
    return 0


def _strip(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _strip(v) for k, v in body.items() if k not in VOLATILE}
    if isinstance(body, list):
        return [_strip(v) for v in body]
    return body


def _compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    common = sorted(set(before) & set(after))
    differ = [k for k in common if _strip(before[k]) != _strip(after[k])]
    print("bodies compared:", common, "differ:", differ or "none", flush=True)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
