"""The relay's HTTP transport: connections go to the address that was checked, never to a
second DNS answer (issue 10 finding 9, DNS rebinding).

`urls.check_destination` resolves the host and checks every address; the relay then sends
with `pinned(host, address)` in effect, and this transport's network backend opens the TCP
connection to that address instead of resolving the name again. The URL, the Host header and
the TLS server name (SNI, certificate check) stay the host's name. A connection the relay did
not pin is refused, so nothing can reach this client's sockets around the check.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

_PINS: ContextVar[dict[str, str] | None] = ContextVar("zhiben_webhook_pins", default=None)


@contextlib.contextmanager
def pinned(host: str, address: str) -> Iterator[None]:
    """Within this block (this task), connections to `host` go to `address`."""
    token = _PINS.set({host.lower().strip("[]"): address})
    try:
        yield
    finally:
        _PINS.reset(token)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = (_PINS.get() or {}).get(host.lower().strip("[]"))
        if address is None:
            raise httpcore.ConnectError(f"connection to {host!r} was not checked and pinned")
        return await self._inner.connect_tcp(
            address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the connection pool built on `PinnedBackend` (httpx has no
    option for a network backend, so the pool it made is replaced by an equivalent one)."""

    def __init__(self, *, max_connections: int = 20) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl.create_default_context(),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=PinnedBackend(),
        )
