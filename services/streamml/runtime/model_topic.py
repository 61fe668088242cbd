"""Follow a (compacted) topic outside any consumer group, so every replica sees every record.

Used for model delivery: each predictor replica needs every model version, which a consumer
group (one owner per partition) would not give it. ``SupervisedFollower`` runs one on its own
thread and starts a new one after any failure, with its state on ``/readyz`` and in metrics.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import UnknownTopicOrPartitionError

from streamml.runtime.clients import (
    FETCH_BYTES_PER_PARTITION,
    connect_with_backoff,
    connection_settings,
    topic_partitions,
)
from streamml.runtime.metrics import RuntimeMetrics
from streamml.runtime.settings import RuntimeConfig

log = logging.getLogger(__name__)


class TopicFollower:
    def __init__(self, config: RuntimeConfig, topic: str,
                 accept: Callable[[ConsumerRecord], bool] = lambda record: True,
                 consumer: KafkaConsumer | None = None) -> None:
        self._topic = topic
        self._accept = accept
        self._consumer = consumer or KafkaConsumer(
            **connection_settings(config),
            client_id=f"{config.effective_client_id}-{topic}",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=FETCH_BYTES_PER_PARTITION,
            fetch_max_bytes=max(config.max_message_bytes, 52428800),
            # A model of an aborted transaction was never published.
            isolation_level="read_committed",
        )
        try:
            self._partitions = topic_partitions(self._consumer, topic)
        except UnknownTopicOrPartitionError:
            self._consumer.close()
            raise
        self._consumer.assign(self._partitions)
        self._consumer.seek_to_beginning(*self._partitions)

    def catch_up(self, timeout_s: float = 60.0, keep_per_key: int = 1) -> list[ConsumerRecord]:
        """The newest ``keep_per_key`` accepted records of each key, from the beginning up to
        the end offsets as of now, in offset order. Older versions are dropped while reading:
        what compaction will remove anyway never fills memory."""
        end = self._consumer.end_offsets(self._partitions)
        newest: dict[tuple[int, bytes | None], deque[ConsumerRecord]] = {}
        deadline = time.monotonic() + timeout_s
        while any(self._consumer.position(tp) < end[tp] for tp in self._partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {self._topic} to its end in {timeout_s} s")
            for record in self.poll(500):
                newest.setdefault((record.partition, record.key),
                                  deque(maxlen=keep_per_key)).append(record)
        kept = [record for records in newest.values() for record in records]
        return sorted(kept, key=lambda record: (record.partition, record.offset))

    def poll(self, timeout_ms: int) -> list[ConsumerRecord]:
        polled = self._consumer.poll(timeout_ms=timeout_ms)
        return [record for batch in polled.values() for record in batch if self._accept(record)]

    def close(self) -> None:
        self._consumer.close()


STARTING, FOLLOWING, RESTARTING, STOPPED = "starting", "following", "restarting", "stopped"


class SupervisedFollower:
    """A TopicFollower on its own thread: caught up first, then fed record by record. Any
    failure (a broker gone, a bug in a callback) closes it and starts a new one after a
    back-off, which catches up again from the beginning."""

    def __init__(self, connect: Callable[[], TopicFollower], topic: str, service: str,
                 metrics: RuntimeMetrics, stop: threading.Event,
                 on_caught_up: Callable[[list[ConsumerRecord]], None],
                 on_record: Callable[[ConsumerRecord], None],
                 backoff_max_s: float = 10.0, keep_per_key: int = 1) -> None:
        self._connect = connect
        self._keep_per_key = keep_per_key
        self._topic = topic
        self._labels = (service, topic)
        self._metrics = metrics
        self._stop = stop
        self._on_caught_up = on_caught_up
        self._on_record = on_record
        self._backoff_max_s = backoff_max_s
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"follow-{topic}")
        # Read by the HTTP thread (readiness); written only by the follower's thread.
        self.state = STARTING

    def start(self) -> SupervisedFollower:
        self._thread.start()
        return self

    def join(self, timeout_s: float) -> None:
        self._thread.join(timeout_s)

    def is_following(self) -> bool:
        return self.state == FOLLOWING

    def _set(self, state: str) -> None:
        self.state = state
        self._metrics.follower_up.labels(*self._labels).set(1 if state == FOLLOWING else 0)

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            follower = connect_with_backoff(self._connect, self._stop, self._topic,
                                            self._backoff_max_s)
            if follower is None:
                break
            try:
                self._on_caught_up(follower.catch_up(keep_per_key=self._keep_per_key))
                self._set(FOLLOWING)
                delay = 0.5
                while not self._stop.is_set():
                    for record in follower.poll(500):
                        self._on_record(record)
            except Exception:  # noqa: BLE001 - a new follower is the cure for any failure
                log.exception("topic reader failed; starting a new one",
                              extra={"topic": self._topic, "retry_in_s": delay})
                self._metrics.follower_restarts.labels(*self._labels).inc()
                self._set(RESTARTING)
                self._stop.wait(delay)
                delay = min(delay * 2, self._backoff_max_s)
            finally:
                follower.close()
        self._set(STOPPED)
