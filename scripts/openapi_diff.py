"""Diff two OpenAPI documents (or dump the app's): used to prove a router refactor changes no
path, operation id, schema, status code or description.

    python scripts/openapi_diff.py dump before.json      # the app's /openapi.json
    python scripts/openapi_diff.py diff before.json after.json

Prints one line per differing JSON path; exit 1 when the documents differ.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _walk(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            sub = f"{path}/{key}"
            if key not in a:
                out.append(f"+ {sub}")
            elif key not in b:
                out.append(f"- {sub}")
            else:
                _walk(a[key], b[key], sub, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(
            f"~ {path}: {json.dumps(a, ensure_ascii=False)[:120]} → "
            f"{json.dumps(b, ensure_ascii=False)[:120]}"
        )


def dump(target: Path) -> None:
    from app.core.config import Settings
    from app.main import create_app

    app = create_app(Settings(secret_key="x" * 40, jobs_mode="manual"))
    target.write_text(json.dumps(app.openapi(), ensure_ascii=False, indent=1), encoding="utf-8")


def diff(before: Path, after: Path) -> int:
    out: list[str] = []
    _walk(json.loads(before.read_text()), json.loads(after.read_text()), "", out)
    print("\n".join(out) or "no difference")
    return 1 if out else 0


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(Path(sys.argv[2]))
    else:
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
