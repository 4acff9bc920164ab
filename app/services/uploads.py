"""Photo uploads (brief §4): sanitised, stored by content hash, served only to those entitled.

Who may fetch an upload: its uploader while it is not yet attached to anything; once
attached (its `enterprise_id` is set), whoever may see that enterprise's objects. Other
domains whose objects hold photos without an enterprise (public reports, issue 5) add a check
with `register_visibility`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, Unprocessable
from app.core.storage import BlobNotFoundError, BlobStorage
from app.models.enterprise import Enterprise
from app.models.upload import StoredPhoto, Upload
from app.services import audit
from app.services.images import sanitize_in_worker
from app.services.policy import Actor, Permission, enterprise_scope, require_permission

VisibilityCheck = Callable[[AsyncSession, Actor, Upload], Awaitable[bool]]
_EXTRA_CHECKS: list[VisibilityCheck] = []

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def register_visibility(check: VisibilityCheck) -> None:
    """Let another domain grant access to uploads attached to its objects."""
    _EXTRA_CHECKS.append(check)


async def claim_photos(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    photo_ids: list[uuid.UUID],
    field: list[str | int],
) -> None:
    """Photos an object of `enterprise_id` may hold: uploads of that enterprise, or the
    caller's own not yet attached ones (which then become the enterprise's, so whoever sees
    the object sees them). Anything else — unknown, another enterprise's, someone else's
    unattached upload — is a 422 naming the index: an id cannot pull a foreign photo into
    view, nor leave a photo visible to no one (issue 10 finding 12)."""
    if not photo_ids:
        return
    wanted = list(dict.fromkeys(photo_ids))
    uploads = {u.id: u for u in await session.scalars(select(Upload).where(Upload.id.in_(wanted)))}
    for i, pid in enumerate(photo_ids):
        up = uploads.get(pid)
        if up is None or not (
            up.enterprise_id == enterprise_id
            or (up.enterprise_id is None and up.uploaded_by == actor.user_id)
        ):
            raise Unprocessable(
                "照片不存在或不属于该企业",
                "Unknown photo, or a photo of another enterprise",
                code="photo_not_attachable",
                field=[*field, i],
            )
    for up in uploads.values():
        up.enterprise_id = enterprise_id


async def put_photo(
    storage: BlobStorage, data: bytes, *, max_bytes: int, max_pixels: int, anonymous: bool
) -> dict[str, Any]:
    """Validate, strip metadata (re-encode), store the blob: the `StoredPhoto` columns of
    the row to write. The one storage path for staff and public (mini-program) photos."""
    clean = await sanitize_in_worker(
        data, max_bytes=max_bytes, max_pixels=max_pixels, anonymous=anonymous
    )
    key = await storage.put(clean.data, content_type=clean.content_type)
    return {
        "sha256": key,
        "content_type": clean.content_type,
        "size": len(clean.data),
        "width": clean.width,
        "height": clean.height,
    }


def same_blob(photo: StoredPhoto) -> dict[str, Any]:
    """The `StoredPhoto` columns of `photo`, for another row over the same blob (blobs are
    content-addressed: nothing is copied)."""
    return {
        name: getattr(photo, name) for name in ("sha256", "content_type", "size", "width", "height")
    }


async def store_upload(
    session: AsyncSession,
    *,
    storage: BlobStorage,
    data: bytes,
    actor: Actor | None,
    max_bytes: int,
    max_pixels: int,
) -> Upload:
    """Store a photo and write its row (flush only).

    `actor` None is an anonymous upload (the public mini-program, issue 5).
    """
    if actor is not None:
        require_permission(actor, Permission.UPLOAD_CREATE)
    blob = await put_photo(
        storage, data, max_bytes=max_bytes, max_pixels=max_pixels, anonymous=actor is None
    )
    upload = Upload(id=uuid.uuid4(), **blob, uploaded_by=actor.user_id if actor else None)
    session.add(upload)
    await session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="upload",
        object_id=upload.id,
        changes={"sha256": upload.sha256, "size": upload.size, "content_type": upload.content_type},
    )
    return upload


async def _may_see(session: AsyncSession, actor: Actor, upload: Upload) -> bool:
    if upload.enterprise_id is None and upload.uploaded_by == actor.user_id:
        return True
    if upload.enterprise_id is not None:
        visible = await session.scalar(
            select(Enterprise.id).where(
                Enterprise.id == upload.enterprise_id, enterprise_scope(actor)
            )
        )
        if visible is not None:
            return True
    for check in _EXTRA_CHECKS:
        if await check(session, actor, upload):
            return True
    return False


async def read_upload(
    session: AsyncSession, *, storage: BlobStorage, actor: Actor, upload_id: uuid.UUID
) -> tuple[Upload, bytes]:
    """The upload and its bytes if the caller may see it; 404 otherwise."""
    upload = await session.get(Upload, upload_id)
    if upload is None or not await _may_see(session, actor, upload):
        raise NotFound("照片不存在", "Upload not found")
    try:
        return upload, await storage.open(upload.sha256)
    except BlobNotFoundError:
        raise NotFound("照片文件不存在", "Upload content missing") from None
