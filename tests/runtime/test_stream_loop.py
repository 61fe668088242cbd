"""StreamProcessor's error paths with fake clients: fast, no broker (issue 9's loss and stall
paths, each a test that failed before its fix)."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Sequence

import pytest
from kafka import TopicPartition
from kafka.errors import (
    CommitFailedError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    OutOfOrderSequenceNumberError,
    RequestTimedOutError,
)
from prometheus_client import CollectorRegistry

from streamml.runtime.config import ConfigError, load_config
from streamml.runtime.dead_letter import Outgoing, header_map
from streamml.runtime.health import Health
from streamml.runtime.metrics import RuntimeMetrics
from streamml.runtime.settings import RuntimeConfig
from streamml.runtime.stream import HandlerResult, Incoming, StreamProcessor
from tests.runtime.echo_service import Ping
from tests.runtime.fakes import FakeConsumer, FakeProducer

IN = TopicPartition("in", 0)
OUT = "out"
DLQ = "streamml.dead-letter"


def ping(n: int) -> bytes:
    return json.dumps({"id": f"p{n}", "n": n}).encode()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """Echoes pings; its state (``seen``) advances only through on_delivered."""

    def __init__(self) -> None:
        self.inputs = {"in": Ping}
        self.seen: list[int] = []
        self.idle: list[HandlerResult | list[Outgoing]] = []
        self.idle_calls = 0
        self.fail_batches_with: int | None = None  # a batch holding this n raises
        self.on_handle = lambda batch: None

    def is_ready(self) -> bool:
        return True

    def handle(self, batch: Sequence[Incoming[Ping]]) -> HandlerResult:
        self.on_handle(batch)
        numbers = [item.message.n for item in batch]
        if self.fail_batches_with in numbers:
            raise ValueError(f"cannot handle {self.fail_batches_with}")
        return HandlerResult(
            outputs=[Outgoing(OUT, item.message.to_bytes(), item.record.key) for item in batch],
            on_delivered=lambda: self.seen.extend(numbers))

    def on_idle(self) -> HandlerResult | list[Outgoing]:
        self.idle_calls += 1
        return self.idle.pop(0) if self.idle else []

    def close(self) -> None:
        pass


class Loop:
    """A StreamProcessor wired to fakes, turned by hand."""

    def __init__(self, values: list[bytes], producer: FakeProducer | None = None,
                 handler: Recorder | None = None, **settings: object) -> None:
        self.config = dataclasses.replace(RuntimeConfig(service_name="t", poll_timeout_ms=1),
                                          **settings)
        self.config.validate()
        self.consumer = FakeConsumer({IN: list(values)})
        self.producers = [producer or FakeProducer()]
        self.handler = handler or Recorder()
        self.clock = Clock()
        self.stop = threading.Event()
        self.registry = CollectorRegistry()
        self.health = Health(clock=self.clock)
        self.loop = StreamProcessor(
            self.config, self.handler, RuntimeMetrics.create(self.registry), self.health,
            self.stop, producer_factory=self._producer, consumer_factory=lambda *a: self.consumer,
            clock=self.clock)
        self.loop._stop.wait = lambda timeout=None: False  # no real back-off sleeps
        self.loop._producer = self.producers[0]
        self.loop._consumer = self.consumer

    def _producer(self, config: RuntimeConfig) -> FakeProducer:
        self.producers.append(FakeProducer())
        return self.producers[-1]

    @property
    def producer(self) -> FakeProducer:
        return self.loop._producer  # type: ignore[return-value]

    def turn(self, times: int = 1) -> None:
        for _ in range(times):
            self.loop._turn()

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, {"service": "t", **labels}) or 0.0

    def outputs(self, topic: str = OUT) -> list[bytes]:
        return [sent.value for producer in self.producers for sent in producer.acknowledged
                if sent.topic == topic]


def test_a_batch_is_committed_after_its_outputs_are_acknowledged():
    loop = Loop([ping(i) for i in range(5)])
    loop.turn()
    assert len(loop.outputs()) == 5
    assert loop.consumer.committed == {IN: 5}
    assert loop.handler.seen == [0, 1, 2, 3, 4]


def test_every_stage_is_timed():
    loop = Loop([ping(i) for i in range(5)])
    loop.turn()
    count = "streamml_stage_duration_seconds_count"
    assert loop.metric(count, stage="fetch") == 5, "one fetch delay per record"
    for stage in ("handle", "acknowledge", "commit"):
        assert loop.metric(count, stage=stage) == 1, stage


def test_send_failure_rewinds_and_state_advances_once():
    loop = Loop([ping(i) for i in range(3)], FakeProducer(ack_errors={1: RequestTimedOutError()}))
    loop.turn()
    assert loop.consumer.committed == {} and loop.handler.seen == []
    assert loop.consumer.positions[IN] == 0, "rewound to the batch's first offset"
    loop.turn()
    assert loop.consumer.committed == {IN: 3}
    assert loop.handler.seen == [0, 1, 2], "the failed attempt's state never applied"


def test_idle_outputs_survive_a_failed_send_and_state_waits_for_the_ack():
    """Issue 9, path 1: a trainer's model from on_idle was lost when the send failed."""
    advanced: list[int] = []
    handler = Recorder()
    model = Outgoing("models", b"model-v1", b"m")
    handler.idle = [HandlerResult(outputs=[model], on_delivered=lambda: advanced.append(1))]
    loop = Loop([], FakeProducer(ack_errors={0: RequestTimedOutError()}), handler)
    loop.turn()
    assert advanced == [] and loop.outputs("models") == []
    loop.turn()
    assert loop.outputs("models") == [b"model-v1"], "the same model is sent again"
    assert advanced == [1]
    assert handler.idle_calls == 1, "on_idle is not asked again while its outputs wait"
    loop.turn()
    assert handler.idle_calls == 2


