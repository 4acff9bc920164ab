"""Test fixtures: a real database (SQLite or PostgreSQL, chosen by ZHIBEN_TEST_DB), the app
in-process over httpx, and a small world of grids, enterprises and one account per role.

Each test runs against committed data, like production; afterwards every table is emptied
except the reference data the migrations load (`PRESERVED_TABLES`).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import security
from app.core.config import Settings
from app.core.migrate import upgrade
from app.core.ratelimit import MemoryRateLimiter
from app.main import create_app
from app.models.base import Base
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.user import AuthSession, Role, User, UserGrid

# Reference data loaded by migrations; kept between tests. Domains add their tables here.
PRESERVED_TABLES = {"alembic_version", "standards", "standard_items"}

TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256-signing"
TEST_PASSWORD = "correct-horse-battery"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _backend() -> str:
    return os.environ.get("ZHIBEN_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if _backend() == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite+aiosqlite:///{path}"
        return
    admin_url = os.environ.get("ZHIBEN_TEST_POSTGRES_URL", DEFAULT_PG)
    name = f"zhiben_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg_admin(admin_url: str, sql: str) -> None:
    """CREATE/DROP DATABASE cannot run in a transaction: a bare asyncpg connection."""
    import asyncpg

    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    settings = Settings(
        env="development",
        database_url=database_url,
        secret_key=TEST_SECRET,
        var_dir=var,
        upload_dir=var / "uploads",
        redis_url=None,
        jobs_mode="manual",  # tests run background jobs themselves (LocalRunner.drain)
        log_level="WARNING",
    )
    upgrade(settings.database_url)
    return settings


@pytest.fixture(scope="session")
async def app_instance(settings: Settings) -> AsyncIterator[object]:
    app = create_app(settings)
    yield app
    await app.state.engine.dispose()


@pytest.fixture(autouse=True)
async def _clean_database(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "app_instance" not in request.fixturenames:
        return
    await empty_database(request.getfixturevalue("app_instance"))


async def empty_database(app: Any) -> None:
    """Every table but the reference data emptied, and fresh rate limits."""
    app.state.limiter = MemoryRateLimiter()
    async with app.state.engine.begin() as conn:
        existing = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        tables = [
            t.name
            for t in Base.metadata.sorted_tables
            if t.name in existing and t.name not in PRESERVED_TABLES
        ]
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                await conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
async def client(app_instance: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_instance)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
async def db(app_instance: object) -> AsyncIterator[AsyncSession]:
    """A session for arranging data and checking what was stored (commit yourself)."""
    async with app_instance.state.sessionmaker() as session:  # type: ignore[attr-defined]
        yield session


_HASH_CACHE: dict[str, str] = {}


def password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per run.
    if "h" not in _HASH_CACHE:
        _HASH_CACHE["h"] = security.hash_password(TEST_PASSWORD)
    return _HASH_CACHE["h"]


@dataclass
class World:
    """Two grids, two enterprises (one per grid), and accounts:
    office, head1 (E1), head2 (E2), grid1 (G1), grid2 (G2), dashboard."""

    settings: Settings
    grids: dict[str, uuid.UUID] = field(default_factory=dict)
    enterprises: dict[str, uuid.UUID] = field(default_factory=dict)
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}


async def add_user(
    session: AsyncSession,
    world: World,
    name: str,
    role: Role,
    *,
    enterprise: str | None = None,
    grids: tuple[str, ...] = (),
) -> None:
    user = User(
        id=uuid.uuid4(),
        username=f"u_{name}",
        password_hash=password_hash(),
        role=role,
        display_name=f"测试{name}",
        is_active=True,
        enterprise_id=world.enterprises[enterprise] if enterprise else None,
    )
    session.add(user)
    await session.flush()
    for g in grids:
        session.add(UserGrid(user_id=user.id, grid_id=world.grids[g]))
    auth = AuthSession(user_id=user.id)
    session.add(auth)
    await session.flush()
    world.users[name] = user.id
    world.tokens[name], _ = security.create_access_token(
        user_id=user.id, session_id=auth.id, role=role.value, secret=TEST_SECRET, minutes=30
    )


async def add_enterprise(
    session: AsyncSession,
    world: World,
    name: str,
    grid: str,
    *,
    sector: str = "machinery",
    features: list[str] | None = None,
    **extra: object,
) -> uuid.UUID:
    ent = Enterprise(
        id=uuid.uuid4(),
        name=f"测试企业{name}",
        grid_id=world.grids[grid],
        tier="small",
        sector=sector,
        features=features or [],
        **extra,
    )
    session.add(ent)
    await session.flush()
    world.enterprises[name] = ent.id
    return ent.id


@pytest.fixture
def shanghai_midday() -> Iterator[datetime]:
    """The clock at the latest 11:00 Asia/Shanghai, ticking. For tests whose offsets must stay
    within one business day (a 45-minute gap is "the same day" only before 23:15): without it
    they fail when the suite runs late in the Shanghai evening. Request it before the fixtures
    that mint tokens, so `nbf` is in the travelled clock too."""
    now = datetime.now(UTC)
    at = now.replace(hour=3, minute=0, second=0, microsecond=0)  # 11:00 in UTC+8
    if at > now:
        at -= timedelta(days=1)
    with time_machine.travel(at, tick=True):
        yield at


@pytest.fixture
async def world(db: AsyncSession, settings: Settings) -> World:
    w = World(settings=settings)
    for g in ("G1", "G2"):
        grid = Grid(id=uuid.uuid4(), name=f"网格{g}")
        db.add(grid)
        w.grids[g] = grid.id
    await db.flush()
    await add_enterprise(db, w, "E1", "G1")
    await add_enterprise(db, w, "E2", "G2")
    await add_user(db, w, "office", Role.street_office)
    await add_user(db, w, "head1", Role.enterprise_head, enterprise="E1")
    await add_user(db, w, "head2", Role.enterprise_head, enterprise="E2")
    await add_user(db, w, "grid1", Role.grid_staff, grids=("G1",))
    await add_user(db, w, "grid2", Role.grid_staff, grids=("G2",))
    await add_user(db, w, "dashboard", Role.dashboard)
    await db.commit()
    return w


def assert_problem(resp: httpx.Response, status: int, code: str | None = None) -> dict[str, object]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.headers
    body: dict[str, object] = resp.json()
    assert body["status"] == status
    for key in ("type", "title", "detail", "code"):
        assert key in body
    if code is not None:
        assert body["code"] == code, body
    return body


ROOT = Path(__file__).resolve().parent.parent
