"""Login, refresh-token rotation, logout, and turning a bearer token into an `Actor`.

Brief §4: failed logins are limited (5 in 15 minutes → 429) per username *and client
address*, the same for unknown usernames; per username across addresses a higher threshold
brings a growing delay, not a lock-out (README "Login limits"). Successful logins are not
limited. Refresh tokens rotate on use; reusing a
rotated one revokes that login's whole family (a stolen token is then worthless).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import security
from app.core.config import Settings
from app.core.errors import TooManyRequests, Unauthorized
from app.core.ratelimit import Rate, RateLimiter
from app.models.user import AuthSession, RefreshToken, Role, User, UserGrid
from app.services import audit, auth_replay
from app.services.auth_replay import RefreshKey
from app.services.policy import Actor

log = logging.getLogger("zhiben.auth")

_BAD_LOGIN = ("用户名或密码错误", "Incorrect username or password")


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str


# Per-username failures are counted up to this many per window, only to size the delay.
_USER_COUNT_CAP = 1000


@dataclass(frozen=True)
class _LoginKeys:
    pair: str  # (username, client address): the hard limit
    user: str  # username across addresses: the growing delay


def _login_keys(username: str, client: str) -> _LoginKeys:
    # Hashed so the limiter store never holds raw usernames or addresses (ASVS 16.2.5 spirit).
    user = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    pair = hashlib.sha256(f"{user}|{client}".encode()).hexdigest()[:32]
    return _LoginKeys(pair="login:pair:" + pair, user="login:user:" + user)


async def _admit_attempt(settings: Settings, limiter: RateLimiter, keys: _LoginKeys) -> None:
    """Count the attempt *before* the password is checked: the increment is atomic, so 20
    parallel guesses get at most `login_max_failures` password checks (issue 10 finding 6).
    Then, when the username is under attack from many addresses, wait a growing delay rather
    than refuse: the owner, from their own address, still gets in (finding 7, OWASP)."""
    pair_rate = Rate(limit=settings.login_max_failures, window_s=settings.login_failure_window_s)
    decision = await limiter.hit(keys.pair, pair_rate)
    if not decision.allowed:
        log.warning("login refused: too many failures from this client")
        raise TooManyRequests(
            decision.retry_after_s,
            "登录失败次数过多，请稍后再试",
            "Too many failed logins, please try again later",
        )
    seen = await limiter.peek(keys.user, _user_rate(settings))
    failures = _USER_COUNT_CAP - seen.remaining if seen.allowed else _USER_COUNT_CAP
    excess = failures - settings.login_user_soft_failures
    if excess >= 0:
        log.warning("login delayed: many failures for this username")
        await asyncio.sleep(min(2.0**excess, settings.login_delay_max_s))


def _user_rate(settings: Settings) -> Rate:
    return Rate(limit=_USER_COUNT_CAP, window_s=settings.login_failure_window_s)


async def login(
    *,
    session: AsyncSession,
    settings: Settings,
    limiter: RateLimiter,
    username: str,
    password: str,
    client: str,
) -> IssuedTokens:
    keys = _login_keys(username, client)
    await _admit_attempt(settings, limiter, keys)
    user = await session.scalar(select(User).where(User.username == username))
    ok, new_hash = await security.verify_password_async(
        password, user.password_hash if user else None
    )
    if user is None or not ok or not user.is_active:
        await limiter.hit(keys.user, _user_rate(settings))
        log.info("login failed")
        raise Unauthorized(*_BAD_LOGIN, code="invalid_credentials")
    # A success clears this client's failures (its attempt was counted up front).
    await limiter.reset(keys.pair)
    if new_hash:
        user.password_hash = new_hash
    auth_session = AuthSession(user_id=user.id)
    session.add(auth_session)
    await session.flush()
    tokens = await _issue(session=session, settings=settings, user=user, auth_session=auth_session)
    audit.record(session, actor=None, action="login", object_type="user", object_id=user.id)
    log.info("login ok")
    return tokens


def _access(
    settings: Settings,
    user: User,
    auth_session: AuthSession,
    issued: auth_replay.Issued | None = None,
) -> tuple[str, int]:
    return security.create_access_token(
        user_id=user.id,
        session_id=auth_session.id,
        role=user.role.value if isinstance(user.role, Role) else str(user.role),
        secret=settings.resolved_secret_key(),
        minutes=settings.access_token_minutes,
        issued_at=issued.issued_at if issued else None,
        jti=issued.jti if issued else None,
    )


async def _issue(
    *,
    session: AsyncSession,
    settings: Settings,
    user: User,
    auth_session: AuthSession,
    previous: str | None = None,
    issued: auth_replay.Issued | None = None,
) -> IssuedTokens:
    access, expires_in = _access(settings, user, auth_session, issued)
    if previous is None:
        refresh, refresh_hash = security.new_refresh_token()
    else:
        secret = settings.resolved_secret_key()
        refresh, refresh_hash = security.successor_refresh_token(previous, secret)
    session.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=refresh_hash,
            expires_at=datetime.now(UTC) + timedelta(days=settings.refresh_token_days),
        )
    )
    await session.flush()
    return IssuedTokens(access_token=access, expires_in=expires_in, refresh_token=refresh)


async def refresh(
    *, session: AsyncSession, settings: Settings, token: str, key: RefreshKey | None = None
) -> IssuedTokens | Unauthorized:
    """New tokens, or — when a rotated token is reused — the 401 to answer *after* the
    family's revocation is committed (raising would roll the revocation back).

    With an `Idempotency-Key` already answered for this family: the same pair again
    (`auth_replay`), checked after the family's revocation, so a logout ends replays too."""
    now = datetime.now(UTC)
    row = await session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_hash == security.hash_refresh_token(token))
        .with_for_update()
    )
    if row is None:
        raise Unauthorized("刷新令牌无效", "Invalid refresh token", code="invalid_refresh_token")
    auth_session = await session.get(AuthSession, row.session_id)
    if auth_session is None or auth_session.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized("刷新令牌已失效", "Refresh token revoked", code="invalid_refresh_token")
    first = await auth_replay.find(session, settings, row.session_id, key) if key else None
    if first is not None:
        return await _replayed(session, settings, token, auth_session, first)
    if row.used_at is not None:
        retried = await _retry_in_grace(session, settings, row, token, auth_session, now)
        return retried or await _revoke_reused(session, auth_session, now)
    user = await _active_user(session, auth_session)
    # Conditional update: two concurrent refreshes with one token cannot both win.
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(result, "rowcount", 1) != 1:
        raise Unauthorized("刷新令牌已被使用", "Refresh token reused", code="refresh_token_reused")
    issued = auth_replay.Issued(now.replace(microsecond=0), uuid.uuid4().hex)
    if key is not None:
        await auth_replay.remember(session, row.session_id, key, issued)
    return await _issue(
        session=session,
        settings=settings,
        user=user,
        auth_session=auth_session,
        previous=token,
        issued=issued,
    )


