"""Reminders and escalation (issue 13): one scan as of a Shanghai business day finds every
stage that has come, sends each (object, deadline, stage) once, and writes a notification per
recipient. `zhiben remind --today` and the periodic job call the same `scan`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.services import outbox
from app.services.reminders import certificates, duties, hazards, reports
from app.services.reminders.recipients import Recipients


@dataclass
class ScanResult:
    day: date
    stages: dict[str, int] = field(default_factory=dict)  # newly sent stages by object type
    notifications: int = 0


async def scan(
    session: AsyncSession, *, today: date, now: datetime, settings: Settings
) -> ScanResult:
    """Everything `today` sends (idempotent: a second scan of the same day sends nothing)."""
    people = await Recipients.load(session)
    result = ScanResult(today)
    for name, scanner in (
        ("hazard", hazards.scan),
        ("certificate", certificates.scan),
        ("report", reports.scan),
        ("duty", duties.scan),
    ):
        stages, notes = await scanner(
            session, today=today, now=now, settings=settings, people=people
        )
        result.stages[name] = stages
        result.notifications += notes
    if result.notifications and settings.notification_channels:
        # Every notification of this scan carries `now`: the push job finds them by it.
        outbox.enqueue(session, task=outbox.SEND_NOTIFICATION, args={"created_at": now.isoformat()})
    return result
