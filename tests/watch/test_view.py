"""The terminal view drawn as plain text (pure logic)."""

from __future__ import annotations

import pytest

from streamml.contracts.weather import ANOMALIES_TOPIC, READINGS_TOPIC
from streamml.watch.pipeline import GroupLag, PipelineSample, TopicFlow
from streamml.watch.state import (
    DEAD_LETTER_TOPIC, PREDICTIONS_TOPIC, RESULTS_TOPIC, STATUS_TOPIC, WatchState)
from streamml.status.summary import ServiceStatus
from streamml.watch.view import (MAX_MATCHES, MAX_SENSORS, age, frame, minimum_height, overs,
                                 render_text, rendered_height, sparkline)
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


def crowded_state() -> tuple[WatchState, PipelineSample]:
    """More of everything than a terminal holds: 12 matches, 24 sensors (the last 3 flagged),
    9 topics, 5 groups, 4 services and dead letters."""
    state = WatchState()
    for m in range(12):
        state.add(PREDICTIONS_TOPIC, prediction(f"match-{m:02d}", 30, 40 + m, 150.0).to_bytes(),
                  [], 1_000 + m)
    for s in range(24):
        state.add(READINGS_TOPIC, reading(f"sensor-{s:02d}", 70).to_bytes(), [], 5_000 - s)
    for s in (0, 1, 2):  # heard from longest ago, but flagged: key rows
        state.add(ANOMALIES_TOPIC, anomaly(f"sensor-{s:02d}", 70, ("spike",)).to_bytes(), [], 10)
    state.add(STATUS_TOPIC, status(mae=9.25, time_ms=1_000).to_bytes(), [], 11)
    state.add(DEAD_LETTER_TOPIC, b"x", [("streamml.dlq.reason", b"invalid_json"),
                                         ("streamml.dlq.service", b"predictor")], 14)
    topics = [TopicFlow(f"topic.{t}", 1_000 * t, float(t), None) for t in range(9)]
    groups = [GroupLag(f"streamml-group-{g}", "Stable", 10 * g, ("x",)) for g in range(5)]
    services = [ServiceStatus(f"service-{i}", 1, 1.0, 1.0, 0.0, 0.0) for i in range(4)]
    return state, PipelineSample(topics=topics, groups=groups, services=services)


@pytest.mark.parametrize("height", [24, 40, 80])
def test_the_frame_fits_the_terminal_height_with_every_section_whole(height: int) -> None:
    state, pipeline = crowded_state()
    lines = render_text(frame(state, pipeline, "127.0.0.1:9092", now_ms=91_000, height=height),
                        width=140).splitlines()
    assert len(lines) <= height
    text = "\n".join(lines)
    # Every section whole: its top and bottom border, its header and key lines.
    assert [line[0] for line in lines if line[:1] in "╭╰"] == ["╭", "╰"] * 3
    assert lines[0].startswith("streamml watch · 127.0.0.1:9092")
    assert "model in use: cricket-score v2" in text and "dead letters: 1" in text
    assert "match" in text and "sensor" in text and "consumer group" in text
    # The rows kept: the latest matches, flagged sensors, busiest topics, most lag; each
    # section names what it left out.
    def kept(prefix: str) -> list[str]:
        return [line for line in lines if f" {prefix}" in line or f"│{prefix}" in line]

    matches, sensors = kept("match-"), kept("sensor-")
    assert "match-11" in text and len(matches) >= 1
    assert f"… {12 - len(matches)} more matches" in text
    shown_sensors = {w for line in sensors for w in line.split() if w.startswith("sensor-")}
    flagged = {"sensor-00", "sensor-01", "sensor-02"}
    assert flagged <= shown_sensors if len(sensors) >= 3 else shown_sensors <= flagged
    assert f"… {24 - len(sensors)} more sensors" in text
    assert "topic.8" in text and "streamml-group-4" in text
    shown_topics = sum(f"topic.{t} " in text for t in range(9))
    assert shown_topics == 9 or f"… {9 - shown_topics} more topics" in text
    shown_services = sum(f"service-{i} " in text for i in range(4))
    assert shown_services == 4 or f"… {4 - shown_services} more services" in text
    if height >= 80:  # room for everything up to the caps
        assert len(matches) == MAX_MATCHES and len(sensors) == MAX_SENSORS
        assert shown_topics == 9 and shown_services == 4


def test_a_taller_terminal_shows_more_rows_and_no_height_shows_all_up_to_the_caps() -> None:
    state, pipeline = crowded_state()
    counts = []
    for height in (24, 40, 80, None):
        text = render_text(frame(state, pipeline, "x", now_ms=91_000, height=height))
        counts.append(text.count("match-") + text.count("sensor-") + text.count("topic."))
    assert counts[0] < counts[1] < counts[2] == counts[3]


def test_the_view_and_the_demo_output_below_it_fit_together(tmp_path) -> None:
    """`make demo`'s layout (Watcher.frame's arithmetic): the view, the demo's last output lines
    below it (fewer on a short terminal), together no taller than the terminal."""
    from rich.console import Group

    from streamml.demo.live import CapturedOutput, tail_panel

    state, pipeline = crowded_state()
    pipeline.services = []  # the demo's view scrapes no /metrics
    output = CapturedOutput(tmp_path / "demo.log")
    output.write("".join(f"demo line {i}\n" for i in range(20)))
    for height, tail_lines in ((24, 4), (40, 6)):
        below = tail_panel(output, tmp_path / "demo.log",
                           height - minimum_height(state, pipeline))
        drawn = frame(state, pipeline, "x", height=height - rendered_height(below, 140))
        lines = render_text(Group(drawn, below), width=140).splitlines()
        assert len(lines) <= height and "demo line 19" in lines[-2]
        assert sum("demo line" in line for line in lines) == tail_lines
    output.close()