async def _replayed(
    session: AsyncSession,
    settings: Settings,
    token: str,
    auth_session: AuthSession,
    first: auth_replay.Issued,
) -> IssuedTokens:
    """The pair first answered under this Idempotency-Key, signed again from its claims."""
    user = await _active_user(session, auth_session)
    access, expires_in = _access(settings, user, auth_session, first)
    successor, _hash = security.successor_refresh_token(token, settings.resolved_secret_key())
    return IssuedTokens(access_token=access, expires_in=expires_in, refresh_token=successor)


async def _active_user(session: AsyncSession, auth_session: AuthSession) -> User:
    user = await session.get(User, auth_session.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("账号已停用", "Account disabled", code="account_disabled")
    return user


async def _retry_in_grace(
    session: AsyncSession,
    settings: Settings,
    row: RefreshToken,
    token: str,
    auth_session: AuthSession,
    now: datetime,
) -> IssuedTokens | None:
    """The same new refresh token again (and a fresh access token) when the just-rotated token
    comes back within the grace window and its successor is still unused: the client never
    got the first answer. Anything else is a real reuse."""
    assert row.used_at is not None
    if now - row.used_at > timedelta(seconds=settings.refresh_grace_seconds):
        return None
    successor, successor_hash = security.successor_refresh_token(
        token, settings.resolved_secret_key()
    )
    unused = await session.scalar(
        select(RefreshToken.id).where(
            RefreshToken.token_hash == successor_hash,
            RefreshToken.session_id == row.session_id,
            RefreshToken.used_at.is_(None),
        )
    )
    if unused is None:
        return None
    user = await _active_user(session, auth_session)
    access, expires_in = _access(settings, user, auth_session)
    log.info("refresh retried within grace window")
    return IssuedTokens(access_token=access, expires_in=expires_in, refresh_token=successor)


async def _revoke_reused(
    session: AsyncSession, auth_session: AuthSession, now: datetime
) -> Unauthorized:
    """Reuse of a rotated token: someone else may hold the family. Revoke it (only it)."""
    auth_session.revoked_at = now
    audit.record(
        session,
        actor=None,
        action="refresh_reuse",
        object_type="auth_session",
        object_id=auth_session.id,
    )
    await session.flush()
    return Unauthorized("刷新令牌已被使用", "Refresh token reused", code="refresh_token_reused")


async def logout(*, session: AsyncSession, token: str) -> None:
    row = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == security.hash_refresh_token(token))
    )
    if row is None:
        raise Unauthorized("刷新令牌无效", "Invalid refresh token", code="invalid_refresh_token")
    auth_session = await session.get(AuthSession, row.session_id)
    if auth_session is not None and auth_session.revoked_at is None:
        auth_session.revoked_at = datetime.now(UTC)
        audit.record(
            session,
            actor=None,
            action="logout",
            object_type="auth_session",
            object_id=auth_session.id,
        )
        await session.flush()


