from __future__ import annotations

import uuid

from fastapi import Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep
from app.models.user import Role
from app.routers._base import api_router, created_or_stored
from app.schemas.common import Page
from app.schemas.user import UserCreate, UserRead, UserUpdate
from app.services import users

router = api_router(prefix="/api/v1/users", tags=["users"])


@router.get("", response_model=Page[UserRead], responses=problem_responses(401, 403, 422))
async def list_users(
    actor: CurrentActor, session: SessionDep, page: PageDep, role: Role | None = None
) -> Page[UserRead]:
    """All accounts (street office)."""
    items, nxt = await users.list_users(
        session, actor=actor, role=role, limit=page.limit, cursor=page.cursor
    )
    return Page[UserRead](items=items, next_cursor=nxt)


@router.post(
    "", status_code=201, response_model=UserRead, responses=problem_responses(401, 403, 409, 422)
)
async def create_user(
    body: UserCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> UserRead:
    """Create an account (street office)."""
    return created_or_stored(response, await users.create_user(session, actor=actor, data=body))


@router.get("/{user_id}", response_model=UserRead, responses=problem_responses(401, 403, 404, 422))
async def get_user(user_id: uuid.UUID, actor: CurrentActor, session: SessionDep) -> UserRead:
    """One account (street office)."""
    return await users.get_user(session, actor=actor, user_id=user_id)


@router.patch(
    "/{user_id}", response_model=UserRead, responses=problem_responses(401, 403, 404, 422)
)
async def update_user(
    user_id: uuid.UUID, body: UserUpdate, actor: CurrentActor, session: SessionDep
) -> UserRead:
    """Change name, password, grids or active flag; deactivation ends its logins at once."""
    return await users.update_user(session, actor=actor, user_id=user_id, data=body)
