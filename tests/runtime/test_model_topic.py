"""Following the models topic: bounded catch-up, and a reader thread that restarts itself."""

from __future__ import annotations

import threading

from kafka import TopicPartition
from prometheus_client import CollectorRegistry

from streamml.runtime.metrics import RuntimeMetrics
from streamml.runtime.model_topic import FOLLOWING, SupervisedFollower, TopicFollower
from streamml.runtime.settings import RuntimeConfig
from tests.helpers import wait_for
from tests.runtime.fakes import record

TP = TopicPartition("models", 0)


class AssignedConsumer:
    """A group-less consumer over one partition of (key, value) pairs, 3 records per poll."""

    def __init__(self, entries: list[tuple[bytes, bytes]], fail_after_polls: int | None = None):
        self.entries = entries
        self.position_ = 0
        self.polls = 0
        self.fail_after_polls = fail_after_polls
        self.closed = False

    def partitions_for_topic(self, topic: str) -> set[int]:
        return {0}

    def assign(self, partitions: list) -> None:
        pass

    def seek_to_beginning(self, *partitions: object) -> None:
        self.position_ = 0

    def end_offsets(self, partitions: list) -> dict:
        return {TP: len(self.entries)}

    def position(self, tp: TopicPartition) -> int:
        return self.position_

    def poll(self, timeout_ms: int) -> dict:
        self.polls += 1
        if self.fail_after_polls is not None and self.polls > self.fail_after_polls:
            raise RuntimeError("connection reset")
        start, self.position_ = self.position_, min(self.position_ + 3, len(self.entries))
        return {TP: [record("models", 0, offset, value, key)
                     for offset, (key, value) in enumerate(self.entries[start:self.position_],
                                                           start)]}

    def close(self) -> None:
        self.closed = True


def test_catch_up_keeps_only_the_newest_records_per_key():
    entries = [(b"a" if i % 2 else b"b", f"v{i}".encode()) for i in range(10)]
    follower = TopicFollower(RuntimeConfig(), "models", consumer=AssignedConsumer(entries))
    assert [r.value for r in follower.catch_up()] == [b"v8", b"v9"]
    follower = TopicFollower(RuntimeConfig(), "models", consumer=AssignedConsumer(entries))
    assert [r.value for r in follower.catch_up(keep_per_key=2)] == [b"v6", b"v7", b"v8", b"v9"]


def test_a_failed_reader_is_replaced_and_reports_its_state():
    registry = CollectorRegistry()
    metrics = RuntimeMetrics.create(registry)
    stop = threading.Event()
    consumers = [AssignedConsumer([(b"k", b"v1")], fail_after_polls=2),
                 AssignedConsumer([(b"k", b"v1"), (b"k", b"v2")])]
    caught_up: list[list[bytes]] = []
    connected = iter(consumers)
    reader = SupervisedFollower(
        lambda: TopicFollower(RuntimeConfig(), "models", consumer=next(connected)), "models",
        "predictor", metrics, stop, on_caught_up=lambda rs: caught_up.append([r.value for r in rs]),
        on_record=lambda r: None, backoff_max_s=0.1).start()
    try:
        assert wait_for(lambda: len(caught_up) == 2 and reader.state == FOLLOWING)
        assert caught_up == [[b"v1"], [b"v2"]]
        assert consumers[0].closed
        labels = {"service": "predictor", "topic": "models"}
        assert registry.get_sample_value("streamml_topic_follower_restarts_total", labels) == 1
        assert registry.get_sample_value("streamml_topic_follower_up", labels) == 1
    finally:
        stop.set()
        reader.join(5)
    assert reader.state == "stopped"
