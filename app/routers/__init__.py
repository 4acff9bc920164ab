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
    grids,
    hazards,
    health,
    inspection_plans,
    inspections,
    meta,
    permit_site,
    permits,
    plan_records,
    public_disclosures,
    public_reports,
    records,
    reports,
    standards,
    stats,
    sync,
    uploads,
    users,
    webhooks,
)

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
    public_reports.router,
    reports.router,
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
]
