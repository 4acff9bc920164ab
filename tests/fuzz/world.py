"""The fuzzing world: a dedicated app instance (its own engine) on the test database, seeded
through the API with two grids, three enterprises of different sectors, an account per role,
and whatever objects the domain endpoints can create (hazards in several states, reports…).

The fuzz tests are synchronous: schemathesis drives the ASGI app on its own event-loop thread.
The seeding runs in a short-lived loop and disposes the engine afterwards, so the pooled
connections the fuzzer uses are all opened on schemathesis' loop.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from app.core.config import Settings
from app.core.db import make_engine
from app.main import create_app
from app.models.base import Base
from app.models.grid import Grid
from app.models.user import Role
from tests.conftest import PRESERVED_TABLES, World, add_enterprise, add_user
from tests.security.seed import HAZARD_STEPS, Seeded, add_third_enterprise, seed_objects

ROLES = ("office", "head1", "grid1", "dashboard", None)


@dataclass
class FuzzWorld:
    app: FastAPI
    world: World
    seeded: Seeded
    # Real ids for path parameters, so generated calls also reach existing objects.
    known_ids: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str | None) -> dict[str, str]:
        return self.world.headers(role)


async def _accounts(app: FastAPI, settings: Settings) -> World:
    world = World(settings=settings)
    async with app.state.sessionmaker() as db:
        for g in ("G1", "G2"):
            grid = Grid(id=uuid.uuid4(), name=f"模糊测试网格{g}")
            db.add(grid)
            world.grids[g] = grid.id
        await db.flush()
        await add_enterprise(db, world, "E1", "G1", features=["confined_space"])
        smelter = ["metal_smelting"]
        await add_enterprise(db, world, "E2", "G2", sector="metallurgy", features=smelter)
        await add_user(db, world, "office", Role.street_office)
        await add_user(db, world, "head1", Role.enterprise_head, enterprise="E1")
        await add_user(db, world, "head2", Role.enterprise_head, enterprise="E2")
        await add_user(db, world, "grid1", Role.grid_staff, grids=("G1",))
        await add_user(db, world, "dashboard", Role.dashboard)
        await db.commit()
    return world


def _known_ids(world: World, seeded: Seeded) -> dict[str, str]:
    ids = {
        "enterprise_id": str(world.enterprises["E1"]),
        "grid_id": str(world.grids["G1"]),
        "user_id": str(world.users["head1"]),
    }
    for path, created in seeded.created.items():
        if "/public/" in path or path.rsplit("/", 1)[-1] in {*HAZARD_STEPS, "triage"}:
            continue  # receipt codes, and transitions like /hazards/{id}/plan
        name = path.rstrip("/").rsplit("/", 1)[-1].removesuffix("s") + "_id"
        if created and created[0]:
            ids.setdefault(name, created[0])
    return ids


async def _build(settings: Settings) -> FuzzWorld:
    app = create_app(settings)
    world = await _accounts(app, settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await add_third_enterprise(client, world)
        seeded = await seed_objects(client, world, app.openapi())
    await app.state.engine.dispose()
    return FuzzWorld(app=app, world=world, seeded=seeded, known_ids=_known_ids(world, seeded))


def build_world(settings: Settings) -> FuzzWorld:
    return asyncio.run(_build(settings))


async def _truncate(settings: Settings) -> None:
    engine = make_engine(settings)
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in PRESERVED_TABLES]
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in reversed(tables):
                    await conn.execute(text(f"DELETE FROM {name}"))
    finally:
        await engine.dispose()


def clean_database(settings: Settings) -> None:
    """The same clean-up as tests/conftest.py does after each test."""
    asyncio.run(_truncate(settings))
