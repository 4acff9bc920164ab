"""The notification inbox (the phone app's 待办, issue 13)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, computed_field

from app.models.notification import NotificationKind
from app.schemas.common import Schema


class NotificationRead(Schema):
    id: uuid.UUID
    kind: NotificationKind
    object_type: str = Field(description="hazard | certificate | report | export …")
    object_id: uuid.UUID
    title: str
    body: str
    stage: str | None = Field(description="提醒阶段：T-7、T-1、T0、+1、+3、+7、+14 …")
    unread: bool = Field(exclude=True)
    read_at: datetime | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_read(self) -> bool:
        return not self.unread


class ReadAllResult(Schema):
    updated: int = Field(description="本次标记为已读的条数")
