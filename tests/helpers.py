"""Test helpers that talk to the real broker."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from streamml.runtime.clients import topic_partitions

REPO = Path(__file__).resolve().parents[1]
_HTTP_PORT = re.compile(r'"?http_port"?\s*[:=]\s*(\d+)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def produce(bootstrap: str, topic: str, items: Iterable[tuple[bytes | None, bytes]],
            headers: list[tuple[str, bytes]] | None = None) -> int:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    count = 0
    for key, value in items:
        producer.send(topic, key=key, value=value, headers=headers or [])
        count += 1
    producer.flush(30)
    producer.close()
    return count


def read_all(bootstrap: str, topic: str, until: Callable[[list], bool],
             timeout_s: float = 60.0) -> list:
    """Read ``topic`` from the beginning (no group) until ``until(records)`` or timeout."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             auto_offset_reset="earliest", isolation_level="read_committed")
    partitions = topic_partitions(consumer, topic)
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    records: list = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and not until(records):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


def wait_for(condition: Callable[[], bool], timeout_s: float = 60.0, every_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return condition()


def group_member_at_end(topic: str, group: str, **settings: object) -> KafkaConsumer:
    """A member of ``group`` on ``topic`` that has joined and committed the end: the group's
    lag then counts what is written from now on."""
    from kafka.structs import OffsetAndMetadata

    member = KafkaConsumer(**settings, group_id=group, enable_auto_commit=False,
                           auto_offset_reset="latest")
    # Join knowing the topic's partitions (runtime.clients.make_consumer does the same).
    topic_partitions(member, topic)
    member.subscribe([topic])
    assert wait_for(lambda: bool(member.poll(timeout_ms=200) is not None and member.assignment()),
                    timeout_s=60)
    member.commit({tp: OffsetAndMetadata(member.position(tp), "", -1)
                   for tp in member.assignment()})
    return member


def create_topic(bootstrap: str, name: str, partitions: int = 3) -> str:
    from streamml.runtime.admin import admin_client

    with admin_client(bootstrap) as admin:
        admin.create_topics({name: {"num_partitions": partitions, "replication_factor": 1}})
        admin.wait_for_topics([name], timeout_ms=30000)
    return name


def committed_total(bootstrap: str, group: str, topic: str,
                    security: dict[str, object] | None = None) -> int:
    """Sum of the group's committed offsets over the topic's partitions."""
    from streamml.runtime.admin import admin_client

    with admin_client(bootstrap, security=security) as admin:
        offsets = admin.list_group_offsets({group: None}).get(group, {})
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)


def logged_http_port(log_path: Path) -> int | None:
    """The HTTP port a service logged when it started (JSON or text log format). Services
    under test bind port 0, so the OS picks a free port: no time-of-check race with other
    processes on the machine."""
    try:
        text = log_path.read_text(errors="replace")
    except FileNotFoundError:
        return None
    found = _HTTP_PORT.search(text)
    return int(found.group(1)) if found else None


@dataclass
class ServiceProcess:
    """A service running as its own process, probed over its HTTP port like a kubelet would."""

    process: subprocess.Popen
    log_path: Path
    _port: int | None = None

    @property
    def http_port(self) -> int | None:
        if self._port is None:
            self._port = logged_http_port(self.log_path)
        return self._port

    def get(self, path: str) -> tuple[int, bytes]:
        if self.http_port is None:
            return 0, b""  # not started yet
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}{path}", timeout=5) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, ConnectionError):
            return 0, b""  # not listening yet

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def metric(self, name: str, **labels: str) -> float:
        """Sum of the samples called ``name`` whose labels include ``labels``."""
        status, body = self.get("/metrics")
        assert status == 200, "metrics endpoint not answering"
        return sum(
            sample.value
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples
            if sample.name == name and labels.items() <= sample.labels.items()
        )

    def terminate(self, timeout_s: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout_s)


# Where start_process writes service logs: pytest's temporary directory (tests/conftest.py),
# the system's temporary directory when unset.
SERVICE_LOG_DIR = "STREAMML_TEST_SERVICE_LOG_DIR"


def start_process(module_args: list[str], settings: dict[str, object]) -> ServiceProcess:
    """`python -m <module_args>` with STREAMML_* variables from ``settings``; its JSON log goes
    to a file, where the port it bound is found."""
    env = dict(os.environ, STREAMML_HTTP_PORT="0", STREAMML_LOG_LEVEL="INFO",
               STREAMML_LOG_FORMAT="json")
    env.update({f"STREAMML_{key.upper()}": str(value) for key, value in settings.items()})
    handle, name = tempfile.mkstemp(prefix="streamml-service-", suffix=".log",
                                    dir=os.environ.get(SERVICE_LOG_DIR))
    with os.fdopen(handle, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", *module_args], cwd=REPO, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    return ServiceProcess(process, Path(name))


def session_port(offset: int) -> int:
    """A port of the test session's block (STREAMML_TEST_BROKER_PORT): its broker has +0 and
    +1, the fault suite +2 and +3, the broker-outage test +4 and +5, the secure broker +10 and
    +11. Never a port another process may grab in between."""
    return int(os.environ.get("STREAMML_TEST_BROKER_PORT", "19092")) + offset
