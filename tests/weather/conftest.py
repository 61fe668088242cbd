"""Runs the weather services through the real `streamml` CLI, as their containers do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import REPO
from tests.helpers import free_port


@dataclass
class CliService:
    process: subprocess.Popen
    http_port: int

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}{path}", timeout=5) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, ConnectionError):
            return 0, b""

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


@pytest.fixture
def start_cli(broker: str) -> Iterator[Callable[..., CliService]]:
    """start_cli("detector", group_id=..., ...) runs `streamml detector` with STREAMML_* set."""
    started: list[CliService] = []

    def start(command: str, **settings: object) -> CliService:
        port = free_port()
        env = dict(os.environ, STREAMML_BOOTSTRAP_SERVERS=broker, STREAMML_HTTP_PORT=str(port),
                   STREAMML_LOG_LEVEL="WARNING")
        env.update({f"STREAMML_{key.upper()}": str(value) for key, value in settings.items()})
        process = subprocess.Popen([sys.executable, "-m", "streamml.cli", command],
                                   cwd=REPO, env=env)
        service = CliService(process, port)
        started.append(service)
        return service

    yield start
    for service in started:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait()
