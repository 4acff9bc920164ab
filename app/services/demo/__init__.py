"""The demo world of `zhiben seed-demo` (issue 18): a believable year of work on fictitious
enterprises, dated relative to today, written through the domain services.

One module per domain contributes dated steps to a shared timeline (`schedule(timeline)`);
the runner plays them in date order with the clock moved to each step's moment. A new
domain (notifications, inspection plans, bulletins, permits …) adds its module to `MODULES`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.storage import LocalStorage
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.rules.calendar import today_in_shanghai
from app.services.demo import (
    accidents,
    enterprises,
    hazards,
    inspections,
    permits,
    public_reports,
    records,
)
from app.services.demo.context import DEMO_PASSWORD, Clock, DemoWorld, Timeline
from app.services.demo.enterprises import DEMO_SUFFIX, HEAD_USERNAMES, DemoWorldMismatch
from app.services.policy import Actor

# Played in date order whatever the order here; listed by domain.
MODULES = (inspections, hazards, records, accidents, public_reports, permits)
# The enterprises were registered two years before today: every later step finds them.
REGISTERED_DAYS_AGO = 730

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_SUFFIX",
    "HEAD_USERNAMES",
    "MODULES",
    "DemoWorldMismatch",
    "seed_world",
]


async def seed_world(
    session: AsyncSession,
    *,
    settings: Settings,
    grids: list[Grid],
    office: Actor,
    grid_staff: Actor,
) -> bool:
    """Build the world in the caller's transaction; False (and nothing written) if it exists.

    Its first enterprise marks a built world: the world is written in one transaction, so
    it is either all there or not at all.
    """
    if await session.get(Enterprise, DemoWorld.id("enterprise:smelt")) is not None:
        return False
    assert settings.upload_dir is not None  # filled in by Settings
    clock = Clock(today_in_shanghai(), datetime.now(UTC))
    world = DemoWorld(
        session=session,
        settings=settings,
        storage=LocalStorage(settings.upload_dir),
        clock=clock,
        grids=grids,
        office=office,
        grid_staff=grid_staff,
    )
    timeline = Timeline(clock.today)
    timeline.at(REGISTERED_DAYS_AGO, 9, enterprises.seed)
    for module in MODULES:
        module.schedule(timeline)
    with clock.running():
        await timeline.run(world)
    await session.flush()
    return True
