"""The number of unmet compliance checks per enterprise as SQL: the ranking's first key
(issue 11), so `/stats/ranking` can order and page every enterprise in the database.

This is a second copy of `app/rules/compliance_checks.py`, one term per check, built from the
same settings, cadences, periods and fact clauses (`facts.py`). Python `evaluate` stays the
one source of the codes and details shown; this copy only orders. Each term is 1 where the
Python check is unmet (`met` false; an `info` check is met) and 0 otherwise.
`tests/services/test_unmet_sql.py` holds the two together at every check's boundary.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.core.config import Settings
from app.models.accident import Accident
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.inspection import Inspection, InspectionKind, InspectionQuiz
from app.models.records import Certificate, Drill, DrillKind, PersonRole, Training, TrainingTopic
from app.rules.calendar import periods, utc_bounds
from app.rules.enterprise_kinds import Feature
from app.services.compliance.facts import (
    PLAN_END,
    PLAN_START,
    accident_followup_columns,
    hazard_clauses,
)
from app.services.enterprises import has_any_feature, has_feature

# What Python's `str.strip()` removes (every character with `str.isspace()`), for SQL's
# trim(text, characters): the training rule compares stripped names.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def _within(ents: Any, column: Any) -> Any:
    # `ents` None: the whole jurisdiction (no semi-join over every enterprise).
    return true() if ents is None else column.in_(ents)


def _begun(year: int, per_year: int, on: date) -> list[tuple[date, date]]:
    # The periods `period_counts` judges: those of `year` begun by `on`.
    return [(start, end) for start, end in periods(year, per_year) if start <= on]


def _period_columns(
    col: Any, year: int, on: date, cadences: set[int], prefix: str, *, instant: bool
) -> list[Any]:
    """Per cadence, an aggregate: how many of the periods begun by `on` hold a record (one
    distinct period number per record, none outside the begun periods)."""
    out = []
    for per_year in sorted(cadences):
        whens = []
        for i, (start, end) in enumerate(_begun(year, per_year, on)):
            if instant:
                lo, hi = utc_bounds(start, end)
                whens.append((and_(col >= lo, col < hi), i))
            else:
                whens.append((col.between(start, end), i))
        number = case(*whens, else_=None) if whens else literal(None, Integer)
        out.append(func.count(distinct(number)).label(f"{prefix}{per_year}"))
    return out


def _periodic_unmet(sub: Any, prefix: str, year: int, on: date, per_year: int) -> Any:
    """compliance_checks._periodic: unmet when no period has begun or one begun has none,
    i.e. fewer begun periods hold a record than have begun."""
    begun = len(_begun(year, per_year, on))
    if not begun:
        return literal(1)
    return case((func.coalesce(sub.c[f"{prefix}{per_year}"], 0) < begun, 1), else_=0)


def _drills(ents: Any, year: int, on: date, cadences: set[int]) -> Any:
    # 方案 三(六)12 counts 疏散逃生演练 only (as facts._drills).
    return (
        select(
            Drill.enterprise_id.label("eid"),
            *_period_columns(Drill.held_on, year, on, cadences, "d", instant=False),
        )
        .where(_within(ents, Drill.enterprise_id), Drill.kind == DrillKind.evacuation.value)
        .where(Drill.held_on.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(Drill.enterprise_id)
        .subquery("drills_in_periods")
    )


def _checks(ents: Any, year: int, on: date, cadences: set[int]) -> Any:
    # 方案 三(三)4 principal-led checks by Shanghai period, and 逢查必考、逢查必问
    # (as facts._checks).
    lo, hi = utc_bounds(date(year, 1, 1), date(year, 12, 31))
    has_quiz = exists().where(InspectionQuiz.inspection_id == Inspection.id)
    return (
        select(
            Inspection.enterprise_id.label("eid"),
            func.count().label("total"),
            func.sum(case((not_(has_quiz), 1), else_=0)).label("without_quiz"),
            *_period_columns(Inspection.started_at, year, on, cadences, "c", instant=True),
        )
        .where(
            _within(ents, Inspection.enterprise_id),
            Inspection.kind == InspectionKind.principal_check.value,
            Inspection.started_at >= lo,
            Inspection.started_at < hi,
        )
        .group_by(Inspection.enterprise_id)
        .subquery("principal_checks")
    )


def _strip(session: AsyncSession, col: Any) -> Any:
    trim = func.btrim if session.get_bind().dialect.name == "postgresql" else func.trim
    return trim(col, literal(WHITESPACE))


def principal_trained(session: AsyncSession, ents: Any, on: date) -> Any:
    """Enterprises whose principal-training check is met (compliance_checks.training_check):
    the registered principal head (stripped) among the passed trainees, or, with no head
    registered, anyone trained as principal (方案 三(六)11). The one SQL form of that rule:
    /stats/targets counts its coverage with it too."""
    ent = aliased(Enterprise)
    named = and_(ent.principal_name.is_not(None), ent.principal_name != "")
    return (
        select(Training.enterprise_id.label("eid"))
        .join(ent, ent.id == Training.enterprise_id)
        .where(
            _within(ents, Training.enterprise_id),
            Training.person_role == PersonRole.principal.value,
            Training.topic == TrainingTopic.principal_special.value,
            Training.completed_on.between(PLAN_START, min(on, PLAN_END)),
            or_(Training.passed.is_(None), Training.passed.is_(True)),
            or_(
                not_(named),
                _strip(session, Training.person_name) == _strip(session, ent.principal_name),
            ),
        )
        .distinct()
        .subquery("principal_trained")
    )


def _ids(stmt: Select[Any], name: str) -> Any:
    return stmt.distinct().subquery(name)


def _certificates_bad(ents: Any, on: date) -> Any:
    # 30号令 第十九条、第二十一条: expired or past review on the evaluation date
    # (as facts._certificates).
    bad = or_(Certificate.expires_on < on, Certificate.next_review_on < on)
    stmt = select(Certificate.enterprise_id.label("eid")).where(
        _within(ents, Certificate.enterprise_id), Certificate.issued_on <= on, bad
    )
    return _ids(stmt, "certificates_bad")


def _hazards(ents: Any, on: date, live: bool) -> tuple[Any, Any]:
    """方案 三(三)5 (facts._hazards) on `on`: per enterprise, (the major hazards open and
    overdue, all hazards overdue). Read apart, each is one range of its own index on the
    live ledger (`ix_hazards_level_status`, `ix_hazards_overdue`), not every open hazard."""
    is_open, overdue = hazard_clauses(on, live)
    within = _within(ents, Hazard.enterprise_id)
    major = (
        select(
            Hazard.enterprise_id.label("eid"),
            func.count().label("major_open"),
            func.sum(case((overdue, 1), else_=0)).label("major_overdue"),
        )
        .where(within, Hazard.level == "major", is_open)
        .group_by(Hazard.enterprise_id)
        .subquery("major_hazards_on")
    )
    any_overdue = (
        select(Hazard.enterprise_id.label("eid"), func.count().label("overdue"))
        .where(within, is_open, overdue)
        .group_by(Hazard.enterprise_id)
        .subquery("overdue_hazards_on")
    )
    return major, any_overdue


def _hazard_standard_trained(ents: Any, year: int, on: date) -> Any:
    # 方案 三(三)4: the 判定标准 in the year's training (facts._hazard_standard).
    stmt = select(Training.enterprise_id.label("eid")).where(
        _within(ents, Training.enterprise_id),
        Training.topic == TrainingTopic.hazard_standard.value,
        Training.completed_on.between(date(year, 1, 1), min(on, date(year, 12, 31))),
    )
    return _ids(stmt, "hazard_standard_trained")


def _accidents_open(ents: Any, year: int, on: date) -> Any:
    # 方案 三(三)6: a serious accident of the year without a 约谈 reported to the district
    # (one without any 约谈 is not reported either).
    scope, _, reported = accident_followup_columns(year, on)
    stmt = select(Accident.enterprise_id.label("eid")).where(
        _within(ents, Accident.enterprise_id), scope, not_(reported)
    )
    return _ids(stmt, "accidents_not_followed")


def _standardization(hazards: Any, on: date) -> Any:
    # 方案 三(四)8, first match wins as in compliance_checks.standardization_check; a missing
    # grade that is not required is information (met).
    return case(
        (
            Enterprise.standardization_grade.is_(None),
            case((Enterprise.standardization_required.is_(True), 1), else_=0),
        ),
        (Enterprise.standardization_certified_on > on, 1),
        (Enterprise.standardization_expires_on < on, 1),
        (func.coalesce(hazards.c.major_open, 0) > 0, 1),
        else_=0,
    )


def _absent(sub: Any) -> Any:
    return case((sub.c.eid.is_(None), 1), else_=0)


def _present(sub: Any) -> Any:
    return case((sub.c.eid.is_not(None), 1), else_=0)


class UnmetChecks:
    """The terms (code → 0/1 per `Enterprise` row), over `source` (enterprises left-joined to
    the facts), and the hazard counts the ranking's second key reads."""

    def __init__(self, terms: dict[str, Any], source: Any, overdue: Any) -> None:
        self.terms = terms
        self.source = source
        self._overdue = overdue

    @property
    def unmet(self) -> ColumnElement[int]:
        total: Any = literal(0, Integer)
        for term in self.terms.values():
            total = total + term
        return total  # type: ignore[no-any-return]

    @property
    def overdue(self) -> ColumnElement[int]:
        return func.coalesce(self._overdue.c.overdue, 0)


