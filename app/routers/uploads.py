"""Staff photo upload and download (brief §4, §7)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Response, UploadFile

from app.core.errors import PayloadTooLarge, problem_responses
from app.dependencies import CurrentActor, SessionDep, SettingsDep, StorageDep
from app.models.upload import Upload
from app.routers._base import api_router
from app.schemas.upload import UploadRead
from app.services import uploads

router = api_router(prefix="/api/v1/uploads", tags=["uploads"])


async def read_limited(file: UploadFile, max_bytes: int) -> bytes:
    """The file's bytes, refusing (413) as soon as more than `max_bytes` arrive."""
    data = await file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"图片不得超过 {max_bytes} 字节", f"The image must not exceed {max_bytes} bytes"
        )
    return data


@router.post(
    "",
    status_code=201,
    response_model=UploadRead,
    responses=problem_responses(400, 401, 403, 413, 415, 422),
)
async def create_upload(
    file: Annotated[UploadFile, File(description="JPEG/PNG/WebP 照片")],
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> Upload:
    """Upload a photo (staff); EXIF/GPS stripped, type decided by content."""
    data = await read_limited(file, settings.upload_max_bytes)
    return await uploads.store_upload(
        session,
        storage=storage,
        data=data,
        actor=actor,
        max_bytes=settings.upload_max_bytes,
        max_pixels=settings.upload_max_pixels,
    )


@router.get(
    "/{upload_id}",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
        **problem_responses(401, 404, 422),
    },
)
async def get_upload(
    upload_id: uuid.UUID, actor: CurrentActor, session: SessionDep, storage: StorageDep
) -> Response:
    """A photo, to its uploader or to callers who can see what it is attached to."""
    # X-Content-Type-Options: nosniff is added to every response by the middleware.
    upload, data = await uploads.read_upload(
        session, storage=storage, actor=actor, upload_id=upload_id
    )
    ext = uploads.EXTENSIONS.get(upload.content_type, "bin")
    return Response(
        content=data,
        media_type=upload.content_type,
        headers={
            "Content-Disposition": f'inline; filename="{upload.id}.{ext}"',
            "Cache-Control": "private, max-age=3600",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
