"""Background jobs bench (issue 13), on a throwaway PostgreSQL database:

1. one reminder scan over N open hazards (default 100,000) with deadlines spread T-10..+29,
   one enterprise head per enterprise: time and SQL statements; then the same scan again
   (idempotent: nothing new) — time and statements;
2. the outbox relay's hand-off rate (rows/s into procrastinate) with 1 and 2 relays;
3. procrastinate workers running those jobs (webhooks.fan_out, no subscriptions), with 1 and
   2 workers (concurrency 4 each): jobs/s.

    .venv/bin/python bench/jobs_bench.py [--hazards 100000] [--jobs 5000] [--keep]

Short by design (a shared machine): about a minute at the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.config import Settings  # noqa: E402
from app.core.db import make_engine, make_sessionmaker  # noqa: E402
from app.jobs.worker import build_app, conninfo, relay_once  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.rules.calendar import today_in_shanghai  # noqa: E402
from app.services import audit, reminders  # noqa: E402
from app.services.session_hooks import SESSION_HOOKS  # noqa: E402
from bench.common import ADMIN_URL, create_database, db_url, run  # noqa: E402

HEADS = """
INSERT INTO users (id, username, password_hash, role, display_name, is_active, enterprise_id,
                   created_at, updated_at)
SELECT gen_random_uuid(), 'head_' || e.id, (SELECT password_hash FROM users LIMIT 1),
       'enterprise_head', '负责人', true, e.id, now(), now()
FROM enterprises e
"""
OPEN_WITH_DEADLINES = """
UPDATE hazards SET status = 'rectifying',
       deadline = CURRENT_DATE + (abs(hashtext(id::text)) % 40 - 10)
"""
RESET_QUEUE = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables
           WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%' LOOP
    EXECUTE format('TRUNCATE %I CASCADE', r.tablename);
  END LOOP;
END $$;
"""


def generate(name: str, hazards: int, enterprises: int) -> None:
    subprocess.run(
        [sys.executable, "bench/generate.py", "--db", name, "--fresh", "--enterprises",
         str(enterprises), "--hazards", str(hazards), "--inspections", "0"],
        check=True, timeout=900,
    )  # fmt: skip


async def scan_twice(url: str) -> list[dict[str, Any]]:
    settings = Settings(database_url=url, secret_key="x" * 40, jobs_mode="manual")
    engine = make_engine(settings)
    statements = [0]

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def count(*_args: Any) -> None:
        statements[0] += 1

    out = []
    try:
        import asyncpg  # set-up outside the app's statement timeout

        raw = await asyncpg.connect(url)
        await raw.execute(OPEN_WITH_DEADLINES)
        await raw.execute(HEADS)
        await raw.close()
        today = today_in_shanghai()
        for label in ("first scan", "second scan (same day)"):
            statements[0] = 0
            start = time.perf_counter()
            async with make_sessionmaker(engine, hooks=SESSION_HOOKS)() as session, session.begin():
                result = await reminders.scan(session, today=today, now=utcnow(), settings=settings)
            out.append({
                "run": label, "seconds": round(time.perf_counter() - start, 2),
                "statements": statements[0], "stages": result.stages["hazard"],
                "notifications": result.notifications,
            })  # fmt: skip
    finally:
        await engine.dispose()
    return out


async def fill_outbox(url: str, n: int) -> None:
    settings = Settings(database_url=url, secret_key="x" * 40, jobs_mode="manual")
    engine = make_engine(settings)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("TRUNCATE outbox_events CASCADE"))
            await conn.execute(text(RESET_QUEUE))
        async with make_sessionmaker(engine, hooks=SESSION_HOOKS)() as session, session.begin():
            for i in range(n):
                audit.emit(session, topic="bench.event", object_type="bench", object_id=str(i))
    finally:
        await engine.dispose()


async def relay_all(url: str, relays: int) -> float:
    app = build_app(url, None)

    async def one() -> None:
        async with await psycopg.AsyncConnection.connect(conninfo(url)) as conn:
            while await relay_once(app, conn, batch=200):
                pass

    async with app.open_async():
        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(relays)))
        return time.perf_counter() - start


async def work_all(url: str, workers: int) -> float:
    from app.core.storage import LocalStorage
    from app.jobs.context import build_context

    settings = Settings(database_url=url, secret_key="x" * 40)
    engine = make_engine(settings)
    ctx = build_context(
        settings, make_sessionmaker(engine, hooks=SESSION_HOOKS), LocalStorage(Path("bench/var/up"))
    )
    app = build_app(url, ctx)
    try:
        async with app.open_async():
            start = time.perf_counter()
            await asyncio.gather(*(
                app.run_worker_async(wait=False, concurrency=4, install_signal_handlers=False,
                                     name=f"bench{i}", listen_notify=False)
                for i in range(workers)
            ))  # fmt: skip
            return time.perf_counter() - start
    finally:
        await ctx.http_client.aclose()
        await engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="zhiben_bench_jobs")
    ap.add_argument("--hazards", type=int, default=100_000)
    ap.add_argument("--enterprises", type=int, default=2_000)
    ap.add_argument("--jobs", type=int, default=5_000)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()
    url = db_url(args.db)
    generate(args.db, args.hazards, args.enterprises)
    try:
        for row in run(scan_twice(url)):
            print(row)
        for n in (1, 2):
            run(fill_outbox(url, args.jobs))
            seconds = run(relay_all(url, n))
            print({"relays": n, "rows": args.jobs, "seconds": round(seconds, 2),
                   "rows_per_s": round(args.jobs / seconds)})  # fmt: skip
            seconds = run(work_all(url, n))
            print({"workers": n, "jobs": args.jobs, "seconds": round(seconds, 2),
                   "jobs_per_s": round(args.jobs / seconds)})  # fmt: skip
    finally:
        if not args.keep:
            run(create_database(args.db, ADMIN_URL, drop=True))  # drop, then recreate empty
            import asyncpg

            async def drop() -> None:
                conn = await asyncpg.connect(ADMIN_URL)
                await conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
                await conn.close()

            run(drop())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
