"""Expired unused public photos are purged; used ones and shared blobs stay (issue 5)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.public_report import PublicUpload
from app.services.public_reports.purge import (
    delete_expired_public_uploads,
    remove_orphan_blobs,
)
from tests.api.public_helpers import jpeg_with_gps, post_report, upload
from tests.conftest import World


async def _upload(client: httpx.AsyncClient, size: tuple[int, int]) -> dict[str, Any]:
    resp = await upload(client, jpeg_with_gps(size))
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def test_purge_expired_unused_public_uploads(
    client: httpx.AsyncClient, world: World, db: AsyncSession, app_instance: Any
) -> None:
    storage = app_instance.state.storage
    stale = await _upload(client, (40, 30))
    used = await _upload(client, (41, 30))
    fresh = await _upload(client, (42, 30))
    shared = await _upload(client, (43, 30))
    twin = await _upload(client, (43, 30))  # same bytes → same blob as `shared`
    assert (await post_report(client, photo_ids=[used["id"]])).status_code == 201
    old = datetime.now(UTC) - timedelta(hours=25)
    ids = [uuid.UUID(x["id"]) for x in (stale, used, shared)]
    await db.execute(update(PublicUpload).where(PublicUpload.id.in_(ids)).values(created_at=old))
    await db.commit()
    keys = {u.id: u.sha256 for u in (await db.scalars(select(PublicUpload))).all()}  # id → blob

    count, freed = await delete_expired_public_uploads(db)
    await db.commit()
    # Run as if two hours later: the blobs' last store is then past the grace period.
    later = time.time() + 2 * 3600
    removed = await remove_orphan_blobs(db, storage=storage, keys=freed, now=later)

    assert count == 2  # `stale` and the old `shared`; `used` belongs to a report
    remaining = {u.id for u in (await db.scalars(select(PublicUpload))).all()}
    assert remaining == {uuid.UUID(used["id"]), uuid.UUID(fresh["id"]), uuid.UUID(twin["id"])}
    assert removed == 1
    assert not await storage.exists(keys[uuid.UUID(stale["id"])])
    assert await storage.exists(keys[uuid.UUID(shared["id"])])  # `twin` still points at it
    assert await storage.exists(keys[uuid.UUID(used["id"])])
    assert (await delete_expired_public_uploads(db)) == (0, [])


async def test_purge_keeps_a_blob_a_concurrent_upload_just_stored(
    client: httpx.AsyncClient, world: World, db: AsyncSession, app_instance: Any
) -> None:
    """Issue 10 finding 13: an upload of the same bytes stores the blob before its row is
    committed; the purge, finding no row, must still not remove it."""
    storage = app_instance.state.storage
    stale = await _upload(client, (44, 30))
    old = datetime.now(UTC) - timedelta(hours=25)
    await db.execute(
        update(PublicUpload).where(PublicUpload.id == uuid.UUID(stale["id"])).values(created_at=old)
    )
    await db.commit()
    count, freed = await delete_expired_public_uploads(db)
    await db.commit()
    assert count == 1
    # The racing upload: its `put` of the same bytes, its row not yet visible.
    data = await storage.open(freed[0])
    assert await storage.put(data, content_type="image/jpeg") == freed[0]
    assert await remove_orphan_blobs(db, storage=storage, keys=freed) == 0
    assert await storage.exists(freed[0])
    # Once nobody has stored it for longer than the grace, it goes.
    later = time.time() + 2 * 3600
    assert await remove_orphan_blobs(db, storage=storage, keys=freed, now=later) == 1
    assert not await storage.exists(freed[0])
