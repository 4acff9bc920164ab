"""What every demo seeding module shares: the session, the actors, the clock, stable ids."""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.storage import LocalStorage
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.rules.calendar import periods
from app.services.policy import Actor

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Every demo object id is uuid5(DEMO_NAMESPACE, key): the same world has the same ids.
DEMO_NAMESPACE = uuid.UUID("5f0c1d2e-7a43-5b7e-9c1d-64656d6f2d7a")
# One password for every demo account (printed in development only).
DEMO_PASSWORD = "demo-pass-2024"
# Fixed seed: the same day gives the same world (issue 18).
DEMO_SEED = 20240101


class Clock:
    """Moves the process clock so the services stamp each step at its demo date.

    The services take "now" from the clock themselves (found_at, history, deadlines not in
    the past), so travelling is what lets them write a believable past through their own
    rules instead of back-dating rows afterwards.
    """

    def __init__(self, today: date, now: datetime) -> None:
        self.today = today
        self._now = now
        self._traveller: Any = None  # a time_machine traveller while running

    def moment(self, days_ago: int, hour: int = 10, minute: int = 0) -> datetime:
        local = datetime.combine(self.today - timedelta(days=days_ago), time(hour, minute))
        when = local.replace(tzinfo=SHANGHAI)
        # Steps dated today stay just before the real present.
        return min(when, self._now - timedelta(minutes=5))

    def go(self, days_ago: int, hour: int = 10, minute: int = 0) -> datetime:
        """Travel to `days_ago` days before today at hour:minute (Shanghai)."""
        when = self.moment(days_ago, hour, minute)
        assert self._traveller is not None, "Clock.running() first"
        self._traveller.move_to(when)
        return when

    def advance(self, minutes: float) -> datetime:
        """Move on within a step (a gas test ten minutes after ventilation starts)."""
        assert self._traveller is not None, "Clock.running() first"
        when = datetime.now(SHANGHAI) + timedelta(minutes=minutes)
        self._traveller.move_to(when)
        return when

    @contextmanager
    def running(self) -> Iterator[None]:
        import time_machine  # development-only dependency: imported when seeding

        with time_machine.travel(self._now, tick=False) as traveller:
            self._traveller = traveller
            try:
                yield
            finally:
                self._traveller = None


@dataclass
class DemoWorld:
    """Shared state of one seeding run; modules add what later modules need."""

    session: AsyncSession
    settings: Settings
    storage: LocalStorage
    clock: Clock
    grids: list[Grid]
    office: Actor
    grid_staff: Actor
    rng: random.Random = field(default_factory=lambda: random.Random(DEMO_SEED))
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    heads: dict[str, Actor] = field(default_factory=dict)
    hazards: dict[str, uuid.UUID] = field(default_factory=dict)
    photos: dict[str, uuid.UUID] = field(default_factory=dict)
    reports: dict[str, uuid.UUID] = field(default_factory=dict)

    @staticmethod
    def id(key: str) -> uuid.UUID:
        return uuid.uuid5(DEMO_NAMESPACE, key)

    @property
    def today(self) -> date:
        return self.clock.today


Step = Callable[[DemoWorld], Awaitable[object]]


class Timeline:
    """Steps from every domain module, run in date order so ledger numbers, history and the
    change feed read like the year they tell (a module need not know the others' dates)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._steps: list[tuple[int, int, int, Step]] = []

    def at(self, days_ago: int, hour: int, step: Step) -> None:
        self._steps.append((-days_ago, hour, len(self._steps), step))

    def on(self, day: date, hour: int, step: Step) -> None:
        self.at((self.today - day).days, hour, step)

    async def run(self, world: DemoWorld) -> None:
        for neg_days, hour, _, step in sorted(self._steps, key=lambda s: s[:3]):
            world.clock.go(-neg_days, hour)
            await step(world)


def periods_begun(today: date, per_year: int) -> list[tuple[date, date]]:
    """The year's periods (months, quarters, halves, the year) that have begun by `today`."""
    return [(start, end) for start, end in periods(today.year, per_year) if start <= today]


def within(start: date, offset_days: int, today: date) -> date:
    """A day `offset_days` into a period, but never after today."""
    return min(start + timedelta(days=offset_days), today)
