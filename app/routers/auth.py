from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import JSONResponse

from app.core import idempotency
from app.core.clientaddr import client_address
from app.core.errors import AppError, app_error_response, problem_responses
from app.dependencies import CurrentActor, SessionDep, SettingsDep, StaffLimiterDep
from app.routers._base import api_router
from app.schemas.auth import LoginForm, Me, RefreshRequest, TokenPair
from app.services import auth, users
from app.services.auth_replay import RefreshKey

router = api_router(prefix="/api/v1/auth", tags=["auth"])


@router.post("/token", response_model=TokenPair, responses=problem_responses(401, 422, 429))
async def token(
    form: Annotated[LoginForm, Form()],
    session: SessionDep,
    settings: SettingsDep,
    limiter: StaffLimiterDep,
    request: Request,
) -> TokenPair:
    """Log in with username and password (OAuth2 password flow)."""
    peer = request.client.host if request.client else None
    issued = await auth.login(
        session=session,
        settings=settings,
        limiter=limiter,
        username=form.username,
        password=form.password,
        client=client_address(
            peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies
        ),
    )
    return TokenPair(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
    )


@router.post("/refresh", response_model=TokenPair, responses=problem_responses(401, 422))
async def refresh(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep, request: Request
) -> TokenPair | JSONResponse:
    """Trade a refresh token for a new pair; the old refresh token stops working.

    With `Idempotency-Key`, a re-sent request answers the same pair (until logout)."""
    key = idempotency.parse_key(request)
    replay_key = None
    if key is not None:
        path = request.url.path
        digest = idempotency.request_digest("POST", path, await request.body())
        replay_key = RefreshKey(key=key, body_hash=digest, path=path)
    issued = await auth.refresh(
        session=session, settings=settings, token=body.refresh_token, key=replay_key
    )
    if isinstance(issued, AppError):
        return app_error_response(request, issued)
    return TokenPair(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
    )


@router.post("/logout", status_code=204, responses=problem_responses(401, 422))
async def logout(body: RefreshRequest, session: SessionDep) -> Response:
    """End this login: its refresh token and access tokens stop working."""
    await auth.logout(session=session, token=body.refresh_token)
    return Response(status_code=204)


@router.get("/me", response_model=Me, responses=problem_responses(401))
async def me(actor: CurrentActor) -> Me:
    """The caller, with role, enterprise and grids."""
    return users.view_of_actor(actor)
