"""五带头: the five things an enterprise's principal head does in person (plan §四(二):
重点建立对企业主要负责人“五带头”落实情况的记录和通报机制).

The plan names 五带头 without listing them. The five below are the wording used since the
国务院安委会 2023 重大事故隐患专项排查整治行动 for principal heads, as published by local
emergency bureaus (e.g. 东莞市寮步应急管理分局, 2023-11-03, "企业负责人‘五带头’"). We could
not read the national document itself to confirm the exact text, nor find the five spelled out
in 《关于进一步强化生产经营单位安全生产主体责任落实的指导意见》; they are kept as data here,
so a corrected list is a change of this table, not of the code that records and counts them.
"""

from __future__ import annotations

from enum import StrEnum

CITATION = (
    "实施方案 四(二)：重点建立对企业主要负责人“五带头”落实情况的记录和通报机制；"
    "“五带头”内容据国务院安委会重大事故隐患专项排查整治2023行动相关要求"
    "（经地方应急管理部门公开文本核对，未能核对国家原文）"
)


class FiveLead(StrEnum):
    hazard_campaign = "hazard_campaign"
    post_responsibility = "post_responsibility"
    dangerous_work = "dangerous_work"
    outsourcing = "outsourcing"
    emergency_drill = "emergency_drill"


FIVE_LEAD_LABELS: dict[str, str] = {
    FiveLead.hazard_campaign: "带头研究组织本企业重大事故隐患排查整治",
    FiveLead.post_responsibility: "带头落实全员安全生产岗位责任",
    FiveLead.dangerous_work: "带头对动火等危险作业开展排查整治",
    FiveLead.outsourcing: "带头对外包外租等生产经营活动开展排查整治",
    FiveLead.emergency_drill: "带头开展事故应急救援演练",
}
