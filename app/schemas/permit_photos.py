"""Photos on a permit's records (issue 15): a gas test, a safety measure, or the completion
check (残余火种等完工检查, GB 30871-2022 5.2.14, 4.15), attached from `POST /api/v1/uploads`."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from app.schemas.common import InputSchema, Schema


class PermitPhotoKind(StrEnum):
    gas_test = "gas_test"  # 气体检测
    measure = "measure"  # 安全措施
    completion = "completion"  # 完工检查（残余火种等）


class PermitPhotosIn(InputSchema):
    kind: PermitPhotoKind
    record_id: uuid.UUID | None = Field(
        default=None, description="气体检测或安全措施的 id（完工检查不填）"
    )
    photo_ids: list[uuid.UUID] = Field(min_length=1, max_length=9)


class PermitPhotoRead(Schema):
    upload_id: uuid.UUID
    permit_id: uuid.UUID
    kind: PermitPhotoKind
    record_id: uuid.UUID | None
    attached_at: datetime
