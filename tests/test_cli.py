"""The `zhiben` console script works from any directory (brief §6): migrate, create-user,
seed-demo (idempotent), on a fresh SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def zhiben(
    tmp: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        ZHIBEN_DATABASE_URL=f"sqlite:///{tmp / 'z.db'}",
        ZHIBEN_VAR_DIR=str(tmp / "var"),
        ZHIBEN_ENV="development",
    ) | (env or {})
    env.pop("ZHIBEN_REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def count(tmp: Path, sql: str) -> int:
    with sqlite3.connect(tmp / "z.db") as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_migrate_create_user_and_seed(tmp_path: Path) -> None:
    assert zhiben(tmp_path, "migrate").returncode == 0
    ok = zhiben(
        tmp_path,
        "create-user",
        "--username",
        "boss",
        "--password",
        "long-enough-pw",
        "--role",
        "street_office",
        "--display-name",
        "主任",
    )
    assert ok.returncode == 0, ok.stderr
    dup = zhiben(
        tmp_path,
        "create-user",
        "--username",
        "boss",
        "--password",
        "long-enough-pw",
        "--role",
        "street_office",
    )
    assert dup.returncode == 1
    bad = zhiben(
        tmp_path,
        "create-user",
        "--username",
        "g1",
        "--password",
        "long-enough-pw",
        "--role",
        "grid_staff",
    )
    assert bad.returncode == 2
    first = zhiben(tmp_path, "seed-demo")
    assert first.returncode == 0, first.stderr
    assert "demo_office" in first.stdout
    assert zhiben(tmp_path, "seed-demo").returncode == 0  # idempotent
    # The plan's ten enterprises (no activity) and seven fictitious ones marked （演示）.
    assert count(tmp_path, "select count(*) from enterprises where is_demo") == 17
    assert count(tmp_path, "select count(*) from enterprises where name like '%（演示）'") == 7
    assert count(tmp_path, "select count(*) from grids") == 3
    # Ten role and head accounts, and the confined-space works' written delegate (作业票审批).
    assert count(tmp_path, "select count(*) from users where username like 'demo_%'") == 11
    assert count(tmp_path, "select count(*) from users") == 12
    names = {
        r[0] for r in sqlite3.connect(tmp_path / "z.db").execute("select name from enterprises")
    }
    assert "上海烟草集团宝山烟草糖酒有限公司" in names
    real_with_uscc = (
        "select count(*) from enterprises where uscc is not null and name not like '%（演示）'"
    )
    assert count(tmp_path, real_with_uscc) == 0
    hazards = count(tmp_path, "select count(*) from hazards")
    assert hazards >= 15
    prod = {"ZHIBEN_ENV": "production", "ZHIBEN_SECRET_KEY": "p" * 40}
    refused = zhiben(tmp_path, "seed-demo", "--reset", env=prod)
    assert refused.returncode == 2
    assert "--reset" in refused.stderr
    assert count(tmp_path, "select count(*) from users") == 12
    reset = zhiben(tmp_path, "seed-demo", "--reset")
    assert reset.returncode == 0, reset.stderr
    assert count(tmp_path, "select count(*) from users") == 11  # boss is gone: all rebuilt
    assert count(tmp_path, "select count(*) from hazards") == hazards
    purge = zhiben(tmp_path, "purge-uploads")
    assert purge.returncode == 0, purge.stderr
    assert "0 张" in purge.stdout


def test_purge_idempotency(tmp_path: Path) -> None:
    """Idempotency records past their replay window go; fresh ones stay (issue 10)."""
    assert zhiben(tmp_path, "migrate").returncode == 0
    with sqlite3.connect(tmp_path / "z.db") as conn:
        row = "INSERT INTO idempotency_records VALUES (?, ?, 'POST', '/x', ?, 201, '{}', ?, ?)"
        conn.execute(row, ("user:a", "old", "0" * 64, "application/json", "2020-01-01 00:00:00"))
        conn.execute(row, ("user:a", "new", "0" * 64, "application/json", "2999-01-01 00:00:00"))
    done = zhiben(tmp_path, "purge-idempotency")
    assert done.returncode == 0, done.stderr
    assert "1" in done.stdout
    assert count(tmp_path, "SELECT count(*) FROM idempotency_records") == 1
    assert count(tmp_path, "SELECT count(*) FROM idempotency_records WHERE key = 'new'") == 1


def test_expire_permits(tmp_path: Path) -> None:
    """The one-shot expiry (the worker runs it every five minutes); nothing due, nothing done."""
    assert zhiben(tmp_path, "migrate").returncode == 0
    done = zhiben(tmp_path, "expire-permits")
    assert done.returncode == 0, done.stderr
    assert "过期 0 张" in done.stdout
