"""Following the models topic: bounded catch-up, and a reader thread that restarts itself."""

from __future__ import annotations

import threading

from kafka import TopicPartition
from prometheus_client import CollectorRegistry

from streamml.runtime.metrics import RuntimeMetrics
from streamml.runtime.model_topic import FOLLOWING, SupervisedFollower, TopicFollower
from streamml.runtime.settings import RuntimeConfig
from tests.helpers import wait_for
from tests.runtime.fakes import PartitionReader, record

TP = TopicPartition("models", 0)


def models_partition(entries: list[tuple[bytes, bytes]], fail_after_polls: int | None = None,
           ) -> PartitionReader:
    """The models partition holding (key, value) ``entries``, 3 records a poll."""
    log = [record(TP.topic, TP.partition, offset, value, key)
           for offset, (key, value) in enumerate(entries)]
    return PartitionReader(TP, log, per_poll=3, fail_after_polls=fail_after_polls)


def test_catch_up_keeps_only_the_newest_records_per_key():
    entries = [(b"a" if i % 2 else b"b", f"v{i}".encode()) for i in range(10)]
    follower = TopicFollower(RuntimeConfig(), "models", consumer=models_partition(entries))
    assert [r.value for r in follower.catch_up()] == [b"v8", b"v9"]
    follower = TopicFollower(RuntimeConfig(), "models", consumer=models_partition(entries))
    assert [r.value for r in follower.catch_up(keep_per_key=2)] == [b"v6", b"v7", b"v8", b"v9"]


def test_a_failed_reader_is_replaced_and_reports_its_state():
    registry = CollectorRegistry()
    metrics = RuntimeMetrics.create(registry)
    stop = threading.Event()
    consumers = [models_partition([(b"k", b"v1")], fail_after_polls=2),
                 models_partition([(b"k", b"v1"), (b"k", b"v2")])]
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
