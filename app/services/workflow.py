"""A table-driven transition engine for any lifecycle (style.md §5): a `Machine` is the
table of `(from states, action) → to` with the permission, roles and required fields of each
step; `transition()` checks them, runs the domain's guards, moves the state, stamps the time,
and writes the history, audit and outbox rows in the caller's transaction.

Carries the permit (issue 15) and the hazard (issue 16) lifecycles: a domain supplies its
table, a history writer and, where it needs them, an event payload builder, actor gates that
depend on the object (who may verify a hazard), conditional requirements and a mutation hook;
locking and scoping stay in the domain's own lookup, which runs before `transition()`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import Conflict, Forbidden, Unprocessable
from app.models.user import Role
from app.services import audit
from app.services.policy import Actor, Permission, require_permission


def next_seq(seq: Any, owner: Any, owner_id: Any) -> Any:
    """A history row's `seq` as SQL inside its own INSERT: 1 + the owner's last one (issue 11:
    no round trip of its own). Correct because the owner row is locked by the transition
    (FOR UPDATE) or new in this transaction; the ORM expires the attribute after the flush."""
    last = select(func.max(seq)).where(owner == owner_id).scalar_subquery()
    return func.coalesce(last, 0) + 1


class Stateful(Protocol):
    id: Any
    status: str


@dataclass(frozen=True)
class Gate:
    """Who may take a step, decided on the object (403 `code` with the message otherwise)."""

    allows: Callable[[Actor, Any], bool]
    zh: str
    en: str
    code: str


@dataclass(frozen=True)
class Requirement:
    """Body fields required only when `applies(obj)`; 422 `code`, `zh`/`en` + missing names."""

    fields: tuple[str, ...]
    applies: Callable[[Any], bool]
    zh: str
    en: str
    code: str


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
    # Checked right after the state (409), before the required fields.
    gate: Gate | None = None
    # Checked after the guards (e.g. a date check runs first), on the `body` mapping.
    conditional: tuple[Requirement, ...] = ()


HistoryWriter = Callable[..., Awaitable[Any]]
# A guard or hook may be sync or async (a date check needs no await).
Guard = Callable[[], Awaitable[None] | None]
# (session, obj, from status) → the outbox payload, replacing the default one.
PayloadBuilder = Callable[[AsyncSession, Any, str], Awaitable[dict[str, Any]]]
STALE = ("对象已被他人修改，请刷新后重试", "Modified concurrently")


@dataclass(frozen=True)
class Machine:
    object_type: str
    steps: Mapping[str, Step]
    write_history: HistoryWriter
    # Attributes whose before/after values go into the audit row.
    tracked: tuple[str, ...] = ("status",)
    topic_prefix: str = field(default="")
    event_payload: PayloadBuilder | None = None
    # The 409 of a concurrent write caught at flush (zh, en).
    stale: tuple[str, str] = STALE

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


def _check_required(
    fields: Sequence[str],
    data: Mapping[str, Any],
    zh: str = "缺少必填项：",
    en: str = "Missing: ",
    code: str = "fields_required",
) -> None:
    missing = [f for f in fields if data.get(f) in (None, "", [])]
    if missing:
        raise Unprocessable(
            f"{zh}{'、'.join(missing)}",
            f"{en}{', '.join(missing)}",
            code=code,
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
    body: Mapping[str, Any] | None = None,
    apply: Guard | None = None,
) -> Stateful:
    """Take `action` on `obj` (already locked and scoped by the caller) in one transaction.

    `data` goes into the history row and, unless a separate `body` is given, is what the
    required fields are checked on; `apply` changes the object's own fields after the checks
    and before the status and stamp are set, so the audit diff sees its changes.
    """
    step = await _checks(machine, obj, actor, action, body if body is not None else data, guards)
    before = {k: getattr(obj, k) for k in machine.tracked}
    if apply is not None:
        await _run(apply)
    new_status = target or step.target
    if new_status is not None:
        obj.status = new_status
    if step.stamp:
        setattr(obj, step.stamp, datetime.now(UTC))
    try:
        await session.flush()
    except StaleDataError as exc:  # SQLite: a concurrent writer got there first
        raise Conflict(*machine.stale) from exc
    await _record(session, machine, obj, actor, action, before, note, data, payload)
    return obj


async def _run(hook: Guard) -> None:
    result = hook()
    if inspect.isawaitable(result):
        await result


async def _checks(
    machine: Machine,
    obj: Stateful,
    actor: Actor | None,
    action: str,
    body: Mapping[str, Any] | None,
    guards: Sequence[Guard],
) -> Step:
    """Role (403), state (409), object gate (403), required fields (422), the domain's
    guards, then the conditional requirements — in this order, which fixes which problem a
    request with several gets."""
    if actor is not None:
        machine.authorise(action, actor)
    step = machine.check(action, obj.status)
    # A system transition (no actor) is not gated: the gates are about who acts.
    if step.gate is not None and actor is not None and not step.gate.allows(actor, obj):
        raise Forbidden(step.gate.zh, step.gate.en, code=step.gate.code)
    _check_required(step.required, body or {})
    for guard in guards:
        await _run(guard)
    for req in step.conditional:
        if req.applies(obj):
            _check_required(req.fields, body or {}, req.zh, req.en, req.code)
    return step


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
    if machine.event_payload is not None:
        event = await machine.event_payload(session, obj, before["status"])
    else:
        event = {"status": obj.status, "from": before["status"], **(payload or {})}
    audit.emit(
        session,
        topic=f"{machine.topic_prefix or machine.object_type}.{action}",
        object_type=machine.object_type,
        object_id=obj.id,
        payload=event,
    )
    await session.flush()
