"""A table-driven transition engine for any lifecycle (style.md §5): a `Machine` is the
table of `(from states, action) → to` with the permission, roles and required fields of each
step; `transition()` checks them, runs the domain's guards, moves the state, stamps the time,
and writes the history, audit and outbox rows in the caller's transaction.

Built for permits (issue 15) and meant to carry the hazard lifecycle as well (issue 16): a
domain supplies its table and a history writer; locking and scoping stay in the domain's
own lookup, which runs before `transition()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import Conflict, Forbidden, Unprocessable
from app.models.user import Role
from app.services import audit
from app.services.policy import Actor, Permission, require_permission


class Stateful(Protocol):
    id: Any
    status: str


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    # None: the handler decides (e.g. a sign-off that approves only at the last step).
    target: str | None
    permission: Permission
    # Roles allowed beyond holding the permission; None means any role that holds it.
    roles: frozenset[Role] | None = None
    # Attribute stamped with the time when the step is taken.
    stamp: str | None = None
    # Body fields that must be present and non-blank.
    required: tuple[str, ...] = ()


HistoryWriter = Callable[..., Awaitable[Any]]
Guard = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Machine:
    object_type: str
    steps: Mapping[str, Step]
    write_history: HistoryWriter
    # Attributes whose before/after values go into the audit row.
    tracked: tuple[str, ...] = ("status",)
    topic_prefix: str = field(default="")

    def allowed(self, status: str) -> list[str]:
        return [a for a, s in self.steps.items() if status in s.sources]

    def check(self, action: str, status: str) -> Step:
        """The step for `action`; 409 naming the allowed actions when `status` forbids it."""
        step = self.steps[action]
        if status not in step.sources:
            allowed = self.allowed(status)
            raise Conflict(
                f"当前状态（{status}）不能执行 {action}；可执行：{'、'.join(allowed) or '无'}",
                f"Cannot {action} from {status}; allowed: {', '.join(allowed) or 'none'}",
                code="invalid_transition",
                extra={"current_status": status, "allowed_actions": allowed},
            )
        return step

    def authorise(self, action: str, actor: Actor) -> Step:
        step = self.steps[action]
        require_permission(actor, step.permission)
        if step.roles is not None and actor.role not in step.roles:
            raise Forbidden(
                f"当前角色不能执行 {action}",
                f"Your role may not {action}",
                code="role_not_allowed",
            )
        return step


def _check_required(step: Step, data: Mapping[str, Any]) -> None:
    missing = [f for f in step.required if data.get(f) in (None, "", [])]
    if missing:
        raise Unprocessable(
            f"缺少必填项：{'、'.join(missing)}",
            f"Missing: {', '.join(missing)}",
            code="fields_required",
            extra={
                "errors": [{"loc": ["body", f], "msg": "必填", "type": "missing"} for f in missing]
            },
        )


async def transition(
    session: AsyncSession,
    *,
    machine: Machine,
    obj: Stateful,
    actor: Actor | None,
    action: str,
    data: Mapping[str, Any] | None = None,
    guards: Sequence[Guard] = (),
    target: str | None = None,
    note: str | None = None,
    payload: Mapping[str, Any] | None = None,
) -> Stateful:
    """Take `action` on `obj` (already locked and scoped by the caller) in one transaction."""
    if actor is not None:
        machine.authorise(action, actor)
    step = machine.check(action, obj.status)
    _check_required(step, data or {})
    for guard in guards:
        await guard()
    before = {k: getattr(obj, k) for k in machine.tracked}
    new_status = target or step.target
    if new_status is not None:
        obj.status = new_status
    if step.stamp:
        setattr(obj, step.stamp, datetime.now(UTC))
    try:
        await session.flush()
    except StaleDataError as exc:  # SQLite: a concurrent writer got there first
        raise Conflict("对象已被他人修改，请刷新后重试", "Modified concurrently") from exc
    await _record(session, machine, obj, actor, action, before, note, data, payload)
    return obj


async def _record(
    session: AsyncSession,
    machine: Machine,
    obj: Stateful,
    actor: Actor | None,
    action: str,
    before: dict[str, Any],
    note: str | None,
    data: Mapping[str, Any] | None,
    payload: Mapping[str, Any] | None,
) -> None:
    """History, audit and outbox rows of one transition, in the caller's transaction."""
    await machine.write_history(
        session,
        obj,
        actor=actor,
        action=action,
        from_status=before["status"],
        note=note,
        data=dict(data or {}),
    )
    after = {k: getattr(obj, k) for k in machine.tracked}
    changes = audit.diff(before, after) | ({"note": note} if note else {})
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type=machine.object_type,
        object_id=obj.id,
        changes=changes,
    )
    audit.emit(
        session,
        topic=f"{machine.topic_prefix or machine.object_type}.{action}",
        object_type=machine.object_type,
        object_id=obj.id,
        payload={"status": obj.status, "from": before["status"], **(payload or {})},
    )
    await session.flush()
