"""The detector's handler without Kafka: outputs, metrics, readiness, truth accounting."""

from __future__ import annotations

import math

from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client import CollectorRegistry

from streamml.contracts.weather import Anomaly, SensorReading, truth_header
from streamml.detector.config import DetectorConfig
from streamml.detector.handler import DetectorHandler
from streamml.detector.metrics import DetectorMetrics
from streamml.detector.scoring import METHOD, SensorScorer
from streamml.runtime.messages import decode
from streamml.runtime.stream import Incoming

WARMUP = 30


def _reading(seq: int, pressure_offset: float = 0.0) -> SensorReading:
    return SensorReading(
        sensor_id="h-1", seq=seq, ts_ms=seq,
        temperature_c=round(15 + 0.2 * math.sin(seq * 1.7), 2),
        humidity_pct=round(60 + 0.8 * math.cos(seq * 2.3), 1),
        pressure_hpa=round(1000 + 0.05 * math.sin(seq * 0.9) + pressure_offset, 2))


def _incoming(seq: int, pressure_offset: float = 0.0, truth: str = "normal") -> Incoming:
    reading = _reading(seq, pressure_offset)
    record = ConsumerRecord(
        topic="weather.readings", partition=0, leader_epoch=0, offset=seq, timestamp=0,
        timestamp_type=0, key=b"h-1", value=reading.to_bytes(), headers=[truth_header(truth)],
        checksum=None, serialized_key_size=3, serialized_value_size=0,
        serialized_header_size=0)
    return Incoming(record, reading)


def _handler(**settings) -> tuple[DetectorHandler, CollectorRegistry]:
    config = DetectorConfig(group_id="unit", warmup=WARMUP, **settings)
    registry = CollectorRegistry()
    handler = DetectorHandler(config, DetectorMetrics.create(registry),
                              SensorScorer(config.thresholds(), lambda: 1000), lambda: 1000)
    return handler, registry


def test_flagged_readings_become_anomaly_messages_with_evidence():
    handler, registry = _handler()
    assert handler.is_ready(), "input is never paused: the models learn from it"
    assert not handler.has_models()
    handler.handle([_incoming(seq) for seq in range(WARMUP)])
    assert handler.has_models()
    # A pressure spike at 31, decided when 32 arrives.
    result = handler.handle([_incoming(30), _incoming(31, pressure_offset=2.0, truth="spike_large"),
                             _incoming(32)])
    assert len(result.outputs) == 1
    output = result.outputs[0]
    assert output.topic == "weather.anomalies" and output.key == b"h-1"
    anomaly = decode(Anomaly, output.value)
    assert anomaly.seq == 31 and anomaly.decided_at_seq == 32
    assert anomaly.reasons == ("spike:pressure_hpa",) and not anomaly.is_weather_event
    assert anomaly.score >= anomaly.threshold
    assert anomaly.model_method == METHOD and anomaly.model_version == "h-1/1"
    assert anomaly.detector == "unit"
    assert anomaly.reading == _reading(31, pressure_offset=2.0)
    assert anomaly.z_scores["pressure_hpa"] > anomaly.z_scores["temperature_c"]

    sample = registry.get_sample_value
    assert sample("streamml_detector_readings_total", {"status": "warming_up"}) == WARMUP - 1
    assert sample("streamml_detector_readings_total", {"status": "scored"}) == 4
    assert sample("streamml_detector_anomalies_total", {"signal": "spike"}) == 1
    assert sample("streamml_detector_anomaly_score_count") == 1


def test_a_redelivered_batch_yields_the_same_outputs_and_is_counted_once():
    handler, registry = _handler()
    handler.handle([_incoming(seq) for seq in range(WARMUP)])
    batch = [_incoming(30, pressure_offset=2.0, truth="spike_large"), _incoming(31)]
    first = handler.handle(batch)
    again = handler.handle(batch)
    assert first.outputs and [o.value for o in first.outputs] == [o.value for o in again.outputs]
    sample = registry.get_sample_value
    assert sample("streamml_detector_readings_total", {"status": "duplicate"}) == 2
    assert sample("streamml_detector_anomalies_total", {"signal": "spike"}) == 1


def test_a_partition_taken_over_is_rebuilt_from_its_history_before_scoring():
    asked = []

    def history(topic: str, partition: int, start: int, end: int) -> list[SensorReading]:
        asked.append((topic, partition, start, end))
        return [_reading(seq) for seq in range(start, end)]

    config = DetectorConfig(group_id="unit", warmup=WARMUP, restore_records=50)
    registry = CollectorRegistry()
    handler = DetectorHandler(config, DetectorMetrics.create(registry),
                              SensorScorer(config.thresholds(), lambda: 1000), lambda: 1000,
                              history)
    # The first record this replica sees is offset 100 (another replica handled 0-99).
    result = handler.handle([_incoming(100, pressure_offset=2.0, truth="spike_large"),
                             _incoming(101)])
    assert asked == [("weather.readings", 0, 50, 100)]
    assert [decode(Anomaly, o.value).seq for o in result.outputs] == [100], \
        "scored at once: no warm-up after a takeover"
    sample = registry.get_sample_value
    assert sample("streamml_detector_restored_readings_total") == 50
    assert sample("streamml_detector_readings_total", {"status": "scored"}) == 2
    assert sample("streamml_detector_readings_total", {"status": "warming_up"}) is None
    # Consecutive records and redeliveries do not read the history again.
    handler.handle([_incoming(102), _incoming(101)])
    assert len(asked) == 1
