"""Where an event's latency goes, from the service's own ``/metrics``.

The runtime observes each loop stage in ``streamml_stage_duration_seconds{service,stage}``:
``fetch`` (record timestamp -> polled), ``handle``, ``acknowledge`` (send -> acknowledged, or
the transaction committed) and ``commit`` (acknowledged -> offsets committed), and the garbage
collector's pauses in ``streamml_gc_pause_seconds{service,generation}``. The harness scrapes
the histograms before and after a latency phase; the difference is that phase alone.
"""

from __future__ import annotations

import math
import urllib.request
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

from streamml.runtime.metrics import STAGES

STAGE_METRIC = "streamml_stage_duration_seconds"
GC_METRIC = "streamml_gc_pause_seconds"
FULL_COLLECTION = "2"
FROZEN_METRIC = "streamml_gc_frozen_objects"


@dataclass(frozen=True)
class Histogram:
    """One label set's cumulative buckets (upper bound -> count), sum and count."""

    buckets: tuple[tuple[float, float], ...]
    sum: float
    count: float

    def plus(self, other: Histogram) -> Histogram:
        """Two processes' observations as one (same bucket bounds)."""
        theirs = dict(other.buckets)
        return Histogram(tuple((le, n + theirs.get(le, 0.0)) for le, n in self.buckets),
                         self.sum + other.sum, self.count + other.count)

    def minus(self, earlier: Histogram) -> Histogram:
        before = dict(earlier.buckets)
        return Histogram(tuple((le, n - before.get(le, 0.0)) for le, n in self.buckets),
                         self.sum - earlier.sum, self.count - earlier.count)

    @property
    def mean(self) -> float:
        return self.sum / self.count if self.count > 0 else float("nan")

    def quantile(self, q: float) -> float:
        """Prometheus' ``histogram_quantile``: linear within the bucket holding rank q·count;
        the highest finite bound when the rank falls in the +Inf bucket."""
        if self.count <= 0 or not self.buckets:
            return float("nan")
        rank = q * self.count
        lower_bound, lower_count = 0.0, 0.0
        finite = [le for le, _ in self.buckets if not math.isinf(le)]
        for le, cumulative in self.buckets:
            if cumulative >= rank:
                if math.isinf(le):
                    return finite[-1] if finite else float("nan")
                if cumulative == lower_count:
                    return le
                return lower_bound + (le - lower_bound) * (rank - lower_count) / (cumulative - lower_count)
            lower_bound, lower_count = le, cumulative
        return finite[-1] if finite else float("nan")

    @property
    def longest(self) -> float:
        """The upper bound of the highest bucket that holds an observation (0 if none)."""
        counts = [n for _, n in self.buckets]
        for (le, n), below in zip(reversed(self.buckets), reversed([0.0, *counts[:-1]])):
            if n > below:
                return le
        return 0.0


def parse_stages(text: str, metric: str = STAGE_METRIC, label: str = "stage") -> dict[str, Histogram]:
    """Stage (or another ``label``'s value) -> histogram from a Prometheus text exposition
    (one service per process)."""
    buckets: dict[str, list[tuple[float, float]]] = {}
    sums: dict[str, float] = {}
    counts: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != metric:
            continue
        for sample in family.samples:
            stage = sample.labels.get(label)
            if stage is None:
                continue
            if sample.name.endswith("_bucket"):
                buckets.setdefault(stage, []).append((float(sample.labels["le"]), sample.value))
            elif sample.name.endswith("_sum"):
                sums[stage] = sample.value
            elif sample.name.endswith("_count"):
                counts[stage] = sample.value
    return {stage: Histogram(tuple(sorted(found)), sums.get(stage, 0.0), counts.get(stage, 0.0))
            for stage, found in buckets.items()}


@dataclass(frozen=True)
class Scrape:
    stages: dict[str, Histogram]
    gc_pauses: dict[str, Histogram]  # per generation: "0", "1", "2" (full)
    frozen: float  # objects the collector skips (nan if not exported)


def parse_gauge(text: str, metric: str) -> float:
    """The first sample of a gauge (one service per process); nan if absent."""
    for family in text_string_to_metric_families(text):
        if family.name == metric and family.samples:
            return family.samples[0].value
    return float("nan")


def scrape(port: int, timeout_s: float = 5.0) -> Scrape:
    """The stage and garbage-collection histograms of the service answering on ``port``
    (empty if it has none)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout_s) as response:
            text = response.read().decode()
    except OSError:
        return Scrape({}, {}, float("nan"))
    return Scrape(parse_stages(text), parse_stages(text, GC_METRIC, "generation"),
                  parse_gauge(text, FROZEN_METRIC))


def scrape_all(ports: list[int]) -> Scrape:
    """The histograms of several replicas of one service, added up."""
    scrapes = [scrape(port) for port in ports]
    return Scrape(_added([s.stages for s in scrapes]), _added([s.gc_pauses for s in scrapes]),
                  sum(s.frozen for s in scrapes))


def _added(histograms: list[dict[str, Histogram]]) -> dict[str, Histogram]:
    total: dict[str, Histogram] = {}
    for per_label in histograms:
        for label, hist in per_label.items():
            total[label] = total[label].plus(hist) if label in total else hist
    return total


def phase_stages(before: dict[str, Histogram], after: dict[str, Histogram]) -> dict[str, Histogram]:
    """What was observed between two scrapes, per stage."""
    return {stage: hist.minus(before[stage]) if stage in before else hist
            for stage, hist in after.items()}
