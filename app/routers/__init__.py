"""Every router of the API, in the order they appear in the docs.

A domain adds its router to `ROUTERS`; nothing else needs to change.
"""

from fastapi import APIRouter

from app.routers import (
    accidents,
    audit,
    auth,
    enterprises,
    exports,
    grids,
    hazards,
    health,
    inspections,
    meta,
    notifications,
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
    audit.router,
    records.router,
    accidents.router,
    stats.router,
    webhooks.router,
    notifications.router,
    exports.hazard_exports,
    exports.router,
]
