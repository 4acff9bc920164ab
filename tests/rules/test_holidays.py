"""Working days under the official calendar (国务院办公厅 annual holiday notices): days off,
the weekend days worked instead (调休), the Mon–Fri fallback and local additions."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.config import Settings
from app.rules.holidays import OFFICIAL, work_calendar
from app.rules.reminders import report_stage, working_days_after


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 10, 1), False),  # 国庆节 (Wed)
        (date(2025, 10, 8), False),  # 国庆节、中秋节 合并, last day (Wed)
        (date(2025, 10, 9), True),  # Thu after the holiday
        (date(2025, 9, 28), True),  # 调休 Sunday
        (date(2025, 10, 11), True),  # 调休 Saturday
        (date(2025, 10, 12), False),  # an ordinary Sunday
        (date(2025, 1, 28), False),  # 除夕, a day off since the 2024 revision
        (date(2025, 2, 8), True),  # 调休 Saturday after 春节
        (date(2026, 2, 14), True),  # 调休 Saturday before 春节 2026
        (date(2026, 2, 23), False),  # 正月初七 2026 (Mon)
        (date(2026, 1, 4), True),  # 调休 Sunday after 元旦 2026
        (date(2024, 9, 14), True),  # 调休 Saturday before 中秋节 2024
        (date(2024, 6, 10), False),  # 端午节 2024 (Mon)
        (date(2027, 10, 1), True),  # 2027: no notice modelled, Mon–Fri only (a Friday)
        (date(2023, 10, 2), True),  # 2023: not modelled either (a Monday)
    ],
)
def test_official_days(day: date, working: bool) -> None:
    assert OFFICIAL.is_working_day(day) is working


def test_report_received_the_day_before_national_day() -> None:
    # Tue 2025-09-30; 10-01..10-08 off; Thu 10-09 and Fri 10-10 are the first working days.
    received = date(2025, 9, 30)
    assert working_days_after(received, date(2025, 10, 8)) == 0
    assert report_stage(received, date(2025, 10, 8)) is None
    assert working_days_after(received, date(2025, 10, 9)) == 1
    assert working_days_after(received, date(2025, 10, 10)) == 2
    assert report_stage(received, date(2025, 10, 10)) == "wd2"
    # Sat 10-11 is a 调休 working day: the third.
    assert working_days_after(received, date(2025, 10, 11)) == 3
    assert working_days_after(received, date(2025, 10, 13)) == 4  # Sun 10-12 off, Mon 13
    assert report_stage(received, date(2025, 10, 13)) == "wd4"


def test_worked_saturday_counts() -> None:
    # Fri 2025-02-07 received; Sat 02-08 is worked (调休), Sun off, Mon 02-10 working.
    assert working_days_after(date(2025, 2, 7), date(2025, 2, 8)) == 1
    assert working_days_after(date(2025, 2, 7), date(2025, 2, 10)) == 2


def test_additions_override_the_official_days() -> None:
    cal = work_calendar(
        extra_days_off=[date(2027, 10, 1), date(2025, 10, 11)],
        extra_working_days=[date(2025, 10, 8), date(2027, 10, 2)],
    )
    assert not cal.is_working_day(date(2027, 10, 1))  # a year not yet modelled
    assert not cal.is_working_day(date(2025, 10, 11))  # official 调休 day taken off
    assert cal.is_working_day(date(2025, 10, 8))  # official day off made working
    assert cal.is_working_day(date(2027, 10, 2))  # a Saturday made working
    both = work_calendar([date(2026, 3, 2)], [date(2026, 3, 2)])
    assert both.is_working_day(date(2026, 3, 2))  # listed in both: a working day


def test_settings_read_the_additions_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZHIBEN_HOLIDAYS_EXTRA", '["2027-01-01"]')
    monkeypatch.setenv("ZHIBEN_WORKDAYS_EXTRA", '["2027-01-02"]')
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:", secret_key="x" * 40)
    assert settings.holidays_extra == [date(2027, 1, 1)]
    assert settings.workdays_extra == [date(2027, 1, 2)]
