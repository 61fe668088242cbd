"""The consume -> handle -> produce -> commit loop every consuming service runs.

At-least-once (the default): a batch's offsets are committed only after every output and dead
letter of that batch is acknowledged by Kafka. If a send fails, the consumer seeks back to the
start of the batch and the batch is handled again; if a commit fails (the group rebalanced),
the new owner of the partition re-reads from the last committed offset.

Exactly-once (``STREAMML_PROCESSING_GUARANTEE=exactly-once``): each turn is one Kafka
transaction holding the outputs, the dead letters and the input offsets (KIP-447); readers
with ``isolation_level=read_committed`` see every output once.

A handler's state advances only when its outputs are delivered: ``HandlerResult.on_delivered``
runs after Kafka acknowledged them (at-least-once) or the transaction committed
(exactly-once), never for a batch that is handled again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata

from streamml.runtime.clients import (
    connect_with_backoff,
    leave_group,
    make_consumer,
    make_stream_producer,
)
from streamml.runtime.dead_letter import Outgoing, Rejection, dead_letter
from streamml.runtime.delivery import (
    DeliveryFailed,
    Failure,
    classify,
    poison_reason,
    poison_replacement,
    send_all,
)
from streamml.runtime.health import Health
from streamml.runtime.messages import DecodeError, Message, MessageT, decode
from streamml.runtime.metrics import ACKNOWLEDGE, COMMIT, FETCH, HANDLE, RuntimeMetrics
from streamml.runtime.settings import RuntimeConfig

log = logging.getLogger(__name__)

PROCESSING_ERROR = "processing_error"
# Bounded, so a commit that keeps being retried during a rebalance cannot keep the main loop
# from polling (and so from re-joining the group): it counts as a failed commit instead.
COMMIT_TIMEOUT_MS = 10_000
RETRY_BACKOFF_MAX_S = 5.0


@dataclass(frozen=True)
class Incoming(Generic[MessageT]):
    record: ConsumerRecord
    message: MessageT


@dataclass
class HandlerResult:
    outputs: list[Outgoing] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    # Runs on the main loop once ``outputs`` are delivered; where the handler's state advances.
    on_delivered: Callable[[], None] | None = None


class Handler(Protocol):
    """What a consuming service implements; the runtime does all the Kafka work.

    Threads: ``is_ready()`` is called by the HTTP server's threads (``/readyz``) as well as by
    the main loop, so it must be thread-safe and cheap (read an attribute). ``handle()``,
    ``on_idle()`` and ``close()`` run only on the main loop thread, one at a time, and so do
    the ``on_delivered`` callbacks they return.

    State: ``handle()`` and ``on_idle()`` must not change state that outlives the call except
    in the ``on_delivered`` callback of their result. A batch whose outputs are not delivered
    is handled again (and a batch whose ``handle()`` raises is handled again one message at a
    time), so state changed earlier would be applied twice.
    """

    inputs: Mapping[str, type[Message]]

    def is_ready(self) -> bool:
        """False holds the input partitions paused: events wait in Kafka, none is dropped."""

    def handle(self, batch: Sequence[Incoming]) -> HandlerResult: ...

    def on_idle(self) -> HandlerResult | list[Outgoing]:
        """Called once per loop turn, batch or not: timers, model refreshes, retraining.

        Not called again until the outputs it returned are delivered: the runtime keeps
        retrying them."""

    def close(self) -> None: ...


def _as_result(idle: HandlerResult | list[Outgoing]) -> HandlerResult | None:
    result = idle if isinstance(idle, HandlerResult) else HandlerResult(outputs=list(idle))
    return result if result.outputs or result.on_delivered is not None else None


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


ProducerFactory = Callable[[RuntimeConfig], KafkaProducer]
ConsumerFactory = Callable[[RuntimeConfig, list[str], ConsumerRebalanceListener], KafkaConsumer]


class StreamProcessor:
    def __init__(
        self,
        config: RuntimeConfig,
        handler: Handler,
        metrics: RuntimeMetrics,
        health: Health,
        stop: threading.Event,
        producer_factory: ProducerFactory = make_stream_producer,
        consumer_factory: ConsumerFactory = make_consumer,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._handler = handler
        self._metrics = metrics
        self._health = health
        self._stop = stop
        self._make_producer = producer_factory
        self._make_consumer = consumer_factory
        self._clock = clock
        self._service = config.service_name
        self._exactly_once = config.exactly_once
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self._gauge_updated = float("-inf")
        self._lag_partitions: set[tuple[str, int]] = set()
        self._listener = _HoldWhileNotReady(handler)
        self._progress_at = clock()
        # Idle outputs not yet delivered: retried every turn, on_idle() is not asked again.
        self._pending_idle: HandlerResult | None = None
        # Set by the main loop, read by the HTTP thread: plain attribute reads, no client calls.
        self._connected = False
        self._failing_since: float | None = None
        self._retry_delay = 0.5
        stages = metrics.stage_seconds
        self._fetch_stage = stages.labels(self._service, FETCH)
        self._handle_stage = stages.labels(self._service, HANDLE)
        self._ack_stage = stages.labels(self._service, ACKNOWLEDGE)
        self._commit_stage = stages.labels(self._service, COMMIT)
        health.add_check("kafka", self._kafka_ready)
        health.add_check("handler", handler.is_ready)
        health.add_liveness_check("delivery", self._delivering)

    # -- health (HTTP thread) -------------------------------------------------------------

    def _kafka_ready(self) -> bool:
        """Bootstrapped, holding a broker connection, and no delivery failing right now."""
        return self._connected and self._failing_since is None

    def _delivering(self) -> bool:
        """False once outputs have waited ``delivery_stall_s`` without any successful delivery:
        a restart is the remaining cure (e.g. a producer stuck in a state it cannot leave)."""
        since = self._failing_since
        return since is None or self._clock() - since < self._config.delivery_stall_s

    # -- main loop -----------------------------------------------------------------------

    def run(self) -> None:
        topics = list(self._handler.inputs)
        self._producer = self._connect_producer()
        self._consumer = self._connect_consumer() if self._producer is not None else None
        if self._consumer is None or self._producer is None:
            self._close()
            return
        log.info("consuming", extra={"topics": topics, "group": self._config.effective_group_id,
                                     "guarantee": self._config.processing_guarantee})
        try:
            while not self._stop.is_set() and self._consumer is not None:
                self._turn()
        finally:
            self._close()

    def _connect_producer(self) -> KafkaProducer | None:
        return connect_with_backoff(lambda: self._make_producer(self._config), self._stop,
                                    "producer", self._config.connect_backoff_max_s)

    def _connect_consumer(self) -> KafkaConsumer | None:
        topics = list(self._handler.inputs)
        consumer = connect_with_backoff(
            lambda: self._make_consumer(self._config, topics, self._listener), self._stop,
            "consumer", self._config.connect_backoff_max_s)
        self._listener.consumer = consumer
        self._progress_at = self._clock()
        return consumer

    def _turn(self) -> None:
        assert self._consumer is not None
        self._health.beat()
        now = self._clock()
        if now - self._gauge_updated >= 1.0:
            self._gauge_updated = now
            self._connected = self._has_connection()
            self._metrics.ready.labels(self._service).set(1 if self._health.ready() else 0)
            if self._report_lag():
                self._progress_at = now
            elif now - self._progress_at > self._config.consumer_stall_s:
                self._reconnect_stalled_consumer(now - self._progress_at)
                return
        self._hold_input(not self._handler.is_ready())
        polled = self._consumer.poll(
            timeout_ms=self._config.poll_timeout_ms, max_records=self._config.max_poll_records)
        records = [record for batch in polled.values() for record in batch]
        if records:
            self._fetch_stage.observe_since_ms(time.time() * 1000,
                                               [record.timestamp for record in records])
        if self._pending_idle is None:
            self._pending_idle = _as_result(self._handler.on_idle())
        if records or self._pending_idle is not None:
            self._process(records, self._pending_idle)
        elif self._failing_since is not None:
            self._failing_since = None  # nothing waits to be delivered
        if records:
            # Stamped after the turn: a long handle() (a fit) is progress, not a stall.
            self._progress_at = self._clock()

    def _has_connection(self) -> bool:
        assert self._consumer is not None
        metrics = self._consumer.metrics().get("consumer-metrics", {})
        return bool(metrics.get("connection-count"))

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
        old, self._consumer = self._consumer, None
        self._connected = False
        old.close(autocommit=False, timeout_ms=self._close_timeout_ms())
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

    # -- one batch ------------------------------------------------------------------------

    def _process(self, records: list[ConsumerRecord], idle: HandlerResult | None) -> None:
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
        outputs = (idle.outputs if idle else []) + result.outputs + [
            dead_letter(rejection, self._config.dead_letter_topic, self._service)
            for rejection in rejections
        ]
        self._handle_stage.observe(time.perf_counter() - started)
        if not self._deliver(outputs, records):
            self._rewind(records)
            return
        self._pending_idle = None
        for callback in (idle.on_delivered if idle else None, result.on_delivered):
            if callback is not None:
                callback()
        for rejection in rejections:
            self._metrics.dead_letters.labels(self._service, rejection.reason).inc()
            log.warning("dead-lettered", extra={
                "reason": rejection.reason, "error": rejection.detail[:300],
                "topic": rejection.record.topic, "partition": rejection.record.partition,
                "offset": rejection.record.offset})
        if not self._exactly_once:
            self._commit(records)
        if valid:
            self._metrics.batch_size.labels(self._service).observe(len(valid))
        self._metrics.batch_seconds.labels(self._service).observe(time.perf_counter() - started)

    def _handle_isolating(self, valid: list[Incoming]) -> HandlerResult:
        """Handle the batch at once; if that raises, retry one by one to find the culprits.

        The failed batch call's result (and so its on_delivered) never exists, so a handler
        that keeps to the protocol changes no state twice."""
        if not valid:
            return HandlerResult()
        try:
            return self._handler.handle(valid)
        except Exception:  # noqa: BLE001 - one bad input must not stop the service
            log.exception("batch failed, handling its messages one by one")
        merged = HandlerResult()
        callbacks: list[Callable[[], None]] = []
        for item in valid:
            try:
                single = self._handler.handle([item])
            except Exception as exc:  # noqa: BLE001
                merged.rejections.append(Rejection(item.record, PROCESSING_ERROR, repr(exc)))
                continue
            merged.outputs.extend(single.outputs)
            merged.rejections.extend(single.rejections)
            if single.on_delivered is not None:
                callbacks.append(single.on_delivered)
        if callbacks:
            merged.on_delivered = lambda: [callback() for callback in callbacks] and None
        return merged

    # -- delivery -------------------------------------------------------------------------

    def _deliver(self, outputs: list[Outgoing], records: list[ConsumerRecord]) -> bool:
        """Outputs acknowledged (and, exactly-once, the offsets committed with them)?"""
        assert self._producer is not None and self._consumer is not None
        if not outputs and not (self._exactly_once and records):
            self._delivered()
            return True
        producer = self._producer
        sending = time.perf_counter()
        try:
            if self._exactly_once:
                producer.begin_transaction()
            sent = send_all(producer, outputs, self._config.delivery_timeout_s, self._replace_poison)
            if self._exactly_once:
                if records:
                    producer.send_offsets_to_transaction(_next_offsets(records),
                                                         self._consumer.group_metadata())
                producer.commit_transaction()
        except DeliveryFailed as failed:
            self._delivery_failed(failed.kind, failed.cause)
            return False
        except KafkaError as exc:
            self._delivery_failed(classify(exc), exc)
            return False
        self._ack_stage.observe(time.perf_counter() - sending)
        for topic, count in sent.acknowledged.items():
            self._metrics.produced.labels(self._service, topic).inc(count)
        for output, exc in sent.poisoned:
            self._metrics.dead_letters.labels(self._service, poison_reason(exc)).inc()
            log.error("output rejected by Kafka; dead-lettered in its place", extra={
                "topic": output.topic, "bytes": len(output.value), "error": repr(exc)})
        self._delivered()
        return True

    def _replace_poison(self, output: Outgoing, exc: BaseException) -> Outgoing:
        return poison_replacement(output, exc, self._config.dead_letter_topic, self._service)

    def _delivered(self) -> None:
        self._failing_since = None
        self._retry_delay = 0.5

    def _delivery_failed(self, kind: Failure, cause: BaseException) -> None:
        if self._failing_since is None:
            self._failing_since = self._clock()
        self._metrics.send_failures.labels(self._service).inc()
        log.error("outputs not delivered; the batch will be handled again",
                  extra={"error": repr(cause), "failure": kind.value})
        if self._exactly_once and kind is Failure.RETRIABLE:
            try:
                self._producer.abort_transaction()  # type: ignore[union-attr]
            except KafkaError as exc:
                log.warning("abort failed; rebuilding the producer", extra={"error": repr(exc)})
                kind = Failure.FATAL
        if kind is Failure.FATAL:
            self._rebuild_producer()
        self._stop.wait(self._retry_delay)
        self._retry_delay = min(self._retry_delay * 2, RETRY_BACKOFF_MAX_S)

    def _rebuild_producer(self) -> None:
        """A producer in a fatal state (fenced, sequence lost) never recovers: replace it."""
        log.warning("producer in a fatal state; replacing it")
        self._metrics.producer_rebuilds.labels(self._service).inc()
        old, self._producer = self._producer, None
        if old is not None:
            try:
                old.close(timeout=0)
            except Exception:  # noqa: BLE001 - it is being discarded anyway
                log.debug("closing the failed producer raised", exc_info=True)
        self._producer = self._connect_producer()
        if self._producer is None:
            self._stop.set()

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
        started = time.perf_counter()
        try:
            self._consumer.commit(_next_offsets(records), timeout_ms=COMMIT_TIMEOUT_MS)
            self._commit_stage.observe(time.perf_counter() - started)
        except (CommitFailedError, KafkaError) as exc:
            self._metrics.commit_failures.labels(self._service).inc()
            log.warning("commit failed; the partition's next owner re-reads these messages",
                        extra={"error": repr(exc)})

    # -- shutdown -------------------------------------------------------------------------

    def _close_timeout_ms(self) -> int:
        return int(self._config.shutdown_timeout_s * 1000 * 0.3)

    def _close(self) -> None:
        """Bounded: the producer gets 40 % of ``shutdown_timeout_s`` to flush and close, closing
        the consumer and leaving the group (static membership) 30 % each (see
        RuntimeConfig.validate for the whole SIGTERM budget)."""
        producer_s = self._config.shutdown_timeout_s * 0.4
        try:
            self._handler.close()
        finally:
            if self._producer is not None:
                try:
                    self._producer.close(timeout=producer_s)
                except KafkaError as exc:
                    log.warning("producer did not close cleanly", extra={"error": repr(exc)})
            if self._consumer is not None:
                self._consumer.close(autocommit=False, timeout_ms=self._close_timeout_ms())
                leave_group(self._config, timeout_ms=self._close_timeout_ms())
            log.info("stopped")


def _next_offsets(records: list[ConsumerRecord]) -> dict[TopicPartition, OffsetAndMetadata]:
    offsets: dict[TopicPartition, OffsetAndMetadata] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        next_offset = record.offset + 1
        if tp not in offsets or offsets[tp].offset < next_offset:
            offsets[tp] = OffsetAndMetadata(next_offset, "", -1)
    return offsets
