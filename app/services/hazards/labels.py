"""Chinese labels of the hazard enums (GET /api/v1/meta/enums, the ledger export)."""

from __future__ import annotations

from app.models.hazard import HazardCategory, HazardSource, HazardStatus, HazardType, PhotoKind
from app.rules.levels import LEVEL_LABELS
from app.services import meta

STATUS_LABELS: dict[str, str] = {
    HazardStatus.reported: "已登记",
    HazardStatus.rectifying: "整改中",
    HazardStatus.pending_verification: "待验收",
    HazardStatus.closed: "已销号",
    HazardStatus.voided: "已作废",
}
SOURCE_LABELS: dict[str, str] = {
    HazardSource.self_check: "企业自查",
    HazardSource.principal_check: "主要负责人带队检查",
    HazardSource.grid_patrol: "网格巡查",
    HazardSource.enforcement: "执法检查",
    HazardSource.public_report: "群众举报",
    HazardSource.permit_check: "作业票监测",
    HazardSource.other: "其他",
}
CATEGORY_LABELS: dict[str, str] = {
    HazardCategory.confined_space: "有限空间",
    HazardCategory.work_at_height: "高处作业",
    HazardCategory.hot_work: "动火作业",
    HazardCategory.dust: "粉尘防爆",
    HazardCategory.ammonia: "涉氨制冷",
    HazardCategory.electrical: "电气安全",
    HazardCategory.fire: "消防安全",
    HazardCategory.equipment: "设备设施",
    HazardCategory.management: "安全管理",
    HazardCategory.other: "其他",
}
TYPE_LABELS: dict[str, str] = {
    HazardType.unsafe_act: "人的不安全行为",
    HazardType.unsafe_condition: "物的不安全状态",
    HazardType.management_defect: "管理缺陷",
}
PHOTO_KIND_LABELS: dict[str, str] = {PhotoKind.found: "发现照片", PhotoKind.evidence: "整改佐证"}

meta.register("hazard_status", STATUS_LABELS)
meta.register("hazard_source", SOURCE_LABELS)
meta.register("hazard_category", CATEGORY_LABELS)
meta.register("hazard_type", TYPE_LABELS)
meta.register("hazard_level", {str(k): v for k, v in LEVEL_LABELS.items()})
meta.register("hazard_photo_kind", PHOTO_KIND_LABELS)
