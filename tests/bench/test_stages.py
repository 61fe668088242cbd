"""The stage breakdown read from a service's /metrics: parsing, phase deltas, quantiles."""

from __future__ import annotations

import math

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest

from bench.stages import (FROZEN_METRIC, FULL_COLLECTION, GC_METRIC, STAGE_METRIC,
                          Histogram as StageHistogram, _added, parse_gauge, parse_stages,
                          phase_stages)

BUCKETS = (0.001, 0.01, 0.1, 1.0)


def exposition(observations: dict[str, list[float]]) -> str:
    registry = CollectorRegistry()
    histogram = Histogram(STAGE_METRIC, "loop stage durations", ["service", "stage"],
                          buckets=BUCKETS, registry=registry)
    for stage, values in observations.items():
        for value in values:
            histogram.labels("predictor", stage).observe(value)
    return generate_latest(registry).decode()


def test_parse_reads_each_stage_of_a_real_exposition() -> None:
    stages = parse_stages(exposition({"fetch": [0.005, 0.005, 0.05], "handle": [0.0005]}))

    assert set(stages) == {"fetch", "handle"}
    assert stages["fetch"].count == 3
    assert math.isclose(stages["fetch"].sum, 0.06)
    assert dict(stages["fetch"].buckets)[0.01] == 2
    assert dict(stages["fetch"].buckets)[math.inf] == 3


def test_a_phase_is_the_difference_between_two_scrapes() -> None:
    before = parse_stages(exposition({"fetch": [0.005] * 10}))
    after = parse_stages(exposition({"fetch": [0.005] * 10 + [0.5] * 4, "commit": [0.002]}))

    phase = phase_stages(before, after)

    assert phase["fetch"].count == 4
    assert math.isclose(phase["fetch"].mean, 0.5)
    assert phase["commit"].count == 1  # a stage first seen during the phase counts whole


def test_quantile_interpolates_within_its_bucket_like_prometheus() -> None:
    hist = StageHistogram(((0.01, 50.0), (0.1, 100.0), (math.inf, 100.0)), sum=3.0, count=100.0)

    assert math.isclose(hist.quantile(0.5), 0.01)
    assert math.isclose(hist.quantile(0.75), 0.01 + 0.09 * 0.5)
    assert math.isclose(hist.quantile(0.99), 0.01 + 0.09 * 0.98)


def test_quantile_in_the_open_bucket_is_the_highest_bound_and_empty_is_nan() -> None:
    open_ended = StageHistogram(((0.1, 1.0), (math.inf, 10.0)), sum=50.0, count=10.0)
    empty = StageHistogram(((0.1, 0.0), (math.inf, 0.0)), sum=0.0, count=0.0)

    assert open_ended.quantile(0.99) == 0.1
    assert math.isnan(empty.quantile(0.5))
    assert math.isnan(empty.mean)


def test_no_stage_metric_means_no_stages() -> None:
    assert parse_stages("# HELP other_total x\n# TYPE other_total counter\nother_total 1.0\n") == {}


def test_gc_pauses_parse_per_generation_and_the_longest_is_the_highest_bucket_used() -> None:
    registry = CollectorRegistry()
    pauses = Histogram(GC_METRIC, "collector pauses", ["service", "generation"],
                       buckets=BUCKETS, registry=registry)
    for generation, value in (("0", 0.0005), ("0", 0.0005), ("2", 0.05), ("2", 0.005)):
        pauses.labels("detector", generation).observe(value)

    parsed = parse_stages(generate_latest(registry).decode(), GC_METRIC, "generation")

    assert parsed[FULL_COLLECTION].count == 2
    assert parsed[FULL_COLLECTION].longest == 0.1
    assert parsed["0"].longest == 0.001
    assert StageHistogram(((0.1, 0.0), (math.inf, 0.0)), sum=0.0, count=0.0).longest == 0.0


def test_the_frozen_objects_gauge_is_read_and_absent_is_nan() -> None:
    registry = CollectorRegistry()
    Gauge(FROZEN_METRIC, "frozen", ["service"], registry=registry).labels("detector").set(45_000)

    assert parse_gauge(generate_latest(registry).decode(), FROZEN_METRIC) == 45_000
    assert math.isnan(parse_gauge("", FROZEN_METRIC))


def test_replicas_stages_add_up_bucket_by_bucket() -> None:
    one = parse_stages(exposition({"handle": [0.005, 0.05]}))["handle"]
    two = parse_stages(exposition({"handle": [0.0005], "fetch": [0.5]}))

    added = one.plus(two["handle"])

    assert added.count == 3 and math.isclose(added.sum, 0.0555)
    assert dict(added.buckets)[0.001] == 1 and dict(added.buckets)[0.01] == 2
    assert math.isclose(added.quantile(1.0), 0.1)
    assert set(_added([{"handle": one}, two])) == {"handle", "fetch"}
