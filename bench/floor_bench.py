"""The stack's own ceiling for a request that reads the database once (issue 11).

Serves the real app (`create_app`, every middleware, one uvicorn worker, production
settings) with three extra routes that do nothing but one round trip, and measures them with
wrk beside `/healthz` in one run:

- `/_floor/asyncpg`: `SELECT 1` on a raw asyncpg pool (no SQLAlchemy at all);
- `/_floor/core`: `SELECT 1` through the app's read session (SQLAlchemy Core on asyncpg);
- `/_floor/session`: a read session opened and closed, no statement.

Any authenticated endpoint that keeps "logout ends access at once" checks its login session
in the database on every request, so it costs at least `/_floor/asyncpg`; the ratio of that
route to `/healthz` is the best an authenticated endpoint can reach in this stack however
little else it does. The routes exist only in this script's process.

    .venv/bin/python bench/floor_bench.py --db zhiben_bench_full [--duration 8]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ADMIN_URL, db_url, server_env, wait_until  # noqa: E402

PORT = 18791
PATHS = ("/healthz", "/_floor/session", "/_floor/core", "/_floor/asyncpg", "/api/v1/auth/me")


def _serve(url: str) -> None:
    import asyncio

    import asyncpg
    import uvicorn
    from sqlalchemy import text

    os.environ.update(server_env(url))
    from app.core.config import Settings
    from app.main import create_app

    app: Any = create_app(Settings())
    pool: dict[str, Any] = {}
    one = asyncio.Lock()

    @app.get("/_floor/asyncpg", include_in_schema=False)
    async def floor_asyncpg() -> dict[str, int]:
        async with one:  # created once, by the first request (the pool needs the loop)
            if "p" not in pool:
                dsn = url.replace("+asyncpg", "")
                pool["p"] = await asyncpg.create_pool(dsn, min_size=16, max_size=16)
        return {"v": await pool["p"].fetchval("SELECT 1")}

    @app.get("/_floor/core", include_in_schema=False)
    async def floor_core() -> dict[str, int]:
        async with app.state.read_sessionmaker() as session:
            return {"v": (await session.execute(text("SELECT 1"))).scalar_one()}

    @app.get("/_floor/session", include_in_schema=False)
    async def floor_session() -> dict[str, int]:
        async with app.state.read_sessionmaker() as session:
            await session.connection()
            return {"v": 1}

    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning")


def main() -> int:
    import httpx

    from bench.common import login
    from bench.load import Target, run_wrk

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--connections", type=int, default=16)
    args = ap.parse_args()
    url = db_url(args.db, args.admin_url)
    proc = multiprocessing.get_context("spawn").Process(target=_serve, args=(url,), daemon=True)
    proc.start()
    base = f"http://127.0.0.1:{PORT}"
    try:
        wait_until(lambda: _up(httpx, base), timeout=60, what="the floor server", every=0.3)
        token = login(base, "bench_office")
        rows = {}
        for path in PATHS:
            target = Target(path, "GET", [path], token if path.startswith("/api") else None)
            run_wrk(base, target, 2, args.connections)  # warm-up
            rows[path] = run_wrk(base, target, args.duration, args.connections)
        bare = rows["/healthz"]["rps"]
        for row in rows.values():
            row["ratio"] = round(row["rps"] / bare, 3)
        print(json.dumps({"load_average": os.getloadavg()[0], "rows": rows}))
        for path, row in rows.items():
            print(
                f"{path:18s} {row['rps']:>9} req/s  p50 {row['p50_ms']:>7} ms  ratio {row['ratio']}"
            )
    finally:
        proc.terminate()
        proc.join(10)
    return 0


def _up(httpx: Any, base: str) -> bool:
    try:
        return bool(httpx.get(base + "/healthz", timeout=1).status_code == 200)
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
