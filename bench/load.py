"""Load harness (issue 7): `zhiben serve --workers 2` on loopback, driven by wrk over a fixed mix.

The mix: hazard list with filters, hazard read, enterprise checklist, stats overview, public
report post, a hazard transition (plan) — and `/healthz`, a bare endpoint of the same app, as
the machine's ceiling. Each endpoint gets `--duration` seconds of wrk (closed loop, one thread,
`--connections` connections); results go to bench/results/<date>.json with requests/s,
p50/p95/p99 and each endpoint's throughput as a ratio to /healthz.

    .venv/bin/python bench/generate.py --db zhiben_bench --scale 0.05
    .venv/bin/python bench/load.py --db zhiben_bench --duration 10

Loopback only; every run is bounded by --duration (wrk -d) plus a fixed timeout.
"""

from __future__ import annotations

import argparse
import json
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

from bench.common import ADMIN_URL, ROOT, db_url, login, print_table, run, start_server  # noqa: E402

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
        }
        return {k: [r[0] for r in await conn.fetch(sql)] for k, sql in q.items()}
    finally:
        await conn.close()


def targets(ids: dict[str, list[str]], office: str, head: str) -> list[Target]:
    plan = {
        "responsible_person": "压测负责人",
        "deadline": "2027-06-30",
        "measures": "压测整改措施",
    }
    report = {"description": "压测举报：车间消防通道被货物堵塞", "enterprise_name": "压测企业"}
    return [
        Target("healthz", "GET", ["/healthz"]),
        Target(
            "hazard_list",
            "GET",
            [f"{API}/hazards?status=rectifying&level=general&limit=50"],
            office,
        ),
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
        Target("hazard_list_as_head", "GET", [f"{API}/hazards?limit=50"], head),
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


def _git_sha() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--port", type=int, default=18765)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--only", nargs="*", help="endpoint names to run")
    ap.add_argument("--tag", default="", help="suffix of the results file: <date>-<tag>.json")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    url = db_url(args.db, args.admin_url)
    ids = run(_sample(url))
    # Bench settings: the public report limit is lifted so the post measures the endpoint,
    # not the limiter (the limiter has its own tests).
    server = start_server(
        url,
        args.port,
        args.workers,
        ZHIBEN_PUBLIC_REPORT_LIMIT="100000000/hour",
        ZHIBEN_PUBLIC_GLOBAL_REPORT_LIMIT="100000000/hour",
    )
    try:
        office, head = login(server.base, "bench_office"), login(server.base, "bench_head")
        results = _measure(server.base, targets(ids, office, head), args)
    finally:
        server.stop()
    _write(results, url, args)
    return 0


def _measure(
    base: str, all_targets: list[Target], args: argparse.Namespace
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    chosen = [t for t in all_targets if not args.only or t.name in args.only or t.name == "healthz"]
    run_wrk(base, chosen[0], 2, args.connections)  # warm-up, not recorded
    for target in chosen:
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
            row.update(connections=conns, **run_wrk(base, target, args.duration, conns))
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    ceiling = next((r["rps"] for r in rows if r["endpoint"] == "healthz" and "rps" in r), None)
    for r in rows:
        if ceiling and "rps" in r:
            r["ratio_to_healthz"] = round(r["rps"] / ceiling, 5)
    return rows


def _write(rows: list[dict[str, Any]], url: str, args: argparse.Namespace) -> None:
    now = datetime.now(UTC)
    doc = {
        "date": now.isoformat(timespec="seconds"),
        "git_sha": _git_sha(),
        "scale": run(_scale(url)),
        "config": {
            "workers": args.workers,
            "duration_s": args.duration,
            "connections": args.connections,
            "tool": "wrk -t1 (closed loop)",
            "host": "2-core box shared with PostgreSQL, Redis and other work",
        },
        "endpoints": rows,
    }
    suffix = f"-{args.tag}" if args.tag else ""
    out = ROOT / "bench" / "results" / f"{now:%Y-%m-%d}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwrote {out}")
    print_table(
        rows,
        [
            "endpoint",
            "rps",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "non_2xx",
            "status_5xx",
            "ratio_to_healthz",
            "skipped",
        ],
    )


if __name__ == "__main__":
    raise SystemExit(main())
