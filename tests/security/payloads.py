"""Minimal valid request bodies built from the OpenAPI document, and forged bearer tokens.

`minimal_body` lets the seeding and BOLA tests create objects through endpoints that did not
exist when these tests were written: it fills the required fields of the declared schema.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from jose import jwt

from app.core.security import ALGORITHM, AUDIENCE, ISSUER

Schema = dict[str, Any]


def resolve(spec: Schema, schema: Schema) -> Schema:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def request_schema(spec: Schema, path: str, method: str) -> Schema | None:
    op = spec["paths"].get(path, {}).get(method.lower())
    if not op or "requestBody" not in op:
        return None
    content = op["requestBody"].get("content", {})
    body = content.get("application/json")
    return resolve(spec, body["schema"]) if body else None


def _string(schema: Schema, name: str) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        future = any(w in name for w in ("deadline", "expire", "due", "review", "until"))
        return (date.today() + timedelta(days=365 if future else 0)).isoformat()
    if fmt == "date-time":
        return datetime.now(UTC).isoformat()
    if fmt == "uuid":
        return str(uuid.uuid4())
    size = max(int(schema.get("minLength", 0)), 4)
    return ("测试" + name)[: max(size, 2)].ljust(size, "测")[: schema.get("maxLength", 64)]


def minimal_value(spec: Schema, schema: Schema, name: str = "", depth: int = 0) -> Any:
    schema = resolve(spec, schema)
    if depth > 6:
        return None
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if resolve(spec, s).get("type") != "null"]
            return minimal_value(spec, options[0], name, depth + 1) if options else None
    if "allOf" in schema:
        return minimal_value(spec, schema["allOf"][0], name, depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {
            k: minimal_value(spec, props[k], k, depth + 1)
            for k in schema.get("required", [])
            if k in props
        }
    if kind == "array":
        count = int(schema.get("minItems", 0))
        return [minimal_value(spec, schema.get("items", {}), name, depth + 1)] * count
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), int(schema.get("exclusiveMinimum", 0)) + 1)
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    return _string(schema, name)


def minimal_body(spec: Schema, path: str, method: str, **overrides: Any) -> dict[str, Any] | None:
    schema = request_schema(spec, path, method)
    if schema is None:
        return None
    body = minimal_value(spec, schema)
    if not isinstance(body, dict):
        return None
    props = schema.get("properties", {})
    body.update({k: v for k, v in overrides.items() if k in props})
    return body


# --- forged tokens (quality-notes §1, API2; ASVS 9.1.2, 9.2.1, 9.2.2, 9.2.3) ---------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_for(user_id: uuid.UUID, session_id: str, **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "sid": session_id,
        "role": "street_office",
        "type": "access",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=10)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return claims


def forged_tokens(secret: str, user_id: uuid.UUID, session_id: str) -> dict[str, str]:
    """Each token is the valid one (`claims_for`, signed with `secret`) with one thing wrong."""
    past = int((datetime.now(UTC) - timedelta(hours=2)).timestamp())
    future = int((datetime.now(UTC) + timedelta(hours=2)).timestamp())

    def sign(key: str = secret, alg: str = ALGORITHM, **changes: Any) -> str:
        return str(jwt.encode(claims_for(user_id, session_id, **changes), key, algorithm=alg))

    none_token = (
        _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims_for(user_id, session_id)) + "."
    )
    return {
        "alg_none": none_token,
        "wrong_key": sign(key="another-secret-key-that-is-long-enough-for-hs256"),
        "hs512": sign(alg="HS512"),
        "expired": sign(iat=past - 60, nbf=past - 60, exp=past),
        "not_yet_valid": sign(nbf=future, iat=future),
        "wrong_audience": sign(aud="someone-else"),
        "wrong_issuer": sign(iss="someone-else"),
        "refresh_type": sign(type="refresh"),
        "unknown_session": sign(sid=str(uuid.uuid4())),
        "garbage": "not.a.jwt",
    }


def valid_token(secret: str, user_id: uuid.UUID, session_id: str) -> str:
    return str(jwt.encode(claims_for(user_id, session_id), secret, algorithm=ALGORITHM))