# User, login session and assigned grids in one round trip: one row per grid (one row with a
# NULL grid when none), every row repeating the user's columns. Built once, with bound
# parameters: building it per request (~60 SQL expression objects and their cache key) cost
# ~250 µs of the ~2 ms an authenticated request took (bench/README.md "Issue 11 — fourth
# session"); executed, it is the same statement text each time.
_ACTOR: Select[str, Role, uuid.UUID | None, str | None, bool, datetime | None, uuid.UUID] = (
    select(
        User.username,
        User.role,
        User.enterprise_id,
        User.display_name,
        User.is_active,
        AuthSession.revoked_at,
        UserGrid.grid_id,
    )
    .select_from(User)
    .join(AuthSession, AuthSession.user_id == User.id)
    .outerjoin(UserGrid, UserGrid.user_id == User.id)
    .where(User.id == bindparam("user_id"), AuthSession.id == bindparam("session_id"))
    .order_by(UserGrid.grid_id)
)


async def actor_from_token(*, session: AsyncSession, settings: Settings, token: str) -> Actor:
    """Checks the token, then reads user, login session and grids fresh (ASVS 7.4.2, 8.3.2):
    a deactivated user, a logged-out session or a changed grid assignment applies at once.
    One Core statement, no ORM identity map: this runs on every authenticated request."""
    claims = security.decode_access_token(token, secret=settings.resolved_secret_key())
    if claims is None:
        raise Unauthorized("访问令牌无效或已过期", "Invalid or expired token", code="invalid_token")
    params = {"user_id": claims.user_id, "session_id": claims.session_id}
    rows = (await session.execute(_ACTOR, params)).all()
    if not rows or rows[0].revoked_at is not None or not rows[0].is_active:
        raise Unauthorized("访问令牌已失效", "Token revoked", code="invalid_token")
    first = rows[0]
    role = Role(first.role)
    assigned = tuple(r.grid_id for r in rows if r.grid_id is not None)
    return Actor(
        user_id=claims.user_id,
        username=first.username,
        role=role,
        enterprise_id=first.enterprise_id,
        grid_ids=frozenset(assigned) if role == Role.grid_staff else frozenset(),
        session_id=claims.session_id,
        display_name=first.display_name,
        assigned_grids=assigned,
    )
