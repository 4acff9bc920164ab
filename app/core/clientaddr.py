"""The client address of a request, trusting `X-Forwarded-For` only from our own proxies.

ASVS 4.1.3 / quality-notes §6: a forwarded header from anyone else is a client-chosen value
and would let a flooder pick a fresh "address" for every request. From a trusted proxy the
header is read right to left, skipping our own proxies; the first other hop is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[_Network, ...]:
    # Entries are addresses or CIDR ranges ("10.0.0.1", "10.0.0.0/8"); bad entries are skipped
    # rather than failing every request.
    nets: list[_Network] = []
    for entry in trusted:
        try:
            nets.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return tuple(nets)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(addr: str, nets: tuple[_Network, ...]) -> bool:
    ip = _parse(addr)
    return ip is not None and any(ip in net for net in nets)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Iterable[str]) -> str:
    """The address to key limits on. `peer` is the TCP peer, `forwarded_for` the raw header."""
    peer = peer or "unknown"
    nets = _networks(tuple(trusted))
    if not forwarded_for or not nets or not _is_trusted(peer, nets):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",")[-32:]]
    for hop in reversed(hops):
        ip = _parse(hop)
        if ip is None:
            # A garbled hop: the chain beyond it cannot be trusted; key on what we know.
            return peer
        if not any(ip in net for net in nets):
            return str(ip)
    return peer
