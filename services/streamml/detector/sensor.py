"""One sensor's model: tells sensor faults from weather, reading by reading.

Each reading goes through these checks (docs/weather.md says what each one catches):

- **stuck / dropout** per channel: a run of exact repeats is judged against how often this
  channel repeats when healthy (its learnt repeat rate at its own resolution); a run that
  starts with a jump of many noise widths is a dropout to a constant. Joint runs of several
  channels add their evidence (all channels stuck at once is far rarer than one).
- **spike** per channel, decided one reading later: a reading that leaves the line through
  its neighbours and comes straight back. Weather never comes straight back in a minute.
- **noise** per channel: the median second difference of the last readings against the
  learnt noise (a trend cancels out of second differences; one spike does not move a median).
- **inconsistent**: a step of the dew point implied by temperature and humidity that the
  temperature does not share — humidity no weather pairs with this temperature.
- **drift**: a steady, straight-line trend of the dew point or pressure, faster than the
  weather moves them outside a front or storm (a least-squares line over the last hour, with
  small scatter around it; a step is not a line).
- **weather events**: a fast, coherent change — a temperature drop of several degrees with a
  pressure jump or saturation (thunderstorm), temperature and dew point falling with rising
  pressure (cold front) — is reported once as ``weather:<event>`` and holds the drift and
  inconsistency checks back while it lasts.

A fault, once recognised, is flagged until it ends and is never learnt: the model learns
only from readings that were not flagged, ``LEARN_LAG`` readings late. When a fault ends the
channel picks up its new level without an alarm. Flags may name earlier readings: a stuck run
is recognised on its n-th repeat and then every repeat of it is flagged.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from streamml.contracts.weather import (
    CHANNELS, DRIFT_REASON, DROPOUT_REASON, INCONSISTENT_REASON, NOISE_REASON, SPIKE_REASON,
    STUCK_REASON, WEATHER_FRONT, WEATHER_THUNDERSTORM, dew_point)
from streamml.detector.stats import LEARN_LAG, SQRT6, ChannelStats, SlidingSlope
from streamml.detector.thresholds import Thresholds

T, RH, P = 0, 1, 2
SATURATED_PCT = 99.0
MOIST_PCT = 90.0  # above it, humidity moves with rain and fog: no dew-point drift check
RECENT = 480  # readings kept: the longest a flag can reach back
WEATHER_HOLD = 180  # readings after a weather event without the drift check
DRIFT_WINDOW = 60
DRIFT_MAX = 360  # readings: a "drift" this long is taken as weather after all
NOISE_WINDOW = 9
DROPOUT_JUMP = 10.0  # noise widths: a jump this large followed by an exact repeat
INCONSISTENT_MAX = 90  # readings: an "inconsistency" that long is taken as the new normal
DEPRESSION_MEMORY = 90.0  # readings: how slowly the usual dew-point depression is learnt


@dataclass(frozen=True)
class Flag:
    """A reading judged faulty (or a weather event), with the evidence."""

    seq: int
    ts_ms: int
    values: tuple[float, float, float]
    reasons: tuple[str, ...]
    score: float
    threshold: float
    channel_scores: tuple[float, float, float]


@dataclass(eq=False)
class _Reading:
    seq: int
    ts_ms: int
    values: tuple[float, float, float]
    repaired: list[float]
    dew_point: float
    faulty: set[int] = field(default_factory=set)  # channels flagged as faulty
    blocked: set[int] = field(default_factory=set)  # ... as stuck, dropout or noise
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0
    threshold: float = 1.0
    emitted: bool = False


class _Channel:
    def __init__(self) -> None:
        self.stats = ChannelStats()
        self.run = 0
        self.run_first: _Reading | None = None
        self.run_jump = 0.0
        self.fault = ""
        self.noise: deque[float] = deque(maxlen=NOISE_WINDOW)
        self.noise_onset: deque[int] = deque(maxlen=NOISE_WINDOW)


class SensorModel:
    """Scores one sensor's readings in sequence order; one ``update()`` per reading."""

    def __init__(self, thresholds: Thresholds) -> None:
        self._th = thresholds
        self._recent: deque[_Reading] = deque(maxlen=RECENT)
        self._channels = [_Channel() for _ in CHANNELS]
        self._dew = ChannelStats()
        self.seen = 0
        self.fits = 0
        self.fitted_at_ms = 0
        self._learnt_upto = -1
        self._since_refit = 0
        self._weather_until = -1
        self._inconsistent_offset = 0.0
        self._depression: float | None = None  # usual dew-point depression, slowly learnt
        self._inconsistent_since = -1
        self._drift: dict[str, tuple[int, float]] = {}  # name -> (since seq, slope per reading)
        self._drift_quiet: dict[str, int] = {}
        self._slopes = {"dew": (SlidingSlope(DRIFT_WINDOW), SlidingSlope(DRIFT_WINDOW // 2)),
                        "pressure": (SlidingSlope(DRIFT_WINDOW), SlidingSlope(DRIFT_WINDOW // 2))}
        self._humidity_slope = SlidingSlope(DRIFT_WINDOW)
        self._humidity_recent = SlidingSlope(DRIFT_WINDOW // 3)

    @property
    def warming_up(self) -> bool:
        return self.fits == 0

    def update(self, seq: int, ts_ms: int, values: tuple[float, float, float],
               now_ms: int) -> list[Flag]:
        if self._recent and seq != self._recent[-1].seq + 1:
            self._discontinuity()
        reading = _Reading(seq, ts_ms, values, list(values),
                           _dew_point(values[T], values[RH]))
        self._recent.append(reading)
        self.seen += 1
        self._learn(now_ms)
        if self.fits == 0:
            return []
        self._check_stuck(reading)
        if len(self._recent) >= 3:
            self._check_spike()
            self._check_noise()
        self._check_weather(reading)
        self._check_inconsistent()
        self._check_drift(reading)
        return self._emit()

    # -- learning -------------------------------------------------------------------------

    def _learn(self, now_ms: int) -> None:
        """Learn from readings LEARN_LAG old that were never flagged (at once while warming up)."""
        lag = 0 if self.fits == 0 else LEARN_LAG
        recent = self._recent
        index = len(recent) - 1 - lag
        if index < 1 or recent[index].seq <= self._learnt_upto:
            return
        current, before = recent[index], recent[index - 1]
        self._learnt_upto = current.seq
        if current.reasons or before.reasons or before.seq != current.seq - 1:
            return
        earlier = recent[index - 2] if index >= 2 else None
        usable_earlier = earlier is not None and not earlier.reasons and \
            earlier.seq == before.seq - 1
        for c, channel in enumerate(self._channels):
            if c == RH and max(current.values[RH], before.values[RH]) >= SATURATED_PCT:
                continue
            previous = earlier.values[c] if earlier is not None and usable_earlier else None
            channel.stats.learn(before.values[c], current.values[c], previous)
        self._dew.learn(before.dew_point, current.dew_point,
                        earlier.dew_point if earlier is not None and usable_earlier else None)
        depression = current.values[T] - current.dew_point
        self._depression = depression if self._depression is None else \
            self._depression + (depression - self._depression) / DEPRESSION_MEMORY
        self._since_refit += 1
        if (self.fits == 0 and self.seen >= self._th.warmup) or \
                (self.fits > 0 and self._since_refit >= self._th.refit_every):
            for channel in self._channels:
                channel.stats.refit()
            self._dew.refit()
            self.fits += 1
            self.fitted_at_ms = now_ms
            self._since_refit = 0

    def _discontinuity(self) -> None:
        """Readings were missed: nothing spans the gap (the learnt statistics stay)."""
        for channel in self._channels:
            channel.run = 0
            channel.run_first = None
            channel.fault = ""
            channel.noise.clear()
            channel.noise_onset.clear()
        self._inconsistent_since = -1
        self._drift.clear()
        self._clear_slopes()
        self._recent.clear()

    def _clear_slopes(self) -> None:
        for long, short in self._slopes.values():
            long.clear()
            short.clear()
        self._humidity_slope.clear()
        self._humidity_recent.clear()

    # -- flags ----------------------------------------------------------------------------

    def _flag(self, reading: _Reading, reason: str, channel: int | None, score: float,
              threshold: float) -> None:
        if channel is not None:
            reading.faulty.add(channel)
            if reason.startswith((STUCK_REASON, DROPOUT_REASON, NOISE_REASON)):
                reading.blocked.add(channel)
        if reason not in reading.reasons:
            reading.reasons.append(reason)
        if score / threshold >= reading.score / reading.threshold:
            reading.score, reading.threshold = score, threshold

    def _emit(self) -> list[Flag]:
        flags = []
        for reading in self._recent:
            if reading.reasons and not reading.emitted:
                reading.emitted = True
                flags.append(Flag(reading.seq, reading.ts_ms, reading.values,
                                  tuple(reading.reasons), reading.score, reading.threshold,
                                  self._channel_scores(reading)))
        return flags

    def _channel_scores(self, reading: _Reading) -> tuple[float, float, float]:
        """Each channel's distance from the line through the two readings before it, in noise
        widths."""
        index = reading.seq - self._recent[0].seq
        if index < 2:
            return (0.0, 0.0, 0.0)
        a, b = self._recent[index - 2], self._recent[index - 1]
        scores = []
        for c, channel in enumerate(self._channels):
            predicted = 2 * b.repaired[c] - a.repaired[c]
            sigma = channel.stats.sigma or 1.0
            scores.append(round(abs(reading.values[c] - predicted) / (sigma * SQRT6 / 2), 3))
        return (scores[0], scores[1], scores[2])

    def _reading_at(self, seq: int) -> _Reading | None:
        if not self._recent:
            return None
        index = seq - self._recent[0].seq
        return self._recent[index] if 0 <= index < len(self._recent) else None

    # -- checks ---------------------------------------------------------------------------

    def _check_stuck(self, reading: _Reading) -> None:
        recent = self._recent
        previous = recent[-2] if len(recent) >= 2 else None
        for c, channel in enumerate(self._channels):
            repeats = previous is not None and reading.values[c] == previous.values[c] and not (
                c == RH and reading.values[RH] >= SATURATED_PCT)
            if not repeats:
                if channel.fault in (STUCK_REASON, DROPOUT_REASON):
                    # The fault ended: start afresh from the new level, without an alarm.
                    channel.fault = ""
                    channel.noise.clear()
                    channel.noise_onset.clear()
                    self._clear_slopes()
                channel.run = 0
                channel.run_first = None
                continue
            if channel.run == 0:
                assert previous is not None
                channel.run_first = previous
                before = recent[-3] if len(recent) >= 3 else None
                sigma = channel.stats.sigma or 1.0
                channel.run_jump = abs(previous.values[c] - before.values[c]) / sigma \
                    if before is not None and before.seq == previous.seq - 1 else 0.0
            channel.run += 1
            if channel.fault:
                self._flag(reading, f"{channel.fault}:{CHANNELS[c]}", c, channel.run, 1.0)
        # Evidence: -ln P(the run) under each channel's repeat rate; joint runs add up.
        running = [c for c, ch in enumerate(self._channels) if ch.run > 0 and not ch.fault]
        if not running:
            return
        shortest = min(self._channels[c].run for c in running)
        joint = sum(-shortest * math.log(self._channels[c].stats.repeat_rate) for c in running)
        for c in running:
            channel = self._channels[c]
            alone = -channel.run * math.log(channel.stats.repeat_rate)
            evidence = max(alone, joint if len(running) > 1 else 0.0)
            dropout = channel.run_jump >= DROPOUT_JUMP
            # After a jump of many noise widths, far less evidence makes a dropout.
            if evidence >= self._th.stuck_log_odds or (dropout and evidence >= 3.0):
                self._start_stuck(c, DROPOUT_REASON if dropout else STUCK_REASON, evidence)

    def _start_stuck(self, c: int, kind: str, evidence: float) -> None:
        channel = self._channels[c]
        channel.fault = kind
        first = channel.run_first
        assert first is not None
        # A stuck channel repeats a genuine reading; a dropout's first value is already wrong.
        start = first.seq if kind == DROPOUT_REASON else first.seq + 1
        for seq in range(start, self._recent[-1].seq + 1):
            reading = self._reading_at(seq)
            if reading is not None:
                self._flag(reading, f"{kind}:{CHANNELS[c]}", c, evidence,
                           self._th.stuck_log_odds)

    def _check_spike(self) -> None:
        a, b, d = self._recent[-3], self._recent[-2], self._recent[-1]
        if not (a.seq + 2 == b.seq + 1 == d.seq):
            return
        for c, channel in enumerate(self._channels):
            if c in a.blocked or c in b.blocked or c in d.blocked or \
                    channel.fault in (STUCK_REASON, DROPOUT_REASON, NOISE_REASON) or \
                    not channel.stats.ready:
                continue
            sigma = channel.stats.sigma
            rise, fall = b.repaired[c] - a.repaired[c], d.values[c] - b.repaired[c]
            middle = b.repaired[c] - (a.repaired[c] + d.values[c]) / 2
            z = abs(middle) / (sigma * math.sqrt(1.5))
            if z >= self._th.spike_z and rise * fall < 0 and \
                    min(abs(rise), abs(fall)) >= 0.5 * abs(middle):
                self._flag(b, f"{SPIKE_REASON}:{CHANNELS[c]}", c, z, self._th.spike_z)
                b.repaired[c] = (a.repaired[c] + d.values[c]) / 2

    def _check_noise(self) -> None:
        a, b, d = self._recent[-3], self._recent[-2], self._recent[-1]
        contiguous = a.seq + 2 == b.seq + 1 == d.seq
        for c, channel in enumerate(self._channels):
            if not contiguous or channel.fault in (STUCK_REASON, DROPOUT_REASON) or \
                    (c == RH and d.values[RH] >= SATURATED_PCT) or not channel.stats.ready:
                channel.noise.clear()
                channel.noise_onset.clear()
                continue
            sigma = channel.stats.sigma
            # Raw values: a noisy reading the spike check repaired is still noise.
            second = abs(d.values[c] - 2 * b.values[c] + a.values[c]) / (sigma * SQRT6)
            channel.noise.append(second)
            channel.noise_onset.append(d.seq)
            if len(channel.noise) < 5:
                continue
            ratio = sorted(channel.noise)[len(channel.noise) // 2] / 0.6745
            reason = f"{NOISE_REASON}:{CHANNELS[c]}"
            if channel.fault == NOISE_REASON:
                if ratio < self._th.noise_exit_ratio or max(list(channel.noise)[-3:]) < 2.0:
                    channel.fault = ""
                elif second >= 2.0 or self._previous_second(channel) >= 2.0:
                    self._flag(b, reason, c, ratio, self._th.noise_ratio)
            elif ratio >= self._th.noise_ratio:
                channel.fault = NOISE_REASON
                onset = next((seq for seq, value in zip(channel.noise_onset, channel.noise)
                              if value >= 2.0), d.seq)
                for seq in range(onset, d.seq):
                    reading = self._reading_at(seq)
                    if reading is not None:
                        self._flag(reading, reason, c, ratio, self._th.noise_ratio)

    @staticmethod
    def _previous_second(channel: _Channel) -> float:
        return channel.noise[-2] if len(channel.noise) >= 2 else 0.0

    def _check_weather(self, reading: _Reading) -> None:
        if any(self._channels[c].fault in (STUCK_REASON, DROPOUT_REASON) for c in (T, P)) or \
                reading.seq <= self._weather_until:
            return
        recent = self._recent
        if len(recent) < 46:
            return
        t, rh, p = reading.values
        # Cheap pre-checks first: most readings are nowhere near an event.
        if t > recent[-11].values[T] - 1.0 and p < recent[-46].values[P] + 0.8 and \
                p < recent[-21].values[P] + 0.8:
            return
        window = [r for r in list(recent)[-46:] if T not in r.blocked and P not in r.blocked]
        if len(window) < 30:
            return
        short = window[-11:]
        storm = t - max(r.values[T] for r in short) <= -2.5 and (
            p - min(r.values[P] for r in window[-16:]) >= 1.0 or rh >= 90.0)
        # A cold front: the pressure turns up as drier (and usually colder) air arrives.
        front = not storm and p - min(r.values[P] for r in window) >= 1.0 and (
            reading.dew_point - max(r.dew_point for r in window) <= -1.5 or
            t - max(r.values[T] for r in window) <= -2.0)
        # The pressure jumps up in rain: the passage itself, before the colder air arrives.
        front = front or (not storm and p - min(r.values[P] for r in window[-21:]) >= 1.0
                          and (rh >= 85.0 or t - max(r.values[T] for r in window[-21:]) <= -1.0))
        # Falling fast as the pressure jumps: the start of a thunderstorm, not a front.
        storm = storm or (front and t - max(r.values[T] for r in window[-6:]) <= -1.5)
        if storm or front:
            event = WEATHER_THUNDERSTORM if storm else WEATHER_FRONT
            reading.reasons.append(event)
            self._weather_until = reading.seq + WEATHER_HOLD
            self._clear_slopes()
            if self._inconsistent_since >= 0:
                self._inconsistent_since = -1
            self._drift.clear()

    def _check_inconsistent(self) -> None:
        if len(self._recent) < 3:
            return
        a, b, d = self._recent[-3], self._recent[-2], self._recent[-1]
        if not (a.seq + 2 == b.seq + 1 == d.seq):
            return
        if self._inconsistent_since >= 0:
            step = d.dew_point - b.dew_point
            offset = self._inconsistent_offset
            if (step * offset < 0 and abs(step) >= 0.5 * abs(offset)) or \
                    d.seq - self._inconsistent_since > INCONSISTENT_MAX or \
                    RH in d.faulty or T in d.faulty:
                self._inconsistent_since = -1  # back to consistent: no alarm for that
            else:
                self._flag(d, INCONSISTENT_REASON, RH, abs(offset),
                           self._th.inconsistent_dew_point_step_c)
            return
        if self._channels[T].fault or self._channels[RH].fault or self._depression is None:
            return
        if RH in b.faulty or T in b.faulty or RH in a.blocked or T in a.blocked:
            return
        step = b.dew_point - _dew_point(a.repaired[T], a.repaired[RH])
        needed = max(self._th.inconsistent_dew_point_step_c, 5 * self._dew.sigma)
        temperature_step = abs(b.values[T] - a.values[T])
        stays = abs(d.dew_point - b.dew_point) <= 0.5 * abs(step)
        # Away from the sensor's usual dew-point depression, not back towards it (the end of
        # an inconsistency the check did not see begin raises no alarm).
        away = abs(b.values[T] - b.dew_point - self._depression) >= \
            abs(a.repaired[T] - _dew_point(a.repaired[T], a.repaired[RH]) - self._depression) \
            + 0.5 * abs(step)
        if abs(step) >= needed and temperature_step <= 0.3 * abs(step) and stays and away:
            self._inconsistent_offset = step
            self._inconsistent_since = b.seq
            for reading in (b, d):
                self._flag(reading, INCONSISTENT_REASON, RH, abs(step), needed)

    def _check_drift(self, reading: _Reading) -> None:
        if reading.seq <= self._weather_until or self._inconsistent_since >= 0 or \
                any(ch.fault in (STUCK_REASON, DROPOUT_REASON) for ch in self._channels):
            self._clear_slopes()
            self._drift_end_all()
            return
        series = {"dew": reading.dew_point, "pressure": reading.values[P]}
        noisy = any(self._channels[c].fault == NOISE_REASON for c in (T, RH))
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
                self._continue_drift(name, reading, long, short)
            elif long.full:
                self._maybe_start_drift(name, reading, long, short)

    def _drift_limit(self, name: str) -> float:
        per_hour = (self._th.drift_dew_point_c_per_hour if name == "dew"
                    else self._th.drift_pressure_hpa_per_hour)
        return per_hour / 60.0

    def _drift_channel(self, name: str) -> int:
        if name == "pressure":
            return P
        # A dew point moving while humidity holds still is the thermometer's doing.
        return T if abs(self._humidity_slope.slope()) * 60 < 3.0 else RH

    def _maybe_start_drift(self, name: str, reading: _Reading, long: SlidingSlope,
                           short: SlidingSlope) -> None:
        limit = self._drift_limit(name)
        slope, recent = long.slope(), short.slope()
        if abs(slope) < limit or abs(recent) < 0.7 * limit or slope * recent < 0:
            return
        stats = self._dew if name == "dew" else self._channels[P].stats
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
        channel = self._drift_channel(name)
        onset = self._drift_onset(name, int(long.first_x), reading.seq)
        self._drift[name] = (onset, slope)
        self._drift_quiet[name] = 0
        score = abs(slope) / limit
        for seq in range(onset, reading.seq + 1):
            earlier = self._reading_at(seq)
            if earlier is not None:
                self._flag(earlier, f"{DRIFT_REASON}:{CHANNELS[channel]}", channel, score, 1.0)

    def _drift_onset(self, name: str, first: int, last: int) -> int:
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

    def _continue_drift(self, name: str, reading: _Reading, long: SlidingSlope,
                        short: SlidingSlope) -> None:
        since, slope = self._drift[name]
        bias = slope * (reading.seq - since)
        previous = self._reading_at(reading.seq - 1)
        value = reading.dew_point if name == "dew" else reading.values[P]
        before = None if previous is None else (
            previous.dew_point if name == "dew" else previous.values[P])
        # The sensor recalibrated (the bias vanished at once), or the drift stopped for long.
        sigma = self._dew.sigma if name == "dew" else self._channels[P].stats.sigma
        if before is not None and (value - before) * bias < 0 and \
                abs(value - before) >= max(0.5 * abs(bias), 5 * sigma):
            self._end_drift(name)
            return
        if abs(short.slope()) < 0.6 * self._drift_limit(name) or \
                reading.seq - since > DRIFT_MAX:
            self._drift_quiet[name] += 1
            if self._drift_quiet[name] >= DRIFT_WINDOW // 4 or reading.seq - since > DRIFT_MAX:
                self._end_drift(name)
                return
        else:
            self._drift_quiet[name] = 0
        channel = self._drift_channel(name) if name == "dew" else P
        self._flag(reading, f"{DRIFT_REASON}:{CHANNELS[channel]}", channel,
                   abs(slope) / self._drift_limit(name), 1.0)

    def _end_drift(self, name: str) -> None:
        self._drift.pop(name, None)
        long, short = self._slopes[name]
        long.clear()
        short.clear()

    def _drift_end_all(self) -> None:
        self._drift.clear()


def _dew_point(temperature: float, humidity: float) -> float:
    return dew_point(temperature, humidity) if humidity > 0 else temperature - 60.0
