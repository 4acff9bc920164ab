"""Possible duplicates of a report, so staff triage quickly (issue 5).

Candidates, within 30 days either side of the report and inside the caller's scope:
- open hazards (not closed, not voided) of the report's enterprise, or of an enterprise whose
  registered coordinates lie within 50 m of the report's;
- other reports (not refused as invalid) of the same enterprise, or within 50 m when both
  have coordinates.
A coarse box narrows the rows in SQL; the exact great-circle distance is checked here.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.models.hazard import Hazard, HazardStatus
from app.models.public_report import PublicReport, ReportOutcome
from app.rules.geo import haversine_m
from app.schemas.public_report import PossibleDuplicate
from app.services.policy import Actor, scope_by_enterprise
from app.services.public_reports.scope import report_scope

WINDOW = timedelta(days=30)
RADIUS_M = 50.0
LIMIT = 10
_EXCERPT = 120


def _near(lat_col: object, lng_col: object, lat: float, lng: float) -> ColumnElement[bool]:
    dlat = RADIUS_M / 111_000 * 1.5
    dlng = dlat / max(math.cos(math.radians(lat)), 0.1)
    return and_(
        lat_col.between(lat - dlat, lat + dlat),  # type: ignore[attr-defined]
        lng_col.between(lng - dlng, lng + dlng),  # type: ignore[attr-defined]
    )


def _close(report: PublicReport, lat: float | None, lng: float | None) -> float | None:
    if None in (report.latitude, report.longitude, lat, lng):
        return None
    return haversine_m(report.latitude, report.longitude, lat, lng)  # type: ignore[arg-type]


def _same_or_near(
    report: PublicReport, enterprise_col: Any, lat_col: object, lng_col: object
) -> ColumnElement[bool]:
    """The report's enterprise, or coordinates inside the coarse box around the report's."""
    same = enterprise_col == report.enterprise_id if report.enterprise_id else false()
    near: ColumnElement[bool] = false()
    if report.latitude is not None and report.longitude is not None:
        near = _near(lat_col, lng_col, report.latitude, report.longitude)
    return or_(same, near)


def _in_window(report: PublicReport, at_col: object) -> ColumnElement[bool]:
    around = (report.received_at - WINDOW, report.received_at + WINDOW)
    return at_col.between(*around)  # type: ignore[attr-defined,no-any-return]


def _kept(report: PublicReport, enterprise_id: object, dist: float | None) -> bool:
    """The exact test the SQL box only narrows: same enterprise, or within `RADIUS_M`."""
    same = report.enterprise_id is not None and enterprise_id == report.enterprise_id
    return same or (dist is not None and dist <= RADIUS_M)


def _rounded(dist: float | None) -> float | None:
    return round(dist, 1) if dist is not None else None


async def _hazards(
    session: AsyncSession, actor: Actor, report: PublicReport
) -> list[PossibleDuplicate]:
    rows = await session.execute(
        select(Hazard, Enterprise.latitude, Enterprise.longitude)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(
            _same_or_near(report, Hazard.enterprise_id, Enterprise.latitude, Enterprise.longitude),
            Hazard.status.not_in([HazardStatus.closed, HazardStatus.voided]),
            _in_window(report, Hazard.found_at),
            scope_by_enterprise(actor, Hazard.enterprise_id),
        )
        .order_by(Hazard.found_at.desc(), Hazard.id)
        .limit(LIMIT * 2)
    )
    out = []
    for hazard, lat, lng in rows:
        dist = _close(report, lat, lng)
        if _kept(report, hazard.enterprise_id, dist):
            out.append(
                PossibleDuplicate(
                    kind="hazard",
                    id=hazard.id,
                    enterprise_id=hazard.enterprise_id,
                    at=hazard.found_at,
                    status=hazard.status,
                    description=hazard.description[:_EXCERPT],
                    distance_m=_rounded(dist),
                )
            )
    return out[:LIMIT]


async def _reports(
    session: AsyncSession, actor: Actor, report: PublicReport
) -> list[PossibleDuplicate]:
    rows = await session.scalars(
        select(PublicReport)
        .where(
            _same_or_near(
                report, PublicReport.enterprise_id, PublicReport.latitude, PublicReport.longitude
            ),
            PublicReport.id != report.id,
            PublicReport.outcome != ReportOutcome.invalid,
            _in_window(report, PublicReport.received_at),
            report_scope(actor),
        )
        .order_by(PublicReport.received_at.desc(), PublicReport.id)
        .limit(LIMIT * 2)
    )
    out = []
    for other in rows:
        dist = _close(report, other.latitude, other.longitude)
        if _kept(report, other.enterprise_id, dist):
            out.append(
                PossibleDuplicate(
                    kind="report",
                    id=other.id,
                    enterprise_id=other.enterprise_id,
                    at=other.received_at,
                    status=other.outcome,
                    description=other.description[:_EXCERPT],
                    distance_m=_rounded(dist),
                )
            )
    return out[:LIMIT]


async def possible_duplicates(
    session: AsyncSession, *, actor: Actor, report: PublicReport
) -> list[PossibleDuplicate]:
    return [*await _hazards(session, actor, report), *await _reports(session, actor, report)]
