"""The inconsistency check of a sensor's model: humidity no weather pairs with the temperature.

A step of the dew point implied by temperature and humidity that the temperature does not
share is flagged until the dew point is back at its level before the step (no alarm for that)
or for at most ``INCONSISTENT_MAX`` readings. The step is fitted, not read off two readings: a
line plus a step through the ``STEP_BEFORE`` readings before it and the ``STEP_AFTER`` from it
(a trend is the weather's; the step must stand out of it). It must be ``STEP_EVIDENCE_SD``
standard errors high, the standard error from the humidity's and temperature's learnt noise
carried into the dew point at the air's own humidity: in dry air one percent of humidity is
more than a degree of dew point, in moist air a fraction of one. And it must lead away from
the sensor's usual dew-point depression (slowly learnt), not back towards it (the end of an
inconsistency the check did not see begin raises no alarm). Rain and fronts move the dew
point over tens of minutes, together with the temperature. A moister step into saturated air
is cut at the limit, so it needs only to close the air's depression, not the floor of
``inconsistent_dew_point_step_c``; and a dew point that falls while the air warms, or steps
into saturation out of unsaturated air as it warms, is not shared by the temperature, however
much it warms. A moister step while the air cools and the pressure jumps, its onset within
``STORM_RAIN_READINGS`` of a thunderstorm's report, is the storm's rain, however little the
storm cools the air. A step
let go as the end of an unseen inconsistency, which a later step takes back to its level within
``INCONSISTENT_MAX`` readings, was its beginning: the readings between the two are flagged
(late), and the return is no new inconsistency.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from itertools import islice
from operator import mul

from streamml.contracts.weather import (
    CHANNELS, DRIFT_REASON, DROPOUT_REASON, INCONSISTENT_REASON, MAGNUS_A, MAGNUS_B, NOISE_REASON,
    STUCK_REASON, dew_point)
from streamml.detector.reading import Reading
from streamml.detector.stats import SATURATED_PCT, ChannelStats
from streamml.detector.thresholds import Thresholds

T, RH, P = 0, 1, 2
INCONSISTENT_MAX = 90  # readings: an "inconsistency" that long is taken as the new normal
DEPRESSION_MEMORY = 90.0  # readings: how slowly the usual dew-point depression is learnt
STEP_BEFORE = 20  # readings before a step: the level and trend it must stand out of
STEP_AFTER = 5  # readings from the step on: it is decided this many readings late
STEP_EVIDENCE_SD = 5.0  # standard errors of the fitted step
TEMPERATURE_SHARE = 0.3  # a temperature step this large a part of the dew point's is weather
BEND_SHARE = 0.5  # of the step: the most the trend may bend at it over STEP_AFTER readings
BEND_EVIDENCE_SD = 3.0  # standard errors: a smaller bend may be chance
BACK_READINGS = 2  # consecutive readings back at the level before the step end it
SATURATED_DEPRESSION_C = 0.5  # a dew point this close under the temperature: saturated air
DRIED_DEPRESSION_C = 5.0  # a step out of saturated air this far under the temperature
# Dew-point noise widths (at the level before the step) that saturated air's fitted depression
# may stand above SATURATED_DEPRESSION_C: a humidity in saturated air reads 100 % less its noise,
# cut at the limit, so its mean sits under 100 % by a fraction of that noise, more with a dip or
# two (final-24 sim-2502-006, a cheap sensor at 92-100 % in a thunderstorm: 0.7 °C fitted).
SATURATED_NOISE_WIDTHS = 1.0
# %: the humidity noise assumed while a channel has learnt none (it has known only saturated
# air, where it reads its limit): the noisiest class's, with margin, so only a large step counts.
UNLEARNT_HUMIDITY_SD = 5.0
# Reasons that make a reading's dew point unusable for the check. A noise burst is not one:
# a humidity step into air where the same humidity noise means more dew point looks noisy too.
# A spike is not one either: the check reads the spike check's repair.
UNUSABLE = (INCONSISTENT_REASON, *(f"{kind}:{CHANNELS[c]}" for kind in (
    STUCK_REASON, DROPOUT_REASON, DRIFT_REASON) for c in (T, RH)))
# A noise burst's readings scatter far more than the learnt noise: where one was flagged among the
# readings before (or from) a step, their level is known only as well as their own scatter says,
# and the step's standard error carries it (final-22 sim-2305-013 @2620-2641, a consumer
# humidity's burst: its dew points scatter 1.3 C where the learnt noise gives 0.31 C, and its
# last ten readings before the end sat 2 C under the level; the end read as a step up, 2638-2691
# flagged inconsistent, 50 readings after the burst).
NOISY = tuple(f"{NOISE_REASON}:{CHANNELS[c]}" for c in (T, RH))
# Readings: a moister step while the air cools, its onset this close to a thunderstorm's report
# (either side: the report lags the storm's start by up to ten minutes), is the storm's rain. In
# dry air a weak storm moistens the air far more than it cools it (final-36 sim-3705-030 @1115:
# the dew point up 11 °C to saturation, the air down 5 °C; 42 readings flagged).
STORM_RAIN_READINGS = 15
# hPa: the pressure's fitted step that makes the report a storm's, not the step's own: a storm's
# jump (0.5 hPa at the weakest) averages ~0.3 over the STEP_AFTER readings from its start; a
# humidity stepping to 100 % meets the storm rule's saturation clause by itself in a cloud's
# cooling (final-10 sim-1103-020 @2275: the pressure's step -0.11 hPa, final-36's storm +0.42).
STORM_RAIN_PRESSURE_HPA = 0.2


def reading_dew_point(temperature: float, humidity: float) -> float:
    """The dew point of a reading; a humidity of 0 (a dropout) gets a very dry one."""
    return dew_point(temperature, humidity) if humidity > 0 else temperature - 60.0


def dew_point_noise(temperature: float, dew_point_c: float, temperature_sd: float,
                    humidity_sd: float) -> float:
    """The noise (°C) of the dew point implied by temperature and humidity readings with these
    noise widths, at this temperature and dew point (Magnus, linearised)."""
    humidity = 100.0 * math.exp(MAGNUS_A * dew_point_c / (MAGNUS_B + dew_point_c)
                                - MAGNUS_A * temperature / (MAGNUS_B + temperature))
    per_gamma = (MAGNUS_B + dew_point_c) ** 2 / (MAGNUS_A * MAGNUS_B)
    per_percent = per_gamma / max(min(humidity, 100.0), 1.0)
    per_degree = ((MAGNUS_B + dew_point_c) / (MAGNUS_B + temperature)) ** 2
    return math.hypot(per_percent * humidity_sd, per_degree * temperature_sd)


def _step_weights(before: int, after: int, bend: bool = False) -> list[list[float]]:
    """Least-squares weights of a line plus a step at reading ``before``, over ``before +
    after`` readings: [the step, the line's level at the step, and with ``bend`` the change
    of slope there]. Each estimate is the dot product of its weights with the readings."""
    n = before + after
    xs = [i - (n - 1) / 2 for i in range(n)]
    columns = [[1.0] * n, xs, [1.0 if i >= before else 0.0 for i in range(n)]]
    if bend:
        columns.append([x - xs[before] if i >= before else 0.0 for i, x in enumerate(xs)])
    rows = _pseudo_inverse(columns)
    return [rows[2], [rows[0][i] + xs[before] * rows[1][i] for i in range(n)], *rows[3:]]


def _pseudo_inverse(columns: list[list[float]]) -> list[list[float]]:
    """(X^T X)^-1 X^T of the design matrix with these columns (Gauss-Jordan at import; small,
    and the detector runs without numpy)."""
    k, n = len(columns), len(columns[0])
    gram = [[sum(a * b for a, b in zip(ci, cj)) for cj in columns] + [float(i == j)
            for j in range(k)] for i, ci in enumerate(columns)]
    for i in range(k):
        pivot = max(range(i, k), key=lambda r: abs(gram[r][i]))
        gram[i], gram[pivot] = gram[pivot], gram[i]
        head = gram[i][i]
        gram[i] = [v / head for v in gram[i]]
        for r in range(k):
            if r != i:
                factor = gram[r][i]
                gram[r] = [v - factor * w for v, w in zip(gram[r], gram[i])]
    inverse = [row[k:] for row in gram]
    return [[sum(inverse[r][j] * columns[j][i] for j in range(k)) for i in range(n)]
            for r in range(k)]


STEP_WEIGHTS, LEVEL_WEIGHTS = _step_weights(STEP_BEFORE, STEP_AFTER)
_, _, BEND_WEIGHTS = _step_weights(STEP_BEFORE, STEP_AFTER, bend=True)
# The estimates' variances per unit noise variance of the readings before and from the step.
_STEP_VARIANCE = (sum(w * w for w in STEP_WEIGHTS[:STEP_BEFORE]),
                  sum(w * w for w in STEP_WEIGHTS[STEP_BEFORE:]))
_BEND_VARIANCE = (sum(w * w for w in BEND_WEIGHTS[:STEP_BEFORE]),
                  sum(w * w for w in BEND_WEIGHTS[STEP_BEFORE:]))
WINDOW = STEP_BEFORE + STEP_AFTER


# (reading, reason, channel, score, threshold): the model's way of flagging a reading.
FlagReading = Callable[[Reading, str, int, float, float], None]


class InconsistentCheck:
    """One sensor's inconsistency state: the usual depression and the open inconsistency."""

    def __init__(self, thresholds: Thresholds, temperature: ChannelStats,
                 humidity: ChannelStats, flag: FlagReading) -> None:
        self._th = thresholds
        self._temperature = temperature
        self._humidity = humidity
        self._flag = flag
        self._offset = 0.0
        self._level = 0.0  # the dew point's level before the open step
        self._threshold = 0.0
        self._back = 0  # consecutive readings back at that level
        self._depression: float | None = None  # usual dew-point depression, slowly learnt
        self._since = -1
        self._storm_since: int | None = None  # where the last thunderstorm was reported
        # The previous reading's fitted step, and its judgement if it is a step to flag once
        # no larger one follows.
        self._last_step = 0.0
        self._candidate: tuple[int, float, float, float] | None = None
        # The dew points of the last fitted window, oldest first, and the seq of its newest
        # reading: the next window, one reading on, takes one dew point in (and one out)
        # instead of reading all WINDOW again.
        self._dew_points: deque[float] = deque(maxlen=WINDOW)
        self._dew_points_upto = -1
        # (onset, step, level before it) of the last step let go as the end of an inconsistency
        # not seen begin: a step that returns to its level soon after makes the readings
        # between them the inconsistency.
        self._let_go: tuple[int, float, float] | None = None
        # (onset, step) of the last such return: later fits of the same step are no new one.
        self._returned: tuple[int, float] | None = None
        # An inconsistency was found only at its end, at the newest reading: its readings were
        # flagged late, so what other checks learnt from them is stale.
        self.found_at_its_end = False

    @property
    def open(self) -> bool:
        """An inconsistency is being flagged."""
        return self._since >= 0

    def close(self) -> None:
        """End the open inconsistency without an alarm (the weather or a gap explains it), and
        forget a step not yet decided."""
        self._since = -1
        self._candidate = None
        self._last_step = 0.0
        self._let_go = None
        self._returned = None

    def learn(self, temperature: float, dew_point_c: float) -> None:
        """A clean reading's temperature and dew point."""
        depression = temperature - dew_point_c
        self._depression = depression if self._depression is None else \
            self._depression + (depression - self._depression) / DEPRESSION_MEMORY

    def update(self, recent: Sequence[Reading], channel_fault: bool,
               storm_since: int | None = None) -> None:
        """The sensor's recent contiguous readings, the newest last; ``channel_fault``: the
        temperature or humidity channel is stuck or dropped out; ``storm_since``: where the last
        thunderstorm was reported (None: none)."""
        newest = recent[-1]
        self._storm_since = storm_since
        self.found_at_its_end = False
        fitted = self._fit(recent, channel_fault)
        step = 0.0 if fitted is None else fitted
        if self._since >= 0:
            # A step back fitted on readings all of the inconsistency ends it too: the weather
            # may have moved the level meanwhile.
            if fitted is not None and recent[-2].seq - (WINDOW - 1) >= self._since and \
                    step * self._offset < 0 and abs(step) >= 0.5 * abs(self._offset):
                self._since = -1
            else:
                self._go_on(newest)
            return
        # A step is placed where the fitted step is largest: a step a few readings earlier
        # already shows, smaller, in the fits around it.
        candidate, self._candidate = self._candidate, None
        if candidate is not None and abs(step) <= abs(candidate[1]):
            self._open(recent, *candidate)
            return
        if fitted is not None and abs(step) >= self._last_step:
            self._candidate = self._judge(recent, step)
        self._last_step = abs(step)

    def reread(self) -> None:
        """Read the window's dew points afresh at the next fit: a reading's repair in it was
        undone (a late spike found to be its neighbour's)."""
        self._dew_points_upto = -1

    def _fit(self, recent: Sequence[Reading], channel_fault: bool) -> float | None:
        """The fitted dew-point step of the window ending one reading before the newest (a
        spike there is known and repaired by now); None when there is nothing to judge."""
        if channel_fault or self._depression is None or len(recent) <= WINDOW or \
                not self._temperature.ready:
            return None
        last = recent[-2]
        if recent[-WINDOW - 1].seq != last.seq - (WINDOW - 1):
            return None
        dew_points = self._dew_points
        if last.seq == self._dew_points_upto + 1:
            dew_points.append(repaired_dew_point(last))
        else:
            dew_points.clear()
            dew_points.extend(map(repaired_dew_point, _window(recent)))
        self._dew_points_upto = last.seq
        return sum(map(mul, STEP_WEIGHTS, dew_points))

    def _judge(self, recent: Sequence[Reading], step: float,
               ) -> tuple[int, float, float, float] | None:
        """(onset, step, level before it, threshold) of a step the temperature does not share,
        or None (also when it ends an inconsistency found only now: those readings are flagged
        here)."""
        window = _window(recent)
        # A moister step that ends in saturated air is cut at the limit (the dew point cannot
        # pass the temperature): it may be smaller than the floor and still be all the air allows.
        into_saturation = step > 0 and window[-1].values[RH] >= SATURATED_PCT
        if abs(step) < self._th.inconsistent_dew_point_step_c and not into_saturation:
            return None
        dew_points = self._dew_points
        temperatures = [r.values[T] for r in window]
        temperature_step = sum(map(mul, STEP_WEIGHTS, temperatures))
        # Weather that warms the air within minutes (the sun after a storm or a cloud) leaves its
        # moisture where it was; weather that lowers the dew point so fast (a front, a storm's
        # downdraft) cools the air with it, and weather that saturates it (rain, a storm) cools
        # it too. A dew point falling while the air warms shares nothing, nor does one stepping
        # into saturation out of unsaturated air as it warms (in saturated air the humidity is
        # cut at 100 %, and its dew point, the temperature's, rises back with the air).
        drying_as_it_warms = step < 0 < temperature_step
        level = sum(map(mul, LEVEL_WEIGHTS, dew_points))
        temperature = sum(map(mul, LEVEL_WEIGHTS, temperatures))
        depression = temperature - level
        saturating_as_it_warms = into_saturation and temperature_step > 0 and \
            depression >= SATURATED_DEPRESSION_C
        if (abs(temperature_step) > TEMPERATURE_SHARE * abs(step) and not drying_as_it_warms
                and not saturating_as_it_warms) or any(_unusable(r) for r in window):
            return None
        pressure_step = sum(map(mul, STEP_WEIGHTS, (r.values[P] for r in window)))
        if self._storms_rain(window[STEP_BEFORE].seq, step, temperature_step, pressure_step):
            return None
        depression_after = depression + temperature_step - step
        t_sd = self._temperature.sigma
        rh_sd = self._humidity.sigma if self._humidity.ready else UNLEARNT_HUMIDITY_SD
        noise = (max(dew_point_noise(temperature, level, t_sd, rh_sd),
                     _burst_scatter(window[:STEP_BEFORE], list(dew_points)[:STEP_BEFORE])),
                 max(dew_point_noise(temperature + temperature_step, level + step, t_sd, rh_sd),
                     _burst_scatter(window[STEP_BEFORE:], list(dew_points)[STEP_BEFORE:])))
        floor = self._th.inconsistent_dew_point_step_c
        if into_saturation and depression_after < SATURATED_DEPRESSION_C:
            # The air's whole depression (to within saturation's margin) is the largest step.
            floor = min(floor, depression - SATURATED_DEPRESSION_C)
        needed = max(floor, STEP_EVIDENCE_SD * _sd(_STEP_VARIANCE, noise))
        if abs(step) < needed:
            return None
        # A trend that bends there (the dew point rising in rain that has begun, falling away
        # when it stops) is no step: the slope after the step may differ from the one before
        # by no more than chance, or than half the step over the readings after it.
        bend = sum(map(mul, BEND_WEIGHTS, dew_points))
        if abs(bend) * STEP_AFTER > BEND_SHARE * abs(step) and \
                abs(bend) > BEND_EVIDENCE_SD * _sd(_BEND_VARIANCE, noise):
            return None
        onset = window[STEP_BEFORE].seq
        if self._fits_a_return(onset, step):
            return None
        if self._returns_from_let_go(onset, step, level):
            self._flag_let_go(recent, onset, step, needed)
            return None
        # Not back towards the usual depression by more than half the step (the end of an
        # inconsistency the check did not see begin; the usual depression lags the daily cycle,
        # so a step may well end closer to it). Saturated air before the step is the weather's
        # own state (rain, fog, a thunderstorm), which ends gradually and with the temperature:
        # a step out of it into clearly dry air is judged wherever it leads.
        assert self._depression is not None
        saturated_before = depression < SATURATED_DEPRESSION_C + SATURATED_NOISE_WIDTHS * noise[0]
        dried_out_of_saturation = saturated_before and depression_after >= DRIED_DEPRESSION_C
        if not dried_out_of_saturation and abs(depression_after - self._depression) < \
                abs(depression - self._depression) - 0.5 * abs(step):
            self._let_go = (onset, step, level)
            return None
        return onset, step, level, needed

    def _storms_rain(self, onset: int, step: float, temperature_step: float,
                     pressure_step: float) -> bool:
        """The step moistens the air as it cools and the pressure jumps, within
        STORM_RAIN_READINGS of a thunderstorm's report: the storm's rain saturating it, however
        little the storm cools it."""
        return self._storm_since is not None and step > 0 > temperature_step and \
            pressure_step >= STORM_RAIN_PRESSURE_HPA and \
            abs(onset - self._storm_since) <= STORM_RAIN_READINGS

    def _returns_from_let_go(self, onset: int, step: float, level: float) -> bool:
        """This step takes the dew point back, within half the step, to where it was before a
        step let go as the end of an unseen inconsistency, at most INCONSISTENT_MAX readings on:
        that step began the inconsistency (in rain the air sits near saturation, far from the
        usual depression of a dry climate, and a humidity that drops out of it, then comes back,
        is the sensor)."""
        if self._let_go is None:
            return False
        let_go_onset, let_go_step, let_go_level = self._let_go
        if onset - let_go_onset > INCONSISTENT_MAX:
            self._let_go = None
            return False
        return step * let_go_step < 0 and \
            abs(level + step - let_go_level) < 0.5 * abs(let_go_step)

    def _fits_a_return(self, onset: int, step: float) -> bool:
        """The step is the last return, fitted again a reading or a few later."""
        if self._returned is None:
            return False
        returned_onset, returned_step = self._returned
        return abs(onset - returned_onset) <= STEP_AFTER and step * returned_step > 0

    def _flag_let_go(self, recent: Sequence[Reading], onset: int, step: float,
                     needed: float) -> None:
        """Flag the readings from the let-go step's onset up to this step."""
        assert self._let_go is not None
        let_go_onset, let_go_step, _ = self._let_go
        self._let_go = None
        self._returned = (onset, step)
        self.found_at_its_end = True
        newest = recent[-1].seq
        for seq in range(max(let_go_onset, recent[0].seq), onset):
            self._flag(recent[seq - newest - 1], INCONSISTENT_REASON, RH, abs(let_go_step),
                       needed)

    def _open(self, recent: Sequence[Reading], onset: int, step: float,
              level: float, needed: float) -> None:
        """Flag the readings from the onset to the newest and keep flagging."""
        self._offset, self._level, self._threshold, self._back = step, level, needed, 0
        self._since = onset
        newest = recent[-1]
        for i in range(onset - newest.seq - 1, -1):
            self._flag(recent[i], INCONSISTENT_REASON, RH, abs(step), needed)
        self._go_on(newest)

    def _go_on(self, reading: Reading) -> None:
        """Flag a reading of the open inconsistency, or end it (without an alarm)."""
        if reading.seq - self._since > INCONSISTENT_MAX or _unusable(reading):
            self._since = -1
            return
        offset = self._offset
        if (reading.dew_point - self._level) * math.copysign(1.0, offset) >= 0.5 * abs(offset):
            self._back = 0
            self._flag(reading, INCONSISTENT_REASON, RH, abs(offset), self._threshold)
            return
        self._back += 1
        if self._back >= BACK_READINGS:
            self._since = -1


