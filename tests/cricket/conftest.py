"""Fixtures for the cricket tests: isolated topics per test and services run as processes
through the real `streamml` CLI entrypoints."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streamml.demo.support import stop_service
from streamml.runtime.admin import admin_client
from tests.helpers import logged_http_port


@dataclass(frozen=True)
class CricketTopics:
    """A private copy of the workflow's topics (the dead-letter topic stays shared)."""

    training: str
    events: str
    results: str
    predictions: str
    models: str
    status: str

    def env(self) -> dict[str, str]:
        return {
            "STREAMML_TRAINING_TOPIC": self.training,
            "STREAMML_EVENTS_TOPIC": self.events,
            "STREAMML_RESULTS_TOPIC": self.results,
            "STREAMML_PREDICTIONS_TOPIC": self.predictions,
            "STREAMML_MODELS_TOPIC": self.models,
            "STREAMML_STATUS_TOPIC": self.status,
        }


@pytest.fixture
def topics(broker: str, unique: str) -> CricketTopics:
    names = CricketTopics(*(f"t-{unique}-{name}" for name in (
        "training", "events", "results", "predictions", "models", "status")))
    specs = {
        names.training: (6, {}), names.events: (6, {}), names.results: (6, {}),
        names.predictions: (6, {}), names.status: (1, {}),
        names.models: (1, {"cleanup.policy": "compact", "max.message.bytes": "16777216"}),
    }
    with admin_client(broker) as admin:
        admin.create_topics({name: {"num_partitions": partitions, "replication_factor": 1,
                                    "configs": configs}
                             for name, (partitions, configs) in specs.items()})
        admin.wait_for_topics(list(specs), timeout_ms=30000)
    return names


class ServiceProcess:
    def __init__(self, command: str, env: dict[str, str], log_dir: Path) -> None:
        self.command = command
        self.log_path = log_dir / f"{command}-{uuid.uuid4().hex[:8]}.log"
        self._log = self.log_path.open("wb")
        # Port 0: the OS picks a free port, read back from the log (no time-of-check race).
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamml.cli", command],
            env={**os.environ, "STREAMML_LOG_LEVEL": "INFO", "PYTHONFAULTHANDLER": "1", **env,
                 "STREAMML_HTTP_PORT": "0", "STREAMML_LOG_FORMAT": "json"},
            stdout=self._log, stderr=subprocess.STDOUT)
        self._port: int | None = None

    @property
    def port(self) -> int | None:
        if self._port is None:
            self._port = logged_http_port(self.log_path)
        return self._port

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def _get(self, path: str) -> tuple[int, str]:
        if self.port is None:
            return 0, ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            return 0, ""

    def readiness(self) -> dict:
        status, body = self._get("/readyz")
        return json.loads(body) if status in (200, 503) else {}

    def ready(self) -> bool:
        return self._get("/readyz")[0] == 200

    def metric(self, name: str, **labels: str) -> float:
        """A sample's value from /metrics (0 if absent)."""
        status, body = self._get("/metrics")
        if status != 200:
            return 0.0
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    return sample.value
        return 0.0

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stacks(self) -> str:
        """For a failure message: abort the process, which dumps every thread's stack."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGABRT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass
        return self.log_tail(120)

    def stop(self, timeout_s: float = 25.0) -> int:
        code = stop_service(self.process, timeout_s)
        self._log.close()
        return code

    def wait(self, timeout_s: float) -> int:
        code = self.process.wait(timeout_s)
        self._log.close()
        return code


@pytest.fixture
def spawn(broker: str, tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    """Start `streamml <command>` with the given STREAMML_* settings; stopped at teardown."""
    started: list[ServiceProcess] = []

    def start(command: str, **settings: object) -> ServiceProcess:
        env = {"STREAMML_BOOTSTRAP_SERVERS": broker}
        env.update({key: str(value) for key, value in settings.items()})
        service = ServiceProcess(command, env, tmp_path)
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()
