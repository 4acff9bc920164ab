"""Per-enterprise facts for the compliance checks, gathered with grouped SQL queries.

One set of queries serves one enterprise (`/compliance`) and thousands (`/stats/ranking`):
each query groups by enterprise (and by month where a rule is periodic), never loading rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.accident import Accident, Interview
from app.models.hazard import Hazard, HazardStatus
from app.models.inspection import Inspection, InspectionKind, InspectionQuiz
from app.models.records import Certificate, Drill, DrillKind, PersonRole, Training, TrainingTopic
from app.rules.accidents import AccidentGrade
from app.rules.calendar import periods, utc_bounds
from app.rules.compliance import PLAN_END as PLAN_END
from app.rules.compliance import PLAN_START as PLAN_START
from app.rules.compliance import Facts as Facts
from app.rules.overdue import OVERDUE_STATES as OVERDUE_STATES
from app.services.hazards.overdue import overdue_clause

OPEN_STATES = (
    HazardStatus.reported.value,
    HazardStatus.rectifying.value,
    HazardStatus.pending_verification.value,
)


def month_case(col: Any, year: int, *, instant: bool) -> Any:
    """Month number (1–12) of a date or UTC instant on the Shanghai calendar, 0 if outside."""
    whens = []
    for m, (start, end) in enumerate(periods(year, 12), start=1):
        if instant:
            lo, hi = utc_bounds(start, end)
            whens.append((and_(col >= lo, col < hi), m))
        else:
            whens.append((and_(col >= start, col <= end), m))
    return case(*whens, else_=0)


async def _monthly(
    session: AsyncSession, sub: Any, facts: dict[uuid.UUID, Facts], attr: str
) -> None:
    stmt = select(sub.c.eid, sub.c.m, func.count()).group_by(sub.c.eid, sub.c.m)
    for eid, m, n in await session.execute(stmt):
        if m:
            getattr(facts[eid], attr)[int(m)] = int(n)


async def _drills(
    session: AsyncSession, ents: Any, year: int, facts: dict[uuid.UUID, Facts]
) -> None:
    # 方案 三(六)12 counts 疏散逃生演练 only.
    sub = (
        select(
            Drill.enterprise_id.label("eid"),
            month_case(Drill.held_on, year, instant=False).label("m"),
        )
        .where(Drill.enterprise_id.in_(ents), Drill.kind == DrillKind.evacuation.value)
        .where(Drill.held_on.between(date(year, 1, 1), date(year, 12, 31)))
        .subquery()
    )
    await _monthly(session, sub, facts, "drills_by_month")


async def _checks(
    session: AsyncSession, ents: Any, year: int, facts: dict[uuid.UUID, Facts]
) -> None:
    lo, hi = utc_bounds(date(year, 1, 1), date(year, 12, 31))
    in_year = and_(
        Inspection.enterprise_id.in_(ents),
        Inspection.kind == InspectionKind.principal_check.value,
        Inspection.started_at >= lo,
        Inspection.started_at < hi,
    )
    sub = (
        select(
            Inspection.enterprise_id.label("eid"),
            month_case(Inspection.started_at, year, instant=True).label("m"),
        )
        .where(in_year)
        .subquery()
    )
    await _monthly(session, sub, facts, "checks_by_month")
    # 逢查必考、逢查必问: a principal check without any quiz record does not count as examined.
    has_quiz = exists().where(InspectionQuiz.inspection_id == Inspection.id)
    stmt = (
        select(Inspection.enterprise_id, func.count())
        .where(in_year, not_(has_quiz))
        .group_by(Inspection.enterprise_id)
    )
    for eid, n in await session.execute(stmt):
        facts[eid].checks_without_quiz = int(n)


async def _trainings(
    session: AsyncSession, ents: Any, upto: date, facts: dict[uuid.UUID, Facts]
) -> None:
    stmt = (
        select(Training.enterprise_id, Training.person_name)
        .where(
            Training.enterprise_id.in_(ents),
            Training.person_role == PersonRole.principal.value,
            Training.topic == TrainingTopic.principal_special.value,
            Training.completed_on.between(PLAN_START, min(upto, PLAN_END)),
            or_(Training.passed.is_(None), Training.passed.is_(True)),
        )
        .distinct()
    )
    for eid, name in await session.execute(stmt):
        facts[eid].principal_trainees.add(name.strip())


async def _certificates(
    session: AsyncSession, ents: Any, on: date, warning_days: int, facts: dict[uuid.UUID, Facts]
) -> None:
    horizon = on + timedelta(days=warning_days)
    bad = or_(Certificate.expires_on < on, Certificate.next_review_on < on)
    near = or_(Certificate.expires_on <= horizon, Certificate.next_review_on <= horizon)
    stmt = (
        select(
            Certificate.enterprise_id,
            func.count(),
            func.sum(case((bad, 1), else_=0)),
            func.sum(case((and_(not_(bad), near), 1), else_=0)),
        )
        .where(Certificate.enterprise_id.in_(ents), Certificate.issued_on <= on)
        .group_by(Certificate.enterprise_id)
    )
    for eid, total, n_bad, n_near in await session.execute(stmt):
        f = facts[eid]
        f.certificates, f.certificates_bad, f.certificates_expiring = (
            int(total),
            int(n_bad or 0),
            int(n_near or 0),
        )


def hazard_clauses(on: date, live: bool) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(open, overdue) on the evaluation date.

    Live (the date is today): the ledger's own states (brief §3). A past date (a closed
    year): reconstructed from timestamps — found by then, neither closed nor voided by then,
    deadline passed; a hazard awaiting verification then is counted as overdue (its state on
    that day is not kept), which errs towards reporting.
    """
    if live:
        return Hazard.status.in_(OPEN_STATES), overdue_clause(on)
    _, end = utc_bounds(on, on)
    is_open = and_(
        Hazard.found_at < end,
        or_(Hazard.closed_at.is_(None), Hazard.closed_at >= end),
        or_(Hazard.voided_at.is_(None), Hazard.voided_at >= end),
    )
    return is_open, and_(is_open, Hazard.deadline < on)