def repaired_dew_point(reading: Reading) -> float:
    """The dew point of a reading's values with a spike repaired. A reading's ``repaired``
    is its values' own tuple until the spike check repairs one (and it does so while the
    reading is the newest but one, before the check reads it): so this is fixed from then on,
    and it is the reading's own dew point unless a spike was repaired."""
    repaired = reading.repaired
    if repaired is reading.values:
        return reading.dew_point
    return reading_dew_point(repaired[T], repaired[RH])


def _window(recent: Sequence[Reading]) -> list[Reading]:
    """The WINDOW readings ending one before the newest, oldest first."""
    window = list(islice(reversed(recent), 1, WINDOW + 1))
    window.reverse()
    return window


def _unusable(reading: Reading) -> bool:
    return bool(reading.reasons) and any(r.startswith(UNUSABLE) for r in reading.reasons)


def _burst_scatter(readings: Sequence[Reading], dew_points: Sequence[float]) -> float:
    """The dew points' own scatter (from their second differences, which a trend does not
    move) where a noise burst was flagged among these readings (``NOISY``), else 0."""
    if len(dew_points) < 3 or not any(r.reasons and any(x.startswith(NOISY) for x in r.reasons)
                                      for r in readings):
        return 0.0
    seconds = [(a - 2.0 * b + c) ** 2
               for a, b, c in zip(dew_points, dew_points[1:], dew_points[2:])]
    return math.sqrt(sum(seconds) / len(seconds) / 6.0)


def _sd(variances: tuple[float, float], noise: tuple[float, float]) -> float:
    """An estimate's standard error from its variances per unit noise variance before and from
    the step, and the noise there."""
    return math.sqrt(variances[0] * noise[0] ** 2 + variances[1] * noise[1] ** 2)
