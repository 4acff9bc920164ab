"""The official working-day calendar (法定节假日与调休), as data.

Source: the General Office of the State Council's annual notice on holiday arrangements
(国务院办公厅关于××年部分节假日安排的通知):
- 2024: 国办发明电〔2023〕7号, 2023-10-25 (人民日报 2023-10-26 第06版);
- 2025: 国办发明电〔2024〕12号, 2024-11-12 (新华社), the first year under the 2024 revision of
  《全国年节及纪念日放假办法》 (除夕 and 5月2日 added);
- 2026: notice of 2025-11-04 (新华社).
Each lists the days off (放假调休) and the weekend days worked instead (调休上班). A year
without a notice here (before 2024, from 2027) falls back to Monday–Friday: add its days with
the settings `holidays_extra` / `workdays_extra` (no code change) until its notice is added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# Days off, each range (first, last) inclusive, as the notices list them.
_OFF: dict[int, list[tuple[date, date]]] = {
    2024: [
        (date(2024, 1, 1), date(2024, 1, 1)),  # 元旦
        (date(2024, 2, 10), date(2024, 2, 17)),  # 春节
        (date(2024, 4, 4), date(2024, 4, 6)),  # 清明节
        (date(2024, 5, 1), date(2024, 5, 5)),  # 劳动节
        (date(2024, 6, 10), date(2024, 6, 10)),  # 端午节
        (date(2024, 9, 15), date(2024, 9, 17)),  # 中秋节
        (date(2024, 10, 1), date(2024, 10, 7)),  # 国庆节
    ],
    2025: [
        (date(2025, 1, 1), date(2025, 1, 1)),  # 元旦
        (date(2025, 1, 28), date(2025, 2, 4)),  # 春节
        (date(2025, 4, 4), date(2025, 4, 6)),  # 清明节
        (date(2025, 5, 1), date(2025, 5, 5)),  # 劳动节
        (date(2025, 5, 31), date(2025, 6, 2)),  # 端午节
        (date(2025, 10, 1), date(2025, 10, 8)),  # 国庆节、中秋节
    ],
    2026: [
        (date(2026, 1, 1), date(2026, 1, 3)),  # 元旦
        (date(2026, 2, 15), date(2026, 2, 23)),  # 春节
        (date(2026, 4, 4), date(2026, 4, 6)),  # 清明节
        (date(2026, 5, 1), date(2026, 5, 5)),  # 劳动节
        (date(2026, 6, 19), date(2026, 6, 21)),  # 端午节
        (date(2026, 9, 25), date(2026, 9, 27)),  # 中秋节
        (date(2026, 10, 1), date(2026, 10, 7)),  # 国庆节
    ],
}
# Weekend days worked instead (调休上班).
_WORKED: dict[int, list[date]] = {
    2024: [
        date(2024, 2, 4),
        date(2024, 2, 18),
        date(2024, 4, 7),
        date(2024, 4, 28),
        date(2024, 5, 11),
        date(2024, 9, 14),
        date(2024, 9, 29),
        date(2024, 10, 12),
    ],
    2025: [
        date(2025, 1, 26),
        date(2025, 2, 8),
        date(2025, 4, 27),
        date(2025, 9, 28),
        date(2025, 10, 11),
    ],
    2026: [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ],
}
CONFIRMED_YEARS = frozenset(_OFF)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: official days off and 调休 days, else Monday–Friday."""

    days_off: frozenset[date]
    worked_weekend_days: frozenset[date]

    def is_working_day(self, d: date) -> bool:
        if d in self.worked_weekend_days:
            return True
        if d in self.days_off:
            return False
        return d.weekday() < 5


def work_calendar(
    extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()
) -> WorkCalendar:
    """The official calendar with local additions (settings). An added day overrides the
    official one; a day listed in both additions is a working day."""
    off = {d for ranges in _OFF.values() for first, last in ranges for d in _span(first, last)}
    worked = {d for days in _WORKED.values() for d in days}
    extra_off, extra_worked = set(extra_days_off), set(extra_working_days)
    off = (off | extra_off) - extra_worked
    worked = (worked - extra_off) | extra_worked
    return WorkCalendar(frozenset(off), frozenset(worked))


OFFICIAL = work_calendar()
