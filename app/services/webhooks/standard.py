"""Standard Webhooks signatures (https://www.standardwebhooks.com, issue 13).

`webhook-id` is the event's id (the same on every retry: consumers dedupe by it),
`webhook-timestamp` unix seconds, `webhook-signature` "v1,<base64 HMAC-SHA256(key,
"<id>.<timestamp>.<body>")>", where the key is the base64 part of the `whsec_…` secret."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

PREFIX = "whsec_"


def signing_key(secret: str) -> bytes:
    """The key bytes behind a `whsec_<base64>` secret. Secrets made before issue 13 were
    URL-safe base64; they decode with that alphabet (re-create the subscription to get a
    standard one)."""
    raw = secret.removeprefix(PREFIX)
    try:
        return base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except binascii.Error:
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


def standard_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
    }
