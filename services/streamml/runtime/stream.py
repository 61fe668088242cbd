"""The consume -> handle -> produce -> commit loop every consuming service runs, pipelined.

The loop polls and handles the next batch while the outputs of the previous ones are still on
their way to Kafka (at most ``max_in_flight_batches`` batches and ``max_in_flight_records``
records), and commits asynchronously.

At-least-once (the default): an offset is committed only once every output of every batch up
to it is acknowledged by Kafka; batches complete in input order, per partition and across
them. If a batch's send fails, the consumer seeks back to the first offset not yet
acknowledged, per partition, and that batch and every later one in flight are handled again;
later batches are never committed past a failed one. If a commit fails (the group
rebalanced), the new owner of the partition re-reads from the last committed offset.

Exactly-once (``STREAMML_PROCESSING_GUARANTEE=exactly-once``): a Kafka transaction holds the
outputs, the dead letters and the input offsets (KIP-447) of one or more batches; it commits
once the polled input is exhausted or ``commit_interval_ms`` after it began, whichever is
first. Readers with ``isolation_level=read_committed`` see every output once.

A handler's state advances only when its outputs are delivered: ``HandlerResult.on_delivered``
runs after Kafka acknowledged them (at-least-once) or the transaction committed
(exactly-once), in input order, never for a batch that is handled again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, Protocol

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import CommitFailedError, KafkaError, KafkaTimeoutError
from kafka.structs import OffsetAndMetadata

from streamml.runtime.clients import (
    connect_with_backoff,
    finish_rejoin_in_progress,
    has_broker_connection,
    leave_group,
    make_consumer,
    make_stream_producer,
)
from streamml.runtime.dead_letter import Outgoing, Rejection, dead_letter
from streamml.runtime.delivery import (
    DeliveryFailed,
    Failure,
    Sending,
    classify,
    poison_reason,
    poison_replacement,
)
from streamml.runtime.gc_freeze import FreezeSurvivors
from streamml.runtime.gc_turns import CollectBetweenTurns
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
# Poll timeout while outputs or a commit are in flight: their completion is noticed this soon.
IN_FLIGHT_POLL_MS = 10


class Incoming(NamedTuple, Generic[MessageT]):
    """A valid input: its record and the validated message (a tuple: one per record)."""

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
    time), so state changed earlier would be applied twice. The loop is pipelined: the next
    batch may be handled before the ``on_delivered`` of the previous ones has run (they run
    later, in input order), so ``handle()`` must not rely on them having run.
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


class _Rebalance(ConsumerRebalanceListener):
    """Pauses newly assigned partitions before their first fetch while the handler is not
    ready, so not even the poll that joins the group returns records; before partitions are
    revoked, settles the work in flight and commits it, so their next owner starts after it.

    kafka-python 3 calls it on its IO thread while the main loop waits inside ``poll()``, so
    it may touch the loop's state but must not block on the consumer."""

    def __init__(self, handler: Handler, before_revoke: Callable[[], None]) -> None:
        self._handler = handler
        self._before_revoke = before_revoke
        self.consumer: KafkaConsumer | None = None

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        log.info("partitions assigned", extra={"partitions": _names(assigned)})
        if assigned and self.consumer is not None and not self._handler.is_ready():
            self.consumer.pause(*assigned)

    def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        log.info("partitions revoked", extra={"partitions": _names(revoked)})
        if revoked:
            self._before_revoke()


def _names(partitions: Sequence[TopicPartition]) -> list[str]:
    return sorted(f"{tp.topic}-{tp.partition}" for tp in partitions)


