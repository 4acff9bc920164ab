"""The SQL form of the overdue rule (`app/rules/overdue.py`), for the ledger's `overdue`
filter, the statistics and the compliance facts alike."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_

from app.models.hazard import Hazard
from app.rules.overdue import OVERDUE_STATES


def overdue_clause(today: date) -> ColumnElement[bool]:
    """True exactly where `rules.overdue.is_overdue(status, deadline, today)` is.

    The explicit `deadline IS NOT NULL` makes the clause false rather than NULL for a hazard
    without a deadline, so that `NOT overdue_clause(...)` (the list's `overdue=false`) still
    includes it.
    """
    return and_(
        Hazard.status.in_(OVERDUE_STATES), Hazard.deadline.is_not(None), Hazard.deadline < today
    )
