"""The consumer's connection state, with kafka-python's client metrics off (the default) and on."""

from __future__ import annotations

import pytest

from streamml.runtime.admin import admin_client
from streamml.runtime.clients import has_broker_connection, make_consumer, make_producer
from streamml.runtime.settings import RuntimeConfig

pytestmark = pytest.mark.broker


@pytest.mark.parametrize("client_metrics", [False, True])
def test_a_consumer_that_fetched_reports_its_connection(broker: str, unique: str,
                                                        client_metrics: bool) -> None:
    topic = f"test.connection-{unique}-{client_metrics}"
    with admin_client(broker) as admin:
        admin.create_topics({topic: {"num_partitions": 1, "replication_factor": 1}})
        admin.wait_for_topics([topic], timeout_ms=30000)
    config = RuntimeConfig(bootstrap_servers=broker, group_id=f"connection-{unique}",
                           service_name="connection-test", client_metrics=client_metrics)
    producer = make_producer(config)
    try:
        producer.send(topic, value=b"one", key=b"k").get(timeout=60)
        assert (producer.metrics() is not None) == client_metrics
    finally:
        producer.close()
    consumer = make_consumer(config, [topic])
    try:
        assert (consumer.metrics() is not None) == client_metrics
        received = []
        for _ in range(60):
            for batch in consumer.poll(timeout_ms=500).values():
                received += batch
            if received:
                break
        assert [r.value for r in received] == [b"one"]
        assert has_broker_connection(consumer)
    finally:
        consumer.close(autocommit=False)
    assert not has_broker_connection(consumer)
