"""Startup (the main loop has turned once), liveness (it keeps turning) and readiness (named
checks all pass).

The stall watchdog is armed by the first ``beat()``: a service is live while it starts and
connects, and from its first loop turn on it must keep beating to stay live. Startup needs no
data: a consumer that owns no partition, or waits for its first model, has started."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Health:
    def __init__(self, stall_after_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._stall_after_s = stall_after_s
        self._last_beat: float | None = None
        self._checks: dict[str, Callable[[], bool]] = {}
        self._lock = threading.Lock()

    def beat(self) -> None:
        self._last_beat = self._clock()

    def add_check(self, name: str, check: Callable[[], bool]) -> None:
        with self._lock:
            self._checks[name] = check

    def started(self) -> bool:
        return self._last_beat is not None

    def live(self) -> bool:
        last = self._last_beat
        return last is None or self._clock() - last < self._stall_after_s

    def readiness(self) -> dict[str, bool]:
        with self._lock:
            checks = dict(self._checks)
        results = {}
        for name, check in checks.items():
            try:
                results[name] = bool(check())
            except Exception:  # noqa: BLE001 - a failing check means "not ready"
                results[name] = False
        return results

    def ready(self) -> bool:
        results = self.readiness()
        return bool(results) and all(results.values())
