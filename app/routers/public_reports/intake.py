"""Anonymous mini-program routes (brief §7): photo upload, report, status by receipt code.

No login. Each route caps its body before parsing (`capped_route`), and counts the caller
against the abuse limits per client address and per device (`_public.py`). These routers are
built directly on `capped_route(...)`, which extends the idempotent route class, so
`Idempotency-Key` is honoured as everywhere (keyed by client address for anonymous callers).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.datastructures import UploadFile

from app.core.errors import Unprocessable, problem_responses
from app.dependencies import LimiterDep, SessionDep, SettingsDep, StorageDep
from app.models.public_report import PublicUpload
from app.routers._public import (
    MULTIPART_SLACK,
    AbuseKeysDep,
    capped_route,
    enforce_public_limits,
)
from app.schemas.common import ParamStr
from app.schemas.public_report import (
    PublicReportCreate,
    PublicReportReceipt,
    PublicReportStatus,
    PublicUploadRead,
)
from app.services.public_reports import intake

PREFIX = "/api/v1/public"
TAGS: list[str | Any] = ["public"]

uploads = APIRouter(
    prefix=PREFIX,
    tags=TAGS,
    route_class=capped_route(
        lambda s: s.public_upload_max_bytes + MULTIPART_SLACK,
        precheck=lambda s: (s.public_upload_limit, "upload"),
    ),
)
reports = APIRouter(
    prefix=PREFIX, tags=TAGS, route_class=capped_route(lambda s: s.public_report_max_bytes)
)

_MULTIPART_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


async def _file_field(request: Request) -> bytes:
    # Explicit, low multipart limits (quality-notes §6): one file, a few small fields.
    async with request.form(max_files=1, max_fields=4, max_part_size=64 * 1024) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise Unprocessable(
                "缺少图片文件字段 file",
                "The multipart field `file` is missing",
                code="file_required",
                field=["body", "file"],
            )
        return await file.read()


@uploads.post(
    "/uploads",
    status_code=201,
    response_model=PublicUploadRead,
    responses=problem_responses(400, 413, 415, 422, 429, 503),
    openapi_extra=_MULTIPART_DOC,
)
async def public_upload(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    keys: AbuseKeysDep,
    storage: StorageDep,
) -> PublicUpload:
    """Upload one photo (JPEG/PNG/WebP ≤ 5 MB, re-encoded without EXIF); usable for 24 h."""
    await enforce_public_limits(
        limiter,
        per_client=settings.public_upload_limit,
        overall=settings.public_global_upload_limit,
        keys=keys,
        scope="upload",
    )
    data = await _file_field(request)
    return await intake.store_upload(session, settings=settings, storage=storage, data=data)


@reports.post(
    "/reports",
    status_code=201,
    response_model=PublicReportReceipt,
    responses=problem_responses(413, 422, 429, 503),
)
async def post_public_report(
    body: PublicReportCreate,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    keys: AbuseKeysDep,
) -> PublicReportReceipt:
    """Report a hazard; answered with the receipt code once the report is stored."""
    await enforce_public_limits(
        limiter,
        per_client=settings.public_report_limit,
        overall=settings.public_global_report_limit,
        keys=keys,
        scope="report",
    )
    report = await intake.create_report(session, settings=settings, data=body)
    return PublicReportReceipt(receipt_code=report.receipt_code)


@reports.get(
    "/reports/{receipt_code}",
    response_model=PublicReportStatus,
    responses=problem_responses(404, 422, 429, 503),
)
async def public_report_status(
    # Long enough that any malformed code is a 404 like an unknown one (brief §7).
    receipt_code: Annotated[ParamStr, Path(max_length=1000)],
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    keys: AbuseKeysDep,
) -> PublicReportStatus:
    """The status of a report by its receipt code (and nothing else about it)."""
    await enforce_public_limits(
        limiter,
        per_client=settings.public_status_limit,
        overall=settings.public_global_status_limit,
        keys=keys,
        scope="status",
    )
    return await intake.report_status(session, receipt_code=receipt_code)


router = APIRouter()
router.include_router(uploads)
router.include_router(reports)