def test_idle_outputs_as_a_plain_list_are_retried_too():
    handler = Recorder()
    handler.idle = [[Outgoing(DLQ, b"bad model")]]
    loop = Loop([], FakeProducer(send_errors={0: KafkaTimeoutError()}), handler)
    loop.turn(2)
    assert loop.outputs(DLQ) == [b"bad model"]


def test_poison_output_is_replaced_by_a_bounded_dead_letter():
    """Issue 9, path 2: an output over max_request_size rewound the same batch forever."""
    huge = b"x" * (2 * 1024 * 1024)
    handler = Recorder()
    handler.on_handle = lambda batch: None
    producer = FakeProducer(reject=lambda topic, value: MessageSizeTooLargeError("too big")
                            if len(value) > 1024 * 1024 else None)
    loop = Loop([ping(1)], producer, handler)
    handler.handle = lambda batch: HandlerResult(outputs=[Outgoing(OUT, huge, b"k")])  # type: ignore[method-assign]
    loop.turn()
    assert loop.consumer.committed == {IN: 1}, "the partition moves on"
    [letter] = [s for s in loop.producer.acknowledged if s.topic == DLQ]
    headers = header_map(letter.headers)
    assert headers["streamml.dlq.reason"] == "output_too_large"
    assert headers["streamml.dlq.target.topic"] == OUT
    assert headers["streamml.dlq.original.bytes"] == str(len(huge))
    assert len(letter.value) <= 64 * 1024
    assert loop.metric("streamml_dead_letters_total", reason="output_too_large") == 1


def test_poison_reported_by_the_broker_is_replaced_too():
    producer = FakeProducer(ack_errors={0: MessageSizeTooLargeError("topic limit")})
    loop = Loop([ping(7)], producer)
    loop.turn()
    assert loop.consumer.committed == {IN: 1}
    assert [header_map(s.headers)["streamml.dlq.reason"] for s in producer.acknowledged] == [
        "output_too_large"]


def test_a_fatal_producer_is_rebuilt():
    loop = Loop([ping(1)], FakeProducer(ack_errors={0: OutOfOrderSequenceNumberError()}))
    loop.turn()
    assert len(loop.producers) == 2 and loop.producers[0].closed_with == 0
    assert loop.metric("streamml_producer_rebuilds_total") == 1
    loop.turn()
    assert loop.outputs() == [Ping(id="p1", n=1).to_bytes()]
    assert loop.consumer.committed == {IN: 1}


