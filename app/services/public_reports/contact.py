"""The reporter's phone number: encrypted at rest, shown by role (个人信息保护法 Art. 28, 51).

Encryption is Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`). The key:

- `ZHIBEN_PHONE_KEY` when set — one or more comma-separated secrets, the first encrypts and
  all decrypt (MultiFernet), so the key can be rotated without losing stored numbers;
- otherwise derived from the signing key (`ZHIBEN_SECRET_KEY`). Rotating that key would then
  make stored numbers unreadable, so production should set a separate `ZHIBEN_PHONE_KEY`.

Each secret is stretched to a Fernet key with HKDF-SHA256, so any string works as a key.
A number that cannot be decrypted (key lost) is shown as unavailable, never as an error.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.config import Settings
from app.models.user import Role
from app.rules.phone import mask_mobile
from app.services.policy import Actor

_INFO = b"zhiben public report contact v1"
UNREADABLE = "（无法解密）"


def _fernet_key(secret: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"zhiben-phone", info=_INFO).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw)


@lru_cache(maxsize=8)
def _cipher(secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(s)) for s in secrets])


def cipher(settings: Settings) -> MultiFernet:
    keys = tuple(k.strip() for k in settings.phone_key.split(",") if k.strip())
    return _cipher(keys or (settings.resolved_secret_key(),))


def encrypt_phone(settings: Settings, number: str) -> str:
    return cipher(settings).encrypt(number.encode()).decode()


def decrypt_phone(settings: Settings, token: str) -> str | None:
    try:
        return cipher(settings).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def phone_for(settings: Settings, actor: Actor, token: str | None) -> str | None:
    """Full to the street office, masked to grid staff, nothing to anyone else."""
    if token is None or actor.role not in (Role.street_office, Role.grid_staff):
        return None
    number = decrypt_phone(settings, token)
    if number is None:
        return UNREADABLE
    return number if actor.role == Role.street_office else mask_mobile(number)
