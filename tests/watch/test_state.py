"""What the watch keeps from the topics (pure logic)."""

from __future__ import annotations

from streamml.contracts.weather import ANOMALIES_TOPIC, READINGS_TOPIC, reason_kind
from streamml.watch.state import (
    DEAD_LETTER_TOPIC, EVENTS_TOPIC, PREDICTIONS_TOPIC, RESULTS_TOPIC, STATUS_TOPIC, WatchState)
from tests.watch.messages import anomaly, event, prediction, reading, result, status


def test_reason_kinds_from_old_and_new_reasons() -> None:
    assert reason_kind("level:temperature_c") == "level"
    assert reason_kind("stuck") == "stuck"
    assert reason_kind("stuck:humidity_pct") == "stuck"
    assert reason_kind("spike") == "spike"
    assert reason_kind("drift:pressure_hpa") == "drift"
    assert reason_kind("weather front passing") == "weather"
    assert reason_kind("") == "unknown"


def test_a_match_row_follows_the_innings_and_scores_itself_at_the_end() -> None:
    state = WatchState()
    state.add(EVENTS_TOPIC, event("m1", 6, 10).to_bytes(), [], 1)
    state.add(PREDICTIONS_TOPIC, prediction("m1", 6, 10, 150.0).to_bytes(), [], 2)
    state.add(PREDICTIONS_TOPIC, prediction("m1", 12, 20, 160.0, wickets=1).to_bytes(), [], 3)
    state.add(PREDICTIONS_TOPIC, prediction("m1", 6, 10, 150.0).to_bytes(), [], 4)  # redelivered
    row = state.matches["m1"]
    assert (row.score, row.wickets, row.over) == (20, 1, 2.0)
    assert row.predictions == [(1.0, 150.0), (2.0, 160.0)]
    assert row.mean_error is None
    state.add(RESULTS_TOPIC, result("m1", 158).to_bytes(), [], 5)
    assert row.final_score == 158 and row.mean_error == (8 + 2) / 2
    state.add(STATUS_TOPIC, status(version=2, mae=9.5).to_bytes(), [], 6)
    key, version, report = state.model_in_use()
    assert (key, version, report.mae) == ("cricket-score", 2, 9.5)


def test_a_sensor_row_counts_recent_flags_by_kind_and_its_warm_up() -> None:
    state = WatchState(warmup=30)
    state.add(READINGS_TOPIC, reading("s1", 10).to_bytes(), [], 1)
    assert state.sensor_state(state.sensors["s1"]) == "warming up 11/30"
    state.add(ANOMALIES_TOPIC, anomaly("s1", 40, ("level:temperature_c", "stuck")).to_bytes(), [], 2)
    state.add(ANOMALIES_TOPIC, anomaly("s1", 300, ("spike",)).to_bytes(), [], 3)
    state.add(ANOMALIES_TOPIC, anomaly("s1", 301, ("stuck:humidity_pct",)).to_bytes(), [], 4)
    state.add(READINGS_TOPIC, reading("s1", 302).to_bytes(), [], 5)
    row = state.sensors["s1"]
    assert state.sensor_state(row) == "serving"
    assert row.reading.seq == 302 and row.total_flags == 3
    assert row.recent_flags() == {"spike": 1, "stuck": 1}  # seq 40 is no longer recent


def test_weather_events_are_counted_apart_not_as_flags() -> None:
    state = WatchState()
    assert state.warmup == 60  # the detector's default warm-up
    state.add(READINGS_TOPIC, reading("s1", 100).to_bytes(), [], 1)
    state.add(ANOMALIES_TOPIC, anomaly("s1", 101, ("weather:thunderstorm",)).to_bytes(), [], 2)
    state.add(ANOMALIES_TOPIC, anomaly("s1", 102, ("spike:temperature_c",)).to_bytes(), [], 3)
    row = state.sensors["s1"]
    assert row.total_flags == 1 and row.weather_events == 1
    assert row.recent_flags() == {"spike": 1}


def test_dead_letters_by_service_and_reason_and_junk_is_counted_not_fatal() -> None:
    state = WatchState()
    headers = [("streamml.dlq.reason", b"invalid_json"), ("streamml.dlq.service", b"detector")]
    state.add(DEAD_LETTER_TOPIC, b"{", headers, 1)
    state.add(PREDICTIONS_TOPIC, b"not json", [], 2)
    state.add(READINGS_TOPIC, None, [], 3)
    assert state.dead_letters == {"detector: invalid_json": 1}
    assert state.undecodable == 1 and state.records == 3
