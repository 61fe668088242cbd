"""Startup (the main loop has turned once), liveness (it keeps turning) and readiness (named
checks all pass).

Checks run on the HTTP server's threads: they must only read state the main loop publishes.

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
        self._live_checks: dict[str, Callable[[], bool]] = {}
        self._lock = threading.Lock()

    def beat(self) -> None:
        self._last_beat = self._clock()

    def add_check(self, name: str, check: Callable[[], bool]) -> None:
        with self._lock:
            self._checks[name] = check

    def add_liveness_check(self, name: str, check: Callable[[], bool]) -> None:
        """A condition only a restart cures; ``/healthz`` fails while it is false."""
        with self._lock:
            self._live_checks[name] = check

    def started(self) -> bool:
        return self._last_beat is not None

    def live(self) -> bool:
        last = self._last_beat
        if last is not None and self._clock() - last >= self._stall_after_s:
            return False
        with self._lock:
            checks = list(self._live_checks.values())
        return all(_passes(check) for check in checks)

    def readiness(self) -> dict[str, bool]:
        with self._lock:
            checks = dict(self._checks)
        return {name: _passes(check) for name, check in checks.items()}

    def ready(self) -> bool:
        results = self.readiness()
        return bool(results) and all(results.values())


def _passes(check: Callable[[], bool]) -> bool:
    try:
        return bool(check())
    except Exception:  # noqa: BLE001 - a failing check means "not ready" / "not live"
        return False
