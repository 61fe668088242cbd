"""Reading the weather topics back and scoring a run against the truth headers."""

from __future__ import annotations

from collections import Counter

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from streamml.contracts.weather import NORMAL, Anomaly, Confusion, SensorReading, truth_of
from streamml.runtime.clients import topic_partitions
from streamml.runtime.messages import decode

from tests.helpers import committed_total, read_all


def committed(bootstrap: str, group: str, topic: str) -> int:
    """The group's committed total, or -1 while the group coordinator is not available yet
    (a fresh broker creates its offsets topic on first use)."""
    try:
        return committed_total(bootstrap, group, topic)
    except KafkaError:
        return -1


def read_to_end(bootstrap: str, topic: str) -> list:
    """Every record of ``topic`` up to its end offsets at the time of the call."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = topic_partitions(consumer, topic)
        end = consumer.end_offsets(partitions)
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list = []
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def read_truth(bootstrap: str, topic: str, expected: int) -> dict[tuple[str, int], str]:
    records = read_all(bootstrap, topic, lambda r: len(r) >= expected, timeout_s=180)
    assert len(records) == expected, f"read {len(records)} of {expected} readings"
    truth = {}
    for record in records:
        reading = decode(SensorReading, record.value)
        truth[(reading.sensor_id, reading.seq)] = truth_of(record.headers) or NORMAL
    return truth


def read_anomalies(bootstrap: str, topic: str) -> Counter[tuple[str, int]]:
    """How many anomaly messages each (sensor_id, seq) got (more than 1 is a duplicate)."""
    records = read_to_end(bootstrap, topic)
    return Counter((a.sensor_id, a.seq) for a in (decode(Anomaly, r.value) for r in records))


def score(truth: dict[tuple[str, int], str], flagged: Counter, warmup: int,
          sensors: set[str] | None = None) -> Confusion:
    confusion = Confusion()
    for (sensor_id, seq), kind in truth.items():
        if seq >= warmup and (sensors is None or sensor_id in sensors):
            confusion.add(kind != NORMAL, (sensor_id, seq) in flagged)
    return confusion
