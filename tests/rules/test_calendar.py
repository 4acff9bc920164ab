from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.rules.calendar import (
    SHANGHAI,
    days_overdue,
    period_of,
    periods,
    shanghai_date,
    today_in_shanghai,
    utc_bounds,
)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2025, 3, 31, 15, 59, 59), date(2025, 3, 31)),
        (utc(2025, 3, 31, 16, 0, 0), date(2025, 4, 1)),  # quarter edge
        (utc(2025, 6, 30, 16, 0, 0), date(2025, 7, 1)),  # half-year edge
        (utc(2024, 12, 31, 15, 59, 59), date(2024, 12, 31)),
        (utc(2024, 12, 31, 16, 0, 0), date(2025, 1, 1)),  # year edge
        (utc(2024, 2, 28, 16, 0, 0), date(2024, 2, 29)),
        (datetime(2025, 4, 1, 0, 30, tzinfo=timezone(timedelta(hours=9))), date(2025, 3, 31)),
        (datetime(2025, 4, 1, 0, 0, tzinfo=SHANGHAI), date(2025, 4, 1)),
    ],
)
def test_shanghai_date(instant: datetime, expected: date) -> None:
    assert shanghai_date(instant) == expected
    assert today_in_shanghai(instant) == expected


def test_naive_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        shanghai_date(datetime(2025, 4, 1, 0, 0))
    with pytest.raises(ValueError, match="aware"):
        today_in_shanghai(datetime(2025, 4, 1, 0, 0))


def test_today_default_is_shanghai_today() -> None:
    before = datetime.now(SHANGHAI).date()
    got = today_in_shanghai()
    after = datetime.now(SHANGHAI).date()
    assert before <= got <= after


@pytest.mark.parametrize(
    ("per_year", "expected"),
    [
        (1, [(date(2024, 1, 1), date(2024, 12, 31))]),
        (2, [(date(2024, 1, 1), date(2024, 6, 30)), (date(2024, 7, 1), date(2024, 12, 31))]),
        (
            4,
            [
                (date(2024, 1, 1), date(2024, 3, 31)),
                (date(2024, 4, 1), date(2024, 6, 30)),
                (date(2024, 7, 1), date(2024, 9, 30)),
                (date(2024, 10, 1), date(2024, 12, 31)),
            ],
        ),
    ],
)
def test_periods(per_year: int, expected: list[tuple[date, date]]) -> None:
    assert periods(2024, per_year) == expected


@pytest.mark.parametrize("year", [2023, 2024, 2100])
@pytest.mark.parametrize("per_year", [1, 2, 4, 12])
def test_periods_tile_the_year(year: int, per_year: int) -> None:
    ps = periods(year, per_year)
    assert len(ps) == per_year
    assert ps[0][0] == date(year, 1, 1)
    assert ps[-1][1] == date(year, 12, 31)
    for (_, end), (start, _) in zip(ps, ps[1:], strict=False):
        assert start == end + timedelta(days=1)


def test_months_february() -> None:
    assert periods(2024, 12)[1] == (date(2024, 2, 1), date(2024, 2, 29))
    assert periods(2025, 12)[1] == (date(2025, 2, 1), date(2025, 2, 28))


@pytest.mark.parametrize(
    ("d", "per_year", "expected"),
    [
        (date(2025, 3, 31), 4, (date(2025, 1, 1), date(2025, 3, 31))),
        (date(2025, 4, 1), 4, (date(2025, 4, 1), date(2025, 6, 30))),
        (date(2025, 12, 31), 4, (date(2025, 10, 1), date(2025, 12, 31))),
        (date(2025, 6, 30), 2, (date(2025, 1, 1), date(2025, 6, 30))),
        (date(2025, 7, 1), 2, (date(2025, 7, 1), date(2025, 12, 31))),
        (date(2025, 1, 1), 1, (date(2025, 1, 1), date(2025, 12, 31))),
        (date(2024, 2, 15), 12, (date(2024, 2, 1), date(2024, 2, 29))),
    ],
)
def test_period_of(d: date, per_year: int, expected: tuple[date, date]) -> None:
    assert period_of(d, per_year) == expected


def test_period_of_agrees_with_periods() -> None:
    d = date(2024, 1, 1)
    while d.year == 2024:
        for n in (1, 2, 4, 12):
            assert period_of(d, n) in periods(2024, n)
            start, end = period_of(d, n)
            assert start <= d <= end
        d += timedelta(days=1)


@pytest.mark.parametrize("bad", [0, 3, 6, 24, -4])
def test_bad_per_year(bad: int) -> None:
    with pytest.raises(ValueError, match="per_year"):
        periods(2025, bad)
    with pytest.raises(ValueError, match="per_year"):
        period_of(date(2025, 1, 1), bad)


def test_utc_bounds_quarter() -> None:
    lo, hi = utc_bounds(date(2025, 1, 1), date(2025, 3, 31))
    assert lo == utc(2024, 12, 31, 16, 0, 0)
    assert hi == utc(2025, 3, 31, 16, 0, 0)
    assert lo.utcoffset() == timedelta(0)
    assert hi.utcoffset() == timedelta(0)
    # the Shanghai-midnight instant belongs to the next quarter, exactly once
    edge = utc(2025, 3, 31, 16, 0, 0)
    assert not (lo <= edge < hi)
    lo2, hi2 = utc_bounds(date(2025, 4, 1), date(2025, 6, 30))
    assert lo2 <= edge < hi2
    assert lo <= utc(2025, 3, 31, 15, 59, 59) < hi


def test_utc_bounds_single_day() -> None:
    assert utc_bounds(date(2025, 5, 1), date(2025, 5, 1)) == (
        utc(2025, 4, 30, 16, 0, 0),
        utc(2025, 5, 1, 16, 0, 0),
    )


def test_utc_bounds_reversed() -> None:
    with pytest.raises(ValueError, match="end_inclusive"):
        utc_bounds(date(2025, 5, 2), date(2025, 5, 1))


@pytest.mark.parametrize(
    ("deadline", "today", "expected"),
    [
        (date(2025, 3, 31), date(2025, 4, 1), 1),
        (date(2025, 3, 31), date(2025, 3, 31), 0),
        (date(2025, 3, 31), date(2025, 3, 1), 0),
        (date(2024, 12, 31), date(2025, 1, 31), 31),
        (None, date(2025, 4, 1), 0),
    ],
)
def test_days_overdue(deadline: date | None, today: date, expected: int) -> None:
    assert days_overdue(deadline, today) == expected


def test_overdue_from_utc_instant() -> None:
    # 2025-03-31T16:00Z is already 2025-04-01 in Shanghai: a 31 March deadline is 1 day late.
    today = shanghai_date(utc(2025, 3, 31, 16, 0, 0))
    assert days_overdue(date(2025, 3, 31), today) == 1
    assert days_overdue(date(2025, 3, 31), shanghai_date(utc(2025, 3, 31, 15, 59, 59))) == 0


def test_utc_bounds_clamps_calendar_edges() -> None:
    lo, hi = utc_bounds(date(1, 1, 1), date(9999, 12, 31))
    assert lo.year == 1899
    assert hi.year == 9998
    # Both ends before the earliest date clamp to one day, not to an inverted range.
    lo, hi = utc_bounds(date(1, 1, 1), date(1899, 1, 1))
    assert (hi - lo).days == 1
