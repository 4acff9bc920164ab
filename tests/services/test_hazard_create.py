"""`create_hazard`, the entry point inspections (issue 3) and triage (issue 5) call."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, Unprocessable
from app.models.audit import AuditLog, OutboxEvent
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard, HazardHistory
from app.models.user import Role
from app.rules.levels import HazardLevel
from app.services.determination import Basis, Determination
from app.services.hazards import NewHazard, create_hazard
from app.services.policy import Actor
from tests.conftest import World

GENERAL = Determination(HazardLevel.general, Basis(None))
MAJOR = Determination(HazardLevel.major, Basis("2023", ["4.1"], [4]))


def _actor(world: World) -> Actor:
    return Actor(
        user_id=world.users["grid1"],
        username="u_grid1",
        role=Role.grid_staff,
        grid_ids=frozenset({world.grids["G1"]}),
    )


async def test_create_writes_ledger_history_audit_event(db: AsyncSession, world: World) -> None:
    ent = await db.get_one(Enterprise, world.enterprises["E1"])
    data = NewHazard(
        description="配电箱门未关",
        category="electrical",
        source="grid_patrol",
        determination=GENERAL,
    )
    h1, created = await create_hazard(db, actor=_actor(world), enterprise=ent, data=data)
    h2, _ = await create_hazard(db, actor=_actor(world), enterprise=ent, data=data)
    await db.commit()
    assert created
    assert re.fullmatch(r"YYL-\d{4}-\d{6}", h1.ledger_no)
    assert h1.ledger_no != h2.ledger_no
    assert (h1.status, h1.level, h1.found_by_role) == ("reported", "general", "grid_staff")
    hist = (await db.scalars(select(HazardHistory).where(HazardHistory.hazard_id == h1.id))).all()
    assert [(r.seq, r.action, r.to_status) for r in hist] == [(1, "create", "reported")]
    assert await db.scalar(select(AuditLog).where(AuditLog.object_id == str(h1.id)))
    topics = (
        await db.scalars(select(OutboxEvent.topic).where(OutboxEvent.object_id == str(h1.id)))
    ).all()
    assert topics == ["hazard.created"]


async def test_same_client_id_is_not_duplicated(db: AsyncSession, world: World) -> None:
    ent = await db.get_one(Enterprise, world.enterprises["E1"])
    hid = uuid.uuid4()
    data = NewHazard(
        id=hid, description="d", category="fire", source="enforcement", determination=MAJOR
    )
    _, first = await create_hazard(db, actor=_actor(world), enterprise=ent, data=data)
    again, second = await create_hazard(db, actor=_actor(world), enterprise=ent, data=data)
    assert (first, second, again.id) == (True, False, hid)
    other = NewHazard(
        id=hid, description="other", category="fire", source="enforcement", determination=MAJOR
    )
    with pytest.raises(Conflict):
        await create_hazard(db, actor=_actor(world), enterprise=ent, data=other)
    await db.rollback()


async def test_fixed_on_spot_rules(db: AsyncSession, world: World) -> None:
    ent = await db.get_one(Enterprise, world.enterprises["E1"])
    base = {"description": "d", "category": "fire", "source": "self_check"}
    with pytest.raises(Unprocessable):
        await create_hazard(
            db,
            actor=None,
            enterprise=ent,
            data=NewHazard(**base, determination=MAJOR, fixed_on_spot=True, evidence="done"),
        )
    with pytest.raises(Unprocessable):
        await create_hazard(
            db,
            actor=None,
            enterprise=ent,
            data=NewHazard(**base, determination=GENERAL, fixed_on_spot=True),
        )
    h, _ = await create_hazard(
        db,
        actor=None,
        enterprise=ent,
        data=NewHazard(**base, determination=GENERAL, fixed_on_spot=True, evidence="已整改"),
    )
    await db.commit()
    stored = await db.get_one(Hazard, h.id)
    assert stored.status == "closed"
    assert stored.closed_at is not None
