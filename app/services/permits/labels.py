"""Chinese labels of the permit codes (`GET /api/v1/meta/enums`)."""

from __future__ import annotations

from app.models.permit import Duty, PermitStatus
from app.rules.permits.gas import GasUnit
from app.rules.permits.kinds import AnyGrade, HeightFactor, HeightSituation, PermitType
from app.schemas.permit import PermitFinding, PermitPersonRole, SignStepName
from app.services import meta

meta.register(
    "permit_type",
    {
        PermitType.hot_work: "动火作业",
        PermitType.confined_space: "有限空间作业",
        PermitType.work_at_height: "高处作业",
    },
)
meta.register(
    "permit_status",
    {
        PermitStatus.draft: "草稿",
        PermitStatus.submitted: "待审批",
        PermitStatus.approved: "已审批",
        PermitStatus.active: "作业中",
        PermitStatus.suspended: "已暂停",
        PermitStatus.completed: "已完工",
        PermitStatus.closed: "已验收",
        PermitStatus.rejected: "已驳回",
        PermitStatus.cancelled: "已取消",
        PermitStatus.revoked: "已收回",
        PermitStatus.expired: "已过期",
    },
)
meta.register(
    "permit_grade",
    {
        AnyGrade.special: "特级动火",
        AnyGrade.level1: "一级动火",
        AnyGrade.level2: "二级动火",
        AnyGrade.I: "Ⅰ级高处作业",
        AnyGrade.II: "Ⅱ级高处作业",
        AnyGrade.III: "Ⅲ级高处作业",
        AnyGrade.IV: "Ⅳ级高处作业",
    },
)
meta.register(
    "permit_duty",
    {
        Duty.principal: "主要负责人",
        Duty.safety_manager: "安全管理部门负责人",
        Duty.dept_head: "基层单位（专业部门）负责人",
        Duty.chief_engineer: "主管厂长或总工程师",
        Duty.principal_delegate: "主要负责人书面委托的审批人",
    },
)
meta.register(
    "permit_person_role",
    {
        PermitPersonRole.work_leader: "作业负责人",
        PermitPersonRole.worker: "作业人",
        PermitPersonRole.hot_work_operator: "动火人",
        PermitPersonRole.guardian: "监护人",
        PermitPersonRole.fire_watch: "监火人",
        PermitPersonRole.analyst: "气体分析人",
    },
)
meta.register(
    "gas_unit",
    {
        GasUnit.vol_pct: "% (体积分数)",
        GasUnit.lel_pct: "%LEL",
        GasUnit.ppm: "ppm",
        GasUnit.mg_m3: "mg/m³",
    },
)
meta.register(
    "height_factor",
    {
        HeightFactor.wind_force_5: "阵风风力五级以上",
        HeightFactor.cold_air: "平均气温≤5℃",
        HeightFactor.cold_water: "接触冷水温度≤12℃",
        HeightFactor.slippery: "作业场地有易滑物",
        HeightFactor.poor_light: "光线不足或能见度差",
        HeightFactor.live_conductor: "接近或接触危险电压带电体",
        HeightFactor.unstable_footing: "立足处不稳或很小",
        HeightFactor.toxic_or_low_oxygen: "有毒气体或含氧量<19.5%",
        HeightFactor.disaster_rescue: "灾害事故环境或抢险",
    },
)
meta.register(
    "height_situation",
    {
        HeightSituation.slope_over_45: "坡度大于45°的斜坡上",
        HeightSituation.near_opening: "升降口、坑、井、池、沟、洞附近",
        HeightSituation.hazardous_area: "易燃、易爆、易中毒、易灼伤区域",
        HeightSituation.on_vessel: "塔、釜、炉、罐等设备内",
        HeightSituation.extreme_temperature: "异温高处作业",
        HeightSituation.snow_or_rain: "雪天、雨天",
        HeightSituation.night: "夜间",
        HeightSituation.live_work: "带电高处作业",
        HeightSituation.suspended: "悬空高处作业",
    },
)
meta.register(
    "permit_sign_step",
    {
        SignStepName.unit_opinion: "所在单位意见",
        SignStepName.safety_dept_opinion: "安全管理部门意见",
        SignStepName.audit_dept_opinion: "审核部门意见",
        SignStepName.approval: "审批",
    },
)
meta.register(
    "permit_finding",
    {
        PermitFinding.space_unlisted: "有限空间未辨识、未建立台账",
        PermitFinding.uncertified_worker: "特种作业人员无证上岗",
        PermitFinding.contractor_uncoordinated: "发包作业未统一协调、检查",
        PermitFinding.silo_clearing_unprotected: "人工清库未落实防坠落、坍塌措施",
        PermitFinding.equipment_entry_unprotected: "进入设备内部未隔离或未防坠落",
    },
)
