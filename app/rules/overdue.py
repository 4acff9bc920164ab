"""The overdue rule of the hazard ledger (隐患逾期), defined once.

Brief §3 ("Hazards"): `overdue` is derived — a hazard that is reported (已登记) or rectifying
(整改中) past its deadline — never stored; filters and statistics use it. Deadlines are
calendar dates in Asia/Shanghai, and a hazard is overdue from the day AFTER its deadline: the
deadline day itself is in time. A hazard awaiting verification (待验收) is not overdue — the
enterprise has done its part and the wait is the verifier's — nor is a closed (已销号) or
voided (已作废) one. A hazard with no deadline (not yet planned) is never overdue.

The SQL form of the same rule is built from these constants in
`app/services/hazards/overdue.py`; `tests/services/test_sql_matches_python.py` keeps the two
in agreement.
"""

from __future__ import annotations

from datetime import date

from app.rules.calendar import days_overdue

# The HazardStatus values (app/models/hazard.py) in which a passed deadline makes a hazard
# overdue; plain strings because rules import nothing of the app.
OVERDUE_STATES: tuple[str, ...] = ("reported", "rectifying")


def overdue_days(status: str, deadline: date | None, today: date) -> int:
    """Whole days overdue on the Shanghai date `today`; 0 when not overdue."""
    if status not in OVERDUE_STATES:
        return 0
    return days_overdue(deadline, today)


def is_overdue(status: str, deadline: date | None, today: date) -> bool:
    """Brief §3: reported or rectifying, and `today` is after the deadline."""
    return overdue_days(status, deadline, today) > 0
