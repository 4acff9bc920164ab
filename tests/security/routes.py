"""The route table as test data: which routes exist, which are public, and how to call each.

Everything here is derived from `app.routes` and the OpenAPI document, so an endpoint added
by any domain is walked by the security tests without anyone editing them.
"""

from __future__ import annotations

import enum
import inspect
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

# Routes an anonymous caller may reach, each with the reason.
PUBLIC_PATHS = {
    "/healthz": "process health for the load balancer",
    "/readyz": "database health for the load balancer",
    "/docs": "API docs (development only; disabled in production)",
    "/docs/oauth2-redirect": "API docs (development only)",
    "/openapi.json": "API description (development only)",
    "/api/v1/auth/token": "login",
    "/api/v1/auth/refresh": "authenticated by the refresh token in the body",
    "/api/v1/auth/logout": "authenticated by the refresh token in the body",
    # Static code → Chinese label tables; the anonymous mini-program shows report categories.
    "/api/v1/meta/enums": "static enum labels, no data",
}
PUBLIC_PREFIXES = ("/api/v1/public/",)

_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    route: APIRoute

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return _PARAM.findall(self.path)


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route. FastAPI ≥ 0.16x includes routers lazily, so
    `app.routes` holds router placeholders; its own iterator yields the effective routes."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            yield str(context.path), route


def endpoints(app: FastAPI) -> list[Endpoint]:
    out = []
    for path, route in api_routes(app):
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            out.append(Endpoint(method, path, route))
    return out


def _value_for(annotation: Any, name: str) -> str:
    """A plausible value of the declared type (valid, so auth and scope are what is tested)."""
    origin = getattr(annotation, "__args__", None)
    if origin:  # Optional[X] / X | None
        annotation = next((a for a in origin if a is not type(None)), annotation)
    if inspect.isclass(annotation):
        if issubclass(annotation, uuid.UUID):
            return str(uuid.uuid4())
        if issubclass(annotation, enum.Enum):
            return str(next(iter(annotation)).value)
        if issubclass(annotation, bool):
            return "true"
        if issubclass(annotation, int):
            return "1"
        if issubclass(annotation, datetime):
            return datetime.now(UTC).isoformat()
        if issubclass(annotation, date):
            return date.today().isoformat()
    return "ZB" + uuid.uuid4().hex[:8].upper() if "code" in name else "v" + name[:8]


def fill_path(endpoint: Endpoint, overrides: dict[str, str] | None = None) -> str:
    """The route's path with every parameter filled: an override, else a random valid value."""
    types = {p.name: p.field_info.annotation for p in endpoint.route.dependant.path_params}
    path = endpoint.path
    for name in endpoint.path_params:
        value = (overrides or {}).get(name) or _value_for(types.get(name), name)
        path = re.sub(r"{" + re.escape(name) + r"(?::[^}]*)?}", value, path, count=1)
    return path
