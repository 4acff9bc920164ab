"""Which fields a generated client must treat as present (issue 12 item 9).

openapi-typescript 7 (`defaultNonNullable`, on by default) types every property that has a
`default` as always present, even in a schema a client *sends*: `AccidentCreate.deaths`
came out as `deaths: number` (required) although the server fills in 0 when it is left out.
openapi-python-client, the other way round, makes every response field the server always
sends `Unset | T`, so every read needs a check for a value that is never missing.

What is right for a client:
- a schema it sends (reachable from a request body or parameter): a defaulted field is
  optional. The `default` keyword goes (it is what makes openapi-typescript require it); the
  value stays readable in the field's description. The server still applies it.
- a schema it receives (reachable only from a 2xx response): every property is required.
  Responses are serialized from their model with every field (no `exclude_none` /
  `exclude_unset` on any route), so a nullable field is sent as `null`, never left out.
- error bodies (`Problem`, `ValidationProblem`, `FieldError`) keep their declared `required`:
  `errors`, `retry_after` and `extra` appear only on some statuses.
- a schema on both sides (only enums today, which have no properties) is left as it is.
"""

from __future__ import annotations

import json
from typing import Any

REF = "#/components/schemas/"
ERROR_SCHEMAS = frozenset({"Problem", "ValidationProblem", "FieldError"})


def _refs(node: Any, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF):
            out.add(ref.removeprefix(REF))
        for value in node.values():
            _refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _refs(value, out)
    return out


def _closure(components: dict[str, Any], seeds: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(seeds)
    while todo:
        name = todo.pop()
        if name not in seen and name in components:
            seen.add(name)
            todo += _refs(components[name], set())
    return seen


def sides(schema: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(schemas a client sends, schemas it receives in a 2xx), by reachability."""
    components = schema.get("components", {}).get("schemas", {})
    sent: set[str] = set()
    received: set[str] = set()
    for item in schema.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            _refs(op.get("requestBody", {}), sent)
            _refs(op.get("parameters", []), sent)
            for status, response in op.get("responses", {}).items():
                if status.startswith("2"):
                    _refs(response, received)
    return _closure(components, sent), _closure(components, received)


def mark_required(schema: dict[str, Any]) -> None:
    components = schema.get("components", {}).get("schemas", {})
    sent, received = sides(schema)
    for name in sent - received:
        for prop in components[name].get("properties", {}).values():
            if "default" in prop:
                _default_into_description(prop)
    for name in received - sent - ERROR_SCHEMAS:
        props = components[name].get("properties")
        if props:
            components[name]["required"] = list(props)


def _default_into_description(prop: dict[str, Any]) -> None:
    value = json.dumps(prop.pop("default"), ensure_ascii=False)
    note = f"省略时为 {value}"
    prop["description"] = f"{prop['description']}（{note}）" if prop.get("description") else note
