"""What a webhook subscriber receives: the topic catalogue and payload schemas, published as
OpenAPI 3.1 `webhooks` (issue 12 item 8). Ids and codes only, never personal data."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field

from app.models.hazard import HazardCategory, HazardSource, HazardStatus
from app.rules.levels import HazardLevel
from app.schemas.common import Schema


class HazardEventPayload(Schema):
    """The hazard as of the event: enough for an overdue list without reading it back."""

    ledger_no: str
    enterprise_id: uuid.UUID
    grid_id: uuid.UUID
    source: HazardSource
    category: HazardCategory
    level: HazardLevel
    status: HazardStatus
    deadline: date | None
    overdue: bool
    supervised: bool
    from_status: HazardStatus | None = Field(
        default=None, alias="from", description="变更前的状态（hazard.created 无此字段）"
    )


class HazardEvent(Schema):
    event_id: uuid.UUID = Field(description="事件唯一编号：重复投递时相同，用于去重")
    topic: str
    object_type: str = Field(description="hazard")
    object_id: str
    payload: HazardEventPayload
    created_at: datetime


class Event(Schema):
    """Every other topic: the object's ids and codes (enterprise_id, kind, grade, outcome…)."""

    event_id: uuid.UUID = Field(description="事件唯一编号：重复投递时相同，用于去重")
    topic: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    created_at: datetime


# Topic → (body schema, what happened). Subscriptions match these by name, `hazard.*` or `*`.
HAZARD_TOPICS: dict[str, str] = {
    "hazard.created": "登记隐患",
    "hazard.plan": "提交整改方案：已登记 → 整改中",
    "hazard.submit": "提交整改情况：整改中 → 待验收",
    "hazard.verify": "验收：通过 → 已销号；不通过 → 整改中",
    "hazard.void": "作废",
    "hazard.supervise": "挂牌督办",
    "hazard.extend": "延长整改期限",
    "hazard.downgrade": "重大隐患降级为一般隐患",
}
OTHER_TOPICS: dict[str, str] = {
    "enterprise.created": "新增企业",
    "enterprise.updated": "企业信息变更（payload.fields 列出变更的字段名）",
    "inspection.created": "登记检查",
    "drill.created": "登记应急演练",
    "training.created": "登记培训记录",
    "certificate.created": "登记特种作业操作证",
    "accident.created": "登记事故",
    "accident.updated": "事故信息变更",
    "interview.created": "登记约谈",
    "public_report.received": "收到群众举报",
    "public_report.triaged": "举报已处理",
    "public_report.reward_decided": "举报奖励已决定",
}
