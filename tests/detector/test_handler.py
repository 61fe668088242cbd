"""The detector's handler without Kafka: outputs, metrics, readiness, truth accounting."""

from __future__ import annotations

import logging
import math

from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client import CollectorRegistry

from streamml.contracts.weather import Anomaly, SensorReading, truth_header
from streamml.detector.config import DetectorConfig
from streamml.detector.handler import DetectorHandler, _partition_spans
from streamml.detector.metrics import DetectorMetrics
from streamml.detector.scoring import METHOD, SCORED, SensorScorer, Verdict
from streamml.detector.sensor import Flag
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


def _on(partition: int, seq: int, offset: int, sensor: str, **kwargs) -> Incoming:
    item = _incoming(seq, **kwargs)
    reading = item.message.model_copy(update={"sensor_id": sensor})
    return Incoming(item.record._replace(partition=partition, offset=offset,
                                         key=sensor.encode()), reading)


def test_history_is_read_once_per_partition_at_its_first_record_of_a_batch():
    asked = []

    def history(topic: str, partition: int, start: int, end: int) -> list[SensorReading]:
        asked.append((partition, start, end))
        return []

    config = DetectorConfig(group_id="unit", warmup=WARMUP, restore_records=10)
    handler = DetectorHandler(config, DetectorMetrics.create(CollectorRegistry()),
                              SensorScorer(config.thresholds(), lambda: 1000), lambda: 1000,
                              history)
    # Partition 0 from offset 40, partition 1 from 7; offset 42 of partition 0 is missing from
    # the batch (it was dead-lettered): records of one fetch, no history to restore there.
    handler.handle([_on(0, 0, 40, "a"), _on(1, 0, 7, "b"), _on(0, 1, 41, "a"),
                    _on(1, 1, 8, "b"), _on(0, 2, 43, "a")])
    assert asked == [(0, 30, 40), (1, 0, 7)]
    handler.handle([_on(0, 3, 44, "a"), _on(1, 2, 9, "b")])
    assert len(asked) == 2, "the next records of both partitions follow on"
    handler.handle([_on(1, 3, 20, "b")])
    assert asked[2:] == [(1, 10, 20)], "a gap between batches is restored"


def test_a_batch_that_raises_keeps_its_counts_and_is_no_gap_when_handled_again(monkeypatch):
    asked = []
    config = DetectorConfig(group_id="unit", warmup=WARMUP, restore_records=10)
    registry = CollectorRegistry()
    scorer = SensorScorer(config.thresholds(), lambda: 1000)
    handler = DetectorHandler(config, DetectorMetrics.create(registry), scorer, lambda: 1000,
                              lambda *where: asked.append(where) or [])
    handler.handle([_incoming(seq) for seq in range(WARMUP)])
    asked.clear()
    score = scorer.score

    def failing(sensor_id, seq, *rest):
        if seq == WARMUP + 2:
            raise RuntimeError("a bug in a check")
        return score(sensor_id, seq, *rest)

    monkeypatch.setattr(scorer, "score", failing)
    batch = [_incoming(seq) for seq in range(WARMUP, WARMUP + 4)]
    try:
        handler.handle(batch)
    except RuntimeError:
        pass
    sample = registry.get_sample_value
    # The warm-up's last reading, then 30 and 31: counted although 32 raised.
    assert sample("streamml_detector_readings_total", {"status": "scored"}) == 3
    for item in batch:  # the runtime's isolation path: one by one
        try:
            handler.handle([item])
        except RuntimeError:
            pass
    assert asked == []
    assert sample("streamml_detector_readings_total", {"status": "duplicate"}) == 2
    assert sample("streamml_detector_readings_total", {"status": "scored"}) == 4


def test_truth_outcomes_and_running_precision_recall_are_counted_per_batch():
    handler, registry = _handler()
    handler.handle([_incoming(seq) for seq in range(WARMUP)])
    handler.handle([_incoming(30), _incoming(31, pressure_offset=2.0, truth="spike_large"),
                    _incoming(32), _incoming(33, truth="stuck_one_short")])
    sample = registry.get_sample_value
    outcomes = {outcome: sample("streamml_detector_truth_outcomes_total", {"outcome": outcome})
                for outcome in ("true_negative", "false_negative", "true_positive")}
    # 31 is flagged when 32 arrives, so on its own arrival it counts as not flagged.
    assert outcomes == {"true_negative": 3, "false_negative": 2, "true_positive": None}
    assert handler.confusion.false_negatives == 2
    assert sample("streamml_detector_recall") == 0.0
    assert sample("streamml_detector_precision") == 1.0


def test_partition_spans_are_first_and_highest_offsets_whether_runs_or_interleaved():
    def spans(*where: tuple[int, int]) -> dict[tuple[str, int], tuple[int, int]]:
        return _partition_spans([_on(partition, offset, offset, "a")
                                 for partition, offset in where])

    assert spans() == {}
    assert spans((0, 5), (0, 6), (0, 8)) == {("weather.readings", 0): (5, 8)}
    assert spans((0, 5), (1, 2), (0, 6), (1, 3), (1, 4)) == {
        ("weather.readings", 0): (5, 6), ("weather.readings", 1): (2, 4)}
    # Handled again one by one after a failure: a lower offset after a higher one.
    assert spans((2, 9), (2, 7), (3, 1), (2, 4)) == {
        ("weather.readings", 2): (9, 9), ("weather.readings", 3): (1, 1)}


class _ScriptedScorer:
    """Returns the given verdicts' flags in turn: the handler's logging without a model."""

    def __init__(self, reasons_per_reading: list[tuple[str, ...]]) -> None:
        self._reasons = iter(reasons_per_reading)
        self.fits = 0

    def score(self, sensor_id: str, seq: int, ts_ms: int, values) -> Verdict:
        reasons = next(self._reasons)
        flags = (Flag(seq, ts_ms, values, reasons, 9.0, 6.0, (0.0, 0.0, 9.0)),) if reasons else ()
        return Verdict(sensor_id, seq, SCORED, flags, "h-1/1")

    def evict_idle(self, idle_ms: int) -> int:
        return 0

    def counts(self) -> tuple[int, int]:
        return 0, 1

    def oldest_model_age_ms(self) -> int:
        return 0


def test_a_sensor_flagged_reading_after_reading_logs_one_line_per_change_of_reasons(caplog):
    stuck, dropout = ("stuck:humidity_pct",), ("dropout:humidity_pct",)
    storm = ("weather:thunderstorm",)
    script = [stuck, stuck, stuck, dropout, dropout, storm, stuck, (), stuck]
    config = DetectorConfig(group_id="unit", warmup=WARMUP)
    handler = DetectorHandler(config, DetectorMetrics.create(CollectorRegistry()),
                              _ScriptedScorer(script), lambda: 1000)

    with caplog.at_level(logging.INFO, logger="streamml.detector.handler"):
        result = handler.handle([_incoming(seq) for seq in range(len(script))])

    logged = [(r.seq, tuple(r.reasons)) for r in caplog.records if r.getMessage() == "anomaly"]
    assert logged == [(0, stuck), (3, dropout), (6, stuck), (8, stuck)], \
        "a weather event or an unflagged reading ends the run; each flag is still published"
    assert len(result.outputs) == len(script) - 1
