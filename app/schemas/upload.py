from __future__ import annotations

import uuid

from app.schemas.common import Schema


class UploadRead(Schema):
    id: uuid.UUID
    content_type: str
    size: int
    width: int
    height: int
