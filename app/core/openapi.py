"""The OpenAPI document as client generators need it (issue 12).

FastAPI's own document is post-processed once, in one pass, instead of repeating the same
declarations on every route: every error status names the RFC 9457 schema under
`application/problem+json` (the only media type the server sends for errors), every POST
declares `Idempotency-Key`, every answer carrying a versioned object declares its `ETag`,
file fields are `format: binary`, and anonymous schemas get readable names. Doing it here, not
in the route class, keeps the document right whichever way a route is built.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from app.core.errors import PROBLEM_JSON
from app.core.method_override import HEADER as OVERRIDE_HEADER
from app.core.openapi_required import mark_required
from app.schemas.events import HAZARD_TOPICS, OTHER_TOPICS, Event, HazardEvent
from app.schemas.problem import Problem, ValidationProblem

REF = "#/components/schemas/"
# The key length app.core.idempotency accepts; a longer key is a 422.
IDEMPOTENCY_KEY_MAX = 200
HTTP_METHODS = ("get", "put", "post", "delete", "patch")

IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "客户端生成的唯一键（如 UUID）：同一请求重发时返回第一次的应答，不重复执行",
    "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX},
}
ETAG_HEADER: dict[str, Any] = {
    "description": "对象版本（乐观锁）；修改时原样放入 If-Match",
    "schema": {"type": "string", "example": '"3"'},
}
PHOTO_UPLOAD = "PhotoUpload"
BINARY: dict[str, Any] = {"type": "string", "format": "binary"}


def operation_id(route: APIRoute) -> str:
    """Stable, short operation ids: the handler's name, unique across the API (a test checks).

    The tag already groups operations in generated clients (`api.hazards.plan_hazard`), so it
    is not repeated in the id (`public_upload` under the tag `public` is `upload`)."""
    tag = str(route.tags[0]) if route.tags else ""
    return route.name.removeprefix(f"{tag}_") if tag else route.name


def install_openapi(app: FastAPI) -> None:
    """Serve the post-processed document at /openapi.json (built once, then cached)."""
    _register_webhooks(app)

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
                webhooks=app.webhooks.routes,
            )
            app.openapi_schema = refine(schema)
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


def _register_webhooks(app: FastAPI) -> None:
    """The topic catalogue as OpenAPI 3.1 `webhooks`: one operation per topic, its body the
    event a subscriber receives (documentation only: these are requests *we* send)."""
    topics: list[tuple[str, str, type[Event | HazardEvent]]] = [
        (t, d, HazardEvent) for t, d in HAZARD_TOPICS.items()
    ]
    topics += [(t, d, Event) for t, d in OTHER_TOPICS.items()]
    for topic, summary, model in topics:

        async def receive(body: Any) -> None:  # noqa: ARG001 — documentation only, never called
            return None

        receive.__annotations__ = {"body": model, "return": None}
        app.webhooks.add_api_route(
            topic,
            receive,
            methods=["POST"],
            summary=summary,
            operation_id="on_" + topic.replace(".", "_"),
            tags=["webhooks"],
            status_code=204,
        )


def refine(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _add_problem_schemas(components)
    _rename_anonymous(schema, components)
    for item in schema.get("webhooks", {}).values():
        # A subscriber's answer is not validated by us: only "2xx = received" matters.
        item["post"]["responses"] = {
            "2XX": {"description": "已收到（任何 2xx）；其他状态或超时将按退避重试"}
        }
    for item in schema.get("paths", {}).values():
        if "patch" in item:
            _declare_method_override(item["patch"])
    for _path, method, op in _operations(schema):
        _declare_problems(op)
        if method == "post":
            _declare_idempotency_key(op)
        _declare_etag(op, components)
        _binary_file_fields(op, components)
        _typed_downloads(op)
    mark_required(schema)  # after the renames: it reads the final component names
    return schema


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, item in schema.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                out.append((path, method, item[method]))
    return out


def _add_problem_schemas(components: dict[str, Any]) -> None:
    for model in (Problem, ValidationProblem):
        js = model.model_json_schema(ref_template=REF + "{model}")
        for name, sub in js.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components[model.__name__] = js
    # FastAPI's own 422 schemas: every 422 now names ValidationProblem instead.
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)


def _declare_problems(op: dict[str, Any]) -> None:
    if "requestBody" in op:
        # Every body is capped (app/core/middleware.py, issue 10): 413 past the cap.
        op.setdefault("responses", {}).setdefault("413", {"description": "请求体过大"})
    for status, response in op.get("responses", {}).items():
        if status == "default" or int(status) >= 400:
            name = "ValidationProblem" if status == "422" else "Problem"
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": REF + name}}}


def _declare_method_override(op: dict[str, Any]) -> None:
    """Clients without PATCH (WeChat `wx.request`) send this operation as a POST with
    `X-HTTP-Method-Override: PATCH` (app.core.method_override)."""
    op["x-method-override"] = {"method": "POST", "header": OVERRIDE_HEADER, "value": "PATCH"}
    note = (
        f"不能发送 PATCH 的客户端（如微信小程序 wx.request）可改用 POST 并带请求头 "
        f"`{OVERRIDE_HEADER}: PATCH`，效果相同。"
    )
    op["description"] = (op.get("description", "") + "\n\n" + note).strip()


def _declare_idempotency_key(op: dict[str, Any]) -> None:
    params = op.setdefault("parameters", [])
    if not any(p.get("name", "").lower() == "idempotency-key" for p in params):
        params.append(dict(IDEMPOTENCY_KEY))


def _versioned(components: dict[str, Any], ref: str | None) -> bool:
    if not ref or not ref.startswith(REF):
        return False
    props = components.get(ref.removeprefix(REF), {}).get("properties", {})
    return bool(props.get("version", {}).get("type") == "integer")


def _declare_etag(op: dict[str, Any], components: dict[str, Any]) -> None:
    """A 2xx answer whose body is one versioned object carries its ETag (the routes set it)."""
    for status, response in op.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        body = response.get("content", {}).get("application/json", {}).get("schema", {})
        refs = (
            [body.get("$ref")] if "$ref" in body else [s.get("$ref") for s in body.get("anyOf", [])]
        )
        if refs and all(_versioned(components, r) for r in refs):
            response.setdefault("headers", {})["ETag"] = dict(ETAG_HEADER)


def _binary_file_fields(op: dict[str, Any], components: dict[str, Any]) -> None:
    """Photo uploads: one shared `PhotoUpload` form whose `file` is `format: binary`.

    Pydantic 2 writes an UploadFile as `contentMediaType: application/octet-stream`, which
    openapi-python-client sends as a text field (→ 422); `format: binary` is sent as a file."""
    form = op.get("requestBody", {}).get("content", {}).get("multipart/form-data")
    if form is None:
        return
    body = form.get("schema", {})
    ref = body.get("$ref", "")
    target = components.get(ref.removeprefix(REF), {}) if ref else body
    props = target.get("properties", {})
    if set(props) != {"file"}:
        return
    components[PHOTO_UPLOAD] = {
        "title": PHOTO_UPLOAD,
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {
                "type": "string",
                "format": "binary",
                "description": "JPEG/PNG/WebP 照片",
            }
        },
    }
    form["schema"] = {"$ref": REF + PHOTO_UPLOAD}
    if ref and ref != REF + PHOTO_UPLOAD:
        components.pop(ref.removeprefix(REF), None)


def _typed_downloads(op: dict[str, Any]) -> None:
    """Photos and ledger files are bytes; say so, so generators need not guess."""
    for status, response in op.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        for media, content in response.get("content", {}).items():
            if "json" not in media and "schema" not in content:
                text = media.startswith("text/")
                content["schema"] = {"type": "string"} if text else BINARY


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", name))


def _rename_anonymous(schema: dict[str, Any], components: dict[str, Any]) -> None:
    """`Body_token` → `TokenForm`: FastAPI names a form body after its operation id, which
    generators turn into names like `BodyUploadsCreateUpload`."""
    renames = {
        name: _camel(name.removeprefix("Body_")) + "Form"
        for name in list(components)
        if name.startswith("Body_")
    }
    for old, new in renames.items():
        components[new] = components.pop(old)
        components[new]["title"] = new
    if renames:
        _rewrite_refs(schema, {REF + o: REF + n for o, n in renames.items()})


def _rewrite_refs(node: Any, refs: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in refs:
            node["$ref"] = refs[ref]
        for value in node.values():
            _rewrite_refs(value, refs)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, refs)
