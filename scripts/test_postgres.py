"""Runs the whole suite again on PostgreSQL (`make test`), or says loudly why it cannot.

Uses ZHIBEN_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres); the
test fixtures create a throwaway database in it. Without a reachable server the run is skipped
with a banner — except under CI (the CI variable set), where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


async def _reachable(url: str) -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(
            url.replace("postgresql+asyncpg://", "postgresql://"), timeout=5
        )
    except Exception as exc:  # any failure means "not reachable"; say which
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


def main() -> int:
    url = os.environ.get("ZHIBEN_TEST_POSTGRES_URL", DEFAULT)
    problem = asyncio.run(_reachable(url))
    if problem is not None:
        banner = "=" * 72
        print(f"{banner}\nPostgreSQL NOT REACHABLE at {url}\n  {problem}", file=sys.stderr)
        if os.environ.get("CI"):
            print("CI is set: the PostgreSQL run is required. FAILING.\n" + banner, file=sys.stderr)
            return 1
        print(
            "SKIPPING the PostgreSQL test run (set CI=1 to make this a failure).\n" + banner,
            file=sys.stderr,
        )
        return 0
    env = dict(os.environ, ZHIBEN_TEST_DB="postgres", ZHIBEN_TEST_POSTGRES_URL=url)
    print(f"--- test suite on PostgreSQL ({url}) ---", flush=True)
    return subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], env=env
    )


if __name__ == "__main__":
    raise SystemExit(main())
