"""Reads a partition's recent readings back from Kafka, to rebuild sensor state.

A replica that takes over a partition (a rebalance, a restart, a scale-out) knows nothing of
its sensors. The partition itself is their history: reading the last few thousand records
before the first one it was handed lets the replica score from that first reading on,
instead of warming every sensor up again. The log is the state store.
"""

from __future__ import annotations

import logging
import time

from kafka import KafkaConsumer, TopicPartition

from streamml.contracts.weather import SensorReading
from streamml.runtime.clients import FETCH_BYTES_PER_PARTITION, connection_settings
from streamml.runtime.messages import DecodeError, decode
from streamml.runtime.settings import RuntimeConfig

log = logging.getLogger(__name__)


class PartitionHistory:
    """Reads offsets [start, end) of one partition with its own group-less consumer."""

    def __init__(self, config: RuntimeConfig, timeout_s: float = 10.0) -> None:
        self._config = config
        self._timeout_s = timeout_s
        self._consumer: KafkaConsumer | None = None

    def read(self, topic: str, partition: int, start: int, end: int) -> list[SensorReading]:
        if end <= start:
            return []
        consumer = self._client()
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        consumer.seek(tp, start)
        readings: list[SensorReading] = []
        deadline = time.monotonic() + self._timeout_s
        while consumer.position(tp) < end and time.monotonic() < deadline:
            for record in consumer.poll(timeout_ms=500).get(tp, []):
                if record.offset >= end:
                    break
                try:
                    readings.append(decode(SensorReading, record.value))
                except DecodeError:
                    continue  # dead-lettered when it was first consumed
        return readings

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()

    def _client(self) -> KafkaConsumer:
        if self._consumer is None:
            self._consumer = KafkaConsumer(
                **connection_settings(self._config),
                client_id=f"{self._config.effective_client_id}-history",
                enable_auto_commit=False, isolation_level="read_committed",
                # Below the log start (retention): begin with what is left.
                auto_offset_reset="earliest",
                max_partition_fetch_bytes=FETCH_BYTES_PER_PARTITION,
            )
        return self._consumer
