"""Async export memory bench (issue 13): the Python heap peak (tracemalloc) while one ledger
export of N hazards (default 100,000, every one in the street office's scope) is rendered by
the real streamed writers and stored, the way `exports.render` did before (the whole file
joined in memory, then `storage.put`) and does now (`storage.put_stream`, written in 1 MiB
pieces).

    .venv/bin/python bench/export_bench.py [--hazards 100000] [--formats csv,xlsx] [--keep]

Uses a throwaway PostgreSQL database filled by generate.py (COPY); a few minutes on the
shared machine (tracemalloc slows Python about twofold).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.config import Settings  # noqa: E402
from app.core.db import make_engine, make_sessionmaker  # noqa: E402
from app.core.storage import LocalStorage  # noqa: E402
from app.services.exports import MEDIA, actor_of  # noqa: E402
from app.services.hazards import export as ledger  # noqa: E402
from app.services.hazards import export_xlsx as ledger_xlsx  # noqa: E402
from app.services.hazards.queries import HazardFilters  # noqa: E402
from bench.common import ADMIN_URL, BENCH_SECRET, create_database, db_url, migrate, run  # noqa: E402
from bench.generate import generate  # noqa: E402

DB = "zhiben_bench_export"


async def _in_memory(storage: LocalStorage, stream: AsyncIterator[bytes], media: str) -> int:
    data = b"".join([chunk async for chunk in stream])  # what render() did before
    await storage.put(data, content_type=media)
    return len(data)


async def _streamed(storage: LocalStorage, stream: AsyncIterator[bytes], media: str) -> int:
    _key, size = await storage.put_stream(stream, content_type=media)
    return size


async def measure(url: str, fmt: str, how: str) -> dict[str, Any]:
    settings = Settings(database_url=url, secret_key=BENCH_SECRET)
    engine = make_engine(settings)
    maker = make_sessionmaker(engine)
    async with maker() as session:
        office = await asyncpg.connect(url.replace("+asyncpg", ""))
        user_id = await office.fetchval("SELECT id FROM users WHERE username = 'bench_office'")
        await office.close()
        actor = await actor_of(session, user_id)
    assert actor is not None
    make: Callable[[], AsyncIterator[bytes]] = (
        (lambda: ledger.stream_csv(maker, actor, HazardFilters()))
        if fmt == "csv"
        else (lambda: ledger_xlsx.stream_xlsx(maker, actor, HazardFilters(), jurisdiction="某街道"))
    )
    store = _in_memory if how == "in memory (before)" else _streamed
    with tempfile.TemporaryDirectory() as root:
        tracemalloc.start()
        t0 = time.monotonic()
        size = await store(LocalStorage(Path(root)), make(), MEDIA[fmt])
        seconds = time.monotonic() - t0
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    await engine.dispose()
    return {"format": fmt, "store": how, "file_mb": round(size / 2**20, 1),
            "heap_peak_mb": round(peak / 2**20, 1), "seconds": round(seconds, 1)}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--hazards", type=int, default=100_000)
    ap.add_argument("--formats", default="csv,xlsx")
    ap.add_argument("--keep", action="store_true", help="reuse the database if it is filled")
    args = ap.parse_args()
    url = db_url(DB)
    if not args.keep:
        run(create_database(DB, ADMIN_URL, drop=True))
        migrate(url)
        run(generate(url, 2000, args.hazards, 0, 20))
    app_url = url.replace("postgresql://", "postgresql+asyncpg://")
    for fmt in args.formats.split(","):
        for how in ("in memory (before)", "streamed (now)"):
            print(asyncio.run(measure(app_url, fmt, how)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
