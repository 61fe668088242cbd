"""Sensors -> detector -> anomalies on the real broker, scored against the injected truth."""

from __future__ import annotations

import json

import pytest

from tests.helpers import create_topic, wait_for
from tests.weather.support import committed, read_anomalies, read_truth, score

pytestmark = pytest.mark.broker

SENSORS, DRIFT_ONLY, PER_SENSOR, WARMUP = 8, 3, 400, 30


def test_seeded_stream_meets_the_quality_bar(broker, start_cli, unique):
    readings = create_topic(broker, f"wx-readings-{unique}", partitions=6)
    anomalies = create_topic(broker, f"wx-anomalies-{unique}", partitions=6)
    group = f"detector-{unique}"
    detector = start_cli("detector", readings_topic=readings, anomalies_topic=anomalies,
                         group_id=group, warmup=WARMUP)
    sensors = start_cli("sensors", readings_topic=readings, sensors=SENSORS,
                        drift_only_sensors=DRIFT_ONLY, readings_per_sensor=PER_SENSOR,
                        rate_hz=0, seed=11, anomaly_rate=0.02, sensor_prefix="e2e-")
    produced = (SENSORS + DRIFT_ONLY) * PER_SENSOR
    assert sensors.process.wait(300) == 0
    assert wait_for(lambda: committed(broker, group, readings) == produced, timeout_s=300)

    truth = read_truth(broker, readings, produced)
    flagged = read_anomalies(broker, anomalies)
    faulty = score(truth, flagged, WARMUP, {f"e2e-{i:03d}" for i in range(SENSORS)})
    drift = score(truth, flagged, WARMUP, {f"e2e-{i:03d}" for i in range(SENSORS, SENSORS + DRIFT_ONLY)})
    assert faulty.true_positives + faulty.false_negatives >= 50, "too few injected anomalies"
    assert faulty.recall >= 0.9, faulty
    assert faulty.precision >= 0.8, faulty
    assert drift.total > 1000 and drift.false_alarm_rate <= 0.01, drift
    assert sum(flagged.values()) == len(flagged), "no rebalance, so no duplicate anomalies"

    # The detector's own running precision/recall agree with the scoring from the topics.
    assert detector.metric("streamml_detector_readings_total", status="scored") + \
        detector.metric("streamml_detector_readings_total", status="warming_up") == produced
    assert detector.metric("streamml_detector_recall") >= 0.9
    assert detector.metric("streamml_detector_precision") >= 0.8
    assert detector.metric("streamml_detector_truth_outcomes_total", outcome="true_positive") \
        == faulty.true_positives + drift.true_positives
    assert detector.metric("streamml_detector_anomaly_score_count") == \
        detector.metric("streamml_detector_readings_total", status="scored")
    assert detector.metric("streamml_detector_model_fits_total") > SENSORS + DRIFT_ONLY
    status, body = detector.get("/readyz")
    assert status == 200 and json.loads(body)["checks"]["models"] is True
    assert detector.terminate() == 0
