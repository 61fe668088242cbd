"""Scoring flags against the truth: recall by readings and episodes, precision, false alarms."""

from __future__ import annotations

import pytest

from streamml.contracts.weather import CONTROL, Truth
from streamml.evaluate.scorecard import LabelledTruth, report, score


def _sensor(sensor_id: str, kinds: list[str], role: str = "faulty", condition: str = "fair"):
    return [LabelledTruth(sensor_id, seq, Truth(kind=kind, condition=condition,
                                                 sensor_class="station", role=role))
            for seq, kind in enumerate(kinds)]


def test_readings_episodes_precision_and_false_alarms():
    faulty = _sensor("f", ["normal", "drift", "drift", "drift", "normal", "stuck_one_short",
                           "stuck_one_short", "normal", "spike_small", "normal"])
    control = _sensor("c", ["normal"] * 10, role=CONTROL, condition="thunderstorm")
    flags = {("f", 3): ("drift:pressure_hpa",), ("f", 4): ("spike",), ("f", 8): ("spike",),
             ("c", 2): ("noise:temperature_c",), ("c", 5): ("weather:thunderstorm",)}
    card = score(faulty + control, flags)
    assert card.recall_readings["drift"].value == pytest.approx(1 / 3)
    assert card.recall_episodes["drift"].value == 1.0
    assert card.missed_multi_episodes["stuck_one_short"] == 1
    assert card.recall_readings["spike_small"].value == 1.0
    assert card.precision.value == pytest.approx(2 / 3), "the flag at seq 4 is false"
    assert card.false_alarms.value == pytest.approx(1 / 10), "weather events are not flags"
    assert card.false_alarms_by_condition["thunderstorm"].hits == 1
    assert card.weather_events == 1
    text = report(card, "unit")
    assert "NOT met" in text and "stuck_one_short" in text


def test_a_flag_for_an_earlier_reading_counts_for_that_reading():
    card = score(_sensor("f", ["normal", "stuck_one_short", "stuck_one_short"]),
                 {("f", 1): ("stuck:pressure_hpa",), ("f", 2): ("stuck:pressure_hpa",)})
    assert card.recall_readings["stuck_one_short"].value == 1.0
    assert card.shortfalls() == []


def test_a_never_flagged_episode_the_fault_left_unchanged_is_reported_apart():
    unseen = [LabelledTruth(t.sensor_id, t.seq, t.truth, unchanged=t.seq > 0)
              for t in _sensor("u", ["normal", "stuck_one_short", "stuck_one_short"])]
    seen = [LabelledTruth(t.sensor_id, t.seq, t.truth, unchanged=t.seq == 1)
            for t in _sensor("s", ["normal", "stuck_one_short", "stuck_one_short"])]
    card = score(unseen + seen, {})
    assert card.missed_multi_episodes["stuck_one_short"] == 2
    assert card.missed_unchanged_episodes["stuck_one_short"] == 1
    assert "no detector can see them): stuck_one_short 1" in report(card, "unit")
    assert "2 multi-reading stuck_one_short episodes never flagged" in card.shortfalls()


def test_readings_without_truth_are_counted_but_not_scored():
    card = score([LabelledTruth("x", 0, None)], {("x", 0): ("spike",)})
    assert card.readings == 1 and card.unlabelled == 1 and card.precision.total == 0
