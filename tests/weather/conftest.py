"""Runs the weather services through the real `streamml` CLI, as their containers do."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.helpers import ServiceProcess, start_process


@pytest.fixture
def start_cli(broker: str, stop_after_test: list[ServiceProcess]) -> Callable[..., ServiceProcess]:
    """start_cli("detector", group_id=..., ...) runs `streamml detector` with STREAMML_* set."""

    def start(command: str, **settings: object) -> ServiceProcess:
        service = start_process(["streamml.cli", command],
                                {"bootstrap_servers": broker, **settings})
        stop_after_test.append(service)
        return service

    return start
