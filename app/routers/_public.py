"""HTTP plumbing shared by the anonymous mini-program routes (issue 5).

- a route class that caps the request body *before* anything parses it (the app-wide cap
  is sized for staff photo uploads; a public report's JSON needs far less);
- the abuse keys of a request: its client address (X-Forwarded-For only from trusted
  proxies) and a keyed hash of the optional `X-Device-Id` — neither is ever stored with a
  report, they only name rate-limit counters that expire (PIPL minimisation);
- enforcement of one rate over several keys with a 429 + `Retry-After`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute

from app.core.clientaddr import client_address
from app.core.config import Settings
from app.core.errors import PayloadTooLarge, TooManyRequests
from app.core.idempotency import IdempotentRoute
from app.core.ratelimit import RateLimiter, ensure_allowed, parse_rate
from app.dependencies import SettingsDep

# Multipart framing around a file: boundaries, part headers, the field name.
MULTIPART_SLACK = 16 * 1024
DEVICE_HEADER = "x-device-id"


def _too_large(cap: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"请求体不得超过 {cap} 字节", f"The request body must not exceed {cap} bytes"
    )


async def read_capped_body(request: Request, cap: int) -> None:
    """Read the body into the request's cache, refusing it (413) once it passes `cap`."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > cap):
        raise _too_large(cap)
    chunks: list[bytes] = []
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > cap:
            raise _too_large(cap)
        chunks.append(chunk)
    # Starlette's own cache attribute: later `body()`/`form()` calls read from it.
    request._body = b"".join(chunks)


def capped_route(
    cap_of: Callable[[Settings], int],
    *,
    precheck: Callable[[Settings], tuple[str, str]] | None = None,
) -> type[APIRoute]:
    """A route class whose requests may carry at most `cap_of(settings)` bytes.

    With `precheck` (settings → (rate, scope)), a caller already over its limit is refused
    before its body is read, so a flood of 5 MB uploads costs us no bandwidth past the
    headers; the authoritative count still happens in the endpoint.
    """

    class CappedRoute(IdempotentRoute):
        principal = anonymous_principal

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            inner = super().get_route_handler()

            async def handler(request: Request) -> Response:
                settings: Settings = request.app.state.settings
                if precheck is not None:
                    rate, scope = precheck(settings)
                    keys = abuse_keys(request, settings).keys(scope)
                    await refuse_if_limited(request.app.state.limiter, rate, keys)
                await read_capped_body(request, cap_of(settings))
                return await inner(request)

            return handler

    return CappedRoute


@dataclass(frozen=True)
class AbuseKeys:
    address: str
    device: str | None  # HMAC of the X-Device-Id header, never the header itself

    def keys(self, scope: str) -> list[str]:
        out = [f"pub:{scope}:ip:{self.address}"]
        if self.device:
            out.append(f"pub:{scope}:dev:{self.device}")
        return out


def abuse_keys(request: Request, settings: Settings) -> AbuseKeys:
    peer = request.client.host if request.client else None
    address = client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies)
    raw = request.headers.get(DEVICE_HEADER, "").strip()[:256]
    device = None
    if raw:
        secret = settings.resolved_secret_key().encode()
        device = hmac.new(secret, b"device:" + raw.encode(), hashlib.sha256).hexdigest()[:32]
    return AbuseKeys(address=address, device=device)


async def _abuse_keys_dep(request: Request, settings: SettingsDep) -> AbuseKeys:
    # async: a plain `def` dependency would cost a thread-pool hop on every public request.
    return abuse_keys(request, settings)


AbuseKeysDep = Annotated[AbuseKeys, Depends(_abuse_keys_dep)]


async def anonymous_principal(keys: AbuseKeysDep, settings: SettingsDep) -> str:
    """Anonymous callers' idempotency records are keyed by a keyed hash of their client
    address: the record sits beside a report's receipt and must not store who sent it (PIPL).
    Their number is bounded: only 2xx answers are stored, public POSTs are rate-limited per
    client and globally, and records expire (`idempotency_ttl_hours`)."""
    secret = settings.resolved_secret_key().encode()
    return "anon:" + hmac.new(secret, keys.address.encode(), hashlib.sha256).hexdigest()[:40]


async def refuse_if_limited(limiter: RateLimiter, rate_text: str, keys: list[str]) -> None:
    """429 naming the longest wait if any key is full; counts nothing."""
    rate = parse_rate(rate_text)
    denied = [d for d in [await limiter.peek(k, rate) for k in keys] if not d.allowed]
    if denied:
        raise TooManyRequests(max(d.retry_after_s for d in denied))


async def enforce_public_limits(
    limiter: RateLimiter, *, per_client: str, overall: str, keys: AbuseKeys, scope: str
) -> None:
    """The caller's own limits (address, device) and the cap on all anonymous traffic of this
    kind together (quality-notes API4/API6: a flood from rotating addresses still meets the
    global cap, which protects the database for the staff)."""
    global_key = [f"pub:{scope}:global"]
    await refuse_if_limited(limiter, overall, global_key)
    await enforce_rate(limiter, per_client, keys.keys(scope))
    await enforce_rate(limiter, overall, global_key)


async def enforce_rate(limiter: RateLimiter, rate_text: str, keys: list[str]) -> None:
    """Count one event on every key, or none: 429 naming the longest wait if any is full."""
    await refuse_if_limited(limiter, rate_text, keys)
    rate = parse_rate(rate_text)
    for key in keys:
        # Two requests racing past the peek: the atomic hit still refuses the later one.
        ensure_allowed(await limiter.hit(key, rate))
