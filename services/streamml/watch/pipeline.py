"""The pipeline as Kafka itself sees it: events/s into and out of each topic, lag per active
consumer group; and, where given, the services' own /metrics (the same parsing as `status`)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError, UnknownTopicOrPartitionError

from streamml.runtime.clients import connection_settings, topic_partitions
from streamml.runtime.settings import KafkaConnection

from streamml.status.summary import Scrape, ServiceStatus, parse, summarize

# Groups with members; an empty group of a finished run would only show its lag growing.
IDLE_GROUP_STATES = {"Empty", "Dead"}


@dataclass(frozen=True)
class TopicFlow:
    topic: str
    records: int
    in_per_s: float | None
    out_per_s: float | None  # committed by active groups


@dataclass(frozen=True)
class GroupLag:
    group: str
    state: str
    lag: int | None
    topics: tuple[str, ...]


@dataclass
class PipelineSample:
    topics: list[TopicFlow] = field(default_factory=list)
    groups: list[GroupLag] = field(default_factory=list)
    services: list[ServiceStatus] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    error: str = ""


def known_partitions(consumer: KafkaConsumer, topics: Sequence[str]) -> list[TopicPartition]:
    """The partitions of the topics that exist (a busy broker may answer a first metadata
    request with nothing: topic_partitions asks again)."""
    partitions: list[TopicPartition] = []
    for topic in topics:
        try:
            partitions.extend(topic_partitions(consumer, topic, timeout_s=10.0))
        except UnknownTopicOrPartitionError:
            continue
    return partitions


def rate(now: float, before: float | None, seconds: float) -> float | None:
    if before is None or seconds <= 0:
        return None
    return max(now - before, 0.0) / seconds


class PipelineSampler:
    """Samples offsets and group lag; rates are over the time since the previous sample."""

    def __init__(self, connection: KafkaConnection, topics: Sequence[str],
                 metrics_urls: Sequence[str] = (),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._topics = list(topics)
        self._metrics_urls = list(metrics_urls)
        self._clock = clock
        self._consumer = KafkaConsumer(**connection_settings(connection), group_id=None,
                                       enable_auto_commit=False,
                                       client_id="streamml-watch-offsets")
        self._admin = KafkaAdminClient(**connection_settings(connection),
                                       client_id="streamml-watch-admin")
        self._known: list[TopicPartition] = []
        self._last_time: float | None = None
        self._last_ends: dict[str, int] = {}
        self._last_committed: dict[str, int] = {}
        self._last_scrapes: dict[str, Scrape] = {}

    def close(self) -> None:
        self._consumer.close()
        self._admin.close()

    def _partitions(self) -> list[TopicPartition]:
        if len({tp.topic for tp in self._known}) < len(self._topics):
            self._known = known_partitions(self._consumer, self._topics)
        return self._known

    def sample(self) -> PipelineSample:
        sample = PipelineSample()
        now = self._clock()
        seconds = now - self._last_time if self._last_time is not None else 0.0
        try:
            ends = self._consumer.end_offsets(self._partitions())
            groups = [group for group in self._admin.list_groups()
                      if group.get("group_state") not in IDLE_GROUP_STATES]
            names = sorted(g["group_id"] for g in groups)
            offsets = self._admin.list_group_offsets({name: None for name in names}) if names else {}
        except KafkaError as error:
            sample.error = f"Kafka: {error}"
            return sample
        states = {g["group_id"]: g.get("group_state", "") for g in groups}
        committed_by_topic: dict[str, int] = defaultdict(int)
        for name in names:
            found = offsets.get(name, {})
            lag, topics = 0, set()
            for tp, meta in found.items():
                if tp not in ends or meta.offset < 0:
                    continue
                topics.add(tp.topic)
                lag += max(ends[tp] - meta.offset, 0)
                committed_by_topic[tp.topic] += meta.offset
            # A member that has committed nothing yet has no lag to show.
            sample.groups.append(GroupLag(name, states.get(name, ""), lag if topics else None,
                                          tuple(sorted(topics))))
        end_by_topic: dict[str, int] = defaultdict(int)
        for tp, end in ends.items():
            end_by_topic[tp.topic] += end
        for topic in self._topics:
            sample.topics.append(TopicFlow(
                topic, end_by_topic[topic],
                rate(end_by_topic[topic], self._last_ends.get(topic), seconds),
                rate(committed_by_topic[topic], self._last_committed.get(topic), seconds)
                if topic in committed_by_topic else None))
        scrapes = self._scrape(sample)
        if self._last_time is not None and scrapes:
            names = {url: next(iter(scrape.ready), url) for url, scrape in scrapes.items()}
            sample.services = summarize(names, self._last_scrapes, scrapes, seconds)
        self._last_time, self._last_ends = now, dict(end_by_topic)
        self._last_committed, self._last_scrapes = dict(committed_by_topic), scrapes
        return sample

    def _scrape(self, sample: PipelineSample) -> dict[str, Scrape]:
        scrapes = {}
        for url in self._metrics_urls:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    scrapes[url] = parse(response.read().decode())
            except (urllib.error.URLError, OSError, ValueError):
                sample.unreachable.append(url)
        return scrapes
