"""`Annotated` aliases for routes: the session (one commit per request), the caller, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import PreconditionFailed, Unauthorized
from app.core.idempotency import claim_in_session
from app.core.ratelimit import FailOpenLimiter, RateLimiter
from app.core.storage import BlobStorage
from app.schemas.common import ParamStr
from app.services import auth
from app.services.policy import Actor, Permission, require_permission

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


_READS = frozenset({"GET", "HEAD"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request. Declared with scope="function" (FastAPI ≥ 0.121) so the commit
    runs before the response is sent: a 2xx means the change is durably stored."""
    maker = request.app.state.sessionmaker
    reading = getattr(request.app.state, "read_sessionmaker", None)
    # GETs run without BEGIN/COMMIT; one that writes raises NeedsTransaction and is re-run
    # with `needs_transaction` set (TransactionRetryMiddleware).
    retried = getattr(request.state, "needs_transaction", False)
    if reading is not None and request.method in _READS and not retried:
        maker = reading
    async with maker() as session:
        request.state.db_session = session
        try:
            yield session
            if getattr(request.state, "idempotency_claim", None) is not None:
                await claim_in_session(request, session)
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_storage(request: Request) -> BlobStorage:
    """The one photo store of the app (a local directory now; S3-compatible later)."""
    storage: BlobStorage = request.app.state.storage
    return storage


StorageDep = Annotated[BlobStorage, Depends(get_storage)]


async def get_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


LimiterDep = Annotated[RateLimiter, Depends(get_limiter)]


async def get_staff_limiter(request: Request) -> RateLimiter:
    """The shared limiter, falling back to this process when its store is down (fail open)."""
    return FailOpenLimiter(request.app.state.limiter, request.app.state.fallback_limiter)


StaffLimiterDep = Annotated[RateLimiter, Depends(get_staff_limiter)]


async def get_actor(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2)],
) -> Actor:
    if not token:
        raise Unauthorized("请先登录", "Not authenticated", code="not_authenticated")
    # The settings straight from the app, not as a dependency: this runs on every
    # authenticated request, and each dependency is a round of FastAPI's solver.
    settings: Settings = request.app.state.settings
    actor = await auth.actor_from_token(session=session, settings=settings, token=token)
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require(permission: Permission) -> Any:
    """Route dependency: the caller must hold `permission` (else 403)."""

    async def _check(actor: CurrentActor) -> None:
        require_permission(actor, permission)

    return Depends(_check)


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=100, description="每页条数 1–100")] = 50,
    cursor: Annotated[
        ParamStr | None, Query(max_length=512, description="上一页返回的 next_cursor")
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def etag(version: int) -> str:
    """The ETag of a versioned object (its optimistic-lock version)."""
    return f'"{version}"'


async def if_match_version(
    if_match: Annotated[
        ParamStr | None, Header(alias="If-Match", max_length=64, description="上次读取的 ETag")
    ] = None,
) -> int | None:
    """The version an `If-Match` names; absent is fine (brief §4: never 428)."""
    if if_match is None:
        return None
    try:
        return int(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError as exc:
        raise PreconditionFailed("If-Match 无效", "Invalid If-Match") from exc


IfMatchDep = Annotated[int | None, Depends(if_match_version)]
