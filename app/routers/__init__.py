"""Every router of the API, in the order they appear in the docs.

A domain adds its router to `ROUTERS`; nothing else needs to change.
"""

from fastapi import APIRouter

from app.routers import (
    accidents,
    audit,
    auth,
    bulletins,
    confined_spaces,
    delegations,
    enterprises,
    exports,
    grids,
    hazards,
    health,
    inspection_plans,
    inspections,
    meta,
    notifications,
    permit_site,
    permits,
    plan_records,
    public_disclosures,
    records,
    standards,
    stats,
    sync,
    uploads,
    users,
    webhooks,
)
from app.routers.public_reports import intake as public_reports_intake
from app.routers.public_reports import staff as public_reports_staff

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    meta.router,
    grids.router,
    users.router,
    enterprises.router,
    uploads.router,
    hazards.router,
    sync.router,
    public_reports_intake.router,
    public_reports_staff.router,
    standards.router,
    inspections.router,
    inspection_plans.router,
    audit.router,
    records.router,
    accidents.router,
    stats.router,
    webhooks.router,
    plan_records.router,
    public_disclosures.router,
    bulletins.router,
    confined_spaces.router,
    permits.router,
    permit_site.router,
    delegations.router,
    notifications.router,
    exports.hazard_exports,
    exports.router,
]
