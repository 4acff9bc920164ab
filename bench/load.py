"""Load harness (issues 7, 11): `zhiben serve` on loopback (one worker by default), driven by
wrk over a fixed mix.

The mix: `/auth/me`, the hazard list (street office unfiltered, status+level, status+grid+
overdue; enterprise head), hazard read, enterprise checklist, stats overview/targets, public
report post, a hazard transition (plan) — and `/healthz`, a bare endpoint of the same app, as
the machine's ceiling. Each endpoint gets `--duration` seconds of wrk (closed loop, one thread,
`--connections` connections); results go to bench/results/<date>.json with requests/s,
p50/p95/p99 and each endpoint's throughput as a ratio to its own server's /healthz.

`--tree PATH` (repeatable) serves other checkouts too, each from its own `.venv/bin/zhiben`,
against the same database: every endpoint is measured on each tree in turn (alternating, the
order flipped from one endpoint to the next), so a base and a new tree share the machine's
load. `--small` is `make bench`: generates `zhiben_bench_small` (~100k hazards) if missing and
runs the mix briefly (< 3 minutes).

    .venv/bin/python bench/generate.py --db zhiben_bench --scale 0.05
    .venv/bin/python bench/load.py --db zhiben_bench --duration 10
    .venv/bin/python bench/load.py --db zhiben_bench --tree /work/wt/base --tree .

Loopback only; every run is bounded by --duration (wrk -d) plus a fixed timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ADMIN_URL,
    ROOT,
    Server,
    db_url,
    login,
    print_table,
    run,
    start_server,
)

LUA = Path(__file__).with_name("wrk_report.lua")
API = "/api/v1"


@dataclass
class Target:
    name: str
    method: str
    paths: list[str]
    token: str | None = None
    body: dict[str, Any] | None = None
    result: dict[str, Any] = field(default_factory=dict)
    # Fewer connections than the mix's default: a statistics page has a handful of viewers,
    # and 16 queued 1–2 s aggregates would only measure wrk's 5 s timeout.
    connections: int | None = None


async def _sample(url: str) -> dict[str, list[str]]:
    """Ids to spread the load over: hazards (any state), reported general hazards (for the
    transition), enterprises."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        q = {
            "hazards": "SELECT id::text FROM hazards ORDER BY found_at DESC LIMIT 2000",
            "reported": "SELECT id::text FROM hazards WHERE status = 'reported'"
            " AND level = 'general' ORDER BY random() LIMIT 20000",
            "enterprises": "SELECT id::text FROM enterprises ORDER BY random() LIMIT 500",
            # The grid with the most enterprises: its overdue list is the busiest one.
            "grid": "SELECT grid_id::text FROM enterprises GROUP BY grid_id"
            " ORDER BY count(*) DESC, grid_id LIMIT 1",
        }
        return {k: [r[0] for r in await conn.fetch(sql)] for k, sql in q.items()}
    finally:
        await conn.close()


def targets(ids: dict[str, list[str]], office: str, head: str) -> list[Target]:
    """The mix; `ids["reported"]` should be this server's own share (a hazard is planned once)."""
    plan = {
        "responsible_person": "压测负责人",
        "deadline": "2027-06-30",
        "measures": "压测整改措施",
    }
    report = {"description": "压测举报：车间消防通道被货物堵塞", "enterprise_name": "压测企业"}
    return [
        Target("healthz", "GET", ["/healthz"]),
        Target("auth_me", "GET", [f"{API}/auth/me"], office),
        Target("hazard_list_office", "GET", [f"{API}/hazards?limit=50"], office),
        Target(
            "hazard_list",
            "GET",
            [f"{API}/hazards?status=rectifying&level=general&limit=50"],
            office,
        ),
        Target(
            "hazard_list_grid_overdue",
            "GET",
            [f"{API}/hazards?status=rectifying&grid_id={ids['grid'][0]}&overdue=true&limit=50"],
            office,
        ),
        Target("hazard_list_as_head", "GET", [f"{API}/hazards?limit=50"], head),
        Target("hazard_read", "GET", [f"{API}/hazards/{h}" for h in ids["hazards"]], office),
        Target(
            "enterprise_checklist",
            "GET",
            [f"{API}/enterprises/{e}/checklist" for e in ids["enterprises"]],
            office,
        ),
        Target("stats_overview", "GET", [f"{API}/stats/overview"], office, connections=2),
        Target("stats_targets", "GET", [f"{API}/stats/targets"], office, connections=2),
        Target("public_report_post", "POST", [f"{API}/public/reports"], None, report),
        Target(
            "hazard_plan",
            "POST",
            [f"{API}/hazards/{h}/plan" for h in ids["reported"]],
            office,
            plan,
        ),
    ]


