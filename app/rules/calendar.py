"""Calendar rules for the jurisdiction: every day boundary is Asia/Shanghai local time.

Deadlines, drill periods and statistics periods are calendar dates in Shanghai (brief §3),
while the database stores UTC instants; these helpers convert between the two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# 1 = year, 2 = half-years, 4 = quarters (16号令 第十四条 quarterly statistics), 12 = months.
PERIODS_PER_YEAR = frozenset({1, 2, 4, 12})


def shanghai_date(dt: datetime) -> date:
    """The Shanghai calendar date of an aware instant; naive datetimes raise ValueError."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("shanghai_date needs a timezone-aware datetime")
    return dt.astimezone(SHANGHAI).date()


def today_in_shanghai(now: datetime | None = None) -> date:
    """Today's date in Shanghai; pass `now` (aware) to make callers testable."""
    return shanghai_date(datetime.now(UTC) if now is None else now)


def _check_per_year(per_year: int) -> int:
    if per_year not in PERIODS_PER_YEAR:
        raise ValueError(f"per_year must be one of {sorted(PERIODS_PER_YEAR)}, got {per_year}")
    return 12 // per_year


def _period_starting(year: int, month: int, months: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end_month = month + months
    next_start = date(year + 1, 1, 1) if end_month > 12 else date(year, end_month, 1)
    return start, next_start - timedelta(days=1)


def periods(year: int, per_year: int) -> list[tuple[date, date]]:
    """The year split into `per_year` periods, each (first day, last day) inclusive."""
    months = _check_per_year(per_year)
    return [_period_starting(year, m, months) for m in range(1, 13, months)]


def period_of(d: date, per_year: int) -> tuple[date, date]:
    """The (first day, last day) of the period that contains `d`."""
    months = _check_per_year(per_year)
    first_month = (d.month - 1) // months * months + 1
    return _period_starting(d.year, first_month, months)


_EARLIEST = date(1900, 1, 1)
_LATEST = date(9998, 12, 31)


def utc_bounds(start: date, end_inclusive: date) -> tuple[datetime, datetime]:
    """UTC-aware half-open range [start 00:00 Shanghai, day after end 00:00 Shanghai).

    Use as `start <= ts < end` in queries so an instant at Shanghai midnight is counted once.
    Dates a client may send from the far edges of the calendar (0001-01-01, 9999-12-31) are
    clamped to 1900–9998: no record lies there, and the UTC conversion would overflow.
    """
    start = min(max(start, _EARLIEST), _LATEST)
    end_inclusive = min(max(end_inclusive, _EARLIEST), _LATEST)
    if end_inclusive < start:
        raise ValueError("end_inclusive must not be before start")
    lo = datetime.combine(start, time(0), tzinfo=SHANGHAI)
    hi = datetime.combine(end_inclusive + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    return lo.astimezone(UTC), hi.astimezone(UTC)


def days_overdue(deadline: date | None, today: date) -> int:
    """Whole days past the deadline; 0 on the deadline itself or with no deadline.

    Brief §3: a hazard is overdue from the day AFTER its deadline (deadline day counts as
    in time), so deadline 2025-03-31 and today 2025-04-01 gives 1.
    """
    if deadline is None:
        return 0
    return max(0, (today - deadline).days)
