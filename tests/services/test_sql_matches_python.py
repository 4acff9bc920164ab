"""Rules that exist twice — as a Python function and as a SQL expression — agree on the same
rows, for generated dates around every boundary, on the database under test.

- overdue (brief §3: reported or rectifying, from the day after the deadline): the hazard
  read's `is_overdue` against the list filter's `overdue_clause`, the statistics' `is_overdue`
  and the compliance facts' live `hazard_clauses`;
- certificate status (30号令 第十九条、第二十一条; first match wins): `certificate_status`
  against the list filter's `status_filter` for each status.

Each example's rows are flushed in one session, queried there, and rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.hazard import Hazard
from app.models.records import Certificate
from app.rules.certificates import CertificateStatus, certificate_status
from app.services.compliance.facts import hazard_clauses
from app.services.hazards.queries import is_overdue, overdue_clause
from app.services.records import status_filter
from app.services.stats.common import is_overdue as stats_is_overdue
from tests.conftest import World

STATUSES = ["reported", "rectifying", "pending_verification", "closed", "voided"]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# Dates near `today` (the boundaries) and now and then anywhere in a century.
days = st.one_of(st.integers(-3, 3), st.integers(-40_000, 40_000))
todays = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))

hazard_rows = st.lists(
    st.tuples(st.sampled_from(STATUSES), st.none() | days), min_size=1, max_size=8
)
SQL_OVERDUE: dict[str, Callable[[date], ColumnElement[bool]]] = {
    "hazards.queries.overdue_clause": overdue_clause,
    "stats.common.is_overdue": stats_is_overdue,
    "compliance.facts.hazard_clauses": lambda today: hazard_clauses(today, True)[1],
}


def _hazard(world: World, status: str, deadline: date | None) -> Hazard:
    return Hazard(
        id=uuid.uuid4(),
        ledger_no=f"P-{uuid.uuid4().hex[:20]}",
        enterprise_id=world.enterprises["E1"],
        source="self_check",
        description="性质测试",
        category="other",
        level="general",
        status=status,
        deadline=deadline,
        basis={},
    )


async def _ids(db: AsyncSession, model: Any, clause: ColumnElement[bool]) -> set[uuid.UUID]:
    return set((await db.scalars(select(model.id).where(clause))).all())


@SETTINGS
@given(today=todays, rows=hazard_rows)
async def test_overdue_sql_matches_python(
    db: AsyncSession, world: World, today: date, rows: list[tuple[str, int | None]]
) -> None:
    hazards = [
        _hazard(world, status, None if offset is None else today + timedelta(days=offset))
        for status, offset in rows
    ]
    db.add_all(hazards)
    try:
        await db.flush()
        want = {h.id for h in hazards if is_overdue(h, today) > 0}
        for name, clause in SQL_OVERDUE.items():
            assert await _ids(db, Hazard, clause(today)) == want, (name, today, rows)
    finally:
        await db.rollback()


certificate_rows = st.lists(st.tuples(days, days), min_size=1, max_size=8)


@SETTINGS
@given(today=todays, warning=st.integers(0, 400), rows=certificate_rows)
async def test_certificate_status_sql_matches_python(
    db: AsyncSession, world: World, today: date, warning: int, rows: list[tuple[int, int]]
) -> None:
    certs = [
        Certificate(
            id=uuid.uuid4(),
            enterprise_id=world.enterprises["E1"],
            holder_name="李四",
            category="electrical",
            certificate_no=f"P-{i}",
            issued_on=date(1900, 1, 1),
            expires_on=today + timedelta(days=exp),
            next_review_on=today + timedelta(days=review),
        )
        for i, (exp, review) in enumerate(rows)
    ]
    db.add_all(certs)
    try:
        await db.flush()
        for status in CertificateStatus:
            want = {
                c.id
                for c in certs
                if certificate_status(
                    expires_on=c.expires_on,
                    next_review_on=c.next_review_on,
                    today=today,
                    warning_days=warning,
                )
                == status
            }
            got = await _ids(db, Certificate, status_filter(status, today, warning))
            assert got == want, (status, today, warning, rows)
    finally:
        await db.rollback()
