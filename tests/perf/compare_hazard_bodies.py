"""Issue 11: the hazard list and read answer the same bytes before and after (a script, not a
test: it needs a bench database and two checkouts).

Serves `--old` and `--new` trees on one database and fetches, for every role of the bench
accounts (street office, enterprise head, grid staff and — if present — a dashboard account
`bench_dash`), the first pages of several lists (following the cursors) and hazard reads,
and compares status, content type, ETag and body byte for byte.

    .venv/bin/python tests/perf/compare_hazard_bodies.py --db x --old /work/wt/integ --new .
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import ADMIN_URL, db_url, login, start_server  # noqa: E402

API = "/api/v1"
LISTS = [
    "hazards?limit=50",
    "hazards?limit=7",
    "hazards?status=rectifying&level=general&limit=50",
    "hazards?overdue=true&limit=50",
    "hazards?supervised=false&status=closed&limit=20",
]


def _get(client: httpx.Client, base: str, path: str, token: str) -> httpx.Response:
    return client.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _same(a: httpx.Response, b: httpx.Response) -> bool:
    keys = ("content-type", "etag", "content-length")
    return (
        a.status_code == b.status_code
        and a.content == b.content
        and all(a.headers.get(k) == b.headers.get(k) for k in keys)
    )


def compare(old: str, new: str, users: list[str]) -> tuple[int, list[str]]:
    checked, bad = 0, []
    with httpx.Client() as client:
        for user in users:
            tok = {b: login(b, user) for b in (old, new)}
            reads: list[str] = []
            for path in LISTS:
                cursor, pages = "", 0
                while pages < 4:
                    p = f"{API}/{path}" + (f"&cursor={cursor}" if cursor else "")
                    a, b = _get(client, old, p, tok[old]), _get(client, new, p, tok[new])
                    checked += 1
                    if not _same(a, b):
                        bad.append(f"{user} {p}")
                        break
                    body = a.json()
                    reads += [i["id"] for i in body.get("items", [])][:40]
                    cursor, pages = body.get("next_cursor") or "", pages + 1
                    if not cursor:
                        break
            for hid in dict.fromkeys(reads):
                p = f"{API}/hazards/{hid}"
                a, b = _get(client, old, p, tok[old]), _get(client, new, p, tok[new])
                checked += 1
                if not _same(a, b):
                    bad.append(f"{user} {p}")
    return checked, bad


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--users", nargs="*", default=["bench_office", "bench_head", "bench_grid"])
    ap.add_argument("--port", type=int, default=18901)
    args = ap.parse_args()
    url = db_url(args.db, ADMIN_URL)
    servers = [
        start_server(url, args.port + n, 1, zhiben=str(Path(t).resolve() / ".venv/bin/zhiben"))
        for n, t in enumerate((args.old, args.new))
    ]
    try:
        checked, bad = compare(servers[0].base, servers[1].base, args.users)
    finally:
        for s in servers:
            s.stop()
    sys.stdout.write(f"{checked} responses compared, {len(bad)} differ\n")
    for line in bad[:20]:
        sys.stdout.write(f"DIFFERS: {line}\n")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
