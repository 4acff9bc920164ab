"""Receipt codes for anonymous public reports (群众举报).

The code is the reporter's only credential for checking status, so it must not be guessable:
80 random bits from `secrets` (CSPRNG), written as 16 Crockford base32 characters in groups
of four ("XXXX-XXXX-XXXX-XXXX"). Crockford's alphabet avoids I, L, O, U, and its decoding
rules let a reporter type I/L for 1 and O for 0.
"""

from __future__ import annotations

import secrets

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_BITS = 80
RECEIPT_LENGTH = RECEIPT_BITS // 5  # 5 bits per base32 character → 16 characters
GROUP_SIZE = 4
# Longest input worth looking at: 16 characters plus generous separators. Anything longer is
# rejected before any work is done (this runs on an anonymous endpoint).
_MAX_INPUT = 64
# Crockford decoding: case-insensitive, I/L read as 1, O read as 0.
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_ALLOWED = frozenset(CROCKFORD_ALPHABET)


def _group(raw: str) -> str:
    return "-".join(raw[i : i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))


def new_receipt_code() -> str:
    """A fresh random receipt code, e.g. "7K3M-Q9X2-0ABD-TW5R"."""
    n = secrets.randbits(RECEIPT_BITS)
    chars = [CROCKFORD_ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(RECEIPT_LENGTH))]
    return _group("".join(chars))


def normalize_receipt_code(s: str) -> str | None:
    """Canonical form of a typed receipt code, or None if it cannot be one. Never raises."""
    if not isinstance(s, str) or len(s) > _MAX_INPUT or not s.isascii():
        return None
    raw = "".join(s.split()).replace("-", "").upper().translate(_ALIASES)
    if len(raw) != RECEIPT_LENGTH or not _ALLOWED.issuperset(raw):
        return None
    return _group(raw)
