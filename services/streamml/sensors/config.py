"""Configuration of the sensor simulator (env STREAMML_*, flags override)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from streamml.contracts.weather import READINGS_TOPIC, SENSOR_ID_PATTERN
from streamml.runtime.config import require
from streamml.runtime.settings import RuntimeConfig

NETWORK_PARAMS = ("tuning", "tuning-wide", "held-out", "final", "final-2", "final-3", "final-4",
                  "final-5", "final-6", "final-7", "final-8", "final-9",
                  "final-10", "final-11", "final-12", "final-13",
                  "final-14", "final-15", "final-16", "final-17",
                  "final-18", "final-19", "final-20",
                  "final-21", "final-22", "final-23",
                  "final-24", "final-25",
                  "final-26", "final-27",
                  "final-28", "final-29",
                  "final-30", "final-31",
                  "final-32", "final-33",
                  "final-34", "final-35",
                  "final-36", "final-37",
                  "final-38", "final-39",
                  "final-40", "final-41")  # sensors.network


@dataclass(frozen=True)
class SensorsConfig(RuntimeConfig):
    service_name: str = "sensors"
    readings_topic: str = READINGS_TOPIC
    # Sensors with injected faults, plus fault-free control sensors in the same weather.
    sensors: int = 12
    control_sensors: int = 0
    sensor_prefix: str = "sensor-"
    # Readings per second per sensor (one reading is one simulated minute); 0 sends as fast
    # as the broker acknowledges.
    rate_hz: float = 1.0
    # Stop after this many readings per sensor; 0 runs until SIGTERM.
    readings_per_sensor: int = 0
    # Chance per reading that a fault starts on a sensor with faults (none in the first
    # two simulated hours).
    anomaly_rate: float = 0.004
    seed: int = 7
    # Climate and sensor noise: "tuning" or "held-out" (docs/weather.md).
    network_params: str = "tuning"
    # Simulate this many readings per sensor silently first, then send from this sequence
    # number on: a second run with the same seed continues the first run's stream.
    resume_at_seq: int = 0

    def validate(self) -> None:
        super().validate()
        require(self, bool(self.readings_topic.strip()), "readings_topic", "must not be empty")
        require(self, self.sensors >= 0, "sensors", "must not be negative")
        require(self, self.control_sensors >= 0, "control_sensors", "must not be negative")
        require(self, self.sensors + self.control_sensors > 0, "sensors",
                "at least one sensor is needed")
        require(self, re.match(SENSOR_ID_PATTERN, self.sensor_prefix + "000") is not None,
                "sensor_prefix", f"{self.sensor_prefix!r} does not make valid sensor ids")
        require(self, self.rate_hz >= 0, "rate_hz", "must not be negative")
        require(self, self.readings_per_sensor >= 0, "readings_per_sensor", "must not be negative")
        require(self, 0 <= self.anomaly_rate <= 0.5, "anomaly_rate", "must be in [0, 0.5]")
        require(self, self.network_params in NETWORK_PARAMS, "network_params",
                f"must be one of {', '.join(NETWORK_PARAMS)}")
        require(self, self.resume_at_seq >= 0, "resume_at_seq", "must not be negative")
