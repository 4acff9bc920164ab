"""Public reports still untriaged (待研判) after 2 working days go to the grid staff of the
matched enterprise's grid; after 4 to the street office (a report matched to no enterprise is
the street office's from the start, as in its triage scope)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.enterprise import Enterprise
from app.models.notification import NotificationKind
from app.models.public_report import PublicReport, ReportOutcome
from app.rules import reminders as rules
from app.rules.calendar import shanghai_date, utc_bounds
from app.rules.holidays import work_calendar
from app.services.reminders.recipients import Recipients
from app.services.reminders.sending import Due, Message, send


async def scan(
    session: AsyncSession, *, today: date, now: datetime, settings: Settings, people: Recipients
) -> tuple[int, int]:
    calendar = work_calendar(settings.holidays_extra, settings.workdays_extra)
    # At least two calendar days old, else it cannot be two working days old.
    _, latest = utc_bounds(today - timedelta(days=2), today - timedelta(days=2))
    stmt = (
        select(PublicReport.id, PublicReport.receipt_code, PublicReport.received_at)
        .add_columns(Enterprise.grid_id)
        .outerjoin(Enterprise, Enterprise.id == PublicReport.enterprise_id)
        .where(PublicReport.outcome == ReportOutcome.pending, PublicReport.received_at < latest)
        .order_by(PublicReport.id)
    )
    due: list[Due] = []
    for report_id, code, received_at, grid_id in (await session.execute(stmt)).all():
        received_on = shanghai_date(received_at)
        stage = rules.report_stage(received_on, today, calendar)
        if stage is None:
            continue
        to_office = stage == "wd4" or grid_id is None
        users = people.office if to_office else people.grid_staff.get(grid_id, [])
        n = rules.working_days_after(received_on, today, calendar)
        title = f"群众举报待研判：{code}"
        body = (
            f"群众举报 {code}（{received_on.isoformat()} 收到）已 {n} 个工作日未研判，请尽快分拣。"
        )
        messages = tuple(Message(u, NotificationKind.report_untriaged, title, body) for u in users)
        due.append(Due("report", report_id, received_on, stage, messages))
    return await send(session, due, today=today, now=now)
