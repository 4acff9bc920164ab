"""`POST` + `X-HTTP-Method-Override: PATCH` for clients that cannot send PATCH (issue 12 item 5).

WeChat's `wx.request` offers OPTIONS, GET, HEAD, POST, PUT, DELETE, TRACE and CONNECT, but not
PATCH, and every partial update here (enterprise profile, users, grids, accidents, webhooks) is
PATCH-only. Only that one override is accepted, and only on a POST: the request is then routed
as the PATCH it stands for, so a path without a PATCH answers 405 like any other wrong method.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import problem_response

HEADER = "X-HTTP-Method-Override"
_HEADER_KEY = HEADER.lower().encode()
ALLOWED = "PATCH"


class MethodOverrideMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        raw = dict(scope["headers"]).get(_HEADER_KEY)
        if raw is None:
            await self.app(scope, receive, send)
            return
        if raw.decode("latin-1").strip().upper() != ALLOWED:
            # Anything else (DELETE, PUT, GET…) would let a POST-only client bypass nothing
            # useful and confuse caches and logs: refuse it plainly.
            response = problem_response(
                Request(scope),
                status=400,
                code="method_override_not_allowed",
                title=("请求有误", "Bad request"),
                detail=(
                    f"{HEADER} 只能为 {ALLOWED}",
                    f"{HEADER} may only be {ALLOWED}",
                ),
            )
            await response(scope, receive, send)
            return
        await self.app({**scope, "method": ALLOWED}, receive, send)
