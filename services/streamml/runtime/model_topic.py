"""Follow a (compacted) topic outside any consumer group, so every replica sees every record.

Used for model delivery: each predictor replica needs every model version, which a consumer
group (one owner per partition) would not give it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import UnknownTopicOrPartitionError

from streamml.runtime.clients import connection_settings, topic_partitions
from streamml.runtime.settings import RuntimeConfig


class TopicFollower:
    def __init__(self, config: RuntimeConfig, topic: str,
                 accept: Callable[[ConsumerRecord], bool] = lambda record: True) -> None:
        self._topic = topic
        self._accept = accept
        self._consumer = KafkaConsumer(
            **connection_settings(config),
            client_id=f"{config.effective_client_id}-{topic}",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=config.max_message_bytes,
            fetch_max_bytes=max(config.max_message_bytes, 52428800),
        )
        try:
            self._partitions = topic_partitions(self._consumer, topic)
        except UnknownTopicOrPartitionError:
            self._consumer.close()
            raise
        self._consumer.assign(self._partitions)
        self._consumer.seek_to_beginning(*self._partitions)

    def catch_up(self, timeout_s: float = 60.0) -> list[ConsumerRecord]:
        """Every accepted record from the beginning up to the end offsets as of now."""
        end = self._consumer.end_offsets(self._partitions)
        records: list[ConsumerRecord] = []
        deadline = time.monotonic() + timeout_s
        while any(self._consumer.position(tp) < end[tp] for tp in self._partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {self._topic} to its end in {timeout_s} s")
            records.extend(self.poll(500))
        return records

    def poll(self, timeout_ms: int) -> list[ConsumerRecord]:
        polled = self._consumer.poll(timeout_ms=timeout_ms)
        return [record for batch in polled.values() for record in batch if self._accept(record)]

    def close(self) -> None:
        self._consumer.close()
