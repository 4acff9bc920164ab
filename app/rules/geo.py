"""Distances between coordinates (pure).

Inputs are GCJ-02, the datum WeChat and Chinese map SDKs give. GCJ-02 shifts WGS-84 by a
few hundred metres, but smoothly: two GCJ-02 points a few kilometres apart are offset almost
identically, so the haversine distance between them is accurate to a few metres — far inside
a check-in radius of hundreds of metres. Never mix a GCJ-02 point with a WGS-84 one.
"""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    h = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(h)))
