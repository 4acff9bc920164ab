from __future__ import annotations

import pytest

from app.rules.geo import haversine_m


@pytest.mark.parametrize(
    ("a", "b", "metres", "tolerance"),
    [
        ((31.2304, 121.4737), (31.2304, 121.4737), 0.0, 1e-6),
        # one minute of latitude ≈ 1 852 m (a nautical mile)
        ((31.0, 121.0), (31.0 + 1 / 60, 121.0), 1853.2, 1.0),
        # 0.01° of longitude at 31° N ≈ 953 m
        ((31.0, 121.0), (31.0, 121.01), 953.1, 1.0),
        # 上海 人民广场 → 北京 天安门 ≈ 1 067 km
        ((31.2304, 121.4737), (39.9087, 116.3975), 1_067_000, 5_000),
        ((0.0, 0.0), (0.0, 180.0), 20_015_115, 10),  # half the equator; no domain error
    ],
)
def test_haversine(
    a: tuple[float, float], b: tuple[float, float], metres: float, tolerance: float
) -> None:
    assert haversine_m(*a, *b) == pytest.approx(metres, abs=tolerance)
    assert haversine_m(*b, *a) == pytest.approx(haversine_m(*a, *b))
