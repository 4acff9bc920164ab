from __future__ import annotations

from app.routers._base import api_router
from app.services.meta import enum_labels

router = api_router(prefix="/api/v1/meta", tags=["meta"])


@router.get("/enums")
async def enums() -> dict[str, dict[str, str]]:
    """Every enum of the API with its Chinese labels: {enum: {code: label}}."""
    return enum_labels()
