"""An audit-log row as `GET /api/v1/audit` returns it (brief §9)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from app.schemas.common import Schema


class AuditRead(Schema):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str | None
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]
    request_id: str | None
