"""The drift check of a sensor's model: a calibration bias that grows steadily.

A steady, straight-line trend of the dew point (temperature or humidity drift) or of the
pressure, faster than the weather moves them outside a front or storm: a least-squares line
over the last hour with small scatter around it (a step is not a line). Flagged back to the
fitted onset, then until the bias vanishes (the sensor was recalibrated) or the trend stops.
The model holds the check back (``held``) during and after weather events, while an
inconsistency is open and while a channel is stuck.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

from streamml.contracts.weather import CHANNELS, DRIFT_REASON
from streamml.detector.stats import SATURATED_PCT, ChannelStats, SlidingSlope
from streamml.detector.thresholds import Thresholds

T, RH, P = 0, 1, 2
MOIST_PCT = 90.0  # above it, humidity moves with rain and fog: no dew-point drift check
DRIFT_WINDOW = 60
DRIFT_MAX = 360  # readings: a "drift" this long is taken as weather after all


class DriftReading(Protocol):
    """What the check reads of a reading (``sensor._Reading``)."""

    seq: int
    values: tuple[float, float, float]
    dew_point: float
    faulty: set[int]


ReadingAt = Callable[[int], "DriftReading | None"]
# (reading, reason, channel, score, threshold): the model's way of flagging a reading.
FlagReading = Callable[[DriftReading, str, int, float, float], None]


class DriftCheck:
    """One sensor's drift state: sliding lines of the dew point and pressure, open drifts."""

    def __init__(self, thresholds: Thresholds, dew: ChannelStats, pressure: ChannelStats,
                 reading_at: ReadingAt, flag: FlagReading) -> None:
        self._th = thresholds
        self._dew = dew
        self._pressure = pressure
        self._reading_at = reading_at
        self._flag = flag
        self._drift: dict[str, tuple[int, float]] = {}  # name -> (since seq, slope per reading)
        self._drift_quiet: dict[str, int] = {}
        self._slopes = {"dew": (SlidingSlope(DRIFT_WINDOW), SlidingSlope(DRIFT_WINDOW // 2)),
                        "pressure": (SlidingSlope(DRIFT_WINDOW), SlidingSlope(DRIFT_WINDOW // 2))}
        self._humidity_slope = SlidingSlope(DRIFT_WINDOW)
        self._humidity_recent = SlidingSlope(DRIFT_WINDOW // 3)

    def clear_slopes(self) -> None:
        """Forget the trends (a level changed for a reason the check must not take as drift)."""
        for long, short in self._slopes.values():
            long.clear()
            short.clear()
        self._humidity_slope.clear()
        self._humidity_recent.clear()

    def reset(self) -> None:
        """Forget the trends and end every open drift without an alarm."""
        self._drift.clear()
        self.clear_slopes()

    def update(self, reading: DriftReading, held: bool, noisy: bool) -> None:
        """The next reading; ``held``: the weather or another fault explains any change now;
        ``noisy``: the temperature or humidity is in a noise burst."""
        if held:
            self.clear_slopes()
            self._drift.clear()
            return
        series = {"dew": reading.dew_point, "pressure": reading.values[P]}
        humid_limit = SATURATED_PCT if "dew" in self._drift else MOIST_PCT
        if T in reading.faulty or RH in reading.faulty or noisy or \
                reading.values[RH] >= humid_limit:
            series.pop("dew")
            self._slopes["dew"][0].clear()
            self._slopes["dew"][1].clear()
        if P in reading.faulty:
            series.pop("pressure")
        self._humidity_slope.add(reading.seq, reading.values[RH])
        self._humidity_recent.add(reading.seq, reading.values[RH])
        for name, value in series.items():
            long, short = self._slopes[name]
            long.add(reading.seq, value)
            short.add(reading.seq, value)
            if name in self._drift:
                self._continue(name, reading, long, short)
            elif long.full:
                self._maybe_start(name, reading, long, short)

    def _limit(self, name: str) -> float:
        per_hour = (self._th.drift_dew_point_c_per_hour if name == "dew"
                    else self._th.drift_pressure_hpa_per_hour)
        return per_hour / 60.0

    def _channel(self, name: str) -> int:
        if name == "pressure":
            return P
        # A dew point moving while humidity holds still is the thermometer's doing.
        return T if abs(self._humidity_slope.slope()) * 60 < 3.0 else RH

    def _maybe_start(self, name: str, reading: DriftReading, long: SlidingSlope,
                     short: SlidingSlope) -> None:
        limit = self._limit(name)
        slope, recent = long.slope(), short.slope()
        if abs(slope) < limit or abs(recent) < 0.7 * limit or slope * recent < 0:
            return
        stats = self._dew if name == "dew" else self._pressure
        if not stats.ready:
            return
        sigma = stats.sigma
        change = abs(slope) * DRIFT_WINDOW
        if long.residual_sd() > 0.1 * change + 2 * sigma:
            return  # a step or a bend (weather), not a steady line
        if name == "dew" and (abs(self._humidity_slope.slope()) * 60 > 20.0 or
                              abs(self._humidity_recent.slope()) * 60 > 30.0 or
                              abs(self._slopes["pressure"][0].slope()) * 60 > 0.4):
            return  # humidity racing towards saturation, or a front on its way: weather
        channel = self._channel(name)
        onset = self._onset(name, int(long.first_x), reading.seq)
        self._drift[name] = (onset, slope)
        self._drift_quiet[name] = 0
        score = abs(slope) / limit
        for seq in range(onset, reading.seq + 1):
            earlier = self._reading_at(seq)
            if earlier is not None:
                self._flag(earlier, f"{DRIFT_REASON}:{CHANNELS[channel]}", channel, score, 1.0)

    def _onset(self, name: str, first: int, last: int) -> int:
        """Where the trend began: the best hinge (level, then a straight line from the hinge
        on) over the window, in steps of three readings."""
        points = [(r.seq, r.dew_point if name == "dew" else r.values[P])
                  for r in (self._reading_at(seq) for seq in range(first, last + 1))
                  if r is not None]
        best, best_error = first, math.inf
        for hinge in range(first, last - 10, 3):
            # y = level + slope * max(0, x - hinge): least squares in closed form.
            u = [max(0.0, x - hinge) for x, _ in points]
            y = [v for _, v in points]
            n, su, sy = len(u), sum(u), sum(y)
            suu = sum(a * a for a in u)
            suy = sum(a * b for a, b in zip(u, y))
            det = n * suu - su * su
            if det <= 0:
                continue
            slope = (n * suy - su * sy) / det
            level = (sy - slope * su) / n
            error = sum((b - level - slope * a) ** 2 for a, b in zip(u, y))
            if error < best_error:
                best, best_error = hinge, error
        return best

    def _continue(self, name: str, reading: DriftReading, long: SlidingSlope,
                  short: SlidingSlope) -> None:
        since, slope = self._drift[name]
        bias = slope * (reading.seq - since)
        previous = self._reading_at(reading.seq - 1)
        value = reading.dew_point if name == "dew" else reading.values[P]
        before = None if previous is None else (
            previous.dew_point if name == "dew" else previous.values[P])
        # The sensor recalibrated (the bias vanished at once), or the drift stopped for long.
        sigma = self._dew.sigma if name == "dew" else self._pressure.sigma
        if before is not None and (value - before) * bias < 0 and \
                abs(value - before) >= max(0.5 * abs(bias), 5 * sigma):
            self._end(name)
            return
        if abs(short.slope()) < 0.6 * self._limit(name) or \
                reading.seq - since > DRIFT_MAX:
            self._drift_quiet[name] += 1
            if self._drift_quiet[name] >= DRIFT_WINDOW // 4 or reading.seq - since > DRIFT_MAX:
                self._end(name)
                return
        else:
            self._drift_quiet[name] = 0
        channel = self._channel(name) if name == "dew" else P
        self._flag(reading, f"{DRIFT_REASON}:{CHANNELS[channel]}", channel,
                   abs(slope) / self._limit(name), 1.0)

    def _end(self, name: str) -> None:
        self._drift.pop(name, None)
        long, short = self._slopes[name]
        long.clear()
        short.clear()
