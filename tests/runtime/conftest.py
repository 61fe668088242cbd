"""Runs tests/runtime/echo_service.py as a real process, the way Kubernetes runs a service."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.helpers import ServiceProcess, start_process


@pytest.fixture
def start_echo(stop_after_test: list[ServiceProcess]) -> Callable[..., ServiceProcess]:
    def start(**settings: object) -> ServiceProcess:
        service = start_process(["tests.runtime.echo_service"], settings)
        stop_after_test.append(service)
        return service

    return start
