"""A second, independently built source of truth: docs/data/weather-sample.csv.

    .venv/bin/python -m tests.data.weather_sample docs/data/weather-sample.csv

Written apart from the simulator (``streamml.sensors``) and sharing none of its code: numpy
instead of ``random``, weather as a sum of smooth components (a daily cycle, an AR(1)
anomaly, pressure waves of 2-5 days, a cold front as a logistic step, a thunderstorm as a
piecewise-linear drop with an exponential recovery and a Gaussian pressure bump), humidity
from the August-Roche-Magnus formula with its other common constants (17.27, 237.7), and its
own hand-placed faults, one scripted episode of every kind on four sensors, none on two
control sensors. The format is the one ``streamml evaluate weather --csv`` reads.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

MINUTES = 1000
START_MS = 1_780_000_000_000
A, B = 17.27, 237.7
CLASSES = {  # resolution (°C, %, hPa), noise sd
    "station": ((0.1, 1.0, 0.1), (0.06, 0.5, 0.05)),
    "consumer": ((0.01, 0.1, 0.01), (0.12, 0.9, 0.08)),
    "cheap": ((0.1, 0.1, 0.1), (0.25, 1.8, 0.15)),
}
# sensor index -> class, role
SENSORS = [("station", "faulty"), ("consumer", "faulty"), ("cheap", "faulty"),
           ("consumer", "faulty"), ("station", "control"), ("cheap", "control")]
# (sensor, kind, channel, start minute, length, parameter)
FAULTS = [
    (0, "spike_small", 0, 200, 1, 5.5), (0, "stuck_one_short", 2, 300, 20, 0.0),
    (0, "noise", 1, 450, 30, 8.0), (0, "dropout", 0, 650, 40, 0.0),
    (0, "spike_large", 1, 850, 1, 20.0),
    (1, "stuck_all_long", -1, 180, 150, 0.0), (1, "spike_small", 2, 420, 1, 6.0),
    (1, "drift", 2, 520, 120, 2.5 / 60), (1, "inconsistent", 1, 780, 25, 10.0),
    (2, "spike_large", 0, 150, 1, 15.0), (2, "stuck_all_short", -1, 260, 12, 0.0),
    (2, "drift", 0, 400, 150, -2.0 / 60), (2, "stuck_one_long", 1, 700, 200, 0.0),
    (3, "dropout", 2, 200, 60, 1013.25), (3, "noise", 0, 380, 40, 10.0),
    (3, "spike_small", 1, 520, 1, 6.5), (3, "inconsistent", 1, 600, 40, -9.0),
    (3, "stuck_one_short", 0, 800, 15, 0.0),
]
CHANNELS = ("temperature_c", "humidity_pct", "pressure_hpa")


def humidity(t: np.ndarray, td: np.ndarray) -> np.ndarray:
    td = np.minimum(td, t)
    return 100 * np.exp(A * td / (B + td) - A * t / (B + t))


def dew(t: float, rh: float) -> float:
    g = np.log(max(rh, 0.1) / 100) + A * t / (B + t)
    return float(B * g / (A - g))


def weather(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list[str]]:
    m = np.arange(MINUTES, dtype=float)
    hour = (m / 60 + 4.0) % 24
    ar = np.zeros(MINUTES)
    for i in range(1, MINUTES):
        ar[i] = 0.995 * ar[i - 1] + rng.normal(0, 0.03)
    temperature = 14 + 5 * np.cos(2 * np.pi * (hour - 14.5) / 24) + ar
    dewpoint = 8 + 0.5 * np.cos(2 * np.pi * (hour - 14.5) / 24) + 0.5 * ar
    pressure = 1012 + sum(a * np.sin(2 * np.pi * m / (p * 1440) + ph) for a, p, ph in
                          [(6, 3.1, 0.4), (3, 2.2, 2.0), (2, 4.7, 4.1)])
    pressure = pressure + 0.7 * np.cos(4 * np.pi * (hour - 10) / 24)
    condition = ["fair"] * MINUTES
    # A cold front at minute 560: temperature -6, dew point -7, a 3 hPa kink, within ~40 min.
    step = 1 / (1 + np.exp(-(m - 560) / 8))
    temperature -= 6 * step
    dewpoint -= 7 * step
    pressure += 3 * step
    for i in range(500, 640):
        condition[i] = "front"
    # A thunderstorm at minute 300 (an afternoon hour): -7 °C in 10 minutes, recovery over
    # two hours, a 3.5 hPa bump, saturation while it rains.
    cool = np.where(m < 300, 0, np.where(m < 310, 7 * (m - 300) / 10, 7 * np.exp(-(m - 310) / 120)))
    temperature -= cool
    pressure += 3.5 * np.exp(-((m - 312) / 15) ** 2)
    raining = (m >= 300) & (m < 350)
    dewpoint = np.where(raining, temperature, np.minimum(dewpoint, temperature))
    for i in range(295, 420):
        condition[i] = "thunderstorm"
    return np.column_stack([temperature, humidity(temperature, dewpoint), pressure]), \
        dewpoint, condition


def generate() -> list[list[object]]:
    rng = np.random.default_rng(20261202)
    truth, dewpoint, condition = weather(rng)
    rows: list[list[object]] = []
    per_sensor = []
    for index, (klass, role) in enumerate(SENSORS):
        resolution, noise = CLASSES[klass]
        offset = np.array([rng.uniform(-1.5, 1.5), 0.0, rng.uniform(-2, 2)])
        values = truth + offset + rng.normal(0, 1, truth.shape) * np.array(noise)
        kinds = ["normal"] * MINUTES
        channels = [""] * MINUTES
        fixed = np.zeros(truth.shape, dtype=bool)
        for sensor, kind, channel, start, length, parameter in FAULTS:
            if sensor != index:
                continue
            span = slice(start, start + length)
            for i in range(start, start + length):
                kinds[i] = kind
                channels[i] = CHANNELS[channel] if channel >= 0 else ""
            if kind.startswith("spike"):
                values[start, channel] += np.sign(rng.normal()) * parameter * noise[channel]
            elif kind.startswith("stuck"):
                held = np.round(values[start - 1] / resolution) * resolution
                targets = [channel] if channel >= 0 else [0, 1, 2]
                for c in targets:
                    values[span, c] = held[c]
                    fixed[span, c] = True
            elif kind == "drift":
                values[span, channel] += parameter * np.arange(1, length + 1)
            elif kind == "noise":
                values[span, channel] += rng.normal(0, parameter * noise[channel], length)
            elif kind == "dropout":
                values[span, channel] = parameter
                fixed[span, channel] = True
            elif kind == "inconsistent":
                for i in range(start, start + length):
                    values[i, 1] = float(humidity(np.array(values[i, 0]),
                                                  np.array(dew(values[i, 0], values[i, 1])
                                                           + parameter)))
        rounded = np.round(values / resolution) * resolution
        values = np.where(fixed, values, rounded)
        values[:, 1] = np.clip(values[:, 1], 0, 100)
        per_sensor.append((f"sample-{index}", klass, role, values, kinds, channels))
    for minute in range(MINUTES):
        for sensor_id, klass, role, values, kinds, channels in per_sensor:
            t, h, p = (round(float(v), 2) for v in values[minute])
            rows.append([sensor_id, minute, START_MS + 60_000 * minute, t, h, p, kinds[minute],
                         channels[minute], condition[minute], klass, role])
    return rows


def write(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sensor_id", "seq", "ts_ms", "temperature_c", "humidity_pct",
                         "pressure_hpa", "truth", "truth_channel", "condition", "sensor_class",
                         "role"])
        writer.writerows(generate())


if __name__ == "__main__":
    write(Path(sys.argv[1]))
