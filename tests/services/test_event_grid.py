"""The hazard event's grid (issue 11): read with the transition's row lock and reused for
that transaction's event only. A session that goes on to a later transaction, after the
enterprise moved to another grid, must name the new grid."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import update

from app.models.enterprise import Enterprise
from app.models.user import Role
from app.services.hazards.events import hazard_payload
from app.services.hazards.queries import get_hazard
from app.services.policy import Actor
from tests.api.hazard_helpers import new_hazard
from tests.conftest import World

OFFICE = Actor(user_id=uuid.uuid4(), username="office", role=Role.street_office)


async def test_grid_read_with_the_lock_is_not_kept_past_its_transaction(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    h = await new_hazard(client, world, "office", "E1")
    hazard_id = uuid.UUID(h["id"])
    make = app_instance.state.sessionmaker
    async with make() as session:
        hazard = await get_hazard(session, actor=OFFICE, hazard_id=hazard_id, for_update=True)
        assert (await hazard_payload(session, hazard))["grid_id"] == world.grids["G1"]
        await session.commit()
        async with make() as other:
            moved = update(Enterprise).where(Enterprise.id == world.enterprises["E1"])
            await other.execute(moved.values(grid_id=world.grids["G2"]))
            await other.commit()
        await session.refresh(hazard)
        assert (await hazard_payload(session, hazard))["grid_id"] == world.grids["G2"]