def _periodic_terms(
    session: AsyncSession, drills: Any, checks: Any, year: int, on: date, settings: Settings
) -> dict[str, Any]:
    # 方案 三(六)12 “厂中厂”等类型企业每半年: the configured features (drill_check).
    half_yearly = has_any_feature(session, list(settings.half_yearly_drill_features))
    # 方案 三(三)4: quarterly, monthly for 金属冶炼 (principal_checks_check).
    smelting = has_feature(session, Feature.METAL_SMELTING.value)

    def periodic(sub: Any, prefix: str, special: Any, special_rate: int, rate: int) -> Any:
        """The special enterprises on their own cadence, the others on the default one."""
        return case(
            (special, _periodic_unmet(sub, prefix, year, on, special_rate)),
            else_=_periodic_unmet(sub, prefix, year, on, rate),
        )

    quiz_gap = or_(
        func.coalesce(checks.c.total, 0) == 0, func.coalesce(checks.c.without_quiz, 0) > 0
    )
    return {
        "evacuation_drill": periodic(
            drills,
            "d",
            half_yearly,
            settings.drills_per_year_factory_in_factory,
            settings.drills_per_year,
        ),
        "principal_checks": periodic(
            checks,
            "c",
            smelting,
            settings.principal_checks_per_year_metal_smelting,
            settings.principal_checks_per_year,
        ),
        # 逢查必考、逢查必问 (quiz_check): no check at all, or one without a quiz record.
        "principal_quiz": case((quiz_gap, 1), else_=0),
    }


