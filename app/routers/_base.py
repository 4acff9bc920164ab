"""Every router is made here so every route honours `Idempotency-Key` (brief §4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.core.idempotency import IdempotentRoute


def api_router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=IdempotentRoute, **kwargs)
