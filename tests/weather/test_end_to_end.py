"""Sensors -> detector -> anomalies through the real CLI and broker, scored from the topics.

The streaming service must flag exactly what the offline evaluation of the same seeded
stream flags (the numbers in docs/weather.md come from that evaluation), and the run meets
the precision and false-alarm parts of the bar."""

from __future__ import annotations

import json

import pytest

from streamml.detector.config import DetectorConfig
from streamml.runtime.settings import KafkaConnection
from streamml.evaluate.topics import read_range, score_topics
from streamml.contracts.weather import Anomaly
from streamml.runtime.messages import decode
from tests.helpers import create_topic, wait_for
from tests.weather.support import committed, offline_flags

pytestmark = pytest.mark.broker

SENSORS, CONTROLS, PER_SENSOR, SEED, RATE = 8, 4, 720, 11, 0.01


def test_the_service_flags_what_the_evaluation_flags_and_meets_the_bar(broker, start_cli, unique):
    readings = create_topic(broker, f"wx-readings-{unique}", partitions=6)
    anomalies = create_topic(broker, f"wx-anomalies-{unique}", partitions=6)
    group = f"detector-{unique}"
    detector = start_cli("detector", readings_topic=readings, anomalies_topic=anomalies,
                         group_id=group)
    sensors = start_cli("sensors", readings_topic=readings, sensors=SENSORS,
                        control_sensors=CONTROLS, readings_per_sensor=PER_SENSOR, rate_hz=0,
                        seed=SEED, anomaly_rate=RATE, sensor_prefix="e2e-")
    produced = (SENSORS + CONTROLS) * PER_SENSOR
    assert sensors.process.wait(300) == 0
    assert wait_for(lambda: committed(broker, group, readings) == produced, timeout_s=300)

    card, duplicates = score_topics(KafkaConnection(bootstrap_servers=broker), readings, anomalies)
    assert card.readings == produced and card.unlabelled == 0
    assert duplicates == 0, "no rebalance, so no duplicate anomalies"
    flags = {(a.sensor_id, a.seq): a.reasons
             for a in (decode(Anomaly, r.value) for r in read_range(KafkaConnection(bootstrap_servers=broker), anomalies))}
    expected = offline_flags(SENSORS, CONTROLS, "e2e-", SEED, RATE, PER_SENSOR,
                             DetectorConfig().thresholds())
    assert flags == expected
    assert card.all_faults.total >= 300, "too few injected faults to judge"
    assert card.precision.value >= 0.8, card.precision
    assert card.false_alarms.total > 2000 and card.false_alarms.value <= 0.01, card.false_alarms

    assert detector.metric("streamml_detector_readings_total", status="scored") + \
        detector.metric("streamml_detector_readings_total", status="warming_up") == produced
    assert detector.metric("streamml_detector_anomalies_total") >= card.fault_flags
    assert detector.metric("streamml_detector_model_fits_total") > SENSORS + CONTROLS
    status, body = detector.get("/readyz")
    assert status == 200 and json.loads(body)["checks"]["models"] is True
    assert detector.terminate() == 0
