"""The overdue rule (brief §3): reported or rectifying, from the day after the deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.rules.overdue import OVERDUE_STATES, is_overdue, overdue_days

TODAY = date(2026, 3, 31)
STATUSES = ["reported", "rectifying", "pending_verification", "closed", "voided"]
# (status, deadline offset from today or None) → days overdue; written out, not derived.
EXPECTED = {
    ("reported", -1): 1,
    ("reported", 0): 0,
    ("reported", 1): 0,
    ("reported", None): 0,
    ("rectifying", -1): 1,
    ("rectifying", 0): 0,
    ("rectifying", 1): 0,
    ("rectifying", None): 0,
    ("pending_verification", -1): 0,
    ("pending_verification", 0): 0,
    ("pending_verification", 1): 0,
    ("pending_verification", None): 0,
    ("closed", -1): 0,
    ("closed", 0): 0,
    ("closed", 1): 0,
    ("closed", None): 0,
    ("voided", -1): 0,
    ("voided", 0): 0,
    ("voided", 1): 0,
    ("voided", None): 0,
}


@pytest.mark.parametrize(("status", "offset"), list(EXPECTED))
def test_boundaries(status: str, offset: int | None) -> None:
    deadline = None if offset is None else TODAY + timedelta(days=offset)
    assert overdue_days(status, deadline, TODAY) == EXPECTED[(status, offset)]
    assert is_overdue(status, deadline, TODAY) is (EXPECTED[(status, offset)] > 0)


def test_days_count_across_a_month_end() -> None:
    assert overdue_days("rectifying", date(2025, 3, 31), date(2025, 4, 1)) == 1
    assert overdue_days("reported", date(2025, 2, 28), date(2025, 4, 1)) == 32


def test_states() -> None:
    assert OVERDUE_STATES == ("reported", "rectifying")
