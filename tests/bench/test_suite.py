"""bench.suite: what the latency runs add up across a service's replicas."""

from __future__ import annotations

import pytest

from bench.suite import replicas_added


def test_the_replicas_cores_are_added_up_as_the_service() -> None:
    cores = replicas_added({"service.0": 0.4, "service.1": 0.3, "broker": 0.2, "node": 1.5})

    assert cores == {"service": pytest.approx(0.7), "broker": 0.2, "node": 1.5}
    assert replicas_added({"broker": 0.2}) == {"broker": 0.2}
