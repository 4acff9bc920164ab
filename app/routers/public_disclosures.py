"""Anonymous read of what the street office published (公布、曝光, plan §四(四)) for the
mini-program: published items only, no person's name or phone."""

from __future__ import annotations

from fastapi import APIRouter

from app.core.errors import problem_responses
from app.dependencies import LimiterDep, PageDep, SessionDep, SettingsDep
from app.routers._public import AbuseKeysDep, enforce_public_limits
from app.schemas.common import Page
from app.schemas.plan_records import PublicDisclosure
from app.services import disclosures

router = APIRouter(prefix="/api/v1/public", tags=["public"])


@router.get(
    "/disclosures",
    response_model=Page[PublicDisclosure],
    responses=problem_responses(422, 429, 503),
)
async def public_disclosures(
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    keys: AbuseKeysDep,
    page: PageDep,
) -> Page[PublicDisclosure]:
    """What is published now: enterprise, item, basis, deadline, status."""
    # Read traffic like the receipt look-ups: the same per-client and overall caps.
    await enforce_public_limits(
        limiter,
        per_client=settings.public_status_limit,
        overall=settings.public_global_status_limit,
        keys=keys,
        scope="disclosures",
    )
    items, nxt = await disclosures.public_list(session, limit=page.limit, cursor=page.cursor)
    return Page[PublicDisclosure](
        items=[PublicDisclosure.model_validate(i) for i in items], next_cursor=nxt
    )
