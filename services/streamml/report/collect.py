"""What a report is made from: a range of offsets of the workflows' topics, read back from Kafka.

A *run* is the range of every topic between two moments: `streamml demo` records the end
offsets before and after it runs (with its commit, settings and seeds) in a run file;
`streamml report --since` takes the last minutes instead.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from streamml.runtime.clients import connection_settings, topic_partitions
from streamml.runtime.settings import KafkaConnection

REPORT_TOPICS = ("cricket.predictions", "cricket.match-results", "cricket.model-status",
                 "weather.readings", "weather.anomalies", "streamml.dead-letter")

Offsets = dict[str, dict[int, int]]  # topic -> partition -> offset


@dataclass
class RunInfo:
    """Where a run's records are, and what made them."""

    start: Offsets
    end: Offsets
    commit: str = ""
    created: str = ""
    bootstrap_servers: str = ""
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"start": self.start, "end": self.end, "commit": self.commit,
                           "created": self.created, "bootstrap_servers": self.bootstrap_servers,
                           "settings": self.settings}, indent=2, default=str)

    @classmethod
    def from_json(cls, text: str) -> RunInfo:
        raw = json.loads(text)
        offsets = {key: {topic: {int(p): int(o) for p, o in parts.items()}
                         for topic, parts in raw[key].items()} for key in ("start", "end")}
        return cls(offsets["start"], offsets["end"], raw.get("commit", ""),
                   raw.get("created", ""), raw.get("bootstrap_servers", ""),
                   raw.get("settings", {}))


def current_commit(directory: Path | None = None) -> str:
    """The checked-out commit (with '+changes' when the tree differs), or '' outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=directory,
                                capture_output=True, text=True, timeout=10, check=True).stdout
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=directory, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return commit.strip() + ("+changes" if dirty.strip() else "")


def _consumer(connection: KafkaConnection) -> KafkaConsumer:
    return KafkaConsumer(**connection_settings(connection), group_id=None,
                         enable_auto_commit=False, isolation_level="read_committed",
                         client_id="streamml-report")


def _partitions(consumer: KafkaConsumer, topics: tuple[str, ...]) -> list[TopicPartition]:
    # A busy broker may answer a first metadata request with nothing: ask again.
    return [tp for topic in topics for tp in topic_partitions(consumer, topic)]


def end_offsets(connection: KafkaConnection,
                topics: tuple[str, ...] = REPORT_TOPICS) -> Offsets:
    consumer = _consumer(connection)
    try:
        ends = consumer.end_offsets(_partitions(consumer, topics))
    finally:
        consumer.close()
    offsets: Offsets = {}
    for tp, offset in ends.items():
        offsets.setdefault(tp.topic, {})[tp.partition] = offset
    return offsets


def offsets_at(connection: KafkaConnection, since_ms: int,
               topics: tuple[str, ...] = REPORT_TOPICS) -> Offsets:
    """The first offset at or after ``since_ms`` of every partition (its end if none)."""
    consumer = _consumer(connection)
    try:
        partitions = _partitions(consumer, topics)
        found = consumer.offsets_for_times({tp: since_ms for tp in partitions})
        ends = consumer.end_offsets(partitions)
    finally:
        consumer.close()
    offsets: Offsets = {}
    for tp in partitions:
        at = found.get(tp)
        offsets.setdefault(tp.topic, {})[tp.partition] = at.offset if at is not None else ends[tp]
    return offsets


def read_run(connection: KafkaConnection, run: RunInfo,
             timeout_s: float = 120.0) -> dict[str, list[ConsumerRecord]]:
    """Every committed record of the run's ranges, by topic, in partition-offset order."""
    consumer = _consumer(connection)
    records: dict[str, list[ConsumerRecord]] = {topic: [] for topic in run.start}
    wanted = {TopicPartition(topic, p): (start, run.end.get(topic, {}).get(p, start))
              for topic, parts in run.start.items() for p, start in parts.items()}
    wanted = {tp: span for tp, span in wanted.items() if span[1] > span[0]}
    try:
        consumer.assign(list(wanted))
        for tp, (start, _) in wanted.items():
            consumer.seek(tp, start)
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end for tp, (_, end) in wanted.items()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read the run's records in {timeout_s:.0f} s")
            for tp, batch in consumer.poll(timeout_ms=500).items():
                end = wanted[tp][1]
                records[tp.topic].extend(r for r in batch if r.offset < end)
    finally:
        consumer.close()
    return records