@dataclass(eq=False)
class _Batch:
    """One polled batch (and/or on_idle()'s outputs) from its send to its completion."""

    first: dict[TopicPartition, int]  # first offset per partition: where a rewind goes
    next: dict[TopicPartition, int]   # offset after its last record, per partition
    count: int                        # records polled
    valid: int                        # of which valid
    sending: Sending
    rejections: list[Rejection]
    callbacks: list[Callable[[], None]]
    idle: bool                        # carries on_idle()'s result
    polled_at: float                  # perf_counter, when the poll returned
    sent_at: float                    # perf_counter, first send
    deadline: float                   # clock(), acknowledged by then or the attempt failed
    acked_at: float = 0.0             # perf_counter


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
        self._commit_interval_s = config.commit_interval_ms / 1000
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self._gauge_updated = float("-inf")
        self._lag_partitions: set[tuple[str, int]] = set()
        self._listener = _Rebalance(handler, self._before_revoke)
        self._progress_at = clock()
        # Idle outputs not yet delivered: retried every turn, on_idle() is not asked again.
        self._pending_idle: HandlerResult | None = None
        # Batches sent, oldest first, not yet acknowledged (exactly-once: not yet committed).
        self._in_flight: deque[_Batch] = deque()
        self._in_flight_records = 0
        # Acknowledged (or committed) batches whose callbacks and metrics wait for the main loop.
        self._settled: list[_Batch] = []
        # A failure found while settling on the rebalance listener's thread; handled after poll.
        self._failure: DeliveryFailed | None = None
        # At-least-once: per partition, the offset up to which every output is acknowledged,
        # and what was last sent to be committed.
        self._acked: dict[TopicPartition, int] = {}
        self._commit_requested: dict[TopicPartition, int] = {}
        self._acked_at: list[float] = []  # acknowledged since the last commit request
        self._committing = 0  # async commits without an answer yet
        self._last_commit = float("-inf")
        # Exactly-once: the open transaction, if any, and when it began.
        self._transaction_open = False
        self._transaction_began = 0.0
        # Set by the main loop, read by the HTTP thread: plain attribute reads, no client calls.
        self._connected = False
        self._failing_since: float | None = None
        self._retry_delay = 0.5
        stages = metrics.stage_seconds
        self._fetch_stage = stages.labels(self._service, FETCH)
        self._handle_stage = stages.labels(self._service, HANDLE)
        self._ack_stage = stages.labels(self._service, ACKNOWLEDGE)
        self._commit_stage = stages.labels(self._service, COMMIT)
        self._consumed = {topic: metrics.consumed.labels(self._service, topic)
                          for topic in handler.inputs}
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
            freeze = FreezeSurvivors(
                self._config.gc_reclaim_interval_s, self._clock,
                self._metrics.gc_frozen.labels(self._service).set,
            ) if self._config.gc_freeze_survivors else None
            between_turns = CollectBetweenTurns(freeze.after_turn if freeze else None)
            while not self._stop.is_set() and self._consumer is not None:
                with between_turns:  # docs/runtime.md, "Garbage-collection pauses"
                    self._turn()
            self._drain()
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
        self._reap()
        if self._full():
            self._wait_for_room()
        self._hold_input(not self._handler.is_ready())
        room = self._config.max_in_flight_records - self._in_flight_records
        polled = self._consumer.poll(timeout_ms=self._poll_timeout_ms(),
                                     max_records=max(1, min(self._config.max_poll_records, room)))
        finish_rejoin_in_progress(self._consumer)
        if self._failure is not None:  # found while settling for a rebalance, inside poll()
            failure, self._failure = self._failure, None
            self._fail(failure, also_rewind=polled)
            return
        count = 0
        if polled:
            now_ms = time.time() * 1000
            for tp, records in polled.items():
                count += len(records)
                self._fetch_stage.observe_since_ms(now_ms, [record.timestamp for record in records])
        idle = None
        if self._pending_idle is None:
            self._pending_idle = _as_result(self._handler.on_idle())
            idle = self._pending_idle
        elif not self._idle_sent():
            idle = self._pending_idle  # not delivered last time: send it again
        if count or idle is not None:
            self._start(polled, count, idle)
        elif not self._in_flight and self._pending_idle is None and self._failure is None:
            self._failing_since = None  # nothing waits to be delivered
        self._reap()
        if self._exactly_once:
            if self._transaction_open and (
                    count < self._config.max_poll_records or self._full()
                    or self._clock() - self._transaction_began >= self._commit_interval_s):
                self._commit_transaction()
                self._reap()
        else:
            self._commit(force=False)
        if count:
            # Stamped after the turn: a long handle() (a fit) is progress, not a stall.
            self._progress_at = self._clock()

    def _poll_timeout_ms(self) -> int:
        if self._in_flight or self._committing:
            return min(IN_FLIGHT_POLL_MS, self._config.poll_timeout_ms)
        return self._config.poll_timeout_ms

    def _full(self) -> bool:
        return (len(self._in_flight) >= self._config.max_in_flight_batches
                or self._in_flight_records >= self._config.max_in_flight_records)

    def _idle_sent(self) -> bool:
        """The pending idle outputs are in flight, or acknowledged and waiting for
        _complete_settled(): the rebalance listener settles batches inside poll(), and a
        batch it acknowledged there must not be sent again (its dead letters twice)."""
        return any(batch.idle for batch in self._in_flight) or \
            any(batch.idle for batch in self._settled)

    def _has_connection(self) -> bool:
        assert self._consumer is not None
        return has_broker_connection(self._consumer)

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
        wait, yet every poll is empty. The work in flight is settled and committed first, so a
        new consumer resumes exactly where this one stopped."""
        assert self._consumer is not None
        log.warning("consumer made no progress with records waiting; reconnecting",
                    extra={"stalled_s": round(stalled_s, 1)})
        self._metrics.consumer_reconnects.labels(self._service).inc()
        self._drain()
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

    # -- one batch: decode, handle, send ---------------------------------------------------

    def _start(self, polled: dict[TopicPartition, list[ConsumerRecord]], count: int,
               idle: HandlerResult | None) -> None:
        assert self._producer is not None
        polled_at = time.perf_counter()
        valid: list[Incoming] = []
        rejections: list[Rejection] = []
        first: dict[TopicPartition, int] = {}
        after: dict[TopicPartition, int] = {}
        inputs = self._handler.inputs
        for tp, records in polled.items():
            # Counted per partition, not per record: a labelled-counter lookup per record
            # is a measurable share of a busy service's CPU (docs/benchmarks.md, profiles).
            self._consumed[tp.topic].inc(len(records))
            first[tp], after[tp] = records[0].offset, records[-1].offset + 1
            schema = inputs[tp.topic]
            for record in records:
                try:
                    message = decode(schema, record.value)
                except DecodeError as exc:
                    rejections.append(Rejection(record, exc.reason, exc.detail))
                    continue
                valid.append(Incoming(record, message))
        result = self._handle_isolating(valid)
        rejections.extend(result.rejections)
        outputs = (idle.outputs + result.outputs) if idle else result.outputs
        if rejections:
            outputs = outputs + [dead_letter(rejection, self._config.dead_letter_topic,
                                             self._service) for rejection in rejections]
        sent_at = time.perf_counter()
        self._handle_stage.observe(sent_at - polled_at)
        if valid:
            self._metrics.batch_size.labels(self._service).observe(len(valid))
        batch = _Batch(
            first=first, next=after, count=count, valid=len(valid),
            sending=Sending(self._producer, self._replace_poison), rejections=rejections,
            callbacks=[callback for callback in (idle.on_delivered if idle else None,
                                                 result.on_delivered) if callback is not None],
            idle=idle is not None, polled_at=polled_at, sent_at=sent_at,
            deadline=self._clock() + self._config.delivery_timeout_s)
        # In flight before the first send: a failure from here on rewinds this batch too.
        self._in_flight.append(batch)
        self._in_flight_records += count
        try:
            if self._exactly_once and not self._transaction_open and (outputs or count):
                self._producer.begin_transaction()
                self._transaction_open = True
                self._transaction_began = self._clock()
            batch.sending.send(outputs)
        except DeliveryFailed as failed:
            self._fail(failed)
            return
        except KafkaError as exc:
            self._fail(DeliveryFailed(classify(exc), exc))
            return
        if self._exactly_once and not self._transaction_open:
            # Nothing to send and no offsets (on_idle() asked only for its on_delivered).
            self._acknowledged(self._in_flight.popleft(), time.perf_counter())

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

    def _replace_poison(self, output: Outgoing, exc: BaseException) -> Outgoing:
        return poison_replacement(output, exc, self._config.dead_letter_topic, self._service)

    # -- acknowledgements, in input order --------------------------------------------------

    def _reap(self) -> None:
        """Complete the oldest batches whose outputs are all acknowledged, in input order; a
        failed one (or one past its deadline) fails the attempt. Never blocks."""
        if not self._exactly_once:
            try:
                while self._in_flight:
                    head = self._in_flight[0]
                    if not head.sending.done():
                        if self._clock() < head.deadline:
                            break
                        raise self._timed_out(self._config.delivery_timeout_s)
                    self._acknowledged(self._in_flight.popleft(), time.perf_counter())
            except DeliveryFailed as failed:
                self._fail(failed)
        self._complete_settled()

    def _wait_for_room(self) -> None:
        """At the in-flight bound: wait for the oldest batch (exactly-once: commit)."""
        if self._exactly_once:
            if self._transaction_open:
                self._commit_transaction()
        elif self._in_flight:
            head = self._in_flight[0]
            try:
                if not head.sending.wait(max(head.deadline - self._clock(), 0.0)):
                    self._fail(self._timed_out(self._config.delivery_timeout_s))
            except DeliveryFailed:
                pass  # _reap() fails the attempt
        self._reap()

    @staticmethod
    def _timed_out(timeout_s: float) -> DeliveryFailed:
        return DeliveryFailed(Failure.RETRIABLE, KafkaTimeoutError(
            f"outputs not acknowledged within {timeout_s:g} s"))

    def _acknowledged(self, batch: _Batch, now: float) -> None:
        batch.acked_at = now
        self._ack_stage.observe(now - batch.sent_at)
        self._in_flight_records -= batch.count
        if not self._exactly_once:
            self._acked.update(batch.next)
            self._acked_at.append(now)
        self._settled.append(batch)

    def _complete_settled(self) -> None:
        """Callbacks and metrics of delivered batches, in input order, on the main loop."""
        if not self._settled:
            return
        settled, self._settled = self._settled, []
        for batch in settled:
            if batch.idle:
                self._pending_idle = None
            for callback in batch.callbacks:
                callback()
            sending = batch.sending
            for topic, count in sending.acknowledged.items():
                if count:
                    self._metrics.produced.labels(self._service, topic).inc(count)
            for output, exc in sending.poisoned:
                self._metrics.dead_letters.labels(self._service, poison_reason(exc)).inc()
                log.error("output rejected by Kafka; dead-lettered in its place", extra={
                    "topic": output.topic, "bytes": len(output.value), "error": repr(exc)})
            for rejection in batch.rejections:
                self._metrics.dead_letters.labels(self._service, rejection.reason).inc()
                log.warning("dead-lettered", extra={
                    "reason": rejection.reason, "error": rejection.detail[:300],
                    "topic": rejection.record.topic, "partition": rejection.record.partition,
                    "offset": rejection.record.offset})
            self._metrics.batch_seconds.labels(self._service).observe(
                batch.acked_at - batch.polled_at)
        self._delivered()

    # -- commits --------------------------------------------------------------------------

    def _commit(self, force: bool, timeout_ms: int | None = None) -> None:
        """At-least-once: commit what is acknowledged, at most every ``commit_interval_ms``
        (``force``: now). Asynchronous unless ``timeout_ms`` is given."""
        assert self._consumer is not None
        changed = {tp: offset for tp, offset in self._acked.items()
                   if self._commit_requested.get(tp) != offset}
        if not changed or not (force or self._clock() - self._last_commit >= self._commit_interval_s):
            return
        self._last_commit = self._clock()
        offsets = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in changed.items()}
        self._commit_requested.update(changed)
        acked_at, self._acked_at = self._acked_at, []
        if timeout_ms is not None:
            try:
                self._consumer.commit(offsets, timeout_ms=timeout_ms)
            except (CommitFailedError, KafkaError) as exc:
                self._commit_failed(exc)
            else:
                self._committed(acked_at)
            return

        def answered(_offsets: object, response: object) -> None:
            self._committing -= 1
            if isinstance(response, BaseException):
                self._commit_failed(response)
            else:
                self._committed(acked_at)

        self._committing += 1
        try:
            self._consumer.commit_async(offsets, callback=answered)
        except KafkaError as exc:
            self._committing -= 1
            self._commit_failed(exc)

    def _committed(self, acked_at: list[float]) -> None:
        now = time.perf_counter()
        for moment in acked_at:
            self._commit_stage.observe(now - moment)

    def _commit_failed(self, exc: BaseException) -> None:
        self._metrics.commit_failures.labels(self._service).inc()
        log.warning("commit failed; the partition's next owner re-reads these messages",
                    extra={"error": repr(exc)})

    def _commit_transaction(self) -> None:
        """Exactly-once: commit the open transaction with the offsets of every batch in it."""
        failure = self._settle_transaction()
        if failure is not None:
            self._fail(failure)

    def _settle_transaction(self) -> DeliveryFailed | None:
        """Wait for the transaction's outputs (replacing poison), add the offsets, commit.
        Returns the failure instead of acting on it: the rebalance listener calls it too."""
        assert self._producer is not None and self._consumer is not None
        if not self._transaction_open:
            return None
        batches = list(self._in_flight)
        deadline = self._clock() + self._config.delivery_timeout_s
        try:
            for batch in batches:
                if not batch.sending.wait(max(deadline - self._clock(), 0.0)):
                    raise self._timed_out(self._config.delivery_timeout_s)
            offsets: dict[TopicPartition, OffsetAndMetadata] = {}
            for batch in batches:
                offsets.update((tp, OffsetAndMetadata(offset, "", -1))
                               for tp, offset in batch.next.items())
            if offsets:
                self._producer.send_offsets_to_transaction(offsets, self._consumer.group_metadata())
            self._producer.commit_transaction()
        except DeliveryFailed as failed:
            return failed
        except KafkaError as exc:
            return DeliveryFailed(classify(exc), exc)
        self._transaction_open = False
        now = time.perf_counter()
        for batch in batches:
            self._in_flight.popleft()
            self._acknowledged(batch, now)
        return None

    def _settle_in_flight(self, timeout_s: float) -> DeliveryFailed | None:
        """Wait until the batches in flight are acknowledged (exactly-once: committed), in
        order; the first failure ends the wait and is returned, not acted upon."""
        if self._exactly_once:
            return self._settle_transaction()
        deadline = self._clock() + timeout_s
        while self._in_flight:
            head = self._in_flight[0]
            try:
                if not head.sending.wait(max(deadline - self._clock(), 0.0)):
                    return self._timed_out(timeout_s)
            except DeliveryFailed as failed:
                return failed
            self._acknowledged(self._in_flight.popleft(), time.perf_counter())
        return None

    def _before_revoke(self) -> None:
        """On the rebalance listener (the loop waits in poll()): settle what is in flight and
        commit it before the partitions move. A failure is handled once poll() returns."""
        if self._consumer is None:
            return
        self._failure = self._settle_in_flight(self._config.delivery_timeout_s)
        if not self._exactly_once:
            # What was acknowledged before any failure; asynchronous (the consumer's IO
            # thread cannot block on itself), sent before the group re-joins.
            self._commit(force=True)

    def _drain(self) -> None:
        """Before closing the consumer (SIGTERM, a stalled consumer): settle and commit the
        work in flight, bounded by ``delivery_timeout_s``; on failure nothing more is
        committed and the next owner re-reads it."""
        if self._consumer is None or self._producer is None:
            return
        deadline = self._clock() + self._config.delivery_timeout_s
        failure = self._settle_in_flight(self._config.delivery_timeout_s)
        if failure is not None:
            self._fail(failure)
        self._complete_settled()
        if not self._exactly_once:
            # Within the same budget (the SIGTERM drain must fit the grace period).
            remaining_ms = int((deadline - self._clock()) * 1000)
            self._commit(force=True, timeout_ms=min(COMMIT_TIMEOUT_MS, max(remaining_ms, 1000)))

    # -- failures -------------------------------------------------------------------------

    def _fail(self, failed: DeliveryFailed,
              also_rewind: Mapping[TopicPartition, list[ConsumerRecord]] | None = None) -> None:
        """The attempt failed: every batch in flight is dropped and its partitions are sought
        back to their first offset not yet acknowledged, so they are handled again."""
        assert self._consumer is not None
        first: dict[TopicPartition, int] = {}
        for batch in self._in_flight:
            for tp, offset in batch.first.items():
                first.setdefault(tp, offset)  # the oldest batch holding the partition
        for tp, records in (also_rewind or {}).items():
            first.setdefault(tp, records[0].offset)
        self._in_flight.clear()
        self._in_flight_records = 0
        assigned = self._consumer.assignment()
        for tp, offset in first.items():
            if tp in assigned:
                self._consumer.seek(tp, offset)
        self._delivery_failed(failed.kind, failed.cause)

    def _delivered(self) -> None:
        self._failing_since = None
        self._retry_delay = 0.5

    def _delivery_failed(self, kind: Failure, cause: BaseException) -> None:
        if self._failing_since is None:
            self._failing_since = self._clock()
        self._metrics.send_failures.labels(self._service).inc()
        log.error("outputs not delivered; the batch will be handled again",
                  extra={"error": repr(cause), "failure": kind.value})
        if self._exactly_once and self._transaction_open:
            self._transaction_open = False
            if kind is Failure.RETRIABLE:
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
