"""A histogram of the garbage collector's pauses, per generation, fed by ``gc.callbacks``.

A collection pauses the thread whose allocation triggered it (docs/runtime.md,
"Garbage-collection pauses"). The callback runs inside the collector, on any thread, at any
allocation — also while that thread holds a lock, e.g. the HTTP thread inside another
metric's snapshot. So it takes no lock and allocates next to nothing: it bumps counters in
lists made up front. The collector runs one collection at a time (while it runs, no other
thread starts one), so the lists have one writer; a scrape copies them and may see a pause's
count a moment before its sum.
"""

from __future__ import annotations

import gc
import time
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

GENERATIONS = ("0", "1", "2")


class GcPauseHistogram(Collector):
    """One histogram series per generation, labelled with the service once it is tracked."""

    def __init__(self, name: str, documentation: str, buckets: tuple[float, ...],
                 registry: CollectorRegistry) -> None:
        self._name = name
        self._documentation = documentation
        self._buckets = buckets
        self._counts = [[0] * (len(buckets) + 1) for _ in GENERATIONS]  # the last is +Inf
        self._sums = [0.0 for _ in GENERATIONS]
        self._started = 0.0
        self._service: str | None = None
        self._callbacks: list[Any] | None = None
        registry.register(self)

    def track(self, service: str, callbacks: list[Any] | None = None) -> None:
        """Observe every collection from now on (``callbacks``: ``gc.callbacks``)."""
        self._service = service
        self._callbacks = gc.callbacks if callbacks is None else callbacks
        self._callbacks.append(self._on_gc)

    def untrack(self) -> None:
        if self._callbacks is not None and self._on_gc in self._callbacks:
            self._callbacks.remove(self._on_gc)
        self._callbacks = None

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        generation = info["generation"]
        self._counts[generation][bisect_left(self._buckets, pause)] += 1
        self._sums[generation] += pause

    def describe(self) -> Iterator[HistogramMetricFamily]:
        yield HistogramMetricFamily(self._name, self._documentation,
                                    labels=("service", "generation"))

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(self._name, self._documentation,
                                       labels=("service", "generation"))
        if self._service is not None:
            for generation, label in enumerate(GENERATIONS):
                counts, total = list(self._counts[generation]), self._sums[generation]
                cumulative, buckets = 0, []
                for bound, count in zip((*self._buckets, float("inf")), counts):
                    cumulative += count
                    buckets.append((floatToGoString(bound), cumulative))
                family.add_metric([self._service, label], buckets, total)
        yield family
