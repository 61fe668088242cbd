"""The report's numbers from records (pure logic)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from streamml.report.analysis import cricket_report, weather_report
from tests.watch.messages import anomaly, prediction, reading, result, status


def record(message, headers=None) -> SimpleNamespace:
    return SimpleNamespace(value=message.to_bytes(), headers=headers or [])


def truth(kind: str, role: str | None = None) -> list[tuple[str, bytes]]:
    headers = [("streamml.truth", kind.encode())]
    return headers + ([("streamml.truth.role", role.encode())] if role else [])


def test_cricket_errors_count_each_ball_once_and_split_at_the_15th_over() -> None:
    predictions = [record(prediction("m1", ball, 6 * ball, 140.0 + ball / 12))
                   for ball in (6, 84, 90, 120)]
    predictions.append(record(prediction("m1", 90, 540, 147.5)))  # redelivered: counted once
    predictions.append(record(prediction("m2", 6, 6, 150.0)))  # no result: not scored
    report = cricket_report(predictions, [record(result("m1", 150))], [record(status())])
    (match,) = report.matches
    assert [over for over, _, _ in match.predictions] == [1.0, 14.0, 15.0, 20.0]
    assert match.errors() == [(1.0, 9.5), (14.0, 3.0), (15.0, 2.5), (20.0, 0.0)]
    assert match.mean_error == pytest.approx(15.0 / 4)
    assert match.late_error == pytest.approx(2.5 / 2)  # overs 15 and 20; the 14.0 is the 14th
    assert match.run_rate_projection()[0] == (1.0, 36 / 1.0 * 20)
    assert report.unfinished == 1 and report.models[0].version == 2
    assert report.mean_error == match.mean_error


def test_weather_scores_after_warm_up_by_truth_kind_and_flag_kind() -> None:
    readings = []
    for seq in range(40):
        kind = "spike" if seq in (5, 32, 35) else "stuck" if seq == 36 else "normal"
        readings.append(record(reading("faulty", seq), truth(kind)))
        readings.append(record(reading("quiet", seq), truth("normal")))
        readings.append(record(reading("ctrl", seq), truth("normal", "control")))
    anomalies = [record(anomaly("faulty", 32, ("level:temperature_c",))),
                 record(anomaly("faulty", 32, ("level:temperature_c",))),  # a duplicate
                 record(anomaly("faulty", 36, ("stuck:humidity_pct",))),
                 record(anomaly("faulty", 38, ("spike",))),
                 record(anomaly("ctrl", 33, ("level:pressure_hpa",))),
                 record(anomaly("ctrl", 34, ("weather:front",))),  # weather, not a flag
                 record(anomaly("faulty", 37, ("weather:thunderstorm",))),
                 record(anomaly("elsewhere", 33, ("spike",)))]  # not a sensor of this run
    report = weather_report(readings, anomalies, warmup=30)
    assert report.readings == 120 and report.warmup_readings == 90
    assert report.flagged == 4 and report.duplicate_anomalies == 1
    assert report.weather_events == 2
    assert report.sensors["quiet"].control and report.sensors["ctrl"].control
    assert not report.sensors["faulty"].control
    f = report.faulty
    assert (f.true_positives, f.false_positives, f.false_negatives, f.true_negatives) == (2, 1, 1, 6)
    assert report.control.false_positives == 1 and report.control.total == 20
    assert report.recall_by_kind == {"spike": (1, 2), "stuck": (1, 1)}
    assert report.precision_by_flag == {"level": (1, 1), "spike": (0, 1), "stuck": (1, 1)}
    assert report.sensors["faulty"].flag_channels[32] == {"temperature_c"}
