"""In-memory stand-ins for kafka-python's consumer and producer, for fast tests of the loop's
error paths (tests/runtime/test_stream_loop.py) and of the topic followers. They keep only what
the runtime uses."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError, KafkaTimeoutError
from kafka.structs import OffsetAndMetadata


def record(topic: str, partition: int, offset: int, value: bytes, key: bytes | None = None
           ) -> ConsumerRecord:
    return ConsumerRecord(topic, partition, -1, offset, 0, 0, key, value, [], None,
                          len(value), 0 if key is None else len(key), -1)


class PartitionReader:
    """A group-less consumer of one partition, as a topic follower uses it: ``log`` is the
    partition's records (shared, it may grow), ``per_poll`` of them a poll. It fails like a
    dropped connection after ``fail_after_polls`` polls, or once its position reaches
    ``fail_at``."""

    def __init__(self, tp: TopicPartition, log: list[ConsumerRecord], per_poll: int = 2,
                 fail_after_polls: int | None = None, fail_at: int | None = None) -> None:
        self.tp = tp
        self.log = log
        self.per_poll = per_poll
        self.fail_after_polls = fail_after_polls
        self.fail_at = fail_at
        self.position_ = 0
        self.polls = 0
        self.closed = False

    def partitions_for_topic(self, topic: str) -> set[int]:
        return {self.tp.partition}

    def assign(self, partitions: list) -> None:
        pass

    def seek_to_beginning(self, *partitions: object) -> None:
        self.position_ = 0

    def end_offsets(self, partitions: list) -> dict:
        return {self.tp: len(self.log)}

    def position(self, tp: TopicPartition) -> int:
        return self.position_

    def poll(self, timeout_ms: int) -> dict:
        self.polls += 1
        if (self.fail_after_polls is not None and self.polls > self.fail_after_polls) or \
                (self.fail_at is not None and self.position_ >= self.fail_at):
            raise ConnectionResetError("connection reset")
        start, self.position_ = self.position_, min(self.position_ + self.per_poll, len(self.log))
        if start == self.position_:
            time.sleep(0.01)  # nothing new: a real poll would wait too
        return {self.tp: self.log[start:self.position_]}

    def close(self) -> None:
        self.closed = True


class FakeConsumer:
    """Partitions as lists of values; ``poll`` returns what lies after each position."""

    def __init__(self, partitions: dict[TopicPartition, list[bytes]]) -> None:
        self.log = partitions
        self.positions = {tp: 0 for tp in partitions}
        self.committed: dict[TopicPartition, int] = {}
        self._paused: set[TopicPartition] = set()
        self.closed_with: dict | None = None
        self.commit_error: KafkaError | None = None
        self.metrics_threads: set[str] = set()
        self.during_poll: Callable[[], None] | None = None

    def append(self, tp: TopicPartition, value: bytes) -> None:
        self.log[tp].append(value)

    def assignment(self) -> set[TopicPartition]:
        return set(self.log)

    def paused(self) -> set[TopicPartition]:
        return set(self._paused)

    def pause(self, *tps: TopicPartition) -> None:
        self._paused.update(tps)

    def resume(self, *tps: TopicPartition) -> None:
        self._paused.difference_update(tps)

    def poll(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[ConsumerRecord]]:
        if self.during_poll is not None:  # e.g. a rebalance listener, as kafka-python calls it
            self.during_poll()
        polled: dict[TopicPartition, list[ConsumerRecord]] = {}
        for tp, values in self.log.items():
            if tp in self._paused:
                continue
            start = self.positions[tp]
            batch = [record(tp.topic, tp.partition, offset, values[offset], b"k")
                     for offset in range(start, min(len(values), start + max_records))]
            if batch:
                polled[tp] = batch
                self.positions[tp] = batch[-1].offset + 1
        return polled

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    def highwater(self, tp: TopicPartition) -> int:
        return len(self.log[tp])

    def position(self, tp: TopicPartition, timeout_ms: int | None = None) -> int:
        return self.positions[tp]

    def commit(self, offsets: dict[TopicPartition, OffsetAndMetadata], timeout_ms: int) -> None:
        if self.commit_error is not None:
            raise self.commit_error
        for tp, meta in offsets.items():
            self.committed[tp] = meta.offset

    def commit_async(self, offsets: dict[TopicPartition, OffsetAndMetadata],
                     callback: Callable[[dict, object], None]) -> None:
        """Answered at once (kafka-python answers on a later poll)."""
        try:
            self.commit(offsets, timeout_ms=0)
        except KafkaError as exc:
            callback(offsets, exc)
        else:
            callback(offsets, "ok")

    def metrics(self) -> dict:
        self.metrics_threads.add(threading.current_thread().name)
        return {"consumer-metrics": {"connection-count": 1}}

    def group_metadata(self) -> str:
        return "group-metadata"

    def close(self, autocommit: bool = True, timeout_ms: int | None = None) -> None:
        self.closed_with = {"autocommit": autocommit, "timeout_ms": timeout_ms}


class FakeFuture:
    """Done at once unless ``held``; then done when ``complete()`` is called."""

    def __init__(self, error: KafkaError | None, held: bool = False) -> None:
        self.is_done = not held
        self.exception = error if not held else None
        self._error = error
        self._completed = threading.Event()

    def complete(self, error: KafkaError | None = None) -> None:
        self.exception = error or self._error
        self.is_done = True
        self._completed.set()

    def get(self, timeout: float | None = None) -> object:
        if not self.is_done and not self._completed.wait(timeout):
            raise KafkaTimeoutError("held")
        if self.exception is not None:
            raise self.exception
        return object()


@dataclass
class Sent:
    topic: str
    value: bytes
    key: bytes | None
    headers: list


@dataclass
class FakeProducer:
    """Acknowledges every send unless told otherwise.

    ``send_errors`` / ``ack_errors`` map a call number (0, 1, ...) to the error that send()
    raises or its future reports; ``reject`` decides per output (e.g. by size). ``hold``:
    futures stay pending until ``ack(call numbers)``, in any order."""

    send_errors: dict[int, KafkaError] = field(default_factory=dict)
    ack_errors: dict[int, KafkaError] = field(default_factory=dict)
    reject: Callable[[str, bytes], KafkaError | None] = lambda topic, value: None
    acknowledged: list[Sent] = field(default_factory=list)
    transactions: list[str] = field(default_factory=list)
    commit_error: KafkaError | None = None
    closed_with: float | None = None
    calls: int = 0
    hold: bool = False
    held: dict[int, tuple[Sent, FakeFuture]] = field(default_factory=dict)
    _open: list[Sent] = field(default_factory=list)
    _failed: bool = False

    def send(self, topic: str, value: bytes, key: bytes | None = None,
             headers: list | None = None) -> FakeFuture:
        call, self.calls = self.calls, self.calls + 1
        if call in self.send_errors:
            raise self.send_errors[call]
        if (error := self.reject(topic, value)) is not None:
            raise error
        error = self.ack_errors.get(call)
        if self.hold:
            future = FakeFuture(error, held=True)
            self.held[call] = (Sent(topic, value, key, list(headers or [])), future)
            return future
        if error is None:
            sent = Sent(topic, value, key, list(headers or []))
            (self._open if self.transactions else self.acknowledged).append(sent)
        else:
            self._failed = True
        return FakeFuture(error)

    def ack(self, *calls: int, error: KafkaError | None = None) -> None:
        """Complete held sends (by call number): acknowledged unless they fail."""
        for call in calls:
            sent, future = self.held.pop(call)
            future.complete(error)
            if future.exception is None:
                self.acknowledged.append(sent)

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        self.closed_with = timeout

    # transactions: outputs become "acknowledged" (visible) only at commit
    def begin_transaction(self) -> None:
        self.transactions.append("begin")
        self._open, self._failed = [], False

    def send_offsets_to_transaction(self, offsets: dict, group_metadata: str) -> None:
        self.transactions.append(f"offsets {sorted((tp.partition, m.offset) for tp, m in offsets.items())}")
        self.offsets = offsets

    def commit_transaction(self) -> None:
        if self.commit_error is not None:
            raise self.commit_error
        self.transactions.append("commit")
        self.acknowledged.extend(self._open)
        self._open = []

    def abort_transaction(self) -> None:
        self.transactions.append("abort")
        self._open = []
