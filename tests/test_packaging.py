"""The migrations live in the repository's top-level alembic/ and still travel with zhiben:
plain `alembic upgrade head` from the repository root works, and a built wheel carries every
migration script as data (`zhiben migrate` from any directory is in tests/test_cli.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p.name for p in (ROOT / "alembic" / "versions").glob("*.py"))


def test_there_are_migration_scripts_at_the_top_level() -> None:
    assert (ROOT / "alembic" / "env.py").is_file()
    assert not (ROOT / "alembic" / "__init__.py").exists()  # must never shadow the library
    assert "20261128_0001_foundation.py" in SCRIPTS


def test_plain_alembic_upgrade_head_from_the_repository_root(tmp_path: Path) -> None:
    db = tmp_path / "plain.db"
    env = dict(os.environ, ZHIBEN_DATABASE_URL=f"sqlite:///{db}", ZHIBEN_ENV="development")
    env["ZHIBEN_VAR_DIR"] = str(tmp_path / "var")
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version


def test_the_wheel_ships_every_migration_script(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("zhiben-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    data = "zhiben-0.1.0.data/data/share/zhiben/alembic/"
    assert f"{data}env.py" in names
    assert f"{data}script.py.mako" in names
    shipped = sorted(n.removeprefix(f"{data}versions/") for n in names if "/versions/" in n)
    assert shipped == SCRIPTS