def test_liveness_fails_when_nothing_is_delivered_for_too_long():
    producer = FakeProducer(reject=lambda topic, value: KafkaTimeoutError("no metadata"))
    loop = Loop([ping(1)], producer, delivery_stall_s=60)
    loop.turn()
    assert loop.health.live()
    loop.clock.now += 59
    loop.turn()
    assert loop.health.live()
    loop.clock.now += 2
    loop.turn()
    assert not loop.health.live(), "work waits, no delivery in 61 s"
    producer.reject = lambda topic, value: None
    loop.turn()
    assert loop.health.live()


def test_readiness_recovers_when_later_turns_have_nothing_to_send():
    """Issue 9, path 3: only a non-empty send used to set readiness back."""
    handler = Recorder()
    handler.idle = [[Outgoing(DLQ, b"x")]]
    loop = Loop([], FakeProducer(send_errors={0: KafkaTimeoutError()}), handler)
    loop.turn()
    assert not loop.health.readiness()["kafka"]
    loop.turn()  # the retry succeeds
    loop.turn()  # and a turn with nothing to send stays ready
    assert loop.health.readiness()["kafka"]


def test_a_long_turn_is_not_a_stall():
    """Issue 9, path 4: the watchdog stamped progress at the start of a turn, so a turn longer
    than consumer_stall_s (a long fit) triggered a needless reconnect."""
    handler = Recorder()
    loop = Loop([ping(i) for i in range(4)], handler=handler, max_poll_records=2,
                consumer_stall_s=30)

    def slow(batch: object) -> None:
        loop.clock.now += 45

    handler.on_handle = slow
    loop.turn()  # handles 2 of 4 in 45 s; 2 still wait
    loop.clock.now += 1.5
    loop.turn()
    assert loop.metric("streamml_consumer_reconnects_total") == 0
    assert loop.consumer.committed == {IN: 4}


def test_a_consumer_that_stops_fetching_is_replaced():
    loop = Loop([ping(0)], consumer_stall_s=30)
    loop.consumer.pause(IN)
    loop.consumer.paused = lambda: set()  # type: ignore[method-assign] # fetches nothing, says unpaused
    loop.turn()
    loop.clock.now += 31
    loop.turn()
    assert loop.metric("streamml_consumer_reconnects_total") == 1
    assert loop.consumer.closed_with == {"autocommit": False, "timeout_ms": 3000}


def test_isolating_retry_does_not_apply_state_twice():
    """Issue 9, path 5: the failed batch call's changes were applied, then again per record."""
    handler = Recorder()
    handler.fail_batches_with = 2
    loop = Loop([ping(i) for i in range(4)], handler=handler)
    loop.turn()
    assert handler.seen == [0, 1, 3]
    [letter] = [s for s in loop.producer.acknowledged if s.topic == DLQ]
    assert header_map(letter.headers)["streamml.dlq.reason"] == "processing_error"
    assert loop.consumer.committed == {IN: 4}


def test_readiness_never_touches_the_consumer_from_the_http_thread():
    """Issue 9, path 6: /readyz called the consumer that the loop may close or replace."""
    loop = Loop([ping(1)])
    loop.turn()
    result: dict[str, bool] = {}
    probe = threading.Thread(target=lambda: result.update(loop.health.readiness()), name="http")
    loop.loop._consumer = None  # being replaced right now
    probe.start()
    probe.join()
    assert result == {"kafka": True, "handler": True}
    assert "http" not in loop.consumer.metrics_threads


def test_a_failed_commit_is_counted_and_the_loop_goes_on():
    loop = Loop([ping(1)])
    loop.consumer.commit_error = CommitFailedError("rebalanced")
    loop.turn()
    assert loop.metric("streamml_commit_failures_total") == 1
    assert loop.handler.seen == [1]


def test_shutdown_is_bounded_by_the_configured_budget():
    """Issue 9, path 7: flush (20 s) + close (20 s) + a 60 s max_block exceeded the grace."""
    loop = Loop([])
    loop.loop._close()
    budget_s = loop.config.shutdown_timeout_s
    assert loop.producer.closed_with == pytest.approx(budget_s * 0.4)
    assert loop.consumer.closed_with == {"autocommit": False, "timeout_ms": int(budget_s * 300)}


