"""Seeded simulation of weather sensors: baselines, slow drift, noise and injected faults.

Each sensor follows its own "true" weather — a baseline, a daily cycle and a slow,
mean-reverting wander — measured with noise and rounded to the sensor's resolution.
Faults are overlaid on the measurement (the weather itself carries on underneath):

- spike: one reading jumps by 8-25 noise standard deviations on one channel;
- stuck: the sensor repeats its last reading exactly, for 4-10 readings;
- out_of_range: for 1-3 readings one channel leaves the sensor's normal envelope for a value
  that is abnormal here yet physically possible (a 10-20 °C jump, humidity of 1-5 %, a
  25-45 hPa pressure jump), so it is an anomaly, not a data error.

Everything is drawn from one ``random.Random`` per sensor, so a seed fixes the whole stream.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from streamml.contracts.weather import NORMAL, OUT_OF_RANGE, SPIKE, STUCK

Values = tuple[float, float, float]

# Simulated time: one reading is one minute of weather, however fast the readings are sent.
STEPS_PER_DAY = 1440
RESOLUTION: Values = (0.01, 0.1, 0.01)
# Faults must stay inside the physical limits (contracts.weather) with a margin.
FAULT_LIMITS = ((-85.0, 55.0), (0.5, 99.5), (880.0, 1075.0))
HUMIDITY_CLIP = (0.5, 99.5)


@dataclass(frozen=True)
class SensorProfile:
    sensor_id: str
    index: int
    baseline: Values
    noise_sd: Values
    daily_amplitude: Values
    daily_phase: float
    wander_sd: Values
    injects_faults: bool


def make_profiles(count: int, prefix: str, seed: int, drift_only: int = 0) -> list[SensorProfile]:
    """``count`` sensors with faults plus ``drift_only`` sensors that only drift."""
    profiles = []
    for index in range(count + drift_only):
        rng = random.Random(f"{seed}:profile:{index}")
        profiles.append(SensorProfile(
            sensor_id=f"{prefix}{index:03d}",
            index=index,
            baseline=(rng.uniform(-5, 30), rng.uniform(35, 75), rng.uniform(995, 1030)),
            noise_sd=(rng.uniform(0.15, 0.25), rng.uniform(0.6, 1.0), rng.uniform(0.2, 0.35)),
            daily_amplitude=(rng.uniform(2, 5), rng.uniform(6, 12), rng.uniform(0.5, 1.2)),
            daily_phase=rng.uniform(0, 2 * math.pi),
            wander_sd=(0.03, 0.1, 0.06),
            injects_faults=index < count,
        ))
    return profiles


@dataclass(frozen=True)
class SimulatedReading:
    values: Values
    truth: str


class SensorSimulator:
    """Produces one sensor's readings, one per call to ``next()``."""

    _REVERSION = 0.002  # pull of the slow wander back to the baseline, per step

    def __init__(self, profile: SensorProfile, seed: int, anomaly_rate: float) -> None:
        self.profile = profile
        # Seeded by position, not name: the same seed gives the same stream under any prefix.
        self._rng = random.Random(f"{seed}:stream:{profile.index}")
        self._anomaly_rate = anomaly_rate if profile.injects_faults else 0.0
        self._step = 0
        self._wander = [0.0, 0.0, 0.0]
        self._last: Values | None = None
        self._fault: str = NORMAL
        self._fault_left = 0
        self._fault_channel = 0
        self._fault_value = 0.0

    def true_weather(self) -> Values:
        p = self.profile
        angle = 2 * math.pi * self._step / STEPS_PER_DAY + p.daily_phase
        cycle = (math.sin(angle), -math.sin(angle), math.sin(2 * angle))
        return tuple(  # type: ignore[return-value]
            p.baseline[c] + p.daily_amplitude[c] * cycle[c] + self._wander[c] for c in range(3))

    def next(self) -> SimulatedReading:
        self._advance_weather()
        true = self.true_weather()
        measured = [true[c] + self._rng.gauss(0.0, self.profile.noise_sd[c]) for c in range(3)]
        measured[1] = min(max(measured[1], HUMIDITY_CLIP[0]), HUMIDITY_CLIP[1])
        if self._fault_left == 0 and self._last is not None and self._rng.random() < self._anomaly_rate:
            self._start_fault(true)
        truth = NORMAL
        if self._fault_left > 0:
            truth = self._fault
            self._fault_left -= 1
            if self._fault == STUCK:
                assert self._last is not None
                return SimulatedReading(self._last, STUCK)
            if self._fault == SPIKE:
                measured[self._fault_channel] += self._fault_value
            else:
                noise = self._rng.gauss(0.0, self.profile.noise_sd[self._fault_channel])
                measured[self._fault_channel] = self._fault_value + noise
            low, high = FAULT_LIMITS[self._fault_channel]
            measured[self._fault_channel] = min(max(measured[self._fault_channel], low), high)
        values: Values = tuple(  # type: ignore[assignment]
            round(round(v / r) * r, 2) for v, r in zip(measured, RESOLUTION))
        self._last = values
        return SimulatedReading(values, truth)

    def _advance_weather(self) -> None:
        self._step += 1
        for c in range(3):
            self._wander[c] += (-self._REVERSION * self._wander[c]
                                + self._rng.gauss(0.0, self.profile.wander_sd[c]))

    def _start_fault(self, true: Values) -> None:
        rng = self._rng
        self._fault = rng.choice((SPIKE, STUCK, OUT_OF_RANGE))
        self._fault_channel = rng.randrange(3)
        if self._fault == SPIKE:
            self._fault_left = 1
            sign = rng.choice((-1.0, 1.0))
            self._fault_value = sign * rng.uniform(8, 25) * self.profile.noise_sd[self._fault_channel]
        elif self._fault == STUCK:
            self._fault_left = rng.randint(4, 10)
        else:
            self._fault_left = rng.randint(1, 3)
            self._fault_value = self._out_of_range_value(self._fault_channel, true)

    def _out_of_range_value(self, channel: int, true: Values) -> float:
        rng = self._rng
        sign = rng.choice((-1.0, 1.0))
        if channel == 0:
            return true[0] + sign * rng.uniform(10, 20)
        if channel == 1:
            return rng.uniform(1, 5)
        return true[2] + sign * rng.uniform(25, 45)
