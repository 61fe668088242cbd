"""The inconsistency check of a sensor's model: humidity no weather pairs with the temperature.

A step of the dew point implied by temperature and humidity that the temperature does not
share, away from the sensor's usual dew-point depression (slowly learnt), is flagged until
the dew point steps back (no alarm for that) or for at most ``INCONSISTENT_MAX`` readings.
Rain and fronts move the dew point over tens of minutes, together with the temperature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from streamml.contracts.weather import INCONSISTENT_REASON, dew_point
from streamml.detector.stats import ChannelStats
from streamml.detector.thresholds import Thresholds

T, RH = 0, 1
INCONSISTENT_MAX = 90  # readings: an "inconsistency" that long is taken as the new normal
DEPRESSION_MEMORY = 90.0  # readings: how slowly the usual dew-point depression is learnt


def reading_dew_point(temperature: float, humidity: float) -> float:
    """The dew point of a reading; a humidity of 0 (a dropout) gets a very dry one."""
    return dew_point(temperature, humidity) if humidity > 0 else temperature - 60.0


class InconsistentReading(Protocol):
    """What the check reads of a reading (``sensor._Reading``)."""

    seq: int
    values: tuple[float, float, float]
    repaired: tuple[float, float, float]
    dew_point: float
    faulty: set[int]
    blocked: set[int]


# (reading, reason, channel, score, threshold): the model's way of flagging a reading.
FlagReading = Callable[[InconsistentReading, str, int, float, float], None]


class InconsistentCheck:
    """One sensor's inconsistency state: the usual depression and the open inconsistency."""

    def __init__(self, thresholds: Thresholds, dew: ChannelStats, flag: FlagReading) -> None:
        self._th = thresholds
        self._dew = dew
        self._flag = flag
        self._offset = 0.0
        self._depression: float | None = None  # usual dew-point depression, slowly learnt
        self._since = -1

    @property
    def open(self) -> bool:
        """An inconsistency is being flagged."""
        return self._since >= 0

    def close(self) -> None:
        """End the open inconsistency without an alarm (the weather or a gap explains it)."""
        self._since = -1

    def learn(self, temperature: float, dew_point_c: float) -> None:
        """A clean reading's temperature and dew point."""
        depression = temperature - dew_point_c
        self._depression = depression if self._depression is None else \
            self._depression + (depression - self._depression) / DEPRESSION_MEMORY

    def update(self, a: InconsistentReading, b: InconsistentReading, d: InconsistentReading,
               channel_fault: bool) -> None:
        """The last three contiguous readings; ``channel_fault``: the temperature or
        humidity channel is stuck, dropped out or noisy."""
        if self._since >= 0:
            step = d.dew_point - b.dew_point
            offset = self._offset
            if (step * offset < 0 and abs(step) >= 0.5 * abs(offset)) or \
                    d.seq - self._since > INCONSISTENT_MAX or \
                    RH in d.faulty or T in d.faulty:
                self._since = -1  # back to consistent: no alarm for that
            else:
                self._flag(d, INCONSISTENT_REASON, RH, abs(offset),
                           self._th.inconsistent_dew_point_step_c)
            return
        if channel_fault or self._depression is None:
            return
        if RH in b.faulty or T in b.faulty or RH in a.blocked or T in a.blocked:
            return
        step = b.dew_point - reading_dew_point(a.repaired[T], a.repaired[RH])
        needed = max(self._th.inconsistent_dew_point_step_c, 5 * self._dew.sigma)
        temperature_step = abs(b.values[T] - a.values[T])
        stays = abs(d.dew_point - b.dew_point) <= 0.5 * abs(step)
        # Away from the sensor's usual dew-point depression, not back towards it (the end of
        # an inconsistency the check did not see begin raises no alarm).
        away = abs(b.values[T] - b.dew_point - self._depression) >= \
            abs(a.repaired[T] - reading_dew_point(a.repaired[T], a.repaired[RH])
                - self._depression) + 0.5 * abs(step)
        if abs(step) >= needed and temperature_step <= 0.3 * abs(step) and stays and away:
            self._offset = step
            self._since = b.seq
            for reading in (b, d):
                self._flag(reading, INCONSISTENT_REASON, RH, abs(step), needed)
