"""Build a PostgreSQL database for the load harness (issue 7), with COPY.

Default scale: 20,000 enterprises, 1,000,000 hazards (each with its history row), 200,000
inspections; `--scale 0.1` multiplies all three. The schema comes from the migrations
(`zhiben migrate`); the rules below say how to fill the columns this file knows about, and any
NOT NULL column added since is filled by type (bench/common.py `copy_rows`).

Also creates three accounts for the load: bench_office (street office), bench_head (head of
enterprise #0), bench_grid (grid staff of grid #0), password `BENCH_PASSWORD`.

    .venv/bin/python bench/generate.py --db zhiben_bench --scale 0.05
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.security import hash_password  # noqa: E402
from app.services.hazard_counts import TABLES as ROLLUPS  # noqa: E402
from app.services.hazard_counts import backfill_sql  # noqa: E402
from app.services.inspection_counts import backfill_sql as inspection_backfill_sql  # noqa: E402
from bench.common import ADMIN_URL, BENCH_PASSWORD, copy_rows, create_database, db_url, migrate, run  # noqa: E402

SECTORS = [
    "metallurgy",
    "nonferrous",
    "building_materials",
    "machinery",
    "light_industry",
    "textile",
    "tobacco",
    "commerce",
]
FEATURES = [
    "metal_smelting",
    "dust_explosion",
    "ammonia_refrigeration",
    "confined_space",
    "hazardous_chemicals",
    "factory_in_factory",
]
SOURCES = ["self_check", "principal_check", "grid_patrol", "enforcement", "public_report", "other"]
CATEGORIES = [
    "confined_space",
    "work_at_height",
    "hot_work",
    "dust",
    "ammonia",
    "electrical",
    "fire",
    "equipment",
    "management",
    "other",
]
# A ledger two years into the campaign: most hazards are closed.
STATUSES = [
    ("closed", 0.70),
    ("rectifying", 0.12),
    ("reported", 0.08),
    ("pending_verification", 0.06),
    ("voided", 0.04),
]
INSPECTION_KINDS = ["principal_check", "grid_patrol", "enforcement", "self_check"]
TABLES = ["inspections", "hazard_history", "hazards", "user_grids", "users", "enterprises", "grids"]
NOW = datetime.now(UTC)


def hazard_id(i: int) -> uuid.UUID:
    """Hazard i's id, derived from i so its history row can name it without a lookup."""
    return uuid.UUID(int=(0xBE7C << 112) | i, version=4)


