"""The figures behind /stats/targets, read in one statement (issue 11).

Before: ~20 statements, nine of them counts over the same 20,000 enterprises, each with its
own round trip, compilation and scan. Now one SELECT: the enterprise counts are conditional
counts of one pass (`e`), the principal-check coverage (`pc`) and the 五带头 coverage (`pa`)
are one-row subqueries beside it, and the remaining counts (drills, trainings, major hazards)
are scalar subqueries. One statement is also one snapshot: the figures agree with each other.

Every condition is the one the targets applied before (plan citations in targets.py and
targets_plan.py); only where they are evaluated moved.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    and_,
    case,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.enterprise import Designation, Enterprise
from app.models.hazard import Hazard
from app.models.inspection_counts import PrincipalCheckMonth
from app.models.principal_action import PrincipalAction
from app.models.records import Drill, DrillKind
from app.rules.calendar import periods
from app.rules.enterprise_kinds import Feature
from app.services import principal_actions
from app.services.compliance.facts import hazard_clauses
from app.services.compliance.unmet import principal_trained
from app.services.enterprises import has_feature, in_key_industry


def within(ents: Any, column: Any) -> Any:
    """`column IN ents`; nothing when `ents` is None (the whole jurisdiction: every row's
    enterprise is in it), sparing each statement a semi-join over every enterprise."""
    return true() if ents is None else column.in_(ents)


def graded_on(d: date) -> Any:
    return and_(
        Enterprise.standardization_grade.is_not(None),
        or_(
            Enterprise.standardization_certified_on.is_(None),
            Enterprise.standardization_certified_on <= d,
        ),
        or_(
            Enterprise.standardization_expires_on.is_(None),
            Enterprise.standardization_expires_on >= d,
        ),
    )


def no_open_major(on: date, live: bool) -> Any:
    """No open major hazard on the evaluation date: 方案 三(四)8 一票否决.

    NOT IN a hashed list of the few enterprises with one (hazards.enterprise_id is NOT NULL,
    so NOT IN means NOT EXISTS), read through ix_hazards_level_status: the correlated NOT
    EXISTS was estimated at millions, which switched on PostgreSQL's JIT (0.8 s to compile a
    count of 20,000 enterprises, bench/README.md "Issue 11")."""
    is_open, _ = hazard_clauses(on, live)
    with_major = select(Hazard.enterprise_id).where(Hazard.level == "major", is_open)
    return Enterprise.id.not_in(with_major)


def _enterprises(
    session: AsyncSession, mine: Any, year: int, on: date, live: bool, settings: Settings
) -> Any:
    """One pass over the caller's enterprises. `graded_now - std_now` is the vetoed count:
    graded and NOT (id NOT IN the list) is graded and id IN it (no NULL on either side);
    `total - smelting` the others (`features` is NOT NULL, so the test is never NULL)."""
    e, count = Enterprise, func.count
    smelting = has_feature(session, Feature.METAL_SMELTING.value)
    designated = e.designation_year <= year
    return (
        select(
            count().label("total"),
            count().filter(and_(graded_on(on), no_open_major(on, live))).label("std_now"),
            count().filter(graded_on(on)).label("graded_now"),
            count().filter(graded_on(date(year - 1, 12, 31))).label("std_before"),
            count()
            .filter(designated, e.designation == Designation.demonstration.value)
            .label("demo"),
            count().filter(designated, e.designation == Designation.benchmark.value).label("bench"),
            count().filter(e.standardization_benchmark_year == year).label("std_bench"),
            count().filter(in_key_industry(session, settings)).label("key_total"),
            count().filter(smelting).label("smelting"),
        )
        .where(within(mine, e.id))
        .subquery("e")
    )


def checks_per_year(settings: Settings) -> dict[bool, int]:
    """Principal checks a year, keyed by "metal smelting" (方案 三(三)4: monthly for it)."""
    return {
        True: settings.principal_checks_per_year_metal_smelting,
        False: settings.principal_checks_per_year,
    }


def begun_periods(year: int, on: date, per_year: dict[bool, int]) -> dict[bool, int]:
    """How many of the year's periods have begun by `on`, per cadence."""
    return {k: sum(1 for start, _ in periods(year, n) if start <= on) for k, n in per_year.items()}


