"""bench.measure: CPU accounting of a latency phase (no broker)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.measure import CpuSample, node_cpu_s, process_cpu_s


def test_cores_are_cpu_seconds_per_wall_second_per_process_and_for_the_node() -> None:
    before = CpuSample(at=10.0, processes={"service": 3.0, "broker": 1.0},
                       node_busy_s=100.0, node_stolen_s=2.0)
    after = CpuSample(at=12.0, processes={"service": 4.6, "broker": 1.5},
                      node_busy_s=103.0, node_stolen_s=2.1)

    cores = before.cores_until(after)

    assert cores == pytest.approx({"service": 0.8, "broker": 0.25, "node": 1.5, "stolen": 0.05})


def test_a_process_that_is_gone_counts_as_unknown_not_as_idle() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()

    assert process_cpu_s(child.pid) != process_cpu_s(child.pid)  # NaN
    before = CpuSample.take({"service": os.getpid(), "broker": None})
    assert set(before.processes) == {"service"}


def test_the_cpu_this_process_uses_is_counted() -> None:
    used_before, (node_before, _) = process_cpu_s(os.getpid()), node_cpu_s()

    sum(i * i for i in range(3_000_000))

    assert process_cpu_s(os.getpid()) > used_before
    assert node_cpu_s()[0] > node_before
