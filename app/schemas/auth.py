from __future__ import annotations

import uuid

from pydantic import Field

from app.models.user import Role
from app.schemas.common import InputSchema, Schema


class TokenPair(Schema):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str


class RefreshRequest(InputSchema):
    refresh_token: str = Field(min_length=10, max_length=200)


class Me(Schema):
    id: uuid.UUID
    username: str
    role: Role
    display_name: str | None
    enterprise_id: uuid.UUID | None
    grid_ids: list[uuid.UUID]
    is_active: bool