def _principal_checks(
    session: AsyncSession, mine: Any, year: int, on: date, per_year: dict[bool, int]
) -> Any:
    """(done, covered): the year's principal checks per (enterprise, Shanghai month) from
    the rollup `principal_check_months` (kept on every inspection write), grouped into each
    enterprise's periods, the period length by "metal smelting" (`per_year` keyed by it);
    covered = (enterprise, period) pairs of a period begun by `on`. The smelting test is a
    hash join to the list of smelting enterprises, built once (as `IN (list)` it was a hashed
    subplan built once per reference of the flattened column: twice)."""
    pcm = PrincipalCheckMonth
    smelters = (
        select(Enterprise.id)
        .where(has_feature(session, Feature.METAL_SMELTING.value))
        .subquery("smelters")
    )
    rows = (
        select(
            pcm.enterprise_id.label("eid"),
            pcm.month.label("m"),
            pcm.n,
            case((smelters.c.id.is_not(None), 1), else_=0).label("g"),
        )
        .outerjoin(smelters, smelters.c.id == pcm.enterprise_id)
        .where(pcm.year == year, pcm.n > 0, within(mine, pcm.enterprise_id))
        .subquery()
    )
    # The period's index: (m - 1) // (12 // per_year), written as (m - 1) * per_year // 12
    # (rules.calendar.periods: `per_year` periods of 12 // per_year months from January).
    n_periods = case((rows.c.g == 1, per_year[True]), else_=per_year[False])
    period = (rows.c.m - 1) * n_periods // 12
    per = (
        select(rows.c.g, period.label("p"), func.sum(rows.c.n).label("k"))
        .group_by(rows.c.eid, rows.c.g, period)
        .subquery()
    )
    begun = begun_periods(year, on, per_year)
    due_by = case((per.c.g == 1, begun[True]), else_=begun[False])
    return select(
        func.coalesce(func.sum(per.c.k), 0).label("done"),
        func.coalesce(func.sum(case((per.c.p < due_by, 1), else_=0)), 0).label("covered"),
    ).subquery("pc")


def _trained(session: AsyncSession, mine: Any, on: date, settings: Settings) -> Any:
    """方案 三(六)11: key-industry enterprises whose principal-training check is met — the
    compliance check's own SQL form (compliance/unmet.py), so the target and each
    enterprise's check cannot disagree (an empty head name, whitespace around it)."""
    members = select(Enterprise.id).where(
        within(mine, Enterprise.id), in_key_industry(session, settings)
    )
    met = principal_trained(session, members, on)
    return select(func.count()).select_from(met).scalar_subquery()


def _scalars(mine: Any, year: int, on: date, live: bool) -> dict[str, Any]:
    in_year = and_(
        within(mine, Drill.enterprise_id),
        Drill.held_on.between(date(year, 1, 1), min(on, date(year, 12, 31))),
        Drill.kind == DrillKind.evacuation.value,
    )
    is_open, overdue = hazard_clauses(on, live)
    major = and_(within(mine, Hazard.enterprise_id), Hazard.level == "major")
    n = select(func.count())
    return {
        "drilled": select(func.count(func.distinct(Drill.enterprise_id))).where(in_year),
        # 方案 三(六)12 观摩 is of an evacuation drill (疏散逃生演练现场观摩), not any drill.
        "observed": n.select_from(Drill).where(in_year, Drill.observed_by_street_office.is_(True)),
        "major_open": n.select_from(Hazard).where(major, is_open),
        "major_overdue": n.select_from(Hazard).where(major, overdue),
    }


def _statement(
    session: AsyncSession, mine: Any, year: int, on: date, live: bool, settings: Settings
) -> Any:
    per_year = checks_per_year(settings)
    e = _enterprises(session, mine, year, on, live, settings)
    pc = _principal_checks(session, mine, year, on, per_year)
    pa_scope = within(mine, PrincipalAction.enterprise_id)
    pa = principal_actions.coverage_counts(pa_scope, year, on).subquery("pa")
    scalars = {k: v.scalar_subquery().label(k) for k, v in _scalars(mine, year, on, live).items()}
    return select(
        *e.c,
        *pc.c,
        *pa.c,
        _trained(session, mine, on, settings).label("trained"),
        *scalars.values(),
    ).select_from(e.join(pc, true()).join(pa, true()))


# Built statements for the jurisdiction-wide scope, by everything they are built from: the
# construction (~500 SQL expression objects) cost ~7 ms of CPU per request, and a reused
# statement also keeps its cache key. Values are read afresh on every execution; `on` is in
# the key, so a new day builds a new statement. Bounded: cleared past 32 entries.
_BUILT: dict[tuple[Any, ...], Any] = {}


def _cached_statement(
    session: AsyncSession, year: int, on: date, live: bool, settings: Settings
) -> Any:
    key = (
        session.get_bind().dialect.name,
        year,
        on,
        live,
        tuple(settings.key_industry_sectors),
        tuple(settings.key_industry_tiers),
        tuple(settings.key_industry_features),
        settings.principal_checks_per_year_metal_smelting,
        settings.principal_checks_per_year,
    )
    stmt = _BUILT.get(key)
    if stmt is None:
        if len(_BUILT) >= 32:
            _BUILT.clear()
        stmt = _BUILT[key] = _statement(session, None, year, on, live, settings)
    return stmt


async def target_facts(
    session: AsyncSession,
    mine: Any,
    year: int,
    on: date,
    live: bool,
    settings: Settings,
) -> dict[str, int]:
    """Every count the targets need, by name, from one statement; `mine` None for the
    whole jurisdiction, else the caller's enterprises (a subquery)."""
    if mine is None:
        stmt = _cached_statement(session, year, on, live, settings)
    else:
        stmt = _statement(session, mine, year, on, live, settings)
    row = (await session.execute(stmt)).one()
    facts = {k: int(v or 0) for k, v in row._mapping.items()}
    # 方案 三(三)4: every enterprise owes each period of its cadence begun by `on`.
    begun = begun_periods(year, on, checks_per_year(settings))
    facts["due"] = (
        facts["smelting"] * begun[True] + (facts["total"] - facts["smelting"]) * begun[False]
    )
    return facts