def _lua_for(target: Target) -> str:
    headers = {"Content-Type": "application/json"}
    if target.token:
        headers["Authorization"] = f"Bearer {target.token}"
    body = json.dumps(target.body, ensure_ascii=False) if target.body else ""
    lua_paths = ",".join(json.dumps(p) for p in target.paths)
    lua_headers = ",".join(f"[{json.dumps(k)}]={json.dumps(v)}" for k, v in headers.items())
    return (
        f"METHOD={json.dumps(target.method)}\nPATHS={{{lua_paths}}}\n"
        f"HEADERS={{{lua_headers}}}\nBODY={json.dumps(body, ensure_ascii=False)}\n"
        + LUA.read_text()
    )


def run_wrk(base: str, target: Target, duration: int, connections: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_lua_for(target))
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "-s",
        f.name,
        base,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    match = re.search(r"^JSON (\{.*\})$", out, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk gave no report for {target.name}:\n{out}")
    raw = json.loads(match.group(1))
    secs = raw["duration_us"] / 1e6
    return {
        "rps": round(raw["requests"] / secs, 1),
        "ok_rps": round(raw["ok"] / secs, 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "requests": raw["requests"],
        "non_2xx": raw["requests"] - raw["ok"],
        "status_5xx": raw["s5xx"],
        "socket_errors": raw["errors"],
    }


def probe(base: str, target: Target) -> str | None:
    """None when the endpoint answers 2xx once; else why it is skipped (not built yet…)."""
    headers = {"Authorization": f"Bearer {target.token}"} if target.token else {}
    if not target.paths:
        return "no ids to call it with"
    path = (
        target.paths.pop() if target.method == "POST" and len(target.paths) > 1 else target.paths[0]
    )
    resp = httpx.request(target.method, base + path, json=target.body, headers=headers, timeout=10)
    return None if resp.is_success else f"probe answered {resp.status_code}: {resp.text[:120]}"


def _git_sha(tree: Path = ROOT) -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=tree,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


async def _scale(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        out = {}
        for t in ("enterprises", "hazards", "inspections"):
            out[t] = int(
                await conn.fetchval(f"SELECT count(*) FROM {t}")
                if await conn.fetchval("SELECT to_regclass($1)", t)
                else 0
            )
        return out
    finally:
        await conn.close()


SMALL = {"enterprises": 2_000, "hazards": 100_000, "inspections": 10_000}


def _ensure_small(db: str, admin: str) -> None:
    """`make bench`: the small database, generated once (~30 s) and reused afterwards."""
    url = db_url(db, admin)

    async def ready() -> bool:
        try:
            conn = await asyncpg.connect(url, timeout=10)
        except asyncpg.InvalidCatalogNameError:
            return False
        try:
            if not await conn.fetchval("SELECT to_regclass('hazards')"):
                return False
            return bool(await conn.fetchval("SELECT count(*) >= 50000 FROM hazards"))
        finally:
            await conn.close()

    if run(ready()):
        return
    gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--db", db, "--admin-url", admin]
    gen += [f"--{k}={v}" for k, v in SMALL.items()]
    subprocess.run(gen, check=True, timeout=600)


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--port", type=int, default=18765)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--only", nargs="*", help="endpoint names to run")
    ap.add_argument("--skip", nargs="*", default=[], help="endpoint names to leave out")
    ap.add_argument(
        "--tree",
        action="append",
        default=[],
        help="a checkout to serve (its .venv/bin/zhiben); repeat to compare; default: this one",
    )
    ap.add_argument("--small", action="store_true", help="make bench: small database, short run")
    ap.add_argument("--tag", default="", help="suffix of the results file: <date>-<tag>.json")
    args = ap.parse_args()
    if args.small:
        args.db = "zhiben_bench_small" if args.db == "zhiben_bench" else args.db
        args.duration = min(args.duration, 5)
        # Statistics have their own bench (stats_bench.py) and would eat the 3 minutes.
        args.skip = [*args.skip, "stats_overview", "stats_targets"]
    args.tree = [str(Path(t).resolve()) for t in args.tree] or [str(ROOT)]
    return args


def main() -> int:
    args = _args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if args.small:
        _ensure_small(args.db, args.admin_url)
    url = db_url(args.db, args.admin_url)
    ids = run(_sample(url))
    servers: list[Server] = []
    try:
        plans: list[list[Target]] = []
        for n, tree in enumerate(args.tree):
            # Bench settings: the public report limit is lifted so the post measures the
            # endpoint, not the limiter (the limiter has its own tests).
            server = start_server(
                url,
                args.port + n,
                args.workers,
                zhiben=str(Path(tree) / ".venv" / "bin" / "zhiben"),
                ZHIBEN_PUBLIC_REPORT_LIMIT="100000000/hour",
                ZHIBEN_PUBLIC_GLOBAL_REPORT_LIMIT="100000000/hour",
            )
            servers.append(server)
            own = {**ids, "reported": ids["reported"][n :: len(args.tree)]}
            office, head = login(server.base, "bench_office"), login(server.base, "bench_head")
            plans.append(targets(own, office, head))
        results = _measure(servers, plans, args)
    finally:
        for server in servers:
            server.stop()
    _write(results, url, args)
    return 0


def _chosen(all_targets: list[Target], args: argparse.Namespace) -> list[Target]:
    return [
        t
        for t in all_targets
        if t.name == "healthz"
        or ((not args.only or t.name in args.only) and t.name not in args.skip)
    ]


def _measure(
    servers: list[Server], plans: list[list[Target]], args: argparse.Namespace
) -> dict[str, list[dict[str, Any]]]:
    """Endpoint by endpoint, each tree in turn (order flipped every endpoint)."""
    trees = args.tree
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in trees}
    chosen = [_chosen(p, args) for p in plans]
    for server, plan in zip(servers, chosen, strict=True):
        run_wrk(server.base, plan[0], 2, args.connections)  # warm-up, not recorded
    for i in range(len(chosen[0])):
        order = list(range(len(trees)))
        if i % 2:
            order.reverse()
        for n in order:
            row = _one(servers[n], chosen[n][i], args)
            row["tree"] = trees[n]
            rows[trees[n]].append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    for tree_rows in rows.values():
        ceiling = next(
            (r["rps"] for r in tree_rows if r["endpoint"] == "healthz" and "rps" in r), None
        )
        for r in tree_rows:
            if ceiling and "rps" in r:
                r["ratio_to_healthz"] = round(r["rps"] / ceiling, 4)
    return rows


def _cpu_seconds(pgid: int) -> float:
    """User + system CPU of every process in the server's process group (the supervisor and
    its workers). CPU per request is the figure a loaded, shared box does not distort much:
    throughput depends on how much of the CPU the scheduler gives us, this does not."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:  # fields[0] is the state; pgrp is the 5th field overall
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _one(server: Server, target: Target, args: argparse.Namespace) -> dict[str, Any]:
    base = server.base
    skipped = probe(base, target)
    row: dict[str, Any] = {
        "endpoint": target.name,
        "method": target.method,
        "path": re.sub(r"[0-9a-f-]{36}", "{id}", target.paths[0] if target.paths else ""),
    }
    if skipped:
        row["skipped"] = skipped
    else:
        conns = target.connections or args.connections
        cpu0 = _cpu_seconds(server.proc.pid)
        row.update(connections=conns, **run_wrk(base, target, args.duration, conns))
        cpu = _cpu_seconds(server.proc.pid) - cpu0
        row["cpu_ms_per_req"] = round(1000 * cpu / max(1, row["requests"]), 3)
    return row


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _write(rows: dict[str, list[dict[str, Any]]], url: str, args: argparse.Namespace) -> None:
    now = datetime.now(UTC)
    doc = {
        "date": now.isoformat(timespec="seconds"),
        "git_sha": _git_sha(),
        "scale": run(_scale(url)),
        "load_average_at_end": _load_average(),
        "config": {
            "workers": args.workers,
            "duration_s": args.duration,
            "connections": args.connections,
            "tool": "wrk -t1 (closed loop)",
            "host": "2-core box shared with PostgreSQL, Redis and other work",
        },
        "trees": {tree: _git_sha(Path(tree)) for tree in rows},
        "endpoints": [r for tree_rows in rows.values() for r in tree_rows],
    }
    suffix = f"-{args.tag}" if args.tag else ""
    out = ROOT / "bench" / "results" / f"{now:%Y-%m-%d}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwrote {out} (load average {doc['load_average_at_end']})")
    for tree, tree_rows in rows.items():
        print(f"\n{tree} ({doc['trees'][tree]})")
        print_table(
            tree_rows,
            [
                "endpoint",
                "rps",
                "p50_ms",
                "p99_ms",
                "non_2xx",
                "ratio_to_healthz",
                "cpu_ms_per_req",
                "skipped",
            ],
        )


if __name__ == "__main__":
    raise SystemExit(main())
