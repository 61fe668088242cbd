"""The sensor simulator's own metrics, declared once (dashboards use these names)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class SensorsMetrics:
    readings: Counter
    send_failures: Counter
    sensors: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> SensorsMetrics:
        return cls(
            readings=Counter(
                "streamml_sensors_readings",
                "Readings acknowledged by Kafka, by injected truth (normal or the fault kind)",
                ["truth"], registry=registry,
            ),
            send_failures=Counter(
                "streamml_sensors_send_failures", "Readings Kafka did not acknowledge",
                registry=registry,
            ),
            sensors=Gauge(
                "streamml_sensors_simulated", "Sensors this process simulates", registry=registry,
            ),
        )