async def _hazards(
    session: AsyncSession, ents: Any, on: date, live: bool, facts: dict[uuid.UUID, Facts]
) -> None:
    is_open, overdue = hazard_clauses(on, live)
    major = Hazard.level == "major"
    stmt = (
        select(
            Hazard.enterprise_id,
            func.sum(case((and_(major, is_open), 1), else_=0)),
            func.sum(case((and_(major, overdue), 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .where(Hazard.enterprise_id.in_(ents), is_open)
        .group_by(Hazard.enterprise_id)
    )
    for eid, m_open, m_over, over in await session.execute(stmt):
        f = facts[eid]
        f.major_open, f.major_overdue, f.overdue = (
            int(m_open or 0),
            int(m_over or 0),
            int(over or 0),
        )


async def _hazard_standard(
    session: AsyncSession, ents: Any, year: int, on: date, facts: dict[uuid.UUID, Facts]
) -> None:
    # 方案 三(三)4: the 判定标准 is a regular part of each enterprise's training.
    stmt = (
        select(Training.enterprise_id, func.count())
        .where(
            Training.enterprise_id.in_(ents),
            Training.topic == TrainingTopic.hazard_standard.value,
            Training.completed_on.between(date(year, 1, 1), min(on, date(year, 12, 31))),
        )
        .group_by(Training.enterprise_id)
    )
    for eid, n in await session.execute(stmt):
        facts[eid].hazard_standard_trainings = int(n)


SERIOUS_GRADES = (
    AccidentGrade.LARGER.value,
    AccidentGrade.MAJOR.value,
    AccidentGrade.ESPECIALLY_MAJOR.value,
)


def accident_followup_columns(year: int, on: date) -> tuple[Any, Any, Any]:
    """(in scope, has an interview, reported to the district) for 方案 三(三)6: every
    较大及以上 accident and 重大涉险 event of `year` up to `on` (Shanghai calendar)."""
    lo, hi = utc_bounds(date(year, 1, 1), max(on, date(year, 1, 1)))
    scope = and_(
        Accident.occurred_at >= lo,
        Accident.occurred_at < hi,
        or_(Accident.grade.in_(SERIOUS_GRADES), Accident.major_risk_event.is_(True)),
    )
    interviewed = exists().where(Interview.accident_id == Accident.id)
    reported = exists().where(
        Interview.accident_id == Accident.id, Interview.reported_to_district.is_(True)
    )
    return scope, interviewed, reported


async def _accidents(
    session: AsyncSession, ents: Any, year: int, on: date, facts: dict[uuid.UUID, Facts]
) -> None:
    scope, interviewed, reported = accident_followup_columns(year, on)
    stmt = (
        select(
            Accident.enterprise_id,
            func.count(),
            func.sum(case((not_(interviewed), 1), else_=0)),
            func.sum(case((not_(reported), 1), else_=0)),
        )
        .where(Accident.enterprise_id.in_(ents), scope)
        .group_by(Accident.enterprise_id)
    )
    for eid, n, no_interview, no_report in await session.execute(stmt):
        f = facts[eid]
        f.serious_accidents = int(n)
        f.accidents_without_interview = int(no_interview or 0)
        f.accidents_not_reported = int(no_report or 0)


async def gather(
    session: AsyncSession,
    *,
    enterprise_ids: Any,
    year: int,
    on: date,
    live: bool,
    warning_days: int,
) -> dict[uuid.UUID, Facts]:
    """Facts for every enterprise in `enterprise_ids` (a list or a select of ids)."""
    facts: dict[uuid.UUID, Facts] = defaultdict(Facts)
    await _drills(session, enterprise_ids, year, facts)
    await _checks(session, enterprise_ids, year, facts)
    await _trainings(session, enterprise_ids, on, facts)
    await _certificates(session, enterprise_ids, on, warning_days, facts)
    await _hazards(session, enterprise_ids, on, live, facts)
    await _hazard_standard(session, enterprise_ids, year, on, facts)
    await _accidents(session, enterprise_ids, year, on, facts)
    return facts
