"""The detector's handler without Kafka: outputs, metrics, readiness, truth accounting."""

from __future__ import annotations

import math

from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client import CollectorRegistry

from streamml.contracts.weather import Anomaly, SensorReading, truth_header
from streamml.detector.config import DetectorConfig
from streamml.detector.handler import DetectorHandler
from streamml.detector.metrics import DetectorMetrics
from streamml.detector.scoring import SensorScorer
from streamml.runtime.messages import decode
from streamml.runtime.stream import Incoming


def _incoming(seq: int, temperature_offset: float = 0.0, truth: str = "normal") -> Incoming:
    reading = SensorReading(
        sensor_id="h-1", seq=seq, ts_ms=seq, temperature_c=15 + temperature_offset
        + 0.2 * math.sin(seq * 1.7), humidity_pct=60 + 0.8 * math.cos(seq * 2.3),
        pressure_hpa=1000 + 0.3 * math.sin(seq * 0.9))
    record = ConsumerRecord(
        topic="weather.readings", partition=0, leader_epoch=0, offset=seq, timestamp=0,
        timestamp_type=0, key=b"h-1", value=reading.to_bytes(), headers=[truth_header(truth)],
        checksum=None, serialized_key_size=3, serialized_value_size=0,
        serialized_header_size=0)
    return Incoming(record, reading)


def _handler() -> tuple[DetectorHandler, CollectorRegistry]:
    config = DetectorConfig(group_id="unit")
    registry = CollectorRegistry()
    handler = DetectorHandler(config, DetectorMetrics.create(registry),
                              SensorScorer(config.scoring(), lambda: 1000), lambda: 1000)
    return handler, registry


def test_flagged_readings_become_anomaly_messages_with_evidence():
    handler, registry = _handler()
    assert handler.is_ready(), "input is never paused: the models learn from it"
    assert not handler.has_models()
    handler.handle([_incoming(seq) for seq in range(30)])
    assert handler.has_models()
    result = handler.handle([_incoming(30), _incoming(31, temperature_offset=6, truth="spike"),
                             _incoming(32)])
    assert len(result.outputs) == 1
    output = result.outputs[0]
    assert output.topic == "weather.anomalies" and output.key == b"h-1"
    anomaly = decode(Anomaly, output.value)
    assert anomaly.seq == 31 and anomaly.reasons == ("level:temperature_c",)
    assert anomaly.score >= anomaly.threshold == 6.0
    assert anomaly.model_version == "h-1/1" and anomaly.detector == "unit"
    assert anomaly.reading == _incoming(31, temperature_offset=6).message

    sample = registry.get_sample_value
    assert sample("streamml_detector_readings_total", {"status": "warming_up"}) == 30
    assert sample("streamml_detector_readings_total", {"status": "scored"}) == 3
    assert sample("streamml_detector_anomalies_total", {"signal": "level"}) == 1
    assert sample("streamml_detector_truth_outcomes_total", {"outcome": "true_positive"}) == 1
    assert sample("streamml_detector_truth_outcomes_total", {"outcome": "true_negative"}) == 2
    assert sample("streamml_detector_recall") == 1.0
    assert sample("streamml_detector_anomaly_score_count") == 3


def test_a_redelivered_batch_yields_the_same_outputs_and_is_counted_once():
    handler, registry = _handler()
    handler.handle([_incoming(seq) for seq in range(30)])
    batch = [_incoming(30, temperature_offset=6, truth="spike"), _incoming(31)]
    first = handler.handle(batch)
    again = handler.handle(batch)
    assert [o.value for o in first.outputs] == [o.value for o in again.outputs]
    sample = registry.get_sample_value
    assert sample("streamml_detector_readings_total", {"status": "duplicate"}) == 2
    assert sample("streamml_detector_truth_outcomes_total", {"outcome": "true_positive"}) == 1


def test_a_partition_taken_over_is_rebuilt_from_its_history_before_scoring():
    asked = []

    def history(topic: str, partition: int, start: int, end: int) -> list[SensorReading]:
        asked.append((topic, partition, start, end))
        return [_incoming(seq).message for seq in range(start, end)]

    config = DetectorConfig(group_id="unit", restore_records=50)
    registry = CollectorRegistry()
    handler = DetectorHandler(config, DetectorMetrics.create(registry),
                              SensorScorer(config.scoring(), lambda: 1000), lambda: 1000, history)
    # The first record this replica sees is offset 100 (another replica handled 0-99).
    result = handler.handle([_incoming(100, temperature_offset=6, truth="spike"),
                             _incoming(101)])
    assert asked == [("weather.readings", 0, 50, 100)]
    assert len(result.outputs) == 1, "scored at once: no warm-up after a takeover"
    sample = registry.get_sample_value
    assert sample("streamml_detector_restored_readings_total") == 50
    assert sample("streamml_detector_readings_total", {"status": "scored"}) == 2
    assert sample("streamml_detector_readings_total", {"status": "warming_up"}) is None
    # Consecutive records and redeliveries do not read the history again.
    handler.handle([_incoming(102), _incoming(101)])
    assert len(asked) == 1
