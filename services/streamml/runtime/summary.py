"""A one-line summary of how a service is doing, logged at a steady interval.

`kubectl logs deploy/streamml-predictor` then tells throughput, lag, dead letters and the
model in use without Grafana. The runtime knows no service: it reads its own counters from
the service's metrics registry, and each service adds its fields (model version and age,
precision and recall, ...) with ``add_fields`` and counts it publishes outside the runtime's
loop with ``add_output``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping

from prometheus_client import CollectorRegistry

log = logging.getLogger("streamml.summary")

CONSUMED = "streamml_messages_consumed_total"
PRODUCED = "streamml_messages_produced_total"
DEAD_LETTERS = "streamml_dead_letters_total"
LAG = "streamml_consumer_lag"


class Samples:
    """One collection of a metrics registry, read by every field of a summary line: a
    collection runs every collector of the service (some walk their own state), so a line
    collects once, not once per field."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._by_name: dict[str, list[tuple[Mapping[str, str], float]]] = defaultdict(list)
        for family in registry.collect():
            for sample in family.samples:
                self._by_name[sample.name].append((sample.labels, sample.value))

    def total(self, name: str) -> float | None:
        """The sum of every sample called ``name`` (all label values), None if there is none."""
        values = [value for _, value in self._by_name.get(name, ())]
        return sum(values) if values else None

    def value(self, name: str, labels: Mapping[str, str] | None = None) -> float | None:
        """The sample with exactly these labels, as ``CollectorRegistry.get_sample_value``."""
        wanted = dict(labels or {})
        return next((value for have, value in self._by_name.get(name, ()) if have == wanted),
                    None)


Fields = Callable[[Samples], Mapping[str, object]]


class PeriodicSummary:
    def __init__(self, registry: CollectorRegistry, interval_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._registry = registry
        self._interval_s = interval_s
        self._clock = clock
        self._fields: list[Fields] = []
        self._outputs: list[str] = []
        self._last: tuple[float, float, float] | None = None
        self._thread: threading.Thread | None = None

    def add_fields(self, fields: Fields) -> None:
        """``fields(samples)`` is called at every summary with that line's collection of the
        registry; a failing one is skipped, not fatal."""
        self._fields.append(fields)

    def add_gauge(self, field: str, sample_name: str, labels: Mapping[str, str] | None = None,
                  digits: int = 3) -> None:
        """Show the current value of one of the service's metric samples as ``field``."""
        def read(samples: Samples) -> Mapping[str, object]:
            value = samples.value(sample_name, labels)
            return {} if value is None else {field: round(value, digits)}
        self._fields.append(read)

    def add_output(self, sample_name: str) -> None:
        """A counter of messages the service publishes itself (a producer-only service)."""
        self._outputs.append(sample_name)

    def snapshot(self) -> dict[str, object]:
        samples = Samples(self._registry)
        consumed = samples.total(CONSUMED) or 0.0
        produced = (samples.total(PRODUCED) or 0.0) + sum(
            samples.total(name) or 0.0 for name in self._outputs)
        now = self._clock()
        line: dict[str, object] = {}
        if self._last is not None and now > self._last[0]:
            seconds = now - self._last[0]
            line["in_per_s"] = round(max(consumed - self._last[1], 0.0) / seconds, 1)
            line["out_per_s"] = round(max(produced - self._last[2], 0.0) / seconds, 1)
        self._last = (now, consumed, produced)
        line["consumed"] = int(consumed)
        line["produced"] = int(produced)
        lag = samples.total(LAG)
        if lag is not None:
            line["lag"] = int(lag)
        line["dead_letters"] = int(samples.total(DEAD_LETTERS) or 0)
        for fields in self._fields:
            try:
                line.update(fields(samples))
            except Exception:  # a summary must never take the service down
                log.debug("summary field failed", exc_info=True)
        return line

    def log_now(self, final: bool = False) -> None:
        log.info("final summary" if final else "summary", extra=self.snapshot())

    def start(self, stop: threading.Event) -> PeriodicSummary:
        if self._interval_s <= 0:
            return self
        self.snapshot()  # the baseline for the first rates

        def loop() -> None:
            while not stop.wait(self._interval_s):
                self.log_now()

        self._thread = threading.Thread(target=loop, name="summary", daemon=True)
        self._thread.start()
        return self
