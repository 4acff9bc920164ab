"""Every router is made here so every route honours `Idempotency-Key` (brief §4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.core.idempotency import IdempotentRoute
from app.dependencies import CurrentActor


async def staff_principal(actor: CurrentActor) -> str:
    """Idempotency records of staff routes belong to the verified user (after authentication)."""
    return f"user:{actor.user_id}"


class StaffIdempotentRoute(IdempotentRoute):
    principal = staff_principal


def api_router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=StaffIdempotentRoute, **kwargs)
