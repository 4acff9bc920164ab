"""Sizes a reader can hold (issue 16): no function over 60 lines, no file over 400 in `app/`.

A rule that matters is a check, not prose; migrations live outside `app/` (top-level `alembic/`).
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
MAX_FUNCTION_LINES = 60
MAX_FILE_LINES = 400


def _sources() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(APP.parent).as_posix()


def _functions(tree: ast.AST) -> list[tuple[str, int]]:
    """(qualified name, lines from `def` — decorators included — to the last line)."""
    found: list[tuple[str, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qual = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    found.append((qual, (child.end_lineno or child.lineno) - first + 1))
                walk(child, qual + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def test_no_file_over_400_lines() -> None:
    offenders = []
    for path in _sources():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_FILE_LINES:
            offenders.append(f"{_name(path)}: {n} lines")
    assert not offenders, f"files over {MAX_FILE_LINES} lines:\n" + "\n".join(offenders)


def test_no_function_over_60_lines() -> None:
    offenders = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for qual, n in _functions(tree):
            if n > MAX_FUNCTION_LINES:
                offenders.append(f"{_name(path)}::{qual}: {n} lines")
    assert not offenders, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(offenders)


def test_the_check_sees_long_functions() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    tree = ast.parse(f"class K:\n  def long(self):\n{body}\n")
    assert _functions(tree) == [("K.long", 62)]
