"""Fault-injection harness: a private embedded broker that can be killed, real service
processes (`streamml predictor`), seeded traffic, and a read_committed reader that counts
every output by event_id.

Nothing here is mocked: processes are killed with real signals and the broker is the project's
own embedded Kafka, restarted on the same data directory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from streamml.broker import embedded
from streamml.contracts.cricket import MatchEvent
from streamml.runtime.admin import admin_client
from streamml.runtime.clients import topic_partitions
from streamml.runtime.dead_letter import header_map

REPO = Path(__file__).resolve().parents[2]
DEAD_LETTER_TOPIC = "streamml.dead-letter"


class Broker:
    """The suite's own broker (never the test session's: it gets killed)."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.config = embedded.BrokerConfig(
            data_dir=str(data_dir), port=port, controller_port=port + 1,
            cache_dir=os.environ.get("STREAMML_BROKER_CACHE_DIR", str(REPO / ".cache")),
            start_timeout_s=120)

    @property
    def bootstrap(self) -> str:
        return self.config.bootstrap

    def start(self) -> None:
        embedded.start(self.config)
        with admin_client(self.bootstrap) as admin:
            existing = set(admin.list_topics())
            if DEAD_LETTER_TOPIC not in existing:
                admin.create_topics({DEAD_LETTER_TOPIC: {
                    "num_partitions": 3, "replication_factor": 1,
                    "configs": {"max.message.bytes": "16777216"}}})

    def kill(self) -> None:
        pid = embedded.read_pid(self.config)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while embedded.port_answers(self.config.host, self.config.port) and \
                    time.monotonic() < deadline:
                time.sleep(0.1)

    def stop(self) -> None:
        embedded.stop(self.config)


@dataclass(frozen=True)
class Topics:
    events: str
    results: str
    predictions: str
    models: str

    @classmethod
    def create(cls, bootstrap: str, run_id: str) -> Topics:
        topics = cls(*(f"f-{run_id}-{name}" for name in ("events", "results", "predictions",
                                                          "models")))
        specs = {topics.events: (6, {}), topics.results: (6, {}), topics.predictions: (6, {}),
                 topics.models: (1, {"cleanup.policy": "compact",
                                     "max.message.bytes": "16777216"})}
        with admin_client(bootstrap) as admin:
            admin.create_topics({name: {"num_partitions": partitions, "replication_factor": 1,
                                        "configs": configs}
                                 for name, (partitions, configs) in specs.items()})
            admin.wait_for_topics(list(specs), timeout_ms=60000)
        return topics

    def env(self) -> dict[str, str]:
        return {"STREAMML_EVENTS_TOPIC": self.events, "STREAMML_RESULTS_TOPIC": self.results,
                "STREAMML_PREDICTIONS_TOPIC": self.predictions,
                "STREAMML_MODELS_TOPIC": self.models}


# Every service process the suite started, so that a failed or interrupted run stops them all.
STARTED: list[Service] = []


def stop_all() -> None:
    while STARTED:
        STARTED.pop().stop()


class Service:
    """`streamml <command>` as its own process; its HTTP port is read from its log (port 0:
    the OS picks a free one, no time-of-check race)."""

    def __init__(self, command: str, env: dict[str, str], log_path: Path) -> None:
        STARTED.append(self)
        self.command = command
        self.env = env
        self.log_path = log_path
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self._log_offset = self.log_path.stat().st_size
        self.port = None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamml.cli", self.command],
            env={**os.environ, "STREAMML_LOG_LEVEL": "INFO", "STREAMML_LOG_FORMAT": "json",
                 "STREAMML_HTTP_PORT": "0", **self.env},
            stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO)

    def _find_port(self) -> int | None:
        if self.port is None:
            with self.log_path.open("rb") as log:
                log.seek(self._log_offset)
                for line in log:
                    if b'"http_port"' in line:
                        try:
                            self.port = int(json.loads(line)["http_port"])
                        except (ValueError, KeyError):
                            continue
                        break
        return self.port

    def get(self, path: str) -> int:
        port = self._find_port()
        if port is None:
            return 0
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def ready(self) -> bool:
        return self.get("/readyz") == 200

    def metric(self, name: str) -> float:
        """Sum of a metric's samples (0 while the service does not answer)."""
        port = self._find_port()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
                body = reply.read().decode()
        except (OSError, ValueError):
            return 0.0
        return sum(sample.value for family in text_string_to_metric_families(body)
                   for sample in family.samples if sample.name == name)

    def log_count(self, text: str) -> int:
        return self.log_path.read_text(errors="replace").count(text)

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        assert self.process is not None
        self.process.wait(30)
        self._log.close()

    def terminate(self, timeout_s: float = 60.0) -> tuple[int | None, float]:
        """SIGTERM; (exit code, seconds to exit)."""
        assert self.process is not None
        started = time.monotonic()
        self.signal(signal.SIGTERM)
        try:
            code: int | None = self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        self._log.close()
        return code, time.monotonic() - started

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.terminate(30)


