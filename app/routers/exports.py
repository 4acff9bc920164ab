"""Large ledger exports as background jobs (issue 13); `GET /hazards/export` stays for small
sets."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Request, Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, SessionDep
from app.models.base import utcnow
from app.models.notification import ExportJob
from app.routers._base import api_router
from app.routers.hazards import FiltersDep
from app.schemas.export import ExportRead
from app.services import exports

hazard_exports = api_router(prefix="/api/v1/hazards", tags=["exports"])
router = api_router(prefix="/api/v1/exports", tags=["exports"])


@hazard_exports.post(
    "/exports",
    status_code=202,
    response_model=ExportRead,
    responses=problem_responses(401, 403, 422),
)
async def request_hazard_export(
    actor: CurrentActor,
    session: SessionDep,
    filters: FiltersDep,
    response: Response,
    format: Literal["xlsx", "csv"] = "xlsx",  # noqa: A002 — as GET /hazards/export
) -> ExportJob:
    """Queue the ledger export (same filters as the list); poll the Location for the file."""
    job = await exports.request_export(session, actor=actor, filters=filters, fmt=format)
    response.headers["Location"] = f"/api/v1/exports/{job.id}"
    return job


@router.get("/{export_id}", response_model=ExportRead, responses=problem_responses(401, 404, 422))
async def get_export(export_id: uuid.UUID, actor: CurrentActor, session: SessionDep) -> ExportJob:
    """An export I asked for: its status, and the file's address when done."""
    return await exports.get_export(session, actor=actor, export_id=export_id)


@router.get(
    "/{export_id}/file",
    response_class=Response,
    responses={
        200: {"content": {m: {} for m in exports.MEDIA.values()}},
        **problem_responses(401, 404, 409, 410, 422),
    },
)
async def get_export_file(
    export_id: uuid.UUID, actor: CurrentActor, session: SessionDep, request: Request
) -> Response:
    """The finished file (409 while still rendering, 410 once expired)."""
    job, data = await exports.open_file(
        session,
        actor=actor,
        export_id=export_id,
        storage=request.app.state.storage,
        now=utcnow(),
    )
    name = f"hazard-ledger-{job.created_at.date().isoformat()}.{job.format}"
    return Response(
        data,
        media_type=exports.MEDIA[job.format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
