"""The consume -> handle -> produce -> commit loop every consuming service runs.

At-least-once: a batch's offsets are committed only after every output and dead letter of
that batch is acknowledged by Kafka. If a send fails, the consumer seeks back to the start
of the batch and the batch is handled again; if a commit fails (the group rebalanced), the
new owner of the partition re-reads from the last committed offset.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata

from streamml.runtime.clients import connect_with_backoff, leave_group, make_consumer, make_producer
from streamml.runtime.dead_letter import Outgoing, Rejection, dead_letter
from streamml.runtime.health import Health
from streamml.runtime.messages import DecodeError, Message, MessageT, decode
from streamml.runtime.metrics import RuntimeMetrics
from streamml.runtime.settings import RuntimeConfig

log = logging.getLogger(__name__)

PROCESSING_ERROR = "processing_error"
# Bounded, so a commit that keeps being retried during a rebalance cannot keep the main loop
# from polling (and so from re-joining the group): it counts as a failed commit instead.
COMMIT_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Incoming(Generic[MessageT]):
    record: ConsumerRecord
    message: MessageT


@dataclass
class HandlerResult:
    outputs: list[Outgoing] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


class Handler(Protocol):
    """What a consuming service implements; the runtime does all the Kafka work."""

    inputs: Mapping[str, type[Message]]

    def is_ready(self) -> bool:
        """False holds the input partitions paused: events wait in Kafka, none is dropped."""

    def handle(self, batch: Sequence[Incoming]) -> HandlerResult: ...

    def on_idle(self) -> list[Outgoing]:
        """Called once per loop turn, batch or not: timers, model refreshes, retraining."""

    def close(self) -> None: ...


class _HoldWhileNotReady(ConsumerRebalanceListener):
    """Pauses newly assigned partitions before their first fetch while the handler is not
    ready, so not even the poll that joins the group returns records."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self.consumer: KafkaConsumer | None = None

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        if assigned and self.consumer is not None and not self._handler.is_ready():
            self.consumer.pause(*assigned)

    def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        pass  # every handled batch is already committed before the next poll


