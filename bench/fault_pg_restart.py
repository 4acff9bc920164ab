"""Fault drill (a), issue 7: PostgreSQL restarts while public reports are being posted.

Expected: /readyz answers 503 during the outage; requests in flight get 503 problem+json (no
stack trace, never 500); the app recovers by itself (no app restart); every report answered
201 is in the database afterwards. Prints `lost = 0` (exit 1 otherwise).

By default the drill runs on a private, throwaway PostgreSQL cluster (initdb in /tmp, port
--port), so the shared cluster other work depends on is never restarted. `--cluster 15/main`
restarts that cluster with pg_ctlcluster instead (a dedicated machine only).

    .venv/bin/python bench/fault_pg_restart.py --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PrivateCluster,
    create_database,
    db_url,
    migrate,
    private_cluster,
    start_server,
)

REPORT = {"description": "演练：配电房门口堆放易燃物", "enterprise_name": "演练企业"}


class Tally:
    def __init__(self) -> None:
        self.statuses: Counter[int | str] = Counter()
        self.acked: list[str] = []
        self.bad_errors: list[str] = []  # 5xx that is not a clean 503 problem document
        self.ready: Counter[int | str] = Counter()

    def record(self, resp: httpx.Response) -> None:
        self.statuses[resp.status_code] += 1
        if resp.status_code == 201:
            self.acked.append(resp.json()["receipt_code"])
        elif resp.status_code >= 500:
            clean = (
                resp.status_code == 503
                and resp.headers.get("content-type", "").startswith("application/problem+json")
                and "Traceback" not in resp.text
            )
            if not clean:
                self.bad_errors.append(f"{resp.status_code} {resp.text[:200]}")


async def _poster(client: httpx.AsyncClient, tally: Tally, stop: asyncio.Event, n: int) -> None:
    i = 0
    while not stop.is_set():
        i += 1
        body = {**REPORT, "description": f"{REPORT['description']} #{n}-{i}"}
        headers = {"X-Device-Id": f"drill-{n}"}
        try:
            tally.record(await client.post("/api/v1/public/reports", json=body, headers=headers))
        except httpx.HTTPError as exc:  # connection refused/reset: not acknowledged
            tally.statuses[type(exc).__name__] += 1
        await asyncio.sleep(0.05)


async def _ready_watch(client: httpx.AsyncClient, tally: Tally, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            tally.ready[(await client.get("/readyz")).status_code] += 1
        except httpx.HTTPError as exc:
            tally.ready[type(exc).__name__] += 1
        await asyncio.sleep(0.2)


def _restart(cluster: PrivateCluster | None, name: str | None, mode: str) -> None:
    if cluster is not None:
        cluster.restart(mode)
    else:
        cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", *str(name).split("/"), "restart"]
        subprocess.run([*cmd, "-m", mode], check=True, timeout=120)


async def drill(base: str, args: argparse.Namespace, cluster: PrivateCluster | None) -> Tally:
    tally, stop = Tally(), asyncio.Event()
    async with httpx.AsyncClient(base_url=base, timeout=20) as client:
        tasks = [asyncio.create_task(_poster(client, tally, stop, n)) for n in range(4)]
        tasks.append(asyncio.create_task(_ready_watch(client, tally, stop)))
        await asyncio.sleep(args.restart_after)
        t0 = time.monotonic()
        await asyncio.to_thread(_restart, cluster, args.cluster, args.mode)
        print(f"PostgreSQL restarted ({args.mode}) in {time.monotonic() - t0:.1f}s", flush=True)
        await asyncio.sleep(max(1.0, args.duration - args.restart_after))
        stop.set()
        await asyncio.gather(*tasks)
        # Recovered without an app restart: ready again, and a new report is accepted.
        deadline = time.monotonic() + 30
        while (await client.get("/readyz")).status_code != 200:
            if time.monotonic() > deadline:
                raise SystemExit("app did not become ready again within 30 s")
            await asyncio.sleep(0.5)
        tally.record(await client.post("/api/v1/public/reports", json=REPORT))
    return tally


async def _stored(url: str, codes: list[str]) -> set[str]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT receipt_code FROM public_reports WHERE receipt_code = ANY($1::text[])", codes
        )
        return {r[0] for r in rows}
    finally:
        await conn.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--port", type=int, default=55432, help="private cluster port")
    ap.add_argument("--cluster", help="restart this shared cluster instead, e.g. 15/main")
    ap.add_argument("--mode", default="fast", choices=["fast", "immediate"])
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--restart-after", type=float, default=5.0)
    ap.add_argument("--app-port", type=int, default=18770)
    args = ap.parse_args()
    cluster = None if args.cluster else private_cluster(args.port)
    admin = cluster.admin_url if cluster else "postgresql://postgres@127.0.0.1:5432/postgres"
    server = None
    try:
        asyncio.run(create_database("zhiben_drill_pg", admin, drop=True))
        url = db_url("zhiben_drill_pg", admin)
        migrate(url)
        server = start_server(
            url,
            args.app_port,
            2,
            ZHIBEN_PUBLIC_REPORT_LIMIT="100000000/hour",
            ZHIBEN_PUBLIC_GLOBAL_REPORT_LIMIT="100000000/hour",
        )
        tally = asyncio.run(drill(server.base, args, cluster))
        stored = asyncio.run(_stored(url, tally.acked))
    finally:
        if server:
            server.stop()
        if cluster:
            cluster.destroy()
    return _report(tally, stored)


def _report(tally: Tally, stored: set[str]) -> int:
    lost = [c for c in tally.acked if c not in stored]
    summary: dict[str, Any] = {
        "responses": dict(tally.statuses),
        "readyz": dict(tally.ready),
        "acked_201": len(tally.acked),
        "stored": len(stored),
        "lost": len(lost),
        "unclean_5xx": tally.bad_errors[:5],
        "readyz_went_503": tally.ready.get(503, 0) > 0,
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    print(f"lost = {len(lost)}")
    return 0 if not lost and not tally.bad_errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
