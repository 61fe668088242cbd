"""Per-sensor state: redeliveries, restarts, gaps, idle sensors, model versions."""

from __future__ import annotations

import math

from streamml.detector.scoring import SCORED, WARMING_UP, SensorScorer, Verdict
from streamml.detector.thresholds import Thresholds

THRESHOLDS = Thresholds(warmup=30)


def _normal(seq: int, level: float = 0.0) -> tuple[float, float, float]:
    return (round(20 + level + 0.2 * math.sin(seq * 1.7), 2),
            round(50 + 0.8 * math.cos(seq * 2.3), 1), round(1010 + 0.05 * math.sin(seq * 0.9), 2))


def _warm(scorer: SensorScorer, sensor: str = "a", n: int = 40) -> None:
    for seq in range(n):
        scorer.score(sensor, seq, seq, _normal(seq))


def test_models_are_versioned_per_sensor_and_refitted_in_stream():
    scorer = SensorScorer(THRESHOLDS, lambda: 5)
    _warm(scorer, n=30)
    verdict = scorer.score("a", 30, 30, _normal(30))
    assert verdict.status == SCORED and verdict.model_version == "a/1"
    assert verdict.fitted_at_ms == 5
    for seq in range(31, 200):
        verdict = scorer.score("a", seq, seq, _normal(seq))
    assert verdict.model_version != "a/1" and scorer.fits > 1


def test_a_redelivered_reading_gets_the_same_verdict_and_changes_nothing():
    scorer = SensorScorer(THRESHOLDS, lambda: 0)
    _warm(scorer)
    t, h, p = _normal(40)
    scorer.score("a", 40, 1234, (t, h, p + 2.0))
    first = scorer.score("a", 41, 1235, _normal(41))  # decides the spike at 40
    again = scorer.score("a", 41, 1235, _normal(41))
    assert again.duplicate and not first.duplicate
    assert again.flags == first.flags and [f.seq for f in first.flags] == [40]
    assert scorer.score("a", 42, 1236, _normal(42)).flags == ()


def test_a_sensor_that_restarts_its_sequence_starts_afresh():
    scorer = SensorScorer(THRESHOLDS, lambda: 0)
    _warm(scorer)
    assert scorer.counts() == (0, 1)
    scorer.score("a", 0, 99_999, _normal(0))
    assert scorer.counts() == (1, 0)


def test_sensors_are_independent_and_idle_ones_are_forgotten():
    now = [0]
    scorer = SensorScorer(THRESHOLDS, lambda: now[0])
    _warm(scorer, "a")
    now[0] = 10_000
    scorer.score("b", 0, 0, _normal(0, level=30))
    assert scorer.counts() == (1, 1)
    assert scorer.evict_idle(5_000) == 1
    assert scorer.counts() == (1, 0)


def test_a_sensor_silent_during_its_warm_up_stops_counting_for_readiness():
    now = [0]
    scorer = SensorScorer(THRESHOLDS, lambda: now[0])
    _warm(scorer, "a")
    scorer.score("b", 0, 0, _normal(0))
    assert scorer.counts(60_000) == (1, 1)
    now[0] = 61_000
    scorer.score("a", 40, 40, _normal(40))
    assert scorer.counts(60_000) == (0, 1)
    assert scorer.counts() == (1, 1)


def test_a_verdict_is_a_verdict_with_every_field_named():
    scorer = SensorScorer(Thresholds(warmup=20), lambda: 7)
    verdict = scorer.score("v-1", 0, 0, (15.0, 60.0, 1012.0))
    assert type(verdict) is Verdict
    assert verdict == Verdict("v-1", 0, WARMING_UP)
    assert verdict._asdict() == {"sensor_id": "v-1", "seq": 0, "status": WARMING_UP,
                                 "flags": (), "model_version": "", "fitted_at_ms": 0,
                                 "duplicate": False}
