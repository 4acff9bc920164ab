"""Asynchronous exports (issue 13)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, computed_field

from app.models.notification import ExportStatus
from app.schemas.common import Schema


class ExportRead(Schema):
    id: uuid.UUID
    kind: str = Field(description="hazards：隐患台账")
    format: str = Field(description="xlsx | csv")
    status: ExportStatus = Field(description="pending 生成中 | done 可下载 | failed 失败或已过期")
    size: int | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="文件在此时间后删除")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def file_url(self) -> str | None:
        return f"/api/v1/exports/{self.id}/file" if self.status == ExportStatus.done else None