def test_the_drain_budget_must_fit_the_grace_period():
    config = RuntimeConfig()
    assert (config.send_block_s + config.delivery_timeout_s + config.shutdown_timeout_s + 5
            <= config.termination_grace_s)
    with pytest.raises(ConfigError, match="termination_grace_s"):
        load_config(RuntimeConfig, {"STREAMML_SHUTDOWN_TIMEOUT_S": "20"})
    assert load_config(RuntimeConfig, {"STREAMML_SHUTDOWN_TIMEOUT_S": "20",
                                       "STREAMML_TERMINATION_GRACE_S": "60"})


def test_the_producer_never_blocks_longer_than_send_block_s():
    from streamml.runtime import clients

    seen: dict = {}

    class Spy:
        def __init__(self, **kwargs: object) -> None:
            seen.update(kwargs)

    original = clients.KafkaProducer
    clients.KafkaProducer = Spy  # type: ignore[assignment,misc]
    try:
        clients.make_producer(RuntimeConfig(send_block_s=4))
    finally:
        clients.KafkaProducer = original  # type: ignore[misc]
    assert seen["max_block_ms"] == 4000 and seen["transactional_id"] is None


# -- exactly-once -----------------------------------------------------------------------------

def test_exactly_once_puts_outputs_and_offsets_in_one_transaction():
    loop = Loop([ping(i) for i in range(3)], processing_guarantee="exactly-once")
    loop.turn()
    assert loop.producer.transactions == ["begin", "offsets [(0, 3)]", "commit"]
    assert len(loop.outputs()) == 3
    assert loop.consumer.committed == {}, "offsets go through the transaction, not the consumer"
    assert loop.handler.seen == [0, 1, 2]


def test_exactly_once_aborts_and_rewinds_on_a_failed_send():
    producer = FakeProducer(ack_errors={1: RequestTimedOutError()})
    loop = Loop([ping(i) for i in range(3)], producer, processing_guarantee="exactly-once")
    loop.turn()
    assert producer.transactions == ["begin", "abort"]
    assert loop.outputs() == [] and loop.handler.seen == []
    loop.turn()
    assert len(loop.outputs()) == 3, "nothing of the aborted attempt is visible"
    assert loop.handler.seen == [0, 1, 2]


def test_exactly_once_rebuilds_a_fenced_producer():
    from kafka.errors import ProducerFencedError

    producer = FakeProducer(commit_error=ProducerFencedError())
    loop = Loop([ping(1)], producer, processing_guarantee="exactly-once")
    loop.turn()
    assert len(loop.producers) == 2 and loop.handler.seen == []
    loop.turn()
    assert loop.handler.seen == [1] and len(loop.outputs()) == 1


# -- the pipelined loop -----------------------------------------------------------------------

def held_loop(n: int, **settings: object) -> Loop:
    """n pings, polled two at a time; every send waits for ``producer.ack(call numbers)``."""
    return Loop([ping(i) for i in range(n)], FakeProducer(hold=True),
                **{"max_poll_records": 2, **settings})


def test_batches_are_handled_while_earlier_outputs_are_in_flight():
    loop = held_loop(6)
    loop.turn(3)
    assert loop.producer.calls == 6, "three batches handled and sent, none acknowledged"
    assert loop.consumer.committed == {} and loop.handler.seen == []


def test_commits_in_input_order_when_acks_arrive_out_of_order():
    loop = held_loop(6)
    loop.turn(3)
    loop.producer.ack(2, 3)  # the second batch first
    loop.turn()
    assert loop.consumer.committed == {} and loop.handler.seen == [], (
        "nothing past the unacknowledged first batch")
    loop.producer.ack(0, 1)
    loop.turn()
    assert loop.consumer.committed == {IN: 4}
    assert loop.handler.seen == [0, 1, 2, 3], "callbacks in input order"
    loop.producer.ack(4, 5)
    loop.clock.now += 1  # past commit_interval_ms
    loop.turn()
    assert loop.consumer.committed == {IN: 6} and loop.handler.seen == list(range(6))


