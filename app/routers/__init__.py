"""Every router of the API, in the order they appear in the docs.

A domain adds its router to `ROUTERS`; nothing else needs to change.
"""

from fastapi import APIRouter

from app.routers import (
    accidents,
    audit,
    auth,
    enterprises,
    grids,
    health,
    meta,
    records,
    standards,
    users,
)

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    meta.router,
    grids.router,
    users.router,
    enterprises.router,
    standards.router,
    audit.router,
    records.router,
    accidents.router,
]
