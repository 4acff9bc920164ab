"""Shared pieces of the bench scripts: PostgreSQL URLs and COPY, a private throwaway cluster
for fault drills, and a `zhiben serve` process on loopback.

Everything targets 127.0.0.1 only, and every wait is bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
ZHIBEN = str(ROOT / ".venv" / "bin" / "zhiben")
ADMIN_URL = os.environ.get(
    "ZHIBEN_BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BENCH_SECRET = "bench-secret-key-that-is-long-enough-for-hs256-signing-0123"
BENCH_PASSWORD = "bench-password-123456"


def db_url(name: str, admin: str = ADMIN_URL) -> str:
    return admin.rsplit("/", 1)[0] + "/" + name


async def create_database(name: str, admin: str = ADMIN_URL, *, drop: bool = False) -> None:
    conn = await asyncpg.connect(admin, timeout=10)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and drop:
            await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def migrate(url: str) -> None:
    env = {**os.environ, "ZHIBEN_DATABASE_URL": url}
    subprocess.run([ZHIBEN, "migrate"], env=env, check=True, timeout=300)


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    nullable: bool
    has_default: bool


async def columns(conn: asyncpg.Connection, table: str) -> list[Column]:
    rows = await conn.fetch(
        "SELECT column_name, data_type, is_nullable, column_default"
        " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1"
        " ORDER BY ordinal_position",
        table,
    )
    return [
        Column(
            r["column_name"],
            r["data_type"],
            r["is_nullable"] == "YES",
            r["column_default"] is not None,
        )
        for r in rows
    ]


def _type_default(col: Column) -> Any:
    """A value for a NOT NULL column the generator has no rule for (a column added later)."""
    t = col.data_type
    if t == "uuid":
        return uuid.uuid4()
    if t in ("integer", "bigint", "smallint", "numeric", "double precision", "real"):
        return 1 if col.name == "version" else 0
    if t == "boolean":
        return False
    if t.startswith("timestamp"):
        return datetime.now(UTC)
    if t == "date":
        return date.today()
    if t in ("json", "jsonb"):
        return "[]" if col.name.endswith("s") else "{}"
    return "-"


RowFn = Callable[[int], dict[str, Any]]


async def copy_rows(
    conn: asyncpg.Connection, table: str, count: int, make: RowFn, *, batch: int = 20_000
) -> int:
    """COPY `count` rows built by `make(i)`; columns the rule does not fill are left to their
    default, or filled by type when NOT NULL without one — so a schema that gained a column
    since this file was written still loads."""
    cols = await columns(conn, table)
    if not cols:
        raise SystemExit(f"table {table} does not exist: run the migrations first")
    known = set(make(0))
    fill = [c for c in cols if c.name in known or (not c.nullable and not c.has_default)]
    names = [c.name for c in fill]
    done = 0
    while done < count:
        records = []
        for i in range(done, min(count, done + batch)):
            row = make(i)
            records.append(tuple(row[c.name] if c.name in row else _type_default(c) for c in fill))
        await conn.copy_records_to_table(table, records=records, columns=names)
        done += len(records)
    return done


# --- a zhiben server on loopback -------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill9(self) -> None:
        """SIGKILL the whole process group: the uvicorn supervisor and every worker."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()


def server_env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "ZHIBEN_DATABASE_URL": url,
        "ZHIBEN_SECRET_KEY": BENCH_SECRET,
        "ZHIBEN_ENV": "production",
        "ZHIBEN_REDIS_URL": os.environ.get("ZHIBEN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        "ZHIBEN_ACCESS_TOKEN_MINUTES": "240",
        "ZHIBEN_LOG_LEVEL": "WARNING",
        "ZHIBEN_VAR_DIR": str(ROOT / "bench" / "var"),
        **extra,
    }


def start_server(
    url: str, port: int, workers: int = 2, *, zhiben: str = ZHIBEN, **env: str
) -> Server:
    """`zhiben` may be another checkout's `.venv/bin/zhiben` (load.py --tree): it then serves
    that tree's code, since its venv holds that tree as an editable install."""
    log = ROOT / "bench" / "var" / f"serve-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [zhiben, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(
        cmd,
        env=server_env(url, **env),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=Path(zhiben).resolve().parents[2],  # the tree's root: its .env, not ours
    )
    server = Server(proc, port, log)
    wait_until(lambda: _healthy(server.base), timeout=60, what="zhiben serve /healthz")
    return server


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise SystemExit(f"timed out after {timeout}s waiting for {what}")


def login(base: str, username: str, password: str = BENCH_PASSWORD) -> str:
    resp = httpx.post(
        base + "/api/v1/auth/token", data={"username": username, "password": password}, timeout=10
    )
    resp.raise_for_status()
    return str(resp.json()["access_token"])


# --- a private PostgreSQL cluster (fault drills must not restart the shared one) ----------


@dataclass
class PrivateCluster:
    datadir: Path
    port: int

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                _pg_bin("pg_ctl"),
                "-D",
                str(self.datadir),
                "-w",
                "-t",
                "30",
                *args,
            ],
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k /tmp -c fsync=on"
        self._pg_ctl("-o", opts, "-l", str(self.datadir / "log"), "start")

    def restart(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "restart")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self.stop("immediate")
        shutil.rmtree(self.datadir, ignore_errors=True)


def _pg_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))
    return str(versions[-1] / "bin" / name)


def private_cluster(port: int) -> PrivateCluster:
    datadir = Path(f"/tmp/zhiben-drill-pg-{port}")
    shutil.rmtree(datadir, ignore_errors=True)
    datadir.mkdir(parents=True)
    shutil.chown(datadir, "postgres", "postgres")
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            _pg_bin("initdb"),
            "-D",
            str(datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
    )
    cluster = PrivateCluster(datadir, port)
    cluster.start()
    return cluster


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def print_table(rows: Sequence[dict[str, Any]], keys: Iterable[str]) -> None:
    keys = list(keys)
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row.get(k, "")) for k in keys))
    sys.stdout.flush()
