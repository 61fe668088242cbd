"""What outlives a collection of the older generations moved out of the collector's way.

A service's long-lived state (the detector's windows of readings, remembered verdicts: tens
of thousands of tracked objects per hundred sensors) churns slowly: each reading lives
hundreds of readings, long enough to be promoted to the oldest generation, so that
generation refills, and CPython's rule (a full collection once a quarter of it is new) runs a
full collection of the whole state every ~30,000 readings, on the loop's thread: for 100
sensors 20–70 ms offline, 100–250 ms in the service on a shared 2-core machine, and longer
the more sensors a process holds (docs/runtime.md, "Garbage-collection pauses").

After a turn in which the middle or oldest generation was collected, everything that
survived is frozen (``gc.freeze()``): later collections no longer visit it, and what is left
for a full collection is only what was promoted since. Frozen objects are still freed when
their last reference goes. A reference cycle among them is not, so every
``reclaim_interval_s`` the permanent generation is given back to the collector and collected
once (one full pause per interval, instead of one per ~30,000 readings), and what survives is
frozen again.

Counting the frozen objects (``gc.get_freeze_count()``) walks every one of them with the
interpreter lock held: 13–20 ms for 120,000 objects on a shared 2-core machine, a stall of
every thread. So they are counted only where a whole-heap pause is paid anyway: after each
reclaim (and by the service once at start-up), never when metrics are scraped.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def _older_collections() -> int:
    stats = gc.get_stats()
    return stats[1]["collections"] + stats[2]["collections"]


class FreezeSurvivors:
    """Called after each turn, once the collection held off during it has run."""

    def __init__(self, reclaim_interval_s: float,
                 clock: Callable[[], float] = time.monotonic,
                 counted: Callable[[int], None] = lambda frozen: None) -> None:
        self._reclaim_interval_s = reclaim_interval_s
        self._clock = clock
        self._counted = counted
        self._reclaimed_at = clock()
        self._older_seen = _older_collections()

    def after_turn(self) -> None:
        if self._clock() - self._reclaimed_at >= self._reclaim_interval_s:
            self.reclaim()
            return
        older = _older_collections()
        if older != self._older_seen:
            self._older_seen = older
            gc.freeze()

    def reclaim(self) -> None:
        """Collect the whole heap once, frozen objects included; freeze what survives and
        report how many objects that is."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._counted(gc.get_freeze_count())
        self._older_seen = _older_collections()
        self._reclaimed_at = self._clock()
