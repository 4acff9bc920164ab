"""The server freezes its start-up heap once (app/core/heap.py, issue 11): checked in a fresh
interpreter, because the test process itself must keep collecting normally."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import asyncio, gc
from app.core.config import Settings
from app.main import create_app
from app.core.heap import freeze_startup_heap

async def main():
    app = create_app(Settings())
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        during = gc.get_freeze_count()
    again = freeze_startup_heap()
    print(during, again)

asyncio.run(main())
"""


def _run(tmp_path: Path, **env: str) -> list[int]:
    environ = {
        **os.environ,
        "ZHIBEN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'heap.db'}",
        "ZHIBEN_SECRET_KEY": "heap-test-secret-key-long-enough-for-hs256-0123456789",
        "ZHIBEN_VAR_DIR": str(tmp_path),
        "ZHIBEN_JOBS_MODE": "manual",
        **env,
    }
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environ, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return [int(x) for x in out.stdout.split()[-2:]]


def test_start_up_freezes_the_heap_once(tmp_path: Path) -> None:
    during, again = _run(tmp_path)
    # The app, its routes, models and modules: far more than a bare interpreter's objects.
    assert during > 50_000
    assert again == 0  # once per process


def test_the_setting_turns_it_off(tmp_path: Path) -> None:
    during, again = _run(tmp_path, ZHIBEN_GC_FREEZE_ON_START="false")
    assert during == 0
    assert again > 50_000  # nothing had been frozen before