class StreamProcessor:
    def __init__(
        self,
        config: RuntimeConfig,
        handler: Handler,
        metrics: RuntimeMetrics,
        health: Health,
        stop: threading.Event,
    ) -> None:
        self._config = config
        self._handler = handler
        self._metrics = metrics
        self._health = health
        self._stop = stop
        self._service = config.service_name
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self._delivery_ok = False
        self._gauge_updated = 0.0
        self._lag_partitions: set[tuple[str, int]] = set()
        self._listener = _HoldWhileNotReady(handler)
        self._progress_at = time.monotonic()
        health.add_check("kafka", self._kafka_connected)
        health.add_check("handler", handler.is_ready)

    def _kafka_connected(self) -> bool:
        """Bootstrapped, holding at least one broker connection, and the last send was acked."""
        if self._consumer is None or not self._delivery_ok:
            return False
        connections = self._consumer.metrics().get("consumer-metrics", {}).get("connection-count")
        return bool(connections)

    def run(self) -> None:
        topics = list(self._handler.inputs)
        backoff = self._config.connect_backoff_max_s
        self._producer = connect_with_backoff(
            lambda: make_producer(self._config), self._stop, "producer", backoff)
        self._consumer = self._connect_consumer()
        if self._consumer is None or self._producer is None:
            self._close()
            return
        self._delivery_ok = True
        log.info("consuming", extra={"topics": topics, "group": self._config.effective_group_id})
        try:
            while not self._stop.is_set() and self._consumer is not None:
                self._turn()
        finally:
            self._close()

    def _connect_consumer(self) -> KafkaConsumer | None:
        topics = list(self._handler.inputs)
        consumer = connect_with_backoff(
            lambda: make_consumer(self._config, topics, self._listener), self._stop, "consumer",
            self._config.connect_backoff_max_s)
        self._listener.consumer = consumer
        self._progress_at = time.monotonic()
        return consumer

    def _turn(self) -> None:
        assert self._consumer is not None
        self._health.beat()
        ready = self._handler.is_ready()
        now = time.monotonic()
        if now - self._gauge_updated >= 1.0:
            self._gauge_updated = now
            self._metrics.ready.labels(self._service).set(1 if self._health.ready() else 0)
            if self._report_lag():
                self._progress_at = now
            elif now - self._progress_at > self._config.consumer_stall_s:
                self._reconnect_stalled_consumer(now - self._progress_at)
                return
        self._hold_input(not ready)
        polled = self._consumer.poll(
            timeout_ms=self._config.poll_timeout_ms, max_records=self._config.max_poll_records)
        records = [record for batch in polled.values() for record in batch]
        if records:
            self._progress_at = now
        idle_outputs = self._handler.on_idle()
        if records or idle_outputs:
            self._process(records, idle_outputs)

    def _report_lag(self) -> bool:
        """Export lag per owned partition, from the high watermark of the last fetch (no extra
        request). True when no partition the consumer may fetch is known to be behind."""
        assert self._consumer is not None
        owned: set[tuple[str, int]] = set()
        paused = self._consumer.paused()
        caught_up = True
        for tp in self._consumer.assignment():
            try:
                highwater = self._consumer.highwater(tp)
                position = None if highwater is None else self._consumer.position(tp, timeout_ms=0)
            except KafkaError:
                position = None
            if highwater is None or position is None:
                caught_up = caught_up and tp in paused  # never fetched yet: unknown
                continue
            owned.add((tp.topic, tp.partition))
            lag = max(highwater - position, 0)
            self._metrics.lag.labels(self._service, tp.topic, str(tp.partition)).set(lag)
            if lag and tp not in paused:
                caught_up = False
        for topic, partition in self._lag_partitions - owned:
            self._metrics.lag.remove(self._service, topic, str(partition))
        self._lag_partitions = owned
        return caught_up

    def _reconnect_stalled_consumer(self, stalled_s: float) -> None:
        """kafka-python 3.0 can stop fetching for good (seen after a quick re-join): records
        wait, yet every poll is empty. Every handled batch is committed, so a new consumer
        resumes exactly where this one stopped."""
        assert self._consumer is not None
        log.warning("consumer made no progress with records waiting; reconnecting",
                    extra={"stalled_s": round(stalled_s, 1)})
        self._metrics.consumer_reconnects.labels(self._service).inc()
        self._consumer.close(autocommit=False)
        self._consumer = self._connect_consumer()
        if self._consumer is None:
            self._stop.set()

    def _hold_input(self, hold: bool) -> None:
        assert self._consumer is not None
        if hold:
            assigned = self._consumer.assignment()
            if assigned - self._consumer.paused():
                self._consumer.pause(*assigned)
        elif self._consumer.paused():
            self._consumer.resume(*self._consumer.paused())

    def _process(self, records: list[ConsumerRecord], extra_outputs: list[Outgoing]) -> None:
        started = time.perf_counter()
        valid: list[Incoming] = []
        rejections: list[Rejection] = []
        # Counted per topic and added once per batch: a labelled-counter lookup per record
        # is a measurable share of a busy service's CPU (docs/benchmarks.md, profiles).
        consumed: Counter[str] = Counter(record.topic for record in records)
        for topic, count in consumed.items():
            self._metrics.consumed.labels(self._service, topic).inc(count)
        for record in records:
            try:
                message = decode(self._handler.inputs[record.topic], record.value)
            except DecodeError as exc:
                rejections.append(Rejection(record, exc.reason, exc.detail))
                continue
            valid.append(Incoming(record, message))
        result = self._handle_isolating(valid)
        rejections.extend(result.rejections)
        outputs = extra_outputs + result.outputs + [
            dead_letter(rejection, self._config.dead_letter_topic, self._service)
            for rejection in rejections
        ]
        if not self._send_all(outputs):
            self._rewind(records)
            return
        for rejection in rejections:
            self._metrics.dead_letters.labels(self._service, rejection.reason).inc()
            log.warning("dead-lettered", extra={
                "reason": rejection.reason, "error": rejection.detail[:300],
                "topic": rejection.record.topic, "partition": rejection.record.partition,
                "offset": rejection.record.offset})
        self._commit(records)
        if valid:
            self._metrics.batch_size.labels(self._service).observe(len(valid))
        self._metrics.batch_seconds.labels(self._service).observe(time.perf_counter() - started)

    def _handle_isolating(self, valid: list[Incoming]) -> HandlerResult:
        """Handle the batch at once; if that raises, retry one by one to find the culprits."""
        if not valid:
            return HandlerResult()
        try:
            return self._handler.handle(valid)
        except Exception:  # noqa: BLE001 - one bad input must not stop the service
            log.exception("batch failed, handling its messages one by one")
        merged = HandlerResult()
        for item in valid:
            try:
                single = self._handler.handle([item])
            except Exception as exc:  # noqa: BLE001
                merged.rejections.append(Rejection(item.record, PROCESSING_ERROR, repr(exc)))
                continue
            merged.outputs.extend(single.outputs)
            merged.rejections.extend(single.rejections)
        return merged

    def _send_all(self, outputs: list[Outgoing]) -> bool:
        assert self._producer is not None
        if not outputs:
            return True
        acknowledged: Counter[str] = Counter()
        try:
            futures = [
                (out.topic, self._producer.send(
                    out.topic, value=out.value, key=out.key, headers=list(out.headers)))
                for out in outputs
            ]
            self._producer.flush(timeout=self._config.shutdown_timeout_s)
            for topic, future in futures:
                future.get(timeout=self._config.shutdown_timeout_s)
                acknowledged[topic] += 1
        except KafkaError as exc:
            self._delivery_ok = False
            self._metrics.send_failures.labels(self._service).inc()
            log.error("outputs not acknowledged; the batch will be handled again",
                      extra={"error": repr(exc)})
            self._stop.wait(1.0)
            return False
        finally:
            for topic, count in acknowledged.items():
                self._metrics.produced.labels(self._service, topic).inc(count)
        self._delivery_ok = True
        return True

    def _rewind(self, records: list[ConsumerRecord]) -> None:
        assert self._consumer is not None
        first: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            first[tp] = min(first.get(tp, record.offset), record.offset)
        for tp, offset in first.items():
            if tp in self._consumer.assignment():
                self._consumer.seek(tp, offset)

    def _commit(self, records: list[ConsumerRecord]) -> None:
        assert self._consumer is not None
        if not records:
            return
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            next_offset = record.offset + 1
            if tp not in offsets or offsets[tp].offset < next_offset:
                offsets[tp] = OffsetAndMetadata(next_offset, "", -1)
        try:
            self._consumer.commit(offsets, timeout_ms=COMMIT_TIMEOUT_MS)
        except (CommitFailedError, KafkaError) as exc:
            self._metrics.commit_failures.labels(self._service).inc()
            log.warning("commit failed; the partition's next owner re-reads these messages",
                        extra={"error": repr(exc)})

    def _close(self) -> None:
        timeout = self._config.shutdown_timeout_s
        try:
            self._handler.close()
        finally:
            if self._producer is not None:
                self._producer.flush(timeout=timeout)
                self._producer.close(timeout=timeout)
            if self._consumer is not None:
                self._consumer.close(autocommit=False)
                leave_group(self._config)
            log.info("stopped")
