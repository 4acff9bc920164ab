from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from app.models.user import Role
from app.schemas.common import InputSchema, Schema, _no_nul, _single_line

Username = Annotated[
    str,
    Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$"),
    AfterValidator(_single_line),
]
# ASVS 6.2.1: at least 8 characters; long passphrases allowed.
Password = Annotated[str, AfterValidator(_no_nul), Field(min_length=8, max_length=128)]
DisplayName = Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=100)]


class UserCreate(InputSchema):
    id: uuid.UUID | None = None
    username: Username
    password: Password
    role: Role
    display_name: DisplayName | None = None
    enterprise_id: uuid.UUID | None = None
    grid_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _role_scope(self) -> UserCreate:
        if self.role == Role.enterprise_head and self.enterprise_id is None:
            raise ValueError("enterprise_head 账号必须指定 enterprise_id")
        if self.role == Role.grid_staff and not self.grid_ids:
            raise ValueError("grid_staff 账号必须指定 grid_ids")
        if self.role != Role.enterprise_head and self.enterprise_id is not None:
            raise ValueError("只有 enterprise_head 账号可以指定 enterprise_id")
        if self.role != Role.grid_staff and self.grid_ids:
            raise ValueError("只有 grid_staff 账号可以指定 grid_ids")
        return self


class UserUpdate(InputSchema):
    display_name: DisplayName | None = None
    password: Password | None = None
    grid_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    is_active: bool | None = None


class UserRead(Schema):
    id: uuid.UUID
    username: str
    role: Role
    display_name: str | None
    enterprise_id: uuid.UUID | None
    grid_ids: list[uuid.UUID]
    is_active: bool
