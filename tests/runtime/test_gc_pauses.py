"""streamml_gc_pause_seconds: every collection of the real collector, per generation."""

from __future__ import annotations

import gc

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from streamml.runtime.metrics import GC_PAUSE_BUCKETS, RuntimeMetrics


def _samples(registry: CollectorRegistry) -> dict[tuple[str, tuple], float]:
    text = generate_latest(registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            if family.name == "streamml_gc_pause_seconds" for s in family.samples}


def _count(samples: dict, generation: str) -> float:
    return samples[("streamml_gc_pause_seconds_count",
                    (("generation", generation), ("service", "svc")))]


def test_each_collection_is_observed_under_its_generation():
    registry = CollectorRegistry()
    pauses = RuntimeMetrics.create(registry).gc_pauses
    assert _samples(registry) == {}  # nothing before the service is tracked
    pauses.track("svc")
    try:
        before = _samples(registry)
        for generation in (0, 1, 2, 2):
            gc.collect(generation)
        after = _samples(registry)
    finally:
        pauses.untrack()
    # Allocations may start young collections of their own meanwhile: at least ours count.
    assert _count(after, "0") >= _count(before, "0") + 1
    assert _count(after, "1") >= _count(before, "1") + 1
    assert _count(after, "2") >= _count(before, "2") + 2
    full_sum = after[("streamml_gc_pause_seconds_sum", (("generation", "2"), ("service", "svc")))]
    assert full_sum > 0
    infinite = after[("streamml_gc_pause_seconds_bucket",
                      (("generation", "2"), ("le", "+Inf"), ("service", "svc")))]
    assert infinite == _count(after, "2")
    assert len([k for k in after if k[0].endswith("_bucket")]) == 3 * (len(GC_PAUSE_BUCKETS) + 1)


def test_untrack_stops_observing():
    registry = CollectorRegistry()
    pauses = RuntimeMetrics.create(registry).gc_pauses
    pauses.track("svc")
    pauses.untrack()
    assert pauses._on_gc not in gc.callbacks
    gc.collect()
    assert _count(_samples(registry), "2") == 0

