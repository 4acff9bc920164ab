"""Reminder stages (issue 13; plan §二 "动态清零": deadlines are chased, not only recorded).

Pure functions of a deadline and the Shanghai business day. A rectification deadline has the
stages T-7, T-1, the due day (T0), then overdue +1, +3, +7 and weekly after (+14, +21 …).
Each scan sends only the NEWEST stage whose day has come, so after downtime the missed
older ones are skipped; the (object, deadline, stage) key makes each stage send once, and a
new deadline (an extension) starts over because the key changes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.rules.calendar import SHANGHAI
from app.rules.holidays import OFFICIAL, WorkCalendar

BEFORE = (7, 1)  # T-7, T-1 (days before the deadline)
OVERDUE = (1, 3, 7)  # +1, +3, +7 days after; then every 7 days
ESCALATE_MAJOR_FROM = 3  # a major hazard overdue by 3 days also goes to the street office
REPORT_GRID_WORKING_DAYS = 2  # untriaged public report → grid staff
REPORT_OFFICE_WORKING_DAYS = 4  # still untriaged → street office


def stage_day(deadline: date, stage: str) -> date:
    """'T-7' → deadline-7, 'T0' → deadline, '+3' → deadline+3."""
    if stage == "T0":
        return deadline
    if stage.startswith("T-"):
        return deadline - timedelta(days=int(stage[2:]))
    return deadline + timedelta(days=int(stage[1:]))


def hazard_stage(deadline: date, today: date) -> str | None:
    """The newest stage due on `today`, or None before T-7."""
    offset = (today - deadline).days  # negative before the deadline
    if offset < -BEFORE[0]:
        return None
    if offset < 0:
        return f"T-{min(d for d in BEFORE if -offset <= d)}"
    if offset == 0:
        return "T0"
    if offset < OVERDUE[-1]:
        return f"+{max(d for d in OVERDUE if d <= offset)}"
    return f"+{offset - offset % 7}"  # +7, +14, +21 …


def overdue_days(stage: str) -> int:
    return int(stage[1:]) if stage.startswith("+") else 0


def sends_now(now: datetime, send_hour: int) -> bool:
    """Reminders go out from `send_hour` o'clock Shanghai time (nobody is woken at 03:00)."""
    return now.astimezone(SHANGHAI).hour >= send_hour


def working_days_after(start: date, today: date, calendar: WorkCalendar = OFFICIAL) -> int:
    """Whole working days after `start` up to and including `today`: Monday–Friday less the
    official days off, plus the weekend days worked instead (调休), see app.rules.holidays."""
    if (today - start).days > 31:  # far past every threshold: no need to count exactly
        return 31
    days = 0
    d = start + timedelta(days=1)
    while d <= today:
        if calendar.is_working_day(d):
            days += 1
        d += timedelta(days=1)
    return days


def report_stage(received_on: date, today: date, calendar: WorkCalendar = OFFICIAL) -> str | None:
    """'wd2' (to the grid staff) or 'wd4' (to the street office) for an untriaged report."""
    n = working_days_after(received_on, today, calendar)
    if n >= REPORT_OFFICE_WORKING_DAYS:
        return "wd4"
    if n >= REPORT_GRID_WORKING_DAYS:
        return "wd2"
    return None


def period_stage(
    period_end: date, today: date, thresholds: tuple[int, ...] = (30, 7)
) -> str | None:
    """'D-30' / 'D-7' for a periodic duty not yet done, by days left in its period."""
    left = (period_end - today).days
    if left < 0:
        return None
    hits = [t for t in thresholds if left <= t]
    return f"D-{min(hits)}" if hits else None
