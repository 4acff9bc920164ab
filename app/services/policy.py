"""Who may do what, and which rows each caller may see — the one place these rules live.

Function level (brief §1): a role either holds a `Permission` or gets 403.
Object level: every list, read and write filters rows through the scope functions here, so
another enterprise's or grid's object is simply not found (404), never revealed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import Forbidden
from app.models.enterprise import Enterprise
from app.models.user import Role


class Permission(StrEnum):
    GRID_READ = "grid:read"
    GRID_MANAGE = "grid:manage"
    USER_MANAGE = "user:manage"
    AUDIT_READ = "audit:read"
    ENTERPRISE_READ = "enterprise:read"
    ENTERPRISE_CREATE = "enterprise:create"
    ENTERPRISE_UPDATE = "enterprise:update"
    STANDARD_READ = "standard:read"
    INSPECTION_READ = "inspection:read"
    INSPECTION_CREATE = "inspection:create"
    HAZARD_READ = "hazard:read"
    # The ledger without personal fields, jurisdiction-wide: what a dashboard's overdue list
    # needs (ledger no., enterprise, grid, level, category, status, deadline; issue 12).
    HAZARD_OVERVIEW = "hazard:overview"
    HAZARD_CREATE = "hazard:create"
    HAZARD_PLAN = "hazard:plan"
    HAZARD_SUBMIT = "hazard:submit"
    HAZARD_VERIFY = "hazard:verify"
    HAZARD_EXTEND = "hazard:extend"
    HAZARD_VOID = "hazard:void"
    HAZARD_SUPERVISE = "hazard:supervise"
    HAZARD_DETERMINE = "hazard:determine"  # 认定/降级重大隐患
    HAZARD_EXPORT = "hazard:export"
    UPLOAD_CREATE = "upload:create"
    REPORT_READ = "report:read"
    REPORT_TRIAGE = "report:triage"
    REPORT_REWARD = "report:reward"
    RECORD_READ = "record:read"  # drills, trainings, certificates, compliance
    RECORD_WRITE = "record:write"
    ACCIDENT_READ = "accident:read"
    ACCIDENT_WRITE = "accident:write"
    STATS_READ = "stats:read"
    SYNC_READ = "sync:read"
    WEBHOOK_MANAGE = "webhook:manage"  # street office only (brief §1: dashboards receive)
    # Street office only (brief §1): inspection plans and 双随机 draws, the year's priority
    # tasks, bulletins and what is published (plan §三(七)14, §三(三)5, §四(一), §四(四)).
    PLAN_MANAGE = "plan:manage"
    # Permits to work (issue 15): the enterprise runs them, the supervisors watch and stop.
    PERMIT_READ = "permit:read"
    PERMIT_WRITE = "permit:write"
    PERMIT_LIVE = "permit:live"  # the street office's and grid staff's live view
    PERMIT_SUPERVISE = "permit:supervise"  # order-stop and consent (13号令 art. 18)
    DELEGATION_READ = "delegation:read"
    DELEGATION_WRITE = "delegation:write"
    NOTIFICATION_READ = "notification:read"  # one's own inbox (issue 13); not dashboards


# What both sides of field work do on the objects they can see (brief §1): inspect, register
# hazards, follow their rectification, attach photos.
_FIELD_WORK = {
    Permission.GRID_READ,
    Permission.ENTERPRISE_READ,
    Permission.STANDARD_READ,
    Permission.INSPECTION_READ,
    Permission.INSPECTION_CREATE,
    Permission.HAZARD_READ,
    Permission.HAZARD_CREATE,
    Permission.HAZARD_PLAN,
    Permission.HAZARD_SUBMIT,
    Permission.HAZARD_VERIFY,
    Permission.HAZARD_EXTEND,
    Permission.HAZARD_EXPORT,
    Permission.UPLOAD_CREATE,
    Permission.RECORD_READ,
    Permission.SYNC_READ,
    Permission.NOTIFICATION_READ,
}
# The enterprise keeps its own profile and records and reads its accidents/interviews.
_HEAD = _FIELD_WORK | {
    Permission.ENTERPRISE_UPDATE,
    Permission.RECORD_WRITE,
    Permission.ACCIDENT_READ,
    Permission.PERMIT_READ,
    Permission.PERMIT_WRITE,
    Permission.DELEGATION_READ,
    Permission.DELEGATION_WRITE,
}
# Grid staff also triage the public's reports of their grids.
_GRID = _FIELD_WORK | {
    Permission.REPORT_READ,
    Permission.REPORT_TRIAGE,
    Permission.PERMIT_READ,
    Permission.PERMIT_LIVE,
    Permission.DELEGATION_READ,
}
_DASHBOARD = {
    Permission.HAZARD_OVERVIEW,
    Permission.GRID_READ,
    Permission.STANDARD_READ,
    Permission.STATS_READ,
    Permission.SYNC_READ,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.street_office: frozenset(Permission),
    Role.enterprise_head: frozenset(_HEAD),
    Role.grid_staff: frozenset(_GRID),
    Role.dashboard: frozenset(_DASHBOARD),
}


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, with its scope read fresh from the database this request."""

    user_id: uuid.UUID
    username: str
    role: Role
    enterprise_id: uuid.UUID | None = None
    grid_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    session_id: uuid.UUID | None = None
    # What `/auth/me` answers, read in the same statement as the scope (issue 11): the
    # display name and every grid assigned (`grid_ids` is the scope: grid staff only).
    display_name: str | None = None
    assigned_grids: tuple[uuid.UUID, ...] = ()

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def is_street_office(self) -> bool:
        return self.role == Role.street_office