class World:
    def __init__(self, enterprises: int, grids: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.grid_ids = [uuid.UUID(int=self.rng.getrandbits(128), version=4) for _ in range(grids)]
        self.ent_ids = [
            uuid.UUID(int=self.rng.getrandbits(128), version=4) for _ in range(enterprises)
        ]
        self.ent_grid = [self.grid_ids[i % grids] for i in range(enterprises)]
        self.office_id = uuid.uuid4()
        self.standard_version = "-"

    def grid(self, i: int) -> dict[str, Any]:
        return {"id": self.grid_ids[i], "name": f"压测网格{i:03d}"}

    def enterprise(self, i: int) -> dict[str, Any]:
        r = self.rng
        return {
            "id": self.ent_ids[i],
            "name": f"压测企业{i:06d}有限公司",
            "grid_id": self.ent_grid[i],
            "tier": "district_key" if r.random() < 0.05 else "small",
            "sector": r.choice(SECTORS),
            "features": json.dumps(r.sample(FEATURES, r.randint(0, 2))),
            "employee_count": r.randint(3, 800),
            "address": f"友谊路{i % 500}号",
            "is_demo": False,
            "version": 1,
        }

    def hazard(self, i: int) -> dict[str, Any]:
        r = self.rng
        status = r.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
        found = NOW - timedelta(seconds=r.randint(0, 730 * 86400))
        ent = r.randrange(len(self.ent_ids))
        hid = hazard_id(i)
        planned = status != "reported" and status != "voided"
        return {
            "id": hid,
            "ledger_no": f"BENCH-{found.year}-{i:07d}",
            "enterprise_id": self.ent_ids[ent],
            "source": r.choice(SOURCES),
            "description": f"压测隐患{i}：作业现场安全防护缺失",
            "category": r.choice(CATEGORIES),
            "level": "major" if r.random() < 0.03 else "general",
            "basis": "{}",
            "status": status,
            "fixed_on_spot": False,
            "found_at": found,
            "found_by_role": "grid_staff",
            "responsible_person": "张三" if planned else None,
            "deadline": (found + timedelta(days=30)).date() if planned else None,
            "measures": "整改措施" if planned else None,
            "closed_at": found + timedelta(days=20) if status == "closed" else None,
            "voided_at": found + timedelta(days=2) if status == "voided" else None,
            "supervised": False,
            "production_suspended": False,
            "version": 1,
            "created_at": found,
            "updated_at": found,
        }

    def history(self, i: int) -> dict[str, Any]:
        return {
            "hazard_id": hazard_id(i),
            "seq": 1,
            "action": "create",
            "from_status": None,
            "to_status": "reported",
            "actor_role": "grid_staff",
            "at": NOW,
            "data": "{}",
        }

    def inspection(self, i: int) -> dict[str, Any]:
        r = self.rng
        started = NOW - timedelta(seconds=r.randint(0, 730 * 86400))
        return {
            "id": uuid.UUID(int=r.getrandbits(128), version=4),
            "enterprise_id": r.choice(self.ent_ids),
            "kind": r.choice(INSPECTION_KINDS),
            "started_at": started,
            "finished_at": started + timedelta(hours=1),
            "inspectors": "[]",
            "standard_version": self.standard_version,
            "filed_by": self.office_id,
            "filed_by_role": "street_office",
            "applicable_count": 40,
            "answered_count": 40,
            "quiz_total": 0,
            "quiz_passed": 0,
            "body_hash": f"{i:064x}",
            "created_at": started,
            "updated_at": started,
        }


async def _accounts(conn: asyncpg.Connection, world: World) -> None:
    pw = hash_password(BENCH_PASSWORD)
    accounts = [
        (world.office_id, "bench_office", "street_office", None),
        (uuid.uuid4(), "bench_head", "enterprise_head", world.ent_ids[0]),
        (uuid.uuid4(), "bench_grid", "grid_staff", None),
    ]
    for uid, name, role, ent in accounts:
        await conn.execute(
            "INSERT INTO users (id, username, password_hash, role, display_name, is_active,"
            " enterprise_id) VALUES ($1, $2, $3, $4, $5, true, $6)",
            uid,
            name,
            pw,
            role,
            name,
            ent,
        )
    await conn.execute(
        "INSERT INTO user_grids (user_id, grid_id) VALUES ($1, $2)",
        accounts[2][0],
        world.grid_ids[0],
    )


async def generate(url: str, enterprises: int, hazards: int, inspections: int, grids: int) -> None:
    world = World(enterprises, grids, seed=20261128)
    conn = await asyncpg.connect(url, timeout=10)
    try:
        existing = [t for t in TABLES if await conn.fetchval("SELECT to_regclass($1)", t)]
        await conn.execute(f"TRUNCATE {', '.join(existing)} CASCADE")
        steps: list[tuple[str, int, Any]] = [
            ("grids", grids, world.grid),
            ("enterprises", enterprises, world.enterprise),
            ("hazards", hazards, world.hazard),
            ("hazard_history", hazards, world.history),
        ]
        for table, count, make in steps:
            t0 = time.monotonic()
            await copy_rows(conn, table, count, make)
            print(f"{table}: {count} rows in {time.monotonic() - t0:.1f}s", flush=True)
        await _accounts(conn, world)
        if "inspections" in existing:
            version = await conn.fetchval("SELECT max(version) FROM standards")
            world.standard_version = version or "-"
            t0 = time.monotonic()
            await copy_rows(conn, "inspections", inspections, world.inspection)
            print(f"inspections: {inspections} rows in {time.monotonic() - t0:.1f}s", flush=True)
        else:
            print("inspections: table not in the schema yet, skipped", flush=True)
        if await conn.fetchval("SELECT to_regclass('hazard_tallies')"):
            # COPY bypassed the flush hooks that keep the overview's rollups (migration 0018).
            await conn.execute(f"TRUNCATE {', '.join(ROLLUPS)}")
            for stmt in backfill_sql("postgresql"):
                await conn.execute(stmt)
        if await conn.fetchval("SELECT to_regclass('principal_check_months')"):
            # The same for /stats/targets' principal checks per month (migration 0023).
            await conn.execute("TRUNCATE principal_check_months")
            await conn.execute(inspection_backfill_sql("postgresql"))
        # VACUUM too: a ledger in steady state has its visibility map set (autovacuum), which
        # index-only scans such as the overview's medians (migration 0008) rely on.
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", default="zhiben_bench", help="database name (created if missing)")
    ap.add_argument("--admin-url", default=ADMIN_URL)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--enterprises", type=int, default=20_000)
    ap.add_argument("--hazards", type=int, default=1_000_000)
    ap.add_argument("--inspections", type=int, default=200_000)
    ap.add_argument("--grids", type=int, default=20)
    ap.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    args = ap.parse_args()
    url = db_url(args.db, args.admin_url)
    run(create_database(args.db, args.admin_url, drop=args.fresh))
    migrate(url)
    n = {
        k: max(1, int(getattr(args, k) * args.scale))
        for k in ("enterprises", "hazards", "inspections")
    }
    t0 = time.monotonic()
    run(generate(url, n["enterprises"], n["hazards"], n["inspections"], args.grids))
    print(f"done in {time.monotonic() - t0:.1f}s: {url} ({date.today()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
