"""Kafka plumbing for the harness: topics, backlogs, group offsets and reading results back."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, OffsetSpec
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CoordinatorNotAvailableError

from bench.payloads import Payload, stamp
from streamml.runtime.admin import admin_client
from streamml.runtime.clients import make_producer
from streamml.runtime.settings import RuntimeConfig
from streamml.runtime.topics import load_catalog

LOG_APPEND_TIME = {"message.timestamp.type": "LogAppendTime"}
COORDINATOR_WAIT_S = 60


def create_like(bootstrap: str, name: str, template: str, extra: dict[str, str] | None = None) -> str:
    """A bench-only topic with the partitions and configs of catalog topic ``template``."""
    spec = load_catalog().get(template)
    configs = {**spec.config, **(extra or {})}
    with admin_client(bootstrap) as admin:
        if name not in set(admin.list_topics()):
            admin.create_topics({name: {"num_partitions": spec.partitions,
                                        "replication_factor": 1, "configs": configs}})
            admin.wait_for_topics([name], timeout_ms=30000)
    return name


def stamp_on_append(bootstrap: str, topics: Sequence[str]) -> None:
    """Output topics get the broker's append time as record timestamp: the moment a result
    is in Kafka, on the same clock as the generator's event times (one machine)."""
    with admin_client(bootstrap) as admin:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=LOG_APPEND_TIME)
                             for topic in topics])


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def position_group_at_end(bootstrap: str, group: str, topics: Sequence[str]) -> None:
    """A fresh group that starts at the topics' ends (a latency run ignores the backlog)."""
    with admin_client(bootstrap) as admin:
        for topic in topics:
            ends = end_offsets(bootstrap, topic)
            offsets = {TopicPartition(topic, p): OffsetSpec.LATEST for p in ends}
            # A broker just started has no group coordinator until its offsets topic exists.
            deadline = time.monotonic() + COORDINATOR_WAIT_S
            while True:
                try:
                    admin.reset_group_offsets(group, offsets)
                    break
                except CoordinatorNotAvailableError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)


def committed_total(admin, group: str, topic: str) -> int:
    offsets = admin.list_group_offsets({group: None}).get(group, {})
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)


def fill(bootstrap: str, topic: str, payloads: Sequence[Payload], event_time_ms: int | None = None) -> float:
    """Produce ``payloads`` as a backlog (acknowledged); returns the achieved rate."""
    producer = make_producer(RuntimeConfig(bootstrap_servers=bootstrap, linger_ms=20,
                                           service_name="bench-fill"))
    stamp_ms = event_time_ms if event_time_ms is not None else int(time.time() * 1000)
    started = time.perf_counter()
    try:
        for payload in payloads:
            producer.send(topic, key=payload.key, value=stamp(payload, stamp_ms),
                          headers=list(payload.headers))
        producer.flush(timeout=120)
    finally:
        producer.close(timeout=30)
    return len(payloads) / (time.perf_counter() - started)


@dataclass(frozen=True)
class Window:
    """Offsets of one topic's partitions: what a run produced lies between two windows."""

    topic: str
    offsets: dict[int, int]


def read_between(bootstrap: str, start: Window, end: Window, timeout_s: float = 60.0,
                 isolation_level: str = "read_uncommitted") -> list[ConsumerRecord]:
    """The records between two windows. Done when every partition's position reached its end
    (under read_committed, transaction markers and aborted records leave offset gaps)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             max_partition_fetch_bytes=8 * 1024 * 1024,
                             isolation_level=isolation_level)
    partitions = [TopicPartition(start.topic, p) for p in end.offsets
                  if end.offsets[p] > start.offsets.get(p, 0)]
    records: list[ConsumerRecord] = []
    if not partitions:
        consumer.close()
        return records
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, start.offsets.get(tp.partition, 0))
    deadline = time.monotonic() + timeout_s
    pending = set(partitions)
    try:
        while pending and time.monotonic() < deadline:
            for tp, batch in consumer.poll(timeout_ms=500, max_records=5000).items():
                records.extend(r for r in batch if r.offset < end.offsets[tp.partition])
            pending = {tp for tp in pending if consumer.position(tp) < end.offsets[tp.partition]}
    finally:
        consumer.close()
    return records


def window(bootstrap: str, topic: str) -> Window:
    return Window(topic, end_offsets(bootstrap, topic))


def wait_committed(bootstrap: str, group: str, topic: str, target: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    with admin_client(bootstrap) as admin:
        while time.monotonic() < deadline:
            if committed_total(admin, group, topic) >= target:
                return True
            time.sleep(0.25)
    return False
