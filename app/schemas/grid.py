from __future__ import annotations

import uuid

from app.schemas.common import InputSchema, Name, Schema


class GridCreate(InputSchema):
    id: uuid.UUID | None = None
    name: Name


class GridUpdate(InputSchema):
    name: Name


class GridRead(Schema):
    id: uuid.UUID
    name: str
