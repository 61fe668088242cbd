"""Per-sensor scoring: warm-up, flags, duplicates, re-baselining — and the quality bar, offline."""

from __future__ import annotations

import math

import pytest

from streamml.contracts.weather import NORMAL, Confusion
from streamml.detector.scoring import SCORED, WARMING_UP, ScoringSettings, SensorScorer
from streamml.sensors.simulation import SensorSimulator, make_profiles

SETTINGS = ScoringSettings(warmup=30, window=90, refit_every=10, threshold=6.0,
                           rebaseline_after=30)


def _normal(seq: int, level: float = 0.0) -> tuple[float, float, float]:
    return (20 + level + 0.2 * math.sin(seq * 1.7), 50 + 0.8 * math.cos(seq * 2.3),
            1010 + 0.3 * math.sin(seq * 0.9))


def _warm(scorer: SensorScorer, sensor: str = "a", n: int = 30) -> None:
    for seq in range(n):
        assert scorer.score(sensor, seq, seq, _normal(seq)).status == WARMING_UP


def test_readings_before_the_first_model_are_warm_up_then_scored():
    scorer = SensorScorer(SETTINGS, lambda: 0)
    _warm(scorer)
    assert scorer.counts() == (0, 1)
    verdict = scorer.score("a", 30, 30, _normal(30))
    assert verdict.status == SCORED and not verdict.flagged and verdict.score < 6
    assert verdict.model_version == "a/1"


def test_a_spike_is_flagged_on_its_channel():
    scorer = SensorScorer(SETTINGS, lambda: 0)
    _warm(scorer)
    t, h, p = _normal(30)
    verdict = scorer.score("a", 30, 30, (t, h, p + 8.0))
    assert verdict.flagged and verdict.reasons == ("level:pressure_hpa",)
    assert verdict.score > 6
    assert not scorer.score("a", 31, 31, _normal(31)).flagged


def test_an_exact_repeat_is_flagged_as_stuck():
    scorer = SensorScorer(SETTINGS, lambda: 0)
    _warm(scorer)
    values = _normal(30)
    assert not scorer.score("a", 30, 30, values).flagged
    verdict = scorer.score("a", 31, 31, values)
    assert verdict.flagged and verdict.reasons == ("stuck",)


def test_a_redelivered_reading_gets_the_same_verdict_and_changes_nothing():
    scorer = SensorScorer(SETTINGS, lambda: 0)
    _warm(scorer)
    t, h, p = _normal(30)
    first = scorer.score("a", 30, 1234, (t + 5, h, p))
    again = scorer.score("a", 30, 1234, (t + 5, h, p))
    assert again.duplicate and not first.duplicate
    assert (again.flagged, again.score, again.reasons) == (first.flagged, first.score, first.reasons)
    # Not mistaken for a stuck sensor, and the next reading is scored as usual.
    assert not scorer.score("a", 31, 1235, _normal(31)).flagged


def test_a_lasting_new_level_becomes_the_new_normal():
    scorer = SensorScorer(SETTINGS, lambda: 0)
    _warm(scorer)
    flags = [scorer.score("a", seq, seq, _normal(seq, level=8.0)).flagged
             for seq in range(30, 90)]
    assert all(flags[:29])
    assert not any(flags[35:])


def test_sensors_are_independent_and_idle_ones_are_forgotten():
    now = [0]
    scorer = SensorScorer(SETTINGS, lambda: now[0])
    _warm(scorer, "a")
    now[0] = 10_000
    scorer.score("b", 0, 0, _normal(0, level=30))
    assert scorer.counts() == (1, 1)
    assert scorer.evict_idle(5_000) == 1
    assert scorer.counts() == (1, 0)


@pytest.mark.parametrize("seed", [7, 21])
def test_quality_bar_on_the_simulated_stream(seed):
    """The same bar the demo reports, without Kafka: recall >= 0.9, precision >= 0.8,
    drift alone <= 1 % false alarms."""
    scorer = SensorScorer(SETTINGS, lambda: 0)
    simulators = [SensorSimulator(p, seed, 0.02) for p in make_profiles(8, "q-", seed, 3)]
    faulty, drift = Confusion(), Confusion()
    for seq in range(600):
        for simulator in simulators:
            simulated = simulator.next()
            verdict = scorer.score(simulator.profile.sensor_id, seq, seq, simulated.values)
            if seq >= SETTINGS.warmup:
                counts = faulty if simulator.profile.injects_faults else drift
                counts.add(simulated.truth != NORMAL, verdict.flagged)
    assert faulty.true_positives > 100
    assert faulty.recall >= 0.9 and faulty.precision >= 0.8, faulty
    assert drift.false_alarm_rate <= 0.01, drift


def test_a_sensor_silent_during_its_warm_up_stops_counting_for_readiness():
    now = [0]
    scorer = SensorScorer(SETTINGS, lambda: now[0])
    _warm(scorer, "a")
    scorer.score("b", 0, 0, _normal(0))
    assert scorer.counts(60_000) == (1, 1)
    now[0] = 61_000
    scorer.score("a", 30, 30, _normal(30))
    assert scorer.counts(60_000) == (0, 1)
    assert scorer.counts() == (1, 1)
