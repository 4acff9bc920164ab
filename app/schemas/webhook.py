"""Webhook subscriptions and their deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from app.models.webhook import DeliveryStatus
from app.schemas.common import InputSchema, Name, Schema, Text, _single_line

# "hazard.created", "hazard.*" or "*" (every topic).
TopicPattern = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$",
        description="主题，如 hazard.created；hazard.* 匹配该前缀的所有主题",
    ),
    AfterValidator(_single_line),
]
Topics = Annotated[list[TopicPattern], Field(max_length=50)]
WebhookUrl = Annotated[
    Text,
    Field(
        min_length=8,
        max_length=2000,
        description="https 回调地址（http 与内网地址仅限配置的允许主机）",
    ),
]


class WebhookCreate(InputSchema):
    id: uuid.UUID | None = None
    name: Name
    url: WebhookUrl
    topics: Topics = Field(default_factory=list, description="为空表示全部主题")


class WebhookUpdate(InputSchema):
    name: Name | None = None
    is_active: bool | None = None
    topics: Topics | None = None


class WebhookRead(Schema):
    id: uuid.UUID
    name: str
    url: str
    topics: list[str]
    is_active: bool
    created_by: uuid.UUID | None
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str | None = Field(
        default=None,
        description="签名密钥，仅在首次创建的响应中出现一次；请妥善保存",
    )


class DeliveryRead(Schema):
    id: int
    event_id: uuid.UUID = Field(description="事件 id（消费方据此去重）")
    topic: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
