"""Who may approve a permit: the GB 30871-2022 B.1 matrix (a default in settings) plus the
binding 13号令 art. 7 overlay for confined spaces with H2S/CO/CO2 poisoning risk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.rules.permits.errors import RuleViolation
from app.rules.permits.kinds import EnterpriseRole as R
from app.rules.permits.kinds import PermitType
from app.rules.permits.settings import PermitRules

# Seniority of enterprise duties: a higher duty may approve a lower step [D].
_RANK = {R.dept_head: 0, R.safety_manager: 1, R.chief_engineer: 2, R.principal: 3}


@dataclass(frozen=True)
class Route:
    approvers: tuple[R, ...]
    # 13号令 art. 7: only the principal or a written delegate may approve.
    principal_only: bool
    citation: str


def approval_route(
    *, permit_type: str, grade: str | None, poisoning_risk: bool, rules: PermitRules
) -> Route:
    key = (permit_type, grade or "")
    approvers = rules.approvers.get(key)
    if approvers is None:
        raise RuleViolation(
            "approval_route_missing",
            "审批矩阵中没有该作业类型和级别",
            "No approval route for this type and grade",
            citation="GB 30871-2022 B.1",
        )
    if permit_type == PermitType.confined_space and poisoning_risk:
        return Route((R.principal,), True, "应急管理部令第13号 第七条")
    return Route(approvers, False, "GB 30871-2022 B.1")


def check_approver(
    route: Route,
    *,
    duties: Iterable[str],
    written_delegate: bool,
    signer_is_applicant: bool,
) -> None:
    """Refuse an approver without authority, or the applicant approving its own permit."""
    if signer_is_applicant:
        raise RuleViolation(
            "approver_is_applicant",
            "审批人不能是申请人本人",
            "The approver may not be the applicant",
            citation="GB 30871-2022 4.11 [D]",
        )
    held = [R(d) for d in duties]
    if route.principal_only:
        if R.principal in held or written_delegate:
            return
        raise RuleViolation(
            "approver_not_principal",
            "存在硫化氢、一氧化碳、二氧化碳中毒窒息风险的有限空间作业，须由主要负责人或其书面委托的人员审批",
            "H2S/CO/CO2 confined-space work is approved by the principal or a written delegate",
            citation=route.citation,
        )
    need = min(_RANK[r] for r in route.approvers)
    if not any(_RANK[d] >= need for d in held):
        raise RuleViolation(
            "approver_without_authority",
            f"审批人无此级别的审批权限（需要：{'、'.join(route.approvers)}）",
            f"The approver lacks authority (needs: {', '.join(route.approvers)})",
            citation=route.citation,
        )


@dataclass(frozen=True)
class SignStep:
    """One signature of GB 30871-2022 B.1, signed in order by a distinct person."""

    step: str
    route: Route


# The opinions signed before the final approval, per (type, grade). Tables A.1 and A.4 print
# them (所在单位意见, 安全管理部门意见, 审核部门意见); B.1 note 1 leaves 审核/会签 to each
# enterprise's organisation, so which duty signs each is [D: permits.md §8 role mapping,
# 审核部门 → safety_manager]. The final approval's duties come from the settings' matrix.
PRIOR_STEPS: dict[tuple[str, str], tuple[tuple[str, tuple[R, ...]], ...]] = {
    (PermitType.hot_work, "special"): (
        ("unit_opinion", (R.dept_head,)),  # 所在单位意见
        ("safety_dept_opinion", (R.safety_manager,)),  # 安全管理部门意见
    ),
    (PermitType.hot_work, "level1"): (("unit_opinion", (R.dept_head,)),),
    (PermitType.work_at_height, "IV"): (
        ("unit_opinion", (R.dept_head,)),  # 所在单位意见
        ("audit_dept_opinion", (R.safety_manager,)),  # 审核部门意见
    ),
}
PRIOR_CITATION = "GB 30871-2022 表A.1/表A.4、B.1 注1"


def signoff_route(
    *, permit_type: str, grade: str | None, poisoning_risk: bool, rules: PermitRules
) -> tuple[SignStep, ...]:
    """Every signature the permit needs, in order; the last one approves it."""
    final = approval_route(
        permit_type=permit_type, grade=grade, poisoning_risk=poisoning_risk, rules=rules
    )
    prior = PRIOR_STEPS.get((permit_type, grade or ""), ())
    steps = [SignStep(name, Route(duties, False, PRIOR_CITATION)) for name, duties in prior]
    return (*steps, SignStep("approval", final))


def next_step(
    route: tuple[SignStep, ...],
    *,
    signers: list[str],
    signer: str,
    applicant: str | None,
    wanted: str | None,
) -> SignStep:
    """The step `signer` signs now: the first unsigned one. Refused when the signer already
    signed an earlier step of this round (each signature a distinct person, B.1), or when the
    client meant another step (signatures go in order)."""
    if len(signers) >= len(route):
        raise RuleViolation(
            "signoff_complete",
            "审批签字已全部完成",
            "Every signature is already given",
            citation="GB 30871-2022 B.1",
        )
    step = route[len(signers)]
    if wanted is not None and wanted != step.step:
        raise RuleViolation(
            "signoff_out_of_order",
            f"须按顺序签字：当前应签 {step.step}",
            f"Signatures go in order: the next step is {step.step}",
            citation="GB 30871-2022 B.1",
        )
    if signer in signers:
        raise RuleViolation(
            "signer_not_distinct",
            "同一人不能在同一作业票上签署两个审批环节",
            "One person may not sign two steps of the same permit",
            citation="GB 30871-2022 B.1 [D]",
        )
    if applicant is not None and signer == applicant:
        raise RuleViolation(
            "approver_is_applicant",
            "审批人不能是申请人本人",
            "The approver may not be the applicant",
            citation="GB 30871-2022 4.11 [D]",
        )
    return step
