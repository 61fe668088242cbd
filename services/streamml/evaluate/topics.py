"""The third source: a finished run read back from the topics (readings with their truth
headers, the detector's anomalies), joined by (sensor_id, seq). The demo scores its run so."""

from __future__ import annotations

from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition

from streamml.contracts.weather import Anomaly, SensorReading, Truth
from streamml.evaluate.scorecard import Key, LabelledTruth, Scorecard, score
from streamml.runtime.clients import connection_settings, topic_partitions
from streamml.runtime.messages import DecodeError, decode
from streamml.runtime.settings import KafkaConnection

Offsets = dict[TopicPartition, int]


def read_range(connection: KafkaConnection, topic: str, start: Offsets | None = None) -> list:
    """Every record of ``topic`` from ``start`` (default: the beginning) to its current end."""
    consumer = KafkaConsumer(**connection_settings(connection), enable_auto_commit=False,
                             isolation_level="read_committed")
    try:
        partitions = list(start) if start else topic_partitions(consumer, topic)
        end = consumer.end_offsets(partitions)
        consumer.assign(partitions)
        for tp in partitions:
            consumer.seek(tp, start[tp] if start else 0)
        records: list = []
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for tp, batch in consumer.poll(timeout_ms=500).items():
                records.extend(r for r in batch if r.offset < end[tp])
        return records
    finally:
        consumer.close()


def score_topics(connection: KafkaConnection, readings_topic: str, anomalies_topic: str,
                 keep_sensor: Callable[[str], bool] = lambda _: True, detector: str | None = None,
                 readings_start: Offsets | None = None, anomalies_start: Offsets | None = None,
                 ) -> tuple[Scorecard, int]:
    """The run's scorecard, and how many anomaly messages were duplicates (at-least-once): a
    message for a reading already reported with the same reasons. A reading reported as weather
    and later found faulty is reported again, with its new reasons: that is no duplicate."""
    truths = []
    for record in read_range(connection, readings_topic, readings_start):
        try:
            reading = decode(SensorReading, record.value)
        except DecodeError:
            continue  # dead-lettered by the detector
        if keep_sensor(reading.sensor_id):
            truths.append(LabelledTruth(reading.sensor_id, reading.seq,
                                        Truth.from_headers(record.headers)))
    flags: dict[Key, tuple[str, ...]] = {}
    reported: set[tuple[Key, tuple[str, ...]]] = set()
    duplicates = 0
    for record in read_range(connection, anomalies_topic, anomalies_start):
        try:
            anomaly = decode(Anomaly, record.value)
        except DecodeError:
            continue
        if (detector is None or anomaly.detector == detector) and keep_sensor(anomaly.sensor_id):
            key = (anomaly.sensor_id, anomaly.seq)
            flags[key] = tuple(sorted(set(flags.get(key, ())) | set(anomaly.reasons)))
            message = (key, tuple(anomaly.reasons))
            duplicates += message in reported
            reported.add(message)
    return score(truths, flags), duplicates
