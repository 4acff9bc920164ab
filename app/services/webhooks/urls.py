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


# IPv6 forms that carry an IPv4 address a gateway or the host itself will reach: Python's
# `is_global` judges the IPv6 address and says yes to [::7f00:1] or [64:ff9b::a9fe:a9fe]
# (issue 10 finding 9), so the embedded IPv4 is what is checked.
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291 §2.5.5.1 (deprecated)
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 2765 §2.1 (SIIT)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
# RFC 8215 local-use NAT64 prefixes: where the IPv4 sits depends on the operator's prefix
# length, so none of it can be called public.
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 transition form leads to; None for a native IPv6 address."""
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d
        return [ip.ipv4_mapped]
    if ip in _IPV4_COMPATIBLE or ip in _IPV4_TRANSLATED or ip in _NAT64:
        return [low32]
    if ip in _NAT64_LOCAL:
        return [ipaddress.IPv4Address(0)]
    if ip.sixtofour is not None:  # 2002:a.b.c.d::/48, RFC 3056
        return [ip.sixtofour]
    if ip.teredo is not None:  # 2001::/32, RFC 4380: (server, client)
        return list(ip.teredo)
    return None


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, multicast, reserved and unspecified addresses,
    and for IPv6 transition forms (mapped, compatible, NAT64, 6to4, Teredo) that embed one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return all(v4.is_global and not v4.is_multicast for v4 in embedded)
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


async def check_destination(
    url: str, allowed_hosts: Collection[str], resolve: Resolver
) -> tuple[str, str]:
    """Right before each delivery: (host, address to connect to). Every address the host
    resolves to must be public (unless the host is allow-listed). Raises DestinationRefused,
    or OSError when the name does not resolve.

    The relay connects to the returned address (`transport.pinned`), never resolving the
    name again, so a DNS server that answers differently a moment later (rebinding) is not
    asked."""
    parts = check_url(url, allowed_hosts)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolve(host, port)
    if not addresses:
        raise DestinationRefused(host)
    if not is_allowed_host(host, allowed_hosts) and not all(
        is_public_address(a) for a in addresses
    ):
        raise DestinationRefused(host)
    return host, addresses[0]
