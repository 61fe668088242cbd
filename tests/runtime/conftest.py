"""Runs tests/runtime/echo_service.py as a real process, the way Kubernetes runs a service."""

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

from tests.conftest import REPO
from tests.helpers import free_port


@dataclass
class ServiceProcess:
    process: subprocess.Popen
    http_port: int

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}{path}", timeout=5) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, ConnectionError):
            return 0, b""  # not listening yet

    def terminate(self, timeout_s: float = 30.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout_s)


@pytest.fixture
def start_echo() -> Iterator[Callable[..., ServiceProcess]]:
    started: list[ServiceProcess] = []

    def start(**settings: object) -> ServiceProcess:
        port = free_port()
        env = dict(os.environ, STREAMML_HTTP_PORT=str(port), STREAMML_LOG_LEVEL="WARNING")
        env.update({f"STREAMML_{key.upper()}": str(value) for key, value in settings.items()})
        process = subprocess.Popen([sys.executable, "-m", "tests.runtime.echo_service"],
                                   cwd=REPO, env=env)
        service = ServiceProcess(process, port)
        started.append(service)
        return service

    yield start
    for service in started:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait()