def test_a_failed_batch_in_the_middle_rewinds_to_the_first_unacknowledged_offset():
    loop = held_loop(6)
    handled: list[int] = []
    loop.handler.on_handle = lambda batch: handled.append(batch[0].record.offset)
    loop.turn(3)
    loop.producer.ack(0, 1)
    loop.producer.ack(2, error=RequestTimedOutError())
    loop.producer.ack(3, 4, 5)  # the batch after the failed one is acknowledged too
    loop.turn()
    assert loop.consumer.committed == {IN: 2}, "not past the failed batch, nor the later one"
    assert loop.handler.seen == [0, 1]
    assert handled == [0, 2, 4, 2], "rewound to the failed batch's first offset"
    assert loop.metric("streamml_send_failures_total") == 1
    loop.producer.ack(*list(loop.producer.held))  # the batch sent again in that turn
    loop.producer.hold = False
    for _ in range(4):
        loop.clock.now += 1
        loop.turn()
    assert loop.consumer.committed == {IN: 6}
    assert loop.handler.seen == list(range(6)), "each batch's state applied once, in order"


def test_a_batch_not_acknowledged_in_time_fails_the_attempt():
    loop = held_loop(2, delivery_timeout_s=8)
    handled: list[int] = []
    loop.handler.on_handle = lambda batch: handled.append(batch[0].record.offset)
    loop.turn()
    loop.clock.now += 9
    loop.turn()
    assert loop.metric("streamml_send_failures_total") == 1
    assert handled == [0, 0] and loop.consumer.committed == {} and loop.handler.seen == []


def test_work_in_flight_is_bounded():
    loop = held_loop(20, max_in_flight_batches=3, delivery_timeout_s=0.2)
    loop.turn(3)
    assert loop.producer.calls == 6
    loop.turn()  # at the bound: waits for the oldest batch, which never comes, and fails
    assert loop.metric("streamml_send_failures_total") == 1
    assert loop.consumer.committed == {} and loop.handler.seen == []
    assert loop.producer.calls == 8, "the rewound first batch is sent again"

    loop = held_loop(20, max_in_flight_records=3)
    loop.turn(2)
    assert loop.producer.calls == 3, "the second poll asks for one record only"


def test_partitions_revoked_with_batches_in_flight_commit_what_was_acknowledged():
    loop = held_loop(6)
    loop.turn(2)
    threading.Timer(0.2, lambda: loop.producer.ack(0, 1, 2, 3)).start()
    loop.loop._listener.on_partitions_revoked([IN])  # kafka-python's IO thread, inside poll()
    assert loop.consumer.committed == {IN: 4}, "settled and committed before the partition moves"
    assert loop.handler.seen == [], "callbacks wait for the main loop"
    loop.turn()
    assert loop.handler.seen == [0, 1, 2, 3]


def test_a_failure_while_revoking_rewinds_after_the_poll():
    loop = held_loop(6)
    loop.turn(2)

    def acks() -> None:  # arrive while the listener waits
        loop.producer.ack(0, 1)
        loop.producer.ack(2, 3, error=RequestTimedOutError())

    threading.Timer(0.2, acks).start()
    loop.consumer.during_poll = lambda: loop.loop._listener.on_partitions_revoked([IN])
    loop.turn()  # the poll revokes: batch 1 committed, batch 2 failed, the polled batch dropped
    loop.consumer.during_poll = None
    assert loop.consumer.committed == {IN: 2}
    assert loop.consumer.positions[IN] == 2, "the records polled with the rebalance dropped too"
    loop.producer.hold = False
    for _ in range(3):
        loop.clock.now += 1
        loop.turn()
    assert loop.consumer.committed == {IN: 6} and loop.handler.seen == list(range(6))


def test_idle_dead_letters_acknowledged_while_revoking_are_sent_once():
    """A rebalance inside poll() settled the in-flight batch of on_idle()'s dead letters (a
    predictor's rejected models); the loop then saw no idle batch in flight and sent them
    again, uncounted: the same model dead letters twice on the topic, every counter at 1."""
    handler = Recorder()
    handler.idle = [[Outgoing(DLQ, b"rejected model a"), Outgoing(DLQ, b"rejected model b")]]
    loop = Loop([], FakeProducer(hold=True), handler)
    loop.turn()
    assert loop.producer.calls == 2, "sent, not yet acknowledged"
    threading.Timer(0.2, lambda: loop.producer.ack(0, 1)).start()  # while the listener waits
    loop.consumer.during_poll = lambda: loop.loop._listener.on_partitions_revoked([IN])
    loop.turn()
    loop.consumer.during_poll = None
    loop.producer.hold = False
    loop.turn(2)
    assert loop.producer.calls == 2, "nothing sent again"
    assert loop.outputs(DLQ) == [b"rejected model a", b"rejected model b"]
    assert handler.idle_calls == 3, "on_idle asked again once its outputs were delivered"