def require_permission(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden(
            f"当前角色无权执行此操作（{permission.value}）",
            f"Your role may not do this ({permission.value})",
        )


# Which inspection kinds each role files (brief §1, issue 3): an enterprise head its own
# 自查 and 主要负责人带队检查; grid staff 网格巡查; the street office any kind.
INSPECTION_KINDS: dict[Role, frozenset[str]] = {
    Role.street_office: frozenset(
        {"self_check", "principal_check", "grid_patrol", "enforcement", "assistance"}
    ),
    Role.enterprise_head: frozenset({"self_check", "principal_check"}),
    Role.grid_staff: frozenset({"grid_patrol"}),
    Role.dashboard: frozenset(),
}


def require_inspection_kind(actor: Actor, kind: str) -> None:
    require_permission(actor, Permission.INSPECTION_CREATE)
    if kind not in INSPECTION_KINDS[actor.role]:
        raise Forbidden(
            f"当前角色不能登记此类检查（{kind}）",
            f"Your role may not file a {kind} inspection",
            code="inspection_kind_forbidden",
        )


# Which hazard sources each role may file through the API (issue 10 finding 12): the source
# follows from who found the hazard, so the ledger's statistics by source (plan 三(一)
# 全部上账, by 企业自查 / 网格巡查 / 执法检查) cannot be skewed by an enterprise filing its own
# hazard as `enforcement`. `public_report` only through triage, for everyone.
HAZARD_SOURCES: dict[Role, frozenset[str]] = {
    Role.street_office: frozenset(
        {"enforcement", "grid_patrol", "self_check", "principal_check", "other"}
    ),
    Role.enterprise_head: frozenset({"self_check", "principal_check"}),
    Role.grid_staff: frozenset({"grid_patrol"}),
    Role.dashboard: frozenset(),
}


def require_hazard_source(actor: Actor, source: str) -> None:
    if source not in HAZARD_SOURCES[actor.role]:
        raise Forbidden(
            f"当前角色不能登记来源为 {source} 的隐患",
            f"Your role may not file a hazard with source {source}",
            code="hazard_source_forbidden",
        )


def enterprise_scope(actor: Actor) -> ColumnElement[bool]:
    """Filter on `Enterprise` rows the actor may see."""
    if actor.role == Role.street_office:
        return true()
    if actor.role == Role.enterprise_head and actor.enterprise_id is not None:
        return Enterprise.id == actor.enterprise_id
    if actor.role == Role.grid_staff and actor.grid_ids:
        return Enterprise.grid_id.in_(actor.grid_ids)
    # The dashboard reads aggregates only, never an enterprise record.
    return false()


def stats_enterprise_scope(actor: Actor) -> ColumnElement[bool]:
    """Enterprises counted in the caller's statistics: the jurisdiction for the street office
    and the dashboard (aggregates only, brief §1), otherwise what the caller may see."""
    if actor.role in (Role.street_office, Role.dashboard):
        return true()
    return enterprise_scope(actor)


def scope_by_enterprise(
    actor: Actor, enterprise_id_col: InstrumentedAttribute[uuid.UUID]
) -> ColumnElement[bool]:
    """Filter on any table with an `enterprise_id`: only rows of visible enterprises."""
    if actor.role == Role.street_office:
        return true()
    if actor.role == Role.enterprise_head and actor.enterprise_id is not None:
        return enterprise_id_col == actor.enterprise_id
    if actor.role == Role.grid_staff and actor.grid_ids:
        visible = select(Enterprise.id).where(Enterprise.grid_id.in_(actor.grid_ids))
        return enterprise_id_col.in_(visible)
    return false()


def hazard_read_scope(
    actor: Actor, enterprise_id_col: InstrumentedAttribute[uuid.UUID]
) -> ColumnElement[bool]:
    """Hazards a reader may see: the dashboard reads the whole jurisdiction's ledger (shaped
    without personal fields), everyone else what `scope_by_enterprise` allows."""
    if actor.role == Role.dashboard and actor.can(Permission.HAZARD_OVERVIEW):
        return true()
    return scope_by_enterprise(actor, enterprise_id_col)


def require_hazard_read(actor: Actor) -> None:
    """The full ledger row, or the dashboard's overview of it."""
    if not actor.can(Permission.HAZARD_OVERVIEW):
        require_permission(actor, Permission.HAZARD_READ)


def grid_scope(actor: Actor, grid_id_col: InstrumentedAttribute[uuid.UUID]) -> ColumnElement[bool]:
    """Grids the actor may see: all (office, dashboard), its own (grid staff), its enterprise's."""
    if actor.role in (Role.street_office, Role.dashboard):
        return true()
    if actor.role == Role.grid_staff:
        return grid_id_col.in_(actor.grid_ids) if actor.grid_ids else false()
    if actor.role == Role.enterprise_head and actor.enterprise_id is not None:
        own = select(Enterprise.grid_id).where(Enterprise.id == actor.enterprise_id)
        return grid_id_col.in_(own)
    return false()
