"""双随机 draw and 重点检查 coverage arithmetic (app/rules/draws.py): pure, table-driven."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from app.rules.draws import (
    ALGORITHM,
    Candidate,
    DrawError,
    Inspector,
    draw_objects,
    key_list_coverage,
    pair_inspectors,
    run_draw,
    sample_size,
)

POOL = [Candidate(f"e{i:02d}", f"g{i % 3}") for i in range(30)]
INSPECTORS = [Inspector(f"u{i}", frozenset({f"g{i % 3}"})) for i in range(6)]


@pytest.mark.parametrize(
    ("pool", "count", "ratio", "expected"),
    [
        (30, None, Decimal("10"), 3),  # not ceil(3.0000000000000004) = 4
        (30, None, Decimal("10.1"), 4),  # 3.03 rounds up
        (30, None, Decimal("100"), 30),
        (7, None, Decimal("0.01"), 1),  # any positive share draws at least one
        (0, None, Decimal("50"), 0),
        (30, 5, None, 5),
        (3, 5, None, 3),  # never more than the pool
    ],
)
def test_sample_size(pool: int, count: int | None, ratio: Decimal | None, expected: int) -> None:
    assert sample_size(pool, count=count, ratio_percent=ratio) == expected


@pytest.mark.parametrize(("count", "ratio"), [(None, None), (3, Decimal("10"))])
def test_sample_size_needs_exactly_one(count: int | None, ratio: Decimal | None) -> None:
    with pytest.raises(DrawError):
        sample_size(10, count=count, ratio_percent=ratio)


def test_objects_are_the_lowest_sha256_ranks() -> None:
    # Recomputed by hand here: the published method must be reproducible outside this code.
    def rank(c: Candidate) -> str:
        return hashlib.sha256(f"seed-1:object:{c.id}".encode()).hexdigest()

    expected = sorted(POOL, key=rank)[:4]
    assert draw_objects("seed-1", POOL, 4) == expected
    assert ALGORITHM == "sha256-rank/v1"


@pytest.mark.parametrize("seed", ["a", "b", "2026-双随机-01"])
def test_same_seed_and_snapshots_same_draw(seed: str) -> None:
    one = run_draw(seed, POOL, INSPECTORS, n=5, per_enterprise=2, avoid_own_grid=True)
    # The snapshots in another order (as a database may return them) change nothing.
    two = run_draw(
        seed, list(reversed(POOL)), INSPECTORS[::-1], n=5, per_enterprise=2, avoid_own_grid=True
    )
    assert one == two
    assert len(one) == 5
    assert len({p.enterprise_id for p in one}) == 5


def test_different_seeds_give_different_draws() -> None:
    draws = {tuple(c.id for c in draw_objects(seed, POOL, 5)) for seed in ("s1", "s2", "s3", "s4")}
    assert len(draws) > 1


def test_no_inspector_in_own_grid_and_load_is_spread() -> None:
    pairs = run_draw("x", POOL, INSPECTORS, n=12, per_enterprise=2, avoid_own_grid=True)
    grid_of = {c.id: c.grid_id for c in POOL}
    grids = {i.id: i.grid_ids for i in INSPECTORS}
    load: dict[str, int] = {}
    for p in pairs:
        assert len(p.inspector_ids) == 2
        assert len(set(p.inspector_ids)) == 2
        for uid in p.inspector_ids:
            assert grid_of[p.enterprise_id] not in grids[uid]
            load[uid] = load.get(uid, 0) + 1
    # 24 assignments over 6 inspectors, least loaded first: 4 each.
    assert sorted(load.values()) == [4] * 6


@pytest.mark.parametrize(
    ("inspectors", "per", "avoid", "ok"),
    [
        ([Inspector("a", frozenset({"g0"})), Inspector("b", frozenset({"g0"}))], 2, True, False),
        ([Inspector("a", frozenset({"g0"})), Inspector("b", frozenset({"g0"}))], 2, False, True),
        ([Inspector("a"), Inspector("b")], 1, False, False),  # fewer than two is refused
        ([Inspector("a"), Inspector("b"), Inspector("c")], 3, True, True),
    ],
)
def test_inspector_pool_limits(
    inspectors: list[Inspector], per: int, avoid: bool, ok: bool
) -> None:
    drawn = [Candidate("e1", "g0")]
    if ok:
        pairs = pair_inspectors("s", drawn, inspectors, per_enterprise=per, avoid_own_grid=avoid)
        assert len(pairs[0].inspector_ids) == per
    else:
        with pytest.raises(DrawError):
            pair_inspectors("s", drawn, inspectors, per_enterprise=per, avoid_own_grid=avoid)


@pytest.mark.parametrize(
    ("listed", "visited", "today", "total", "covered", "rate", "unvisited", "days_left"),
    [
        (["a", "b", "c", "d"], {"a", "c"}, date(2026, 12, 1), 4, 2, 50.0, ("b", "d"), 31),
        (["a", "b"], {"a", "b", "x"}, date(2026, 6, 30), 2, 2, 100.0, (), 185),
        (["a", "b", "c"], set(), date(2026, 12, 31), 3, 0, 0.0, ("a", "b", "c"), 1),
        (["a", "b", "c"], {"b"}, date(2027, 1, 1), 3, 1, 33.3, ("a", "c"), 0),
        (["a"], set(), date(2025, 11, 1), 1, 0, 0.0, ("a",), 365),  # before the year: all of it
        ([], set(), date(2026, 3, 1), 0, 0, 100.0, (), 306),
        (["a", "a"], {"a"}, date(2026, 1, 1), 1, 1, 100.0, (), 365),
    ],
)
def test_key_list_coverage(
    listed: list[str],
    visited: set[str],
    today: date,
    total: int,
    covered: int,
    rate: float,
    unvisited: tuple[str, ...],
    days_left: int,
) -> None:
    got = key_list_coverage(listed, visited, today=today, year=2026)
    assert (got.total, got.covered, got.rate, got.unvisited, got.days_left) == (
        total,
        covered,
        rate,
        unvisited,
        days_left,
    )
