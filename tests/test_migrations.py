"""Alembic migrations are the only way the schema is made: they must agree with the models,
and downgrade to base must work — on the database this run targets (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

import app.models  # noqa: F401
from app.core.db import async_url
from app.core.migrate import downgrade, include_name, upgrade
from app.models.base import Base
from tests.conftest import DEFAULT_PG, _pg_admin


@pytest.fixture
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("ZHIBEN_TEST_DB", "sqlite") == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('mig') / 'm.db'}"
        return
    admin = os.environ.get("ZHIBEN_TEST_POSTGRES_URL", DEFAULT_PG)
    name = f"zhiben_mig_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _diff(conn: Connection) -> list[object]:
    ctx = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_name": include_name}
    )
    return list(compare_metadata(ctx, Base.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def _inspect(url: str) -> tuple[list[object], set[str]]:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff), await conn.run_sync(_tables)
    finally:
        await engine.dispose()


def test_models_and_migrations_agree_and_downgrade(empty_database: str) -> None:
    upgrade(empty_database)
    diff, tables = asyncio.run(_inspect(empty_database))
    assert diff == [], f"models and migrations differ: {diff}"
    assert set(Base.metadata.tables) <= tables
    downgrade(empty_database, "base")
    _, tables = asyncio.run(_inspect(empty_database))
    assert tables <= {"alembic_version"}
    upgrade(empty_database)  # and up again: migrations are re-runnable from scratch
