"""Test helpers that talk to the real broker."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def produce(bootstrap: str, topic: str, items: Iterable[tuple[bytes | None, bytes]],
            headers: list[tuple[str, bytes]] | None = None) -> int:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    count = 0
    for key, value in items:
        producer.send(topic, key=key, value=value, headers=headers or [])
        count += 1
    producer.flush(30)
    producer.close()
    return count


def read_all(bootstrap: str, topic: str, until: Callable[[list], bool],
             timeout_s: float = 60.0) -> list:
    """Read ``topic`` from the beginning (no group) until ``until(records)`` or timeout."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             auto_offset_reset="earliest")
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    records: list = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and not until(records):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


def wait_for(condition: Callable[[], bool], timeout_s: float = 60.0, every_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return condition()


def create_topic(bootstrap: str, name: str, partitions: int = 3) -> str:
    from streamml.runtime.admin import admin_client

    with admin_client(bootstrap) as admin:
        admin.create_topics({name: {"num_partitions": partitions, "replication_factor": 1}})
        admin.wait_for_topics([name], timeout_ms=30000)
    return name


def committed_total(bootstrap: str, group: str, topic: str) -> int:
    """Sum of the group's committed offsets over the topic's partitions."""
    from streamml.runtime.admin import admin_client

    with admin_client(bootstrap) as admin:
        offsets = admin.list_group_offsets({group: None}).get(group, {})
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)
