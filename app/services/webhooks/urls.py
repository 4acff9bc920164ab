"""Where a webhook may point (OWASP API7 SSRF; ASVS 13.2.4 egress allowlist, 13.2.5).

Two checks: the URL when it is stored (scheme, credentials, fragment, IP literals), and the
addresses its host resolves to right before each delivery — a public-looking name may resolve
to 127.0.0.1 or the cloud metadata address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Collection
from urllib.parse import SplitResult, urlsplit

from app.core.errors import Unprocessable

Resolver = Callable[[str, int], Awaitable[list[str]]]
_FIELD = ["body", "url"]


class DestinationRefused(Exception):
    """The host resolves to an address webhooks may not reach."""


def _refuse(zh: str, en: str) -> Unprocessable:
    return Unprocessable(zh, en, code="webhook_url_refused", field=_FIELD)


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, multicast, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip.is_global and not ip.is_multicast


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_allowed_host(host: str, allowed_hosts: Collection[str]) -> bool:
    return host.lower().rstrip(".") in {h.lower().rstrip(".") for h in allowed_hosts}


def check_url(url: str, allowed_hosts: Collection[str]) -> SplitResult:
    """The URL's parts if a webhook may be stored with it; else a 422 naming `url`."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # a non-numeric or out-of-range port raises here
    except ValueError as exc:
        raise _refuse("地址格式无效", "Malformed URL") from exc
    allowed = bool(host) and is_allowed_host(host, allowed_hosts)
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not allowed):
        raise _refuse("回调地址必须使用 https", "The URL must use https")
    if not host:
        raise _refuse("回调地址缺少主机名", "The URL has no host")
    if parts.username is not None or parts.password is not None:
        raise _refuse("回调地址不得包含用户名或密码", "The URL may not carry credentials")
    if parts.fragment or "#" in url:
        raise _refuse("回调地址不得包含 # 片段", "The URL may not have a fragment")
    ip = _ip_literal(host)
    if ip is not None and not allowed and not is_public_address(str(ip)):
        raise _refuse(
            "回调地址不得指向内网、本机或保留地址", "The URL may not point to a non-public address"
        )
    return parts


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def check_destination(url: str, allowed_hosts: Collection[str], resolve: Resolver) -> None:
    """Right before a delivery: every address the host resolves to must be public (unless the
    host is allow-listed). Raises DestinationRefused, or OSError when the name does not resolve.

    The HTTP client resolves the name again when it connects, so a DNS server that answers
    differently within that moment (rebinding) is not covered by this check."""
    parts = check_url(url, allowed_hosts)
    host = parts.hostname or ""
    if is_allowed_host(host, allowed_hosts):
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolve(host, port)
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise DestinationRefused(host)
