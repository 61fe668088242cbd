"""The terminal view drawn as plain text (pure logic)."""

from __future__ import annotations

from streamml.contracts.weather import ANOMALIES_TOPIC, READINGS_TOPIC
from streamml.watch.pipeline import GroupLag, PipelineSample, TopicFlow
from streamml.watch.state import (
    DEAD_LETTER_TOPIC, PREDICTIONS_TOPIC, RESULTS_TOPIC, STATUS_TOPIC, WatchState)
from streamml.watch.view import age, frame, overs, render_text, sparkline
from tests.watch.messages import anomaly, prediction, reading, result, status


def test_sparkline_scales_to_its_range_and_width() -> None:
    assert sparkline([]) == ""
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5, 5]) == "▄▄▄"
    assert len(sparkline(list(range(120)), width=30)) == 30
    assert sparkline(list(range(120)), width=30)[-1] == "█"


def test_overs_and_age() -> None:
    assert overs(14.5) == "14.3" and overs(20.0) == "20.0"
    assert (age(42), age(130), age(7300)) == ("42s", "2m10s", "2h01m")


def test_a_frame_shows_matches_model_sensors_and_pipeline() -> None:
    state = WatchState()
    for ball, (score, predicted) in enumerate([(4, 150.0), (9, 155.0), (15, 162.0)], start=1):
        state.add(PREDICTIONS_TOPIC, prediction("match-a", ball, score, predicted).to_bytes(), [],
                  ball)
    state.add(RESULTS_TOPIC, result("match-a", 160).to_bytes(), [], 10)
    state.add(STATUS_TOPIC, status(mae=9.25, time_ms=1_000).to_bytes(), [], 11)
    state.add(READINGS_TOPIC, reading("sensor-7", 12).to_bytes(), [], 12)
    state.add(ANOMALIES_TOPIC, anomaly("sensor-9", 80, ("spike",)).to_bytes(), [], 13)
    state.add(DEAD_LETTER_TOPIC, b"x", [("streamml.dlq.reason", b"invalid_json"),
                                         ("streamml.dlq.service", b"predictor")], 14)
    pipeline = PipelineSample(topics=[TopicFlow("cricket.predictions", 3, 1.5, None)],
                              groups=[GroupLag("streamml-predictor", "Stable", 42, ("x",))])
    text = render_text(frame(state, pipeline, "127.0.0.1:9092", now_ms=91_000), width=150)
    assert "match-a" in text and "15/0" in text and "0.3" in text  # score, overs
    assert "162" in text and "v2" in text and "▁▄█" in text
    assert "160" in text and "5.7" in text  # final score; mean error (10 + 5 + 2) / 3
    assert "model in use: cricket-score v2 · held-out MAE 9.2 runs" in text
    assert "age 1m30s" in text
    assert "sensor-7" in text and "warming up 13/60" in text
    assert "sensor-9" in text and "serving" in text and "spike 1" in text
    assert "cricket.predictions" in text and "1.5" in text
    assert "streamml-predictor" in text and "42" in text
    assert "dead letters: 1 (predictor: invalid_json 1)" in text
    assert "\x1b[" not in text
