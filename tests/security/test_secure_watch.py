"""`streamml watch` as the read-only `watch` user (access.yaml `viewers`) over SCRAM-SHA-512 inside
TLS, checking the broker's certificate against its CA, as `make watch-deployed` runs it against
the chart's Kafka: it shows the stream and the services' lag, and the broker refuses it any write
or a group of its own."""

from __future__ import annotations

import time

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import (GroupAuthorizationFailedError, KafkaError,
                          TopicAuthorizationFailedError)

from streamml.contracts.weather import ANOMALIES_TOPIC, READINGS_TOPIC
from streamml.runtime.clients import connection_settings
from streamml.runtime.config import load_config
from streamml.runtime.settings import KafkaConnection
from streamml.watch.follow import Watcher
from streamml.watch.state import EVENTS_TOPIC, PREDICTIONS_TOPIC, RESULTS_TOPIC
from streamml.watch.view import render_text
from tests.helpers import group_member_at_end, wait_for
from tests.security.conftest import SecureBroker
from tests.security.test_secure_broker import end_total
from tests.watch.messages import anomaly, event, prediction, reading, result

pytestmark = pytest.mark.broker


def watch_connection(broker: SecureBroker) -> KafkaConnection:
    connection = load_config(KafkaConnection, broker.tls_env("watch"))
    assert connection.security_protocol == "SASL_SSL" and connection.ssl_cafile
    return connection


def test_watch_over_tls_as_the_read_only_user_shows_the_stream_and_the_services_lag(
        secure_broker: SecureBroker, unique: str) -> None:
    match, sensor = f"m-{unique}", f"s-{unique}"
    # A predictor's group on the events it consumes: watch may describe it, not join it.
    group = f"streamml-predictor-watch-{unique}"
    member = group_member_at_end(EVENTS_TOPIC, group, **secure_broker.client("predictor"))
    watcher = Watcher(watch_connection(secure_broker), since_ms=int(time.time() * 1000) - 1000)
    try:
        producer = KafkaProducer(**secure_broker.client(secure_broker.policy.admin), acks="all")
        for ball, (score, predicted) in enumerate([(4, 150.0), (9, 155.0), (15, 162.0)], 1):
            producer.send(EVENTS_TOPIC, key=match.encode(), value=event(match, ball, score).to_bytes())
            producer.send(PREDICTIONS_TOPIC, key=match.encode(),
                          value=prediction(match, ball, score, predicted).to_bytes())
        producer.send(RESULTS_TOPIC, key=match.encode(), value=result(match, 160).to_bytes())
        for seq in range(70):
            producer.send(READINGS_TOPIC, key=sensor.encode(), value=reading(sensor, seq).to_bytes())
        producer.send(ANOMALIES_TOPIC, key=sensor.encode(),
                      value=anomaly(sensor, 69, ("spike",)).to_bytes())
        producer.flush(30)
        producer.close()

        def seen() -> bool:
            watcher.step()
            row = watcher.state.matches.get(match)
            sensor_row = watcher.state.sensors.get(sensor)
            return (row is not None and row.final_score == 160 and sensor_row is not None
                    and sensor_row.total_flags == 1)
        assert wait_for(seen, timeout_s=60, every_s=0)
        watcher._next_sample = 0  # sample offsets and lag now
        watcher.step()
        assert watcher.pipeline is not None and not watcher.pipeline.error, watcher.pipeline
        text = render_text(watcher.frame(), width=160)
    finally:
        watcher.close()
        member.close(autocommit=False)
    lines = text.splitlines()
    assert f"streamml watch · {secure_broker.tls_bootstrap}" in text
    match_line = next(line for line in lines if match in line)
    assert "15/0" in match_line and "162" in match_line and "160" in match_line
    sensor_line = next(line for line in lines if sensor in line)
    assert "serving" in sensor_line and "spike 1" in sensor_line
    # Lag from the predictor group's committed offsets (3 events since): Describe on its
    # prefix is enough.
    group_line = next(line for line in lines if group in line)
    assert group_line.rstrip(" │").split()[-2:] == ["Stable", "3"]
    # Every topic's offsets (Describe), including those it may not read.
    for topic in ("cricket.training-data", "cricket.models", PREDICTIONS_TOPIC):
        assert topic in text
    assert not [p for p in secure_broker.passwords() if p in text]


def test_the_watch_user_may_not_write_nor_join_a_group(secure_broker: SecureBroker,
                                                       unique: str) -> None:
    settings = connection_settings(watch_connection(secure_broker))
    before = end_total(secure_broker, READINGS_TOPIC)
    # The default (idempotent) producer is refused a producer id: it may write nowhere.
    producer = KafkaProducer(**settings, max_block_ms=15000)
    try:
        with pytest.raises(KafkaError, match="ClusterAuthorizationFailed"):
            producer.send(READINGS_TOPIC, key=b"k",
                          value=reading(f"s-{unique}", 0).to_bytes()).get(timeout=30)
    finally:
        producer.close()
    # A plain producer reaches the topic's ACL, which refuses it.
    producer = KafkaProducer(**settings, enable_idempotence=False, max_block_ms=15000)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(READINGS_TOPIC, key=b"k",
                          value=reading(f"s-{unique}", 0).to_bytes()).get(timeout=30)
    finally:
        producer.close()
    assert end_total(secure_broker, READINGS_TOPIC) == before
    # Not even into a service's group: it may describe those, never join or commit.
    consumer = KafkaConsumer(**settings, group_id=f"streamml-predictor-{unique}",
                             enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        consumer.subscribe([PREDICTIONS_TOPIC])
        with pytest.raises(GroupAuthorizationFailedError):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                consumer.poll(timeout_ms=500)
    finally:
        consumer.close(autocommit=False)