def test_sigterm_drains_the_batches_in_flight_then_commits():
    loop = held_loop(6)
    loop.turn(3)
    loop.stop.set()
    threading.Timer(0.2, lambda: loop.producer.ack(*range(6))).start()
    loop.loop._drain()
    assert loop.consumer.committed == {IN: 6}
    assert loop.handler.seen == list(range(6))


def test_sigterm_drain_is_bounded_and_commits_only_what_was_acknowledged():
    loop = held_loop(6, delivery_timeout_s=0.3)
    loop.turn(3)
    loop.producer.ack(0, 1)
    loop.stop.set()
    loop.loop._drain()  # the rest never comes
    assert loop.consumer.committed == {IN: 2} and loop.handler.seen == [0, 1]


def test_exactly_once_transaction_spans_polls_until_the_input_is_exhausted():
    loop = Loop([ping(i) for i in range(6)], processing_guarantee="exactly-once",
                max_poll_records=2)
    loop.turn(3)  # every poll filled its batch: more may be waiting
    assert loop.producer.transactions == ["begin"] and loop.outputs() == []
    loop.turn()  # nothing more: commit
    assert loop.producer.transactions == ["begin", "offsets [(0, 6)]", "commit"]
    assert len(loop.outputs()) == 6 and loop.handler.seen == list(range(6))


def test_exactly_once_commits_at_the_interval_under_a_backlog():
    loop = Loop([ping(i) for i in range(10)], processing_guarantee="exactly-once",
                max_poll_records=2, commit_interval_ms=100)
    loop.turn()
    loop.clock.now += 0.1
    loop.turn()
    assert loop.producer.transactions == ["begin", "offsets [(0, 4)]", "commit"]
    assert loop.handler.seen == [0, 1, 2, 3]


def test_exactly_once_commits_when_work_in_flight_reaches_the_bound():
    loop = Loop([ping(i) for i in range(10)], processing_guarantee="exactly-once",
                max_poll_records=2, max_in_flight_batches=3)
    loop.turn(3)
    assert loop.producer.transactions == ["begin", "offsets [(0, 6)]", "commit"]


def test_exactly_once_commits_the_open_transaction_before_partitions_are_revoked():
    loop = Loop([ping(i) for i in range(6)], processing_guarantee="exactly-once",
                max_poll_records=2)
    loop.turn(2)
    loop.loop._listener.on_partitions_revoked([IN])
    assert loop.producer.transactions == ["begin", "offsets [(0, 4)]", "commit"]
    loop.turn()
    assert loop.handler.seen == [0, 1, 2, 3]


def test_exactly_once_sigterm_commits_the_open_transaction():
    loop = Loop([ping(i) for i in range(6)], processing_guarantee="exactly-once",
                max_poll_records=2)
    loop.turn(2)
    loop.stop.set()
    loop.loop._drain()
    assert loop.producer.transactions == ["begin", "offsets [(0, 4)]", "commit"]
    assert loop.handler.seen == [0, 1, 2, 3]


def test_a_rejoin_the_leader_started_itself_is_flagged_until_it_completes():
    """kafka-python 3.0.12: such a rejoin leaves rejoin_needed False, and if it completes
    between two polls its assignment is never applied (a consumer that fetches nothing)."""
    from types import SimpleNamespace

    from streamml.runtime.clients import finish_rejoin_in_progress

    coordinator = SimpleNamespace(rejoining=True, rejoin_needed=False)
    coordinator.request_rejoin = lambda: setattr(coordinator, "rejoin_needed", True)
    finish_rejoin_in_progress(SimpleNamespace(_coordinator=coordinator))
    assert coordinator.rejoin_needed
    settled = SimpleNamespace(rejoining=False, rejoin_needed=False)
    settled.request_rejoin = lambda: pytest.fail("no rejoin in progress")
    finish_rejoin_in_progress(SimpleNamespace(_coordinator=settled))
