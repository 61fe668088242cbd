"""Per-service throughput and lag from two scrapes of the services' /metrics (pure logic)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

# Producer-only services count what they publish in their own metrics.
PUBLISHED = {"streamml_orchestrator_match_events_total",
             "streamml_orchestrator_training_samples_total", "streamml_sensors_readings_total"}


@dataclass
class Scrape:
    """The counters and gauges `status` needs, summed over one pod's samples."""

    consumed: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    produced: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    lag: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    dead_letters: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    ready: dict[str, float] = field(default_factory=dict)


def parse(text: str) -> Scrape:
    scrape = Scrape()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            service = sample.labels.get("service", "")
            if sample.name == "streamml_messages_consumed_total":
                scrape.consumed[service] += sample.value
            elif sample.name == "streamml_messages_produced_total":
                scrape.produced[service] += sample.value
            elif sample.name in PUBLISHED:
                scrape.produced[sample.name] += sample.value
            elif sample.name == "streamml_consumer_lag":
                scrape.lag[service] += sample.value
            elif sample.name == "streamml_dead_letters_total":
                scrape.dead_letters[service] += sample.value
            elif sample.name == "streamml_ready":
                scrape.ready[service] = sample.value
    return scrape


@dataclass(frozen=True)
class ServiceStatus:
    service: str
    pods: int
    consumed_per_s: float
    produced_per_s: float
    lag: float
    dead_letters: float


def summarize(pod_services: Mapping[str, str], before: Mapping[str, Scrape],
              after: Mapping[str, Scrape], seconds: float) -> list[ServiceStatus]:
    """``pod_services`` maps pod -> service; scrapes are per pod, ``seconds`` apart."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for pod, service in pod_services.items():
        if pod not in after:
            continue
        totals[service]["pods"] += 1
        first = before.get(pod, Scrape())
        last = after[pod]
        totals[service]["consumed"] += _delta(first.consumed, last.consumed)
        totals[service]["produced"] += _delta(first.produced, last.produced)
        totals[service]["lag"] += sum(last.lag.values())
        totals[service]["dead_letters"] += sum(last.dead_letters.values())
    return [
        ServiceStatus(service, int(t["pods"]), t["consumed"] / seconds, t["produced"] / seconds,
                      t["lag"], t["dead_letters"])
        for service, t in sorted(totals.items())
    ]


def _delta(before: Mapping[str, float], after: Mapping[str, float]) -> float:
    # A restarted pod's counters start again at zero: count what it did since.
    return sum(max(value - before.get(key, 0.0), 0.0) if value >= before.get(key, 0.0) else value
               for key, value in after.items())


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    lines = [list(map(str, header))] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join("  " + "  ".join(cell.ljust(width) for cell, width in zip(line, widths))
                     .rstrip() for line in lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)
