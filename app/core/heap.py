"""The garbage collector in a long-running server process (issue 11).

A full (generation 2) collection walks every tracked object of the process. After start-up
that is ~340,000 objects that live as long as the process: modules, the app and its routes,
ORM mappers, pydantic validators, compiled-statement caches. Measured on the full-scale
bench (bench/README.md, "the collector"): one full collection every ~20 overview requests,
taking 0.5 s on a loaded machine, stalling whichever request allocated last — a p95/p99 of
its own, unrelated to the request. `gc.freeze()` moves what is alive after start-up into a
permanent generation the collector no longer walks; new objects are collected as before.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_heap() -> int:
    """Freeze what is alive now, once per process; returns the frozen object count (0 when
    already done: a second app in the same process, as in the tests, leaves it alone)."""
    global _frozen
    if _frozen:
        return 0
    gc.collect()  # what is garbage now is freed, not frozen for good
    gc.freeze()
    _frozen = True
    return gc.get_freeze_count()
