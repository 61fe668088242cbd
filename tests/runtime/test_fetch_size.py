"""Consumers ask for FETCH_BYTES_PER_PARTITION per fetch, yet larger records still arrive
whole (KIP-74): a model artifact larger than that is read by the follower and by a group member."""

from __future__ import annotations

import os
import time

import pytest

from streamml.runtime.admin import admin_client
from streamml.runtime.clients import FETCH_BYTES_PER_PARTITION, make_consumer, make_producer
from streamml.runtime.model_topic import TopicFollower
from streamml.runtime.settings import RuntimeConfig

pytestmark = pytest.mark.broker


def _topic_for_large_records(bootstrap: str, name: str) -> str:
    with admin_client(bootstrap) as admin:
        admin.create_topics({name: {"num_partitions": 2, "replication_factor": 1,
                                    "configs": {"max.message.bytes": str(16 * 1024 * 1024)}}})
        admin.wait_for_topics([name], timeout_ms=30000)
    return name


def test_records_larger_than_the_fetch_size_arrive_whole(broker: str, unique: str) -> None:
    topic = _topic_for_large_records(broker, f"test.fetch-size-{unique}")
    config = RuntimeConfig(bootstrap_servers=broker, group_id=f"fetch-{unique}",
                           service_name="fetch-test")
    large = os.urandom(FETCH_BYTES_PER_PARTITION + 1024 * 1024 + 17)
    values = [b"small-1", large, b"small-2", large[::-1]]
    producer = make_producer(config)
    try:
        for value in values:  # one partition, in order
            producer.send(topic, value=value, key=b"k", partition=0).get(timeout=60)
    finally:
        producer.close()

    follower = TopicFollower(config, topic)
    try:
        assert [r.value for r in follower.catch_up(keep_per_key=10)] == values
    finally:
        follower.close()

    consumer = make_consumer(config, [topic])
    received: list[bytes] = []
    try:
        deadline = time.monotonic() + 60
        while len(received) < len(values) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                received += [record.value for record in batch]
    finally:
        consumer.close(autocommit=False)
    assert received == values
