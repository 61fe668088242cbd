"""What the harness measures: sustained rates, latency percentiles, peak memory, summaries."""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from streamml.runtime.admin import admin_client
from bench.kafka_io import committed_total

# The steady part of a backlog run: start-up (imports, group join, model load) and the tail
# (the last partitions draining alone) are left out.
STEADY_FROM, STEADY_TO = 0.10, 0.90


class CommitWatcher:
    """Samples a group's committed offsets on a topic: work done *and* acknowledged *and*
    committed, the at-least-once unit of progress."""

    def __init__(self, bootstrap: str, group: str, topic: str, every_s: float = 0.2) -> None:
        self._bootstrap = bootstrap
        self._group = group
        self._topic = topic
        self._every_s = every_s
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="commit-watcher")

    def __enter__(self) -> CommitWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        with admin_client(self._bootstrap) as admin:
            while not self._stop.is_set():
                try:
                    total = committed_total(admin, self._group, self._topic)
                except Exception:  # noqa: BLE001 - the group may not exist yet
                    total = 0
                self.samples.append((time.monotonic(), total))
                self._stop.wait(self._every_s)

    @property
    def latest(self) -> int:
        return self.samples[-1][1] if self.samples else 0

    def steady_rate(self, total: int) -> float:
        """Messages/s between the moments 10 % and 90 % of ``total`` were committed."""
        return rate_between(self.samples, STEADY_FROM * total, STEADY_TO * total)


def _crossing(samples: Sequence[tuple[float, int]], level: float) -> tuple[float, int] | None:
    for t, value in samples:
        if value >= level:
            return t, value
    return None


def rate_between(samples: Sequence[tuple[float, int]], low: float, high: float) -> float:
    first, last = _crossing(samples, low), _crossing(samples, high)
    if first is None or last is None or last[0] <= first[0]:
        return float("nan")
    return (last[1] - first[1]) / (last[0] - first[0])


def steady_rate_of_times(times_ms: Sequence[float]) -> float:
    """Messages/s from the times results appeared, leaving out the first and last 10 %."""
    ordered = sorted(times_ms)
    low, high = int(len(ordered) * STEADY_FROM), int(len(ordered) * STEADY_TO) - 1
    if high <= low or ordered[high] <= ordered[low]:
        return float("nan")
    return (high - low) / ((ordered[high] - ordered[low]) / 1000)


def peak_rss_mb(pid: int) -> float:
    """The kernel's high-water mark of the process's resident memory (VmHWM)."""
    return _status_mb(pid, "VmHWM:")


def rss_mb(pid: int) -> float:
    """The process's resident memory now (VmRSS)."""
    return _status_mb(pid, "VmRSS:")


NODE_CPU = ("node", "stolen")  # what ``CpuSample.cores_until`` adds to its processes


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds used so far by each watched process and by the whole node."""

    at: float
    processes: dict[str, float]
    node_busy_s: float
    node_stolen_s: float

    @classmethod
    def take(cls, pids: dict[str, int | None]) -> CpuSample:
        busy, stolen = node_cpu_s()
        return cls(time.monotonic(),
                   {name: process_cpu_s(pid) for name, pid in pids.items() if pid is not None},
                   busy, stolen)

    def cores_until(self, later: CpuSample) -> dict[str, float]:
        """Cores kept busy on average between the two samples: per process, the ``node``
        and ``stolen`` (time the hypervisor gave the node's virtual cores to others)."""
        wall = later.at - self.at
        if wall <= 0:
            return {}
        cores = {name: (later.processes[name] - used) / wall
                 for name, used in self.processes.items() if name in later.processes}
        cores["node"] = (later.node_busy_s - self.node_busy_s) / wall
        cores["stolen"] = (later.node_stolen_s - self.node_stolen_s) / wall
        return cores


_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User plus system CPU seconds of a running process (/proc/<pid>/stat); NaN once gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # The command name in parentheses may hold spaces: count fields after it.
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_S  # utime, stime


def node_cpu_s() -> tuple[float, float]:
    """CPU seconds of all the node's cores: busy (neither idle nor waiting for I/O), and
    stolen by the hypervisor (/proc/stat)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (
            int(value) for value in stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq) / _TICKS_PER_S, steal / _TICKS_PER_S


def _status_mb(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    """Median of the runs with their min and max."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        clean = [v for v in values if v == v]
        if not clean:
            return cls(float("nan"), float("nan"), float("nan"), 0)
        return cls(statistics.median(clean), min(clean), max(clean), len(clean))