def wait_until(condition, timeout_s: float, every_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return bool(condition())


def event(i: int, run_id: str) -> MatchEvent:
    """A valid ball of one of 24 matches; seeded by ``i``, so every run sends the same data."""
    over = (i // 24) % 120 / 6
    return MatchEvent(event_id=f"{run_id}-e{i}", match_id=f"{run_id}-m{i % 24}",
                      current_over=over, current_score=int(over * 7), wickets=(i // 240) % 10,
                      run_rate=7.0, batting_strength=0.5, pitch_condition=0.5,
                      event_time_ms=int(time.time() * 1000))


@dataclass
class Traffic:
    """Sends ``count`` events at ``rate`` per second on its own thread; remembers when each
    event was acknowledged by the broker (the producer retries through a broker restart)."""

    bootstrap: str
    topic: str
    run_id: str
    count: int
    rate: float
    sent_at: dict[str, float] = field(default_factory=dict)
    failed: int = 0

    def __post_init__(self) -> None:
        self._producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all", linger_ms=5,
                                       max_request_size=2 * 1024 * 1024,
                                       delivery_timeout_ms=120000, max_block_ms=120000)
        self._thread = threading.Thread(target=self._run, daemon=True, name="traffic")
        self._lock = threading.Lock()
        self.extra: list[tuple[bytes, bytes]] = []

    def start(self) -> Traffic:
        self._thread.start()
        return self

    @property
    def sent(self) -> int:
        return len(self.sent_at)

    def _ack(self, event_id: str):
        def record(_metadata) -> None:
            with self._lock:
                self.sent_at[event_id] = time.time()
        return record

    def _fail(self, _exc) -> None:
        with self._lock:
            self.failed += 1

    def _run(self) -> None:
        started = time.monotonic()
        for i in range(self.count):
            if self.extra and i == self.count // 3:
                self._producer.flush(60)  # alone in its batch: under the consumers' fetch size
                for key, value in self.extra:
                    self._producer.send(self.topic, key=key, value=value)
                self._producer.flush(60)
            message = event(i, self.run_id)
            future = self._producer.send(self.topic, key=message.match_id.encode(),
                                         value=message.to_bytes())
            future.add_callback(self._ack(message.event_id)).add_errback(self._fail)
            delay = started + (i + 1) / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self._producer.flush(120)

    def join(self, timeout_s: float) -> None:
        self._thread.join(timeout_s)
        self._producer.close(5)


class OutputReader:
    """Reads a topic with isolation_level=read_committed from the beginning, on its own
    thread, counting outputs per key (by default the event_id) and when each was first seen."""

    def __init__(self, bootstrap: str, topic: str,
                 key_of: Callable[[dict], Hashable] = lambda output: output["event_id"]) -> None:
        self._key_of = key_of
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                       auto_offset_reset="earliest",
                                       isolation_level="read_committed")
        partitions = topic_partitions(self._consumer, topic)
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)
        self.counts: Counter[Hashable] = Counter()
        self.first_seen: dict[Hashable, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="reader")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                polled = self._consumer.poll(timeout_ms=200)
            except Exception:  # noqa: BLE001 - the broker may be down; keep reading
                time.sleep(0.5)
                continue
            now = time.time()
            for batch in polled.values():
                for record in batch:
                    key = self._key_of(json.loads(record.value))
                    self.counts[key] += 1
                    self.first_seen.setdefault(key, now)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._consumer.close()


def read_topic(bootstrap: str, topic: str, timeout_s: float = 15.0) -> list:
    """Every committed record of ``topic`` up to its end now (isolation_level=read_committed)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             auto_offset_reset="earliest", isolation_level="read_committed")
    try:
        partitions = topic_partitions(consumer, topic)
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        records: list = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end[tp] for tp in partitions) and \
                time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def dead_letter_reasons(bootstrap: str, service_marker: str) -> Counter[str]:
    """Reasons of the dead letters whose source or target topic contains ``service_marker``."""
    reasons: Counter[str] = Counter()
    for record in read_topic(bootstrap, DEAD_LETTER_TOPIC):
        headers = header_map(record.headers)
        origin = headers.get("streamml.dlq.source.topic", "") + \
            headers.get("streamml.dlq.target.topic", "")
        if service_marker in origin:
            reasons[headers.get("streamml.dlq.reason", "?")] += 1
    return reasons


def new_run_id() -> str:
    return uuid.uuid4().hex[:8]
