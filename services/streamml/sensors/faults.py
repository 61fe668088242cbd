"""Sensor faults of the kinds real sensor networks show, overlaid on a sensor's measurements.

The weather carries on underneath a fault; the fault changes only what the sensor reports.
Every faulty reading is labelled with its kind (``contracts.weather.FAULT_KINDS``) and, where
the fault is on one channel, that channel. One fault at a time per sensor, a quiet spell of
``COOLDOWN`` readings after each, so each episode is a run of readings of one kind.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from streamml.contracts.weather import (
    CHANNELS, DRIFT, DROPOUT, INCONSISTENT, NOISE, SPIKE_LARGE, SPIKE_SMALL, STUCK_ALL_LONG,
    STUCK_ALL_SHORT, STUCK_ONE_LONG, STUCK_ONE_SHORT, FAULT_KINDS, dew_point, relative_humidity)

COOLDOWN = 30
# Constants a failing sensor reports, all inside the physical limits.
DROPOUT_VALUES = ((0.0, -40.0), (0.0,), (1013.25,))
# Calibration drift per minute (°C, %, hPa): compressed into hours so a stream of a few
# days holds many episodes (docs/weather.md).
DRIFT_PER_MINUTE = ((1.5 / 60, 4.0 / 60), (6.0 / 60, 15.0 / 60), (2.0 / 60, 5.0 / 60))


@dataclass(frozen=True)
class Overlaid:
    values: list[float]
    kind: str
    channel: str
    fixed: tuple[int, ...]


@dataclass
class _Active:
    kind: str
    channels: tuple[int, ...]
    left: int
    magnitude: float = 0.0
    applied: int = 0
    held: tuple[float, ...] = ()


class FaultInjector:
    """Decides when a fault starts and what it does to one sensor's measured values."""

    def __init__(self, rng: random.Random, rate: float, noise_sd: tuple[float, ...],
                 resolution: tuple[float, ...], first_step: int,
                 kinds: tuple[str, ...] = FAULT_KINDS) -> None:
        self._rng = rng
        self._rate = rate
        self._noise_sd = noise_sd
        self._resolution = resolution
        self._first_step = first_step
        self._kinds = kinds
        self._active: _Active | None = None
        self._quiet = 0

    def apply(self, step: int, measured: list[float], last_sent: tuple[float, ...] | None,
              ) -> Overlaid:
        """This reading's values (to be rounded to the sensor's resolution, except the
        channels the fault fixes exactly), its fault kind ("" if none) and channel."""
        if self._active is None:
            self._quiet -= 1
            if (self._quiet <= 0 and step >= self._first_step and last_sent is not None
                    and self._rng.random() < self._rate):
                self._active = self._start(last_sent)
        if self._active is None:
            return Overlaid(measured, "", "", ())
        fault = self._active
        values = self._overlay(fault, measured)
        fixed = fault.channels if fault.kind.startswith("stuck") or fault.kind == DROPOUT else ()
        fault.left -= 1
        fault.applied += 1
        if fault.left == 0:
            self._active = None
            self._quiet = COOLDOWN
        channel = CHANNELS[fault.channels[0]] if len(fault.channels) == 1 else ""
        return Overlaid(values, fault.kind, channel, fixed)

    def _start(self, last_sent: tuple[float, ...]) -> _Active:
        rng = self._rng
        # Spikes are one reading each: three times as many episodes keep their count useful.
        kind = rng.choices(self._kinds, [3 if k.startswith("spike") else 1 for k in self._kinds])[0]
        channel = rng.randrange(3)
        if kind in (SPIKE_SMALL, SPIKE_LARGE):
            low, high = (4.0, 7.0) if kind == SPIKE_SMALL else (10.0, 40.0)
            size = rng.uniform(low, high) * self._noise_sd[channel]
            return _Active(kind, (channel,), 1, rng.choice((-1.0, 1.0)) * size)
        if kind in (STUCK_ALL_SHORT, STUCK_ALL_LONG, STUCK_ONE_SHORT, STUCK_ONE_LONG):
            length = rng.randint(5, 30) if kind.endswith("short") else rng.randint(120, 360)
            channels = (0, 1, 2) if kind.startswith("stuck_all") else (channel,)
            return _Active(kind, channels, length, held=last_sent)
        if kind == DRIFT:
            rate = rng.uniform(*DRIFT_PER_MINUTE[channel]) * rng.choice((-1.0, 1.0))
            return _Active(kind, (channel,), rng.randint(90, 240), rate)
        if kind == NOISE:
            sd = max(rng.uniform(5.0, 12.0) * self._noise_sd[channel],
                     4.0 * self._resolution[channel])
            return _Active(kind, (channel,), rng.randint(10, 60), sd)
        if kind == DROPOUT:
            value = rng.choice(DROPOUT_VALUES[channel])
            return _Active(kind, (channel,), rng.randint(5, 120), value)
        assert kind == INCONSISTENT
        # Near saturation a moister reading is what rain looks like: go drier, which no
        # weather pairs with rain.
        sign = -1.0 if last_sent[1] >= 80.0 else rng.choice((-1.0, 1.0))
        offset = rng.uniform(6.0, 15.0) * sign
        return _Active(kind, (1,), rng.randint(5, 60), offset)

    def _overlay(self, fault: _Active, measured: list[float]) -> list[float]:
        values = list(measured)
        c = fault.channels[0]
        if fault.kind in (SPIKE_SMALL, SPIKE_LARGE):
            values[c] += fault.magnitude
        elif fault.kind.startswith("stuck"):
            for channel in fault.channels:
                values[channel] = fault.held[channel]
        elif fault.kind == DRIFT:
            values[c] += fault.magnitude * (fault.applied + 1)
        elif fault.kind == NOISE:
            values[c] += self._rng.gauss(0.0, fault.magnitude)
        elif fault.kind == DROPOUT:
            values[c] = fault.magnitude
        elif fault.kind == INCONSISTENT:
            # Humidity as if the dew point were 6-15 °C off: no weather pairs this humidity
            # with this temperature and pressure.
            shifted = dew_point(values[0], values[1]) + fault.magnitude
            values[1] = min(100.0, max(1.0, relative_humidity(values[0], shifted)))
        return values
