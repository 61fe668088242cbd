"""kafka-python producer and consumer factories with streamml's delivery guarantees."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
import time
from typing import TypeVar

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import MemberToRemove
from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError, UnknownTopicOrPartitionError

from streamml.runtime.settings import KafkaConnection, RuntimeConfig

log = logging.getLogger(__name__)
ClientT = TypeVar("ClientT")
# Producer batch per partition (kafka-python's default is 16 KiB): fewer, larger batches mean
# fewer sender wake-ups per record; +27 % on the kafka-python pass-through (docs/benchmarks.md).
PRODUCER_BATCH_BYTES = 64 * 1024
# Bytes a fetch asks for per partition. Not a limit on record size: a first record batch
# larger than this still comes whole (KIP-74), so a 16 MiB model arrives. Asking for
# STREAMML_MAX_MESSAGE_BYTES (16 MiB) instead pulled a whole backlog into memory in one fetch:
# predictor peak RSS 285 -> 251 MB at the same rate; 1 MiB (Kafka's default) saves more
# memory but cost a few % of rate on a backlog (side by side, 40,000-event backlog, 4 runs).
FETCH_BYTES_PER_PARTITION = 4 * 1024 * 1024


def connection_settings(config: KafkaConnection) -> dict[str, object]:
    """kafka-python's settings for where and how every Kafka client (of a service, the demo,
    watch or report) connects: bootstrap servers, and its credentials when the broker
    authenticates clients (SASL/SCRAM, TLS)."""
    settings: dict[str, object] = {"bootstrap_servers": config.bootstrap_servers,
                                   "security_protocol": config.security_protocol}
    if config.authenticates:
        settings.update(sasl_mechanism=config.sasl_mechanism,
                        sasl_plain_username=config.sasl_username,
                        sasl_plain_password=config.sasl_password)
    if config.security_protocol.endswith("SSL") and config.ssl_cafile:
        settings["ssl_cafile"] = config.ssl_cafile
    return settings


def unreachable_hint(config: KafkaConnection) -> str:
    """What to check when a tool cannot reach Kafka: a broker that authenticates clients
    drops one that does not, which kafka-python reports only as "Unable to bootstrap"."""
    if config.authenticates:
        return (f" (as user {config.sasl_username!r}, {config.security_protocol} "
                f"{config.sasl_mechanism}: check STREAMML_SASL_USERNAME and STREAMML_SASL_PASSWORD)")
    return (" (a broker that authenticates clients needs STREAMML_SECURITY_PROTOCOL and "
            "STREAMML_SASL_*: docs/security.md)")


def make_producer(config: RuntimeConfig, transactional: bool = False) -> KafkaProducer:
    """Idempotent producer, acks from all in-sync replicas: a retried send is never duplicated.

    ``send()`` blocks at most ``send_block_s`` (kafka-python's default is 60 s), so a SIGTERM
    during an outage still drains in time. ``transactional``: with the replica's stable
    transactional id, initialised (which aborts what a previous incarnation left open)."""
    producer = KafkaProducer(
        **connection_settings(config),
        client_id=config.effective_client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=config.linger_ms,
        compression_type=None if config.compression_type == "none" else config.compression_type,
        max_request_size=config.max_message_bytes,
        batch_size=PRODUCER_BATCH_BYTES,
        max_block_ms=int(config.send_block_s * 1000),
        transactional_id=config.effective_transactional_id if transactional else None,
        transaction_timeout_ms=int(config.transaction_timeout_s * 1000),
        metrics_enabled=config.client_metrics,
    )
    if transactional:
        try:
            producer.init_transactions()
        except KafkaError:
            producer.close(timeout=0)
            raise
    return producer


def make_stream_producer(config: RuntimeConfig) -> KafkaProducer:
    """The producer of a consuming service: transactional under exactly-once."""
    return make_producer(config, transactional=config.exactly_once)


# kafka-python's own default is the eager pair.
ASSIGNORS = {
    "cooperative-sticky": (CooperativeStickyAssignor,),
    "eager": (RangePartitionAssignor, RoundRobinPartitionAssignor),
}


def make_consumer(config: RuntimeConfig, topics: list[str],
                  listener: ConsumerRebalanceListener | None = None) -> KafkaConsumer:
    """Group member with manual commits: offsets are committed only after outputs are acked.

    Raises UnknownTopicOrPartitionError (retried by connect_with_backoff) until every topic
    exists: the first group join then already knows every topic's partitions, instead of
    re-joining moments later when their metadata arrives.
    """
    consumer = KafkaConsumer(
        **connection_settings(config),
        client_id=config.effective_client_id,
        group_id=config.effective_group_id,
        group_instance_id=config.group_instance_id or None,
        partition_assignment_strategy=ASSIGNORS[config.rebalance_protocol],
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=config.max_poll_records,
        fetch_min_bytes=config.fetch_min_bytes,
        fetch_max_wait_ms=config.fetch_max_wait_ms,
        max_partition_fetch_bytes=FETCH_BYTES_PER_PARTITION,
        fetch_max_bytes=max(config.max_message_bytes, 52428800),
        # Outputs of aborted transactions (an exactly-once upstream) are never seen.
        isolation_level="read_committed",
        metrics_enabled=config.client_metrics,
    )
    try:
        for topic in topics:
            topic_partitions(consumer, topic, timeout_s=5.0)
    except UnknownTopicOrPartitionError:
        consumer.close()
        raise
    consumer.subscribe(topics, listener=listener)
    return consumer


def has_broker_connection(consumer: KafkaConsumer) -> bool:
    """Whether the consumer holds an open connection to a broker. kafka-python reports this
    only as a client metric (``connection-count``); with its metrics off (the default,
    ``client_metrics``) the client's connections to the brokers it knows are asked instead."""
    metrics = consumer.metrics()
    if metrics:
        return bool(metrics.get("consumer-metrics", {}).get("connection-count"))
    client = consumer._client  # no public API for it; kafka-python is pinned (pyproject.toml)
    return any(client.connected(broker.node_id) for broker in client.cluster.brokers())


def finish_rejoin_in_progress(consumer: KafkaConsumer) -> None:
    """Work around a kafka-python 3.0.12 stall; call after every ``poll()``.

    A rebalance the group leader starts itself (the topics' metadata changed after it
    assigned) leaves the coordinator's ``rejoin_needed`` False. If its JoinGroup/SyncGroup
    completes between two polls (a poll timed out mid-join), the next poll sees nothing to
    rejoin and never applies the assignment: the consumer owns nothing and fetches nothing,
    for good. Flagging the rejoin while one is in progress makes the next poll finish it (at
    worst with one more join round). Reads and sets two attributes; no request."""
    coordinator = getattr(consumer, "_coordinator", None)
    if coordinator is not None and getattr(coordinator, "rejoining", False) \
            and not getattr(coordinator, "rejoin_needed", True):
        coordinator.request_rejoin()


def topic_partitions(consumer: KafkaConsumer, topic: str,
                     timeout_s: float = 30.0) -> list[TopicPartition]:
    """The topic's partitions. A metadata request can come back empty while a broker is busy
    or just started, so ask again until ``timeout_s``; then raise
    UnknownTopicOrPartitionError (a KafkaError, so connect_with_backoff retries it)."""
    deadline = time.monotonic() + timeout_s
    while True:
        partitions = consumer.partitions_for_topic(topic)
        if partitions:
            return [TopicPartition(topic, p) for p in sorted(partitions)]
        if time.monotonic() >= deadline:
            raise UnknownTopicOrPartitionError(f"topic {topic!r} not found")
        time.sleep(0.5)


def connect_with_backoff(
    factory: Callable[[], ClientT],
    stop: threading.Event,
    what: str,
    max_backoff_s: float = 10.0,
) -> ClientT | None:
    """Retry ``factory`` with exponential backoff until it succeeds or ``stop`` is set."""
    delay = 0.5
    while not stop.is_set():
        try:
            return factory()
        except KafkaError as exc:
            log.warning("kafka not ready yet, retrying",
                        extra={"client": what, "error": repr(exc), "retry_in_s": delay})
            stop.wait(delay)
            delay = min(delay * 2, max_backoff_s)
    return None


def leave_group(config: RuntimeConfig, timeout_ms: int = 5000) -> None:
    """Remove this static member from its group now (a static member's close does not): its
    partitions move at once instead of waiting for the session timeout. Best effort."""
    from streamml.runtime.admin import admin_client

    if not config.group_instance_id:
        return
    try:
        with admin_client(config.bootstrap_servers, timeout_ms=timeout_ms,
                          security=connection_settings(config)) as admin:
            admin.remove_group_members(
                config.effective_group_id,
                [MemberToRemove(group_instance_id=config.group_instance_id)])
    except KafkaError as exc:
        log.warning("could not leave the group; its partitions move after the session timeout",
                    extra={"error": repr(exc)})
