"""双随机 draws (plan §三(七)14: 对其他辖区工贸企业按一定比例开展日常巡查) and the coverage
of the 重点检查 list (§三(七)14: 分级确定重点检查企业名单，实现重大安全风险全覆盖). Pure.

The draw is a keyed ranking, not a pseudo-random generator: each candidate's rank is the
SHA-256 of the seed and its id, so the same seed and the same snapshots give the same objects
and pairs on any machine and any Python version, and anyone holding the published seed and
snapshots can recompute it with a few lines in any language (the algorithm is named in
`ALGORITHM`; a change of method gets a new name, and stored draws keep theirs).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ALGORITHM = "sha256-rank/v1"


class DrawError(ValueError):
    """The pools cannot give what was asked (too few inspectors, nothing to draw)."""


@dataclass(frozen=True)
class Candidate:
    """An enterprise in the object pool, with the grid it sits in."""

    id: str
    grid_id: str


@dataclass(frozen=True)
class Inspector:
    id: str
    grid_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pair:
    enterprise_id: str
    inspector_ids: tuple[str, ...]


def _rank(seed: str, *parts: str) -> str:
    return hashlib.sha256(":".join((seed, *parts)).encode()).hexdigest()


def sample_size(pool: int, *, count: int | None, ratio_percent: Decimal | None) -> int:
    """How many to draw: a count, or a percentage of the pool rounded up (按一定比例), capped
    at the pool. Decimal arithmetic: 10 % of 30 is 3, not ceil(3.0000000000000004) = 4."""
    if count is not None and ratio_percent is None:
        return min(count, pool)
    if ratio_percent is not None and count is None:
        return min(pool, math.ceil(Decimal(pool) * ratio_percent / 100))
    raise DrawError("give either a count or a ratio")


def draw_objects(seed: str, pool: Sequence[Candidate], n: int) -> list[Candidate]:
    """The `n` candidates with the lowest keyed rank, in rank order."""
    return sorted(pool, key=lambda c: (_rank(seed, "object", c.id), c.id))[:n]


def pair_inspectors(
    seed: str,
    drawn: Sequence[Candidate],
    inspectors: Sequence[Inspector],
    *,
    per_enterprise: int,
    avoid_own_grid: bool,
) -> list[Pair]:
    """`per_enterprise` inspectors for each drawn enterprise: eligible ones (not of the
    enterprise's grid when `avoid_own_grid`), least loaded first, then by keyed rank."""
    if per_enterprise < 2:
        raise DrawError("at least 2 inspectors per enterprise (行政检查至少两名执法人员)")
    load = {i.id: 0 for i in inspectors}
    pairs = []
    for ent in drawn:
        eligible = [i for i in inspectors if not (avoid_own_grid and ent.grid_id in i.grid_ids)]
        if len(eligible) < per_enterprise:
            raise DrawError(f"only {len(eligible)} eligible inspectors for enterprise {ent.id}")
        chosen = sorted(
            eligible, key=lambda i: (load[i.id], _rank(seed, "inspector", ent.id, i.id), i.id)
        )[:per_enterprise]
        for i in chosen:
            load[i.id] += 1
        pairs.append(Pair(ent.id, tuple(sorted(i.id for i in chosen))))
    return pairs


def run_draw(
    seed: str,
    pool: Sequence[Candidate],
    inspectors: Sequence[Inspector],
    *,
    n: int,
    per_enterprise: int,
    avoid_own_grid: bool,
) -> list[Pair]:
    """The whole draw from its snapshots: objects first, then their inspectors."""
    drawn = draw_objects(seed, pool, n)
    return pair_inspectors(
        seed, drawn, inspectors, per_enterprise=per_enterprise, avoid_own_grid=avoid_own_grid
    )


@dataclass(frozen=True)
class KeyCoverage:
    total: int
    covered: int
    rate: float
    unvisited: tuple[str, ...]
    days_left: int


def key_list_coverage(
    listed: Sequence[str], visited: set[str], *, today: date, year: int
) -> KeyCoverage:
    """Coverage of the 重点检查 list in `year` as of `today`: every listed enterprise must
    be visited (全覆盖); `days_left` counts the days to 31 December inclusive (0 once past)."""
    unvisited = tuple(sorted(e for e in set(listed) if e not in visited))
    total = len(set(listed))
    covered = total - len(unvisited)
    end = date(year, 12, 31)
    days_left = 0 if today > end else (end - max(today, date(year, 1, 1))).days + 1
    rate = round(100.0 * covered / total, 1) if total else 100.0
    return KeyCoverage(total, covered, rate, unvisited, days_left)
