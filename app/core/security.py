"""Tokens and password hashes. The only module that knows about JWT (python-jose) or Argon2."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jose import JWTError, jwk, jwt
from jose.backends.base import Key
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ALGORITHM = "HS256"
ISSUER = "zhiben"
AUDIENCE = "zhiben-api"

# ASVS 5.0 appendix C floor for argon2id is t=2, m=19 MiB, p=1; we use t=2, m=19 MiB, p=1.
_hasher = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),))
# A fixed hash to verify against when the username is unknown, so the timing of a failed
# login does not reveal whether the account exists (full-stack-fastapi-template does the same).
_DUMMY_HASH = _hasher.hash("zhiben-dummy-password-for-timing")
# Argon2 takes tens of milliseconds of CPU and 19 MiB per call: run on the event loop, a
# stream of logins stalls every other request. Two threads per process bound both the CPU
# share and the memory; further calls queue (the login limiter bounds each client's share).
_HASH_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")


async def hash_password_async(password: str) -> str:
    """`hash_password` in the hashing threads, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_HASH_THREADS, hash_password, password)


async def verify_password_async(
    password: str, password_hash: str | None
) -> tuple[bool, str | None]:
    """`verify_password` in the hashing threads, off the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_HASH_THREADS, verify_password, password, password_hash)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(valid, new_hash): new_hash is set when the stored hash should be upgraded."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    try:
        return _hasher.verify_and_update(password, password_hash)
    except Exception:  # an unreadable stored hash is a failed login, not a 500
        return False, None


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    jti: str


def create_access_token(
    *,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    role: str,
    secret: str,
    minutes: int,
    issued_at: datetime | None = None,
    jti: str | None = None,
) -> tuple[str, int]:
    """`issued_at`/`jti` given: the same token again (an idempotent refresh replayed)."""
    now = issued_at or datetime.now(UTC)
    exp = now + timedelta(minutes=minutes)
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "sid": str(session_id),
        "role": role,
        "type": "access",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(exp.timestamp()),
        "jti": jti or uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), minutes * 60


@functools.lru_cache(maxsize=4)
def _verifying_key(secret: str) -> Key:
    """The HMAC key built once per secret: given the raw string, python-jose tries to parse
    it as a JSON key set (a raised JSONDecodeError) and rebuilds the key on every request."""
    return jwk.construct(secret, ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> AccessClaims | None:
    """Verified claims, or None for any token that is not a valid, current access token."""
    try:
        header = jwt.get_unverified_header(token)
        # The algorithm is pinned; key-bearing headers (jku/x5u/jwk) are never honoured.
        if header.get("alg") != ALGORITHM:
            return None
        claims = jwt.decode(
            token,
            _verifying_key(secret),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
                "require_jti": True,
            },
        )
        if claims.get("type") != "access":
            return None
        return AccessClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            session_id=uuid.UUID(str(claims["sid"])),
            jti=str(claims["jti"]),
        )
    except (JWTError, KeyError, ValueError, TypeError, AttributeError):
        return None


def new_refresh_token() -> tuple[str, str]:
    """(token for the client, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def successor_refresh_token(previous: str, secret: str) -> tuple[str, str]:
    """(token, hash) of the refresh token that replaces `previous`.

    Derived with the server key rather than random, so a refresh retried after its answer was
    lost (a bad mobile network) can be answered with the *same* new token again during the
    grace window: the server keeps only hashes and could not repeat a random one."""
    mac = hmac.new(secret.encode(), b"refresh-successor\x00" + previous.encode(), "sha256")
    token = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
