"""Accounts (street office manages them). Responses never carry a password or its hash."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import security
from app.core.errors import Conflict, NotFound, Unprocessable
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.user import AuthSession, Role, User, UserGrid
from app.schemas.auth import Me
from app.schemas.user import UserCreate, UserRead, UserUpdate
from app.services import audit
from app.services.insert_once import Replay, id_conflict, insert_once, replay_existing
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission
from app.services.sync import tracking


async def _grid_map(
    session: AsyncSession, user_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    out: dict[uuid.UUID, list[uuid.UUID]] = {uid: [] for uid in user_ids}
    if user_ids:
        rows = await session.execute(
            select(UserGrid.user_id, UserGrid.grid_id)
            .where(UserGrid.user_id.in_(user_ids))
            .order_by(UserGrid.grid_id)
        )
        for uid, gid in rows:
            out[uid].append(gid)
    return out


def _view(user: User, grid_ids: list[uuid.UUID]) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        role=Role(user.role),
        display_name=user.display_name,
        enterprise_id=user.enterprise_id,
        grid_ids=grid_ids,
        is_active=user.is_active,
    )


def view_of_actor(actor: Actor) -> Me:
    """The caller's own view from what authentication just read (an active user, or the
    request would have been refused): `/auth/me` needs no statement of its own."""
    return Me(
        id=actor.user_id,
        username=actor.username,
        role=actor.role,
        display_name=actor.display_name,
        enterprise_id=actor.enterprise_id,
        grid_ids=list(actor.assigned_grids),
        is_active=True,
    )


async def view_of(session: AsyncSession, user: User) -> UserRead:
    return _view(user, (await _grid_map(session, [user.id]))[user.id])


async def list_users(
    session: AsyncSession, *, actor: Actor, role: Role | None, limit: int, cursor: str | None
) -> tuple[list[UserRead], str | None]:
    require_permission(actor, Permission.USER_MANAGE)
    stmt = select(User)
    if role:
        stmt = stmt.where(User.role == role)
    users: list[User]
    users, nxt = await keyset_page(
        session, stmt, order=[User.username, User.id], limit=limit, cursor=cursor
    )
    grids = await _grid_map(session, [u.id for u in users])
    return [_view(u, grids[u.id]) for u in users], nxt


async def get_user(session: AsyncSession, *, actor: Actor, user_id: uuid.UUID) -> UserRead:
    require_permission(actor, Permission.USER_MANAGE)
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在", "User not found")
    return await view_of(session, user)


async def _check_refs(
    session: AsyncSession, enterprise_id: uuid.UUID | None, grid_ids: list[uuid.UUID] | None
) -> None:
    if enterprise_id is not None and await session.get(Enterprise, enterprise_id) is None:
        raise Unprocessable(
            "企业不存在",
            "Unknown enterprise",
            code="unknown_enterprise",
            field=["body", "enterprise_id"],
        )
    if grid_ids:
        found = await session.scalar(
            select(func.count()).select_from(Grid).where(Grid.id.in_(grid_ids))
        )
        if found != len(set(grid_ids)):
            raise Unprocessable(
                "网格不存在", "Unknown grid", code="unknown_grid", field=["body", "grid_ids"]
            )


def _replayer(session: AsyncSession, data: UserCreate) -> Replay[User, UserRead]:
    async def replay(existing: User) -> UserRead:
        if existing.username != data.username or existing.role != data.role:
            raise id_conflict("该 id 已用于另一用户", "Id already used")
        return await view_of(session, existing)

    return replay


async def create_user(
    session: AsyncSession, *, actor: Actor | None, data: UserCreate
) -> tuple[UserRead, bool]:
    """`actor=None` is the bootstrap path of the CLI (`zhiben create-user`)."""
    if actor is not None:
        require_permission(actor, Permission.USER_MANAGE)
    replay = _replayer(session, data)
    if (stored := await replay_existing(session, User, data.id, replay)) is not None:
        return stored, False
    await _check_refs(session, data.enterprise_id, data.grid_ids)
    user = User(
        id=data.id or uuid.uuid4(),
        username=data.username,
        password_hash=await security.hash_password_async(data.password),
        role=data.role,
        display_name=data.display_name,
        enterprise_id=data.enterprise_id,
        is_active=True,
    )
    duplicate = Conflict("用户名已存在", "Username already exists", code="duplicate_username")
    if (stored := await insert_once(session, user, replay, other_conflict=duplicate)) is not None:
        return stored, False
    for gid in sorted(set(data.grid_ids or [])):
        session.add(UserGrid(user_id=user.id, grid_id=gid))
    await session.flush()
    view = await view_of(session, user)
    created = {"username": user.username, "role": user.role, "enterprise_id": user.enterprise_id}
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="user",
        object_id=user.id,
        changes=audit.diff({}, {**created, "grid_ids": view.grid_ids}),
    )
    return view, True


async def _end_sessions(
    session: AsyncSession, *, user_id: uuid.UUID, keep: uuid.UUID | None
) -> None:
    """Revoke the user's logins (access and refresh tokens check this at once), but `keep`."""
    stmt = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    await session.execute(stmt.values(revoked_at=datetime.now(UTC)))


async def _replace_grids(
    session: AsyncSession, *, user: User, before: UserRead, grid_ids: list[uuid.UUID] | None
) -> None:
    if user.role != Role.grid_staff:
        raise Unprocessable(
            "只有网格员可以分配网格",
            "Only grid staff have grids",
            code="grid_ids_not_allowed",
            field=["body", "grid_ids"],
        )
    if not grid_ids:
        raise Unprocessable(
            "网格员至少分配一个网格", "Grid staff need a grid", field=["body", "grid_ids"]
        )
    await _check_refs(session, None, grid_ids)
    lost = set(before.grid_ids) - set(grid_ids)
    await tracking.log_scope_loss(session, user_id=user.id, lost_grid_ids=lost)
    await session.execute(delete(UserGrid).where(UserGrid.user_id == user.id))
    for gid in sorted(set(grid_ids)):
        session.add(UserGrid(user_id=user.id, grid_id=gid))


async def update_user(
    session: AsyncSession, *, actor: Actor, user_id: uuid.UUID, data: UserUpdate
) -> UserRead:
    require_permission(actor, Permission.USER_MANAGE)
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound("用户不存在", "User not found")
    before = await view_of(session, user)
    if "grid_ids" in data.model_fields_set:
        await _replace_grids(session, user=user, before=before, grid_ids=data.grid_ids)
    if data.display_name is not None:
        user.display_name = data.display_name
    if data.password is not None:
        user.password_hash = await security.hash_password_async(data.password)
        # A new password ends every other login of the user (ASVS 7.4.3): whoever knew the
        # old one keeps nothing; changing one's own keeps only the session doing it.
        keep = actor.session_id if actor.user_id == user.id else None
        await _end_sessions(session, user_id=user.id, keep=keep)
    if data.is_active is not None:
        user.is_active = data.is_active
        if not data.is_active:
            # Every login of the user ends now: refresh tokens and access tokens alike.
            await _end_sessions(session, user_id=user.id, keep=None)
    await session.flush()
    after = await view_of(session, user)
    changes = audit.diff(before.model_dump(), after.model_dump())
    if data.password is not None:
        changes["password"] = {"before": "***", "after": "***"}
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type="user",
        object_id=user.id,
        changes=changes,
    )
    return after