def unmet_checks(
    session: AsyncSession, *, ents: Any, year: int, on: date, live: bool, settings: Settings
) -> UnmetChecks:
    """The checks of `evaluate(ent, facts, year=year, on=on, settings=settings)` as SQL, for
    the enterprises of `ents` (a select of ids; None for the whole jurisdiction)."""
    drill_rates = {settings.drills_per_year, settings.drills_per_year_factory_in_factory}
    check_rates = {
        settings.principal_checks_per_year,
        settings.principal_checks_per_year_metal_smelting,
    }
    drills = _drills(ents, year, on, drill_rates)
    checks = _checks(ents, year, on, check_rates)
    trained = principal_trained(session, ents, on)
    bad_certs = _certificates_bad(ents, on)
    hazards, overdue = _hazards(ents, on, live)
    standard = _hazard_standard_trained(ents, year, on)
    accidents = _accidents_open(ents, year, on)
    terms = {
        **_periodic_terms(session, drills, checks, year, on, settings),
        # 三年行动 not begun yet: unmet (training_check).
        "principal_training": literal(1) if on < PLAN_START else _absent(trained),
        "certificates_valid": _present(bad_certs),
        "major_overdue": case((func.coalesce(hazards.c.major_overdue, 0) > 0, 1), else_=0),
        "major_zero": case((func.coalesce(hazards.c.major_open, 0) > 0, 1), else_=0),
        "standardization": _standardization(hazards, on),
        "hazard_standard_training": _absent(standard),
        "accident_followup": _present(accidents),
    }
    source: Any = Enterprise.__table__
    for sub in (drills, checks, trained, bad_certs, hazards, overdue, standard, accidents):
        source = source.outerjoin(sub, sub.c.eid == Enterprise.id)
    return UnmetChecks(terms, source, overdue)
