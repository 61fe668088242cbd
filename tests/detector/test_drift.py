"""The drift check alone, on constructed series and a fake of the learnt noise."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from streamml.contracts.weather import dew_point, relative_humidity
from streamml.detector.drift import (
    COLD_AIR_REFERENCE_C, SLOW_RISE_READINGS, DriftCheck, cold_air_scale)
from streamml.detector.thresholds import Thresholds


@dataclass
class _Reading:
    seq: int
    values: tuple[float, float, float]
    dew_point: float
    faulty: set[int] = field(default_factory=set)


@dataclass
class _LearntNoise:
    sigma: float
    ready: bool = True


def _flagged_channels(dew_points: list[float], dew_sigma: float) -> set[str]:
    """Feed a dew-point series (temperature and pressure steady) and return the reasons."""
    readings = {}
    reasons: set[str] = set()

    def flag(reading, reason, channel, score, threshold):
        reasons.add(reason)

    check = DriftCheck(Thresholds(), _LearntNoise(dew_sigma), _LearntNoise(0.05),
                       _LearntNoise(0.05), readings.get, flag)
    for seq, dew in enumerate(dew_points):
        reading = _Reading(seq, (20.0, relative_humidity(20.0, dew), 1010.0), dew)
        readings[seq] = reading
        check.update(reading, held=False, noisy=False)
    return reasons


def _bend(rate_per_hour: float, wiggle: float = 0.0) -> list[float]:
    """Two hours level, then a straight rise; ``wiggle`` alternates around the line."""
    return [8.0 + rate_per_hour / 60 * max(0, seq - 180) + (wiggle if seq % 2 else -wiggle)
            for seq in range(300)]


def test_a_steady_dew_point_trend_on_a_quiet_sensor_is_drift():
    assert _flagged_channels(_bend(2.0), dew_sigma=0.05) == {"drift:humidity_pct"}


def test_the_same_trend_on_a_sensor_that_learnt_much_noise_is_not():
    # 2 °C/h over an hour is ~2.7 standard errors of the bend when the noise is 1 °C.
    assert _flagged_channels(_bend(2.0), dew_sigma=1.0) == set()


def test_scatter_beyond_the_learnt_noise_counts_against_the_trend():
    # Little enough scatter to pass as a line (a step or bend scatters more), but 1.3 °C/h
    # is under five standard errors of the bend when the readings scatter 0.6 °C around it.
    assert _flagged_channels(_bend(1.3, wiggle=0.6), dew_sigma=0.3) == set()
    assert _flagged_channels(_bend(1.3, wiggle=0.1), dew_sigma=0.3) == {"drift:humidity_pct"}


def test_a_noisy_sensor_drifting_fast_enough_is_still_drift():
    assert _flagged_channels(_bend(6.0), dew_sigma=1.0) == {"drift:humidity_pct"}


def _flags(series: list[tuple[float, float, float]], dew_sigma: float = 0.05,
           pressure_sigma: float = 0.05) -> list[tuple[int, str]]:
    """Feed (temperature, dew point, pressure) readings; (seq, reason) of every flag, in order."""
    readings = {}
    flags: list[tuple[int, str]] = []

    def flag(reading, reason, channel, score, threshold):
        flags.append((reading.seq, reason))

    check = DriftCheck(Thresholds(), _LearntNoise(dew_sigma), _LearntNoise(pressure_sigma),
                       _LearntNoise(0.05), readings.get, flag)
    for seq, (temperature, dew, pressure) in enumerate(series):
        reading = _Reading(seq, (temperature, relative_humidity(temperature, dew), pressure), dew)
        readings[seq] = reading
        check.update(reading, held=False, noisy=False)
    return flags


def _reasons(series: list[tuple[float, float, float]], dew_sigma: float = 0.05,
             pressure_sigma: float = 0.05) -> set[str]:
    return {reason for _, reason in _flags(series, dew_sigma, pressure_sigma)}


def _flagged_seqs(series: list[tuple[float, float, float]]) -> list[int]:
    return [seq for seq, _ in _flags(series)]


def test_a_rising_dew_point_drift_ends_once_the_pressure_says_a_front_is_near():
    # Rain ahead of a front moistens the air (the dew point up 2.5 °C/h from reading 180)
    # while the morning tide hides the pressure's fall; from reading 230 it falls 1.2 hPa/h.
    # The drift is decided before the pressure tells, and ends once its hourly line does:
    # the moistening is the front's from then on (final-7, seed 803).
    series = [(15.0, 5.0 + 2.5 / 60 * max(0, seq - 180), 1010.0 - 1.2 / 60 * max(0, seq - 230))
              for seq in range(360)]
    flagged = _flagged_seqs(series)
    assert flagged and min(flagged) < 230, flagged
    assert max(flagged) < 270, flagged
    # The same moistening with the pressure steady stays drift to the end.
    steady = [(t, dew, 1010.0) for t, dew, _ in series]
    assert max(_flagged_seqs(steady)) == 359


def test_a_rising_dew_point_with_the_humidity_falling_goes_on_while_the_pressure_falls():
    # The dew point rises 2.5 °C/h from reading 180, the temperature twice as fast, so the
    # humidity falls: a front's moisture raises the humidity, so this is no front's.
    series = [(15.0 + 5.0 / 60 * max(0, seq - 180), 5.0 + 2.5 / 60 * max(0, seq - 180),
               1010.0 - 1.2 / 60 * max(0, seq - 230)) for seq in range(360)]
    flagged = _flagged_seqs(series)
    assert flagged and min(flagged) < 230 and max(flagged) == 359, flagged


def test_a_thermometer_drift_goes_on_while_the_pressure_falls():
    # The thermometer reads 2.5 °C/h high from reading 180, the humidity channel still (the
    # dew point it implies rises with it); from reading 230 the pressure falls 1.2 hPa/h. A
    # front's moisture moves the humidity: this does not, so the drift is not ended.
    series = [(15.0 + 2.5 / 60 * max(0, seq - 180),
               dew_point(15.0 + 2.5 / 60 * max(0, seq - 180), 60.0),
               1010.0 - 1.2 / 60 * max(0, seq - 230)) for seq in range(360)]
    flagged = _flagged_seqs(series)
    assert flagged and min(flagged) < 230 and max(flagged) == 359, flagged


def test_a_dew_point_cycle_seen_from_a_fresh_start_is_not_drift():
    # A dry climate's daily cycle moves the dew point 1.5 °C/h for hours; with no trend known
    # before the hour it is not compared against a level line.
    steady = [(30.0, 5.0 + 1.5 / 60 * seq, 1010.0) for seq in range(300)]
    assert _reasons(steady) == set()


def test_a_fast_dew_point_trend_from_a_fresh_start_is_drift():
    fast = [(30.0, 5.0 + 3.0 / 60 * seq, 1010.0) for seq in range(120)]
    assert _reasons(fast) == {"drift:humidity_pct"}


def test_a_bend_after_half_an_hour_of_known_trend_is_drift():
    # 40 readings before the hour are enough to know the weather's trend (level here); the
    # humidity moves by under 3 %/h, so the thermometer is named.
    bend = [(30.0, 5.0 + 1.5 / 60 * max(0, seq - 40), 1010.0) for seq in range(110)]
    assert _reasons(bend) == {"drift:temperature_c"}


def _cooling_from(seq_from: int, temperature_per_hour: float, dew_per_hour: float,
                  length: int) -> list[tuple[float, float, float]]:
    """Temperature and dew point level, then falling at these rates from ``seq_from``."""
    return [(20.0 - temperature_per_hour / 60 * max(0, seq - seq_from),
             5.0 - dew_per_hour / 60 * max(0, seq - seq_from), 1010.0) for seq in range(length)]


def test_a_dew_point_falling_with_the_days_share_of_the_cooling_is_not_followed_as_drift():
    # The evening: the air cools 5 °C/h and its dew point falls 1.5 °C/h with it, the day's
    # share (final-19: a 10-18 °C cycle). The bend from the level afternoon is decided, but
    # measured against the weather's trend moved by that share the dew point is quiet: it
    # ends within the quarter hour's wait, where the frozen trend followed it to the end.
    flagged = _flagged_seqs(_cooling_from(180, 5.0, 1.5, 420))
    assert flagged and min(flagged) < 240, flagged
    assert max(flagged) < 300, flagged


def test_a_dew_point_falling_with_the_air_steady_goes_on_as_drift():
    # The same fall of the dew point while the temperature holds: the humidity's doing.
    assert max(_flagged_seqs(_cooling_from(180, 0.0, 1.5, 420))) == 419


def test_a_thermometer_drifting_down_in_still_humidity_goes_on_as_drift():
    # The thermometer reads 2 °C/h low from reading 180, the humidity still: the dew point it
    # implies falls by most of that, the day's share of it moves the reference by a third.
    series = [(20.0 - 2.0 / 60 * max(0, seq - 180),
               dew_point(20.0 - 2.0 / 60 * max(0, seq - 180), 40.0), 1010.0)
              for seq in range(420)]
    flagged = _flagged_seqs(series)
    assert flagged and min(flagged) < 240 and max(flagged) == 419, flagged


def _noisy_fall(hours: float | None, seed: int = 1) -> list[tuple[float, float, float]]:
    """Dry air's dew point read through a noisy humidity (1.5 °C of noise: a cheap humidity at
    20 %): two hours level, then falling 5 °C/h for ``hours`` (None: to the end), level after."""
    rng = random.Random(seed)
    length = 10**6 if hours is None else int(60 * hours)
    return [(30.0, 8.0 - 5.0 / 60 * min(max(0, seq - 120), length) + rng.gauss(0.0, 1.5), 1010.0)
            for seq in range(600)]


def test_a_noisy_dew_points_fall_that_stopped_ends_within_the_hour_after_its_decision():
    # A storm's drying back (final-24 sim-2503-030): the fall is decided, then the readings
    # level off; their half hour's line strays over the quiet band on the noise alone, which
    # followed it for DRIFT_MAX readings. A whole hour after the decision departs from the trend
    # before it by under half the bend, by two standard errors: it ends.
    flagged = sorted({seq for seq, _ in _flags(_noisy_fall(1.0), dew_sigma=1.5)})
    assert flagged and min(flagged) < 180 and max(flagged) < 250, flagged


def test_the_same_noisy_fall_going_on_stays_drift_to_the_end():
    flagged = [seq for seq, _ in _flags(_noisy_fall(None), dew_sigma=1.5)]
    assert max(flagged) == 599


def test_a_dew_point_falling_with_the_nights_cooling_from_a_fresh_start_is_not_drift():
    # From a fresh start (no trend before the hour): the dew point falls 1.9 °C/h, over 1.5
    # rates, while the air cools 5 °C/h: under a rate beyond the day's share of that cooling.
    assert _reasons(_cooling_from(0, 5.0, 1.9, 150)) == set()
    # With the air steady the same fall is the humidity's drift.
    assert _reasons(_cooling_from(0, 0.0, 1.9, 150)) == {"drift:humidity_pct"}


def _drying_from_a_fresh_start(temperature_per_hour: float,
                               dew_per_hour: float) -> list[tuple[float, float, float]]:
    """From a fresh start (no trend before the hour) the air's temperature and dew point
    moving at these rates for two and a half hours."""
    return [(20.0 + temperature_per_hour / 60 * seq, 5.0 + dew_per_hour / 60 * seq, 1010.0)
            for seq in range(150)]


def test_a_dew_point_drying_while_the_air_warms_from_a_fresh_start_is_drift():
    # final-31 sim-3202-000: a humidity drifting down as the morning warmed the air out of
    # ice fog; its dew point fell 0.8 °C/h while the air warmed 1.9 °C/h, under 1.5 rates
    # but a bend of 1.4 °C/h from the day's share of the warming. Here: -0.9 against +2 °C/h.
    assert _reasons(_drying_from_a_fresh_start(2.0, -0.9)) == {"drift:humidity_pct"}


def test_a_dew_point_drying_slower_while_the_air_warms_is_not_drift():
    # -0.3 °C/h against the day's share of +2 °C/h: a bend of 0.9 °C/h, under the rate.
    assert _reasons(_drying_from_a_fresh_start(2.0, -0.3)) == set()


def test_a_dew_point_rising_while_the_air_cools_is_not_judged_as_drying():
    # Rain's way (it cools the air it moistens): the same bend, the other way, judged by
    # its own trend as before (under 1.5 rates).
    assert _reasons(_drying_from_a_fresh_start(-2.0, 0.9)) == set()


def _held_humidity_then_thermometer_drift(forget: bool) -> list[tuple[int, str]]:
    """Cooling air (-0.75 °C/h, its humidity rising 2 %/h) read by a humidity held at 70 % for
    three hours, which then steps out to the air's; 35 readings later the thermometer drifts
    down 2.7 °C/h for the stream's last hour. ``forget``: the held readings are forgotten at the
    step (the run was found stuck there)."""
    readings = {}
    flags: list[tuple[int, str]] = []

    def flag(reading, reason, channel, score, threshold):
        flags.append((reading.seq, reason))

    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05), _LearntNoise(0.05),
                       readings.get, flag)
    for seq in range(300):
        air = -20.0 - 0.75 / 60 * seq
        humidity = 70.0 if seq < 205 else 70.0 + 2.0 / 60 * seq
        temperature = air - 2.7 / 60 * max(0, seq - 240)
        values = (temperature, humidity, 1010.0)
        reading = _Reading(seq, values, dew_point(temperature, humidity))
        readings[seq] = reading
        if forget and seq == 206:
            check.forget_channel(1)
        check.update(reading, held=False, noisy=False)
    return flags


def test_a_thermometer_drift_after_a_humidity_found_stuck_is_judged_on_a_fresh_line():
    # final-31 sim-3201-009: forgotten, the held humidity's step out leaves no trend in the
    # dew point's line, which has its hour in time for the thermometer's drift at the end.
    flagged = _held_humidity_then_thermometer_drift(forget=True)
    assert flagged and {reason for _, reason in flagged} == {"drift:temperature_c"}
    assert min(seq for seq, _ in flagged) >= 230 and max(seq for seq, _ in flagged) == 299


def test_the_held_humiditys_step_out_is_read_as_a_trend_if_not_forgotten():
    # ... whose end clears the line: the thermometer's drift has no hour before the end.
    flagged = _held_humidity_then_thermometer_drift(forget=False)
    assert flagged and {reason for _, reason in flagged} == {"drift:humidity_pct"}, flagged


def _level_hour_after(before: Callable[[int], float]) -> list[tuple[float, float, float]]:
    """A fresh start: 40 readings of the dew point ``before(seq)`` before the hour, then an hour
    and ten readings level where they ended."""
    return [(30.0, before(min(seq, 39)), 1010.0) for seq in range(110)]


def test_a_level_hour_after_a_step_in_the_readings_before_it_is_not_drift():
    # final-19 sim-2002-011: a thermometer's recalibration (+4.9 °C) in the 30 readings before
    # the hour made them a +9.7 °C/h trend, which the level hour after "fell" from. A line
    # through a step is no trend: the hour is judged as with none before it.
    assert _reasons(_level_hour_after(lambda seq: 5.0 + (4.0 if seq >= 20 else 0.0))) == set()


def test_a_level_hour_after_a_trend_a_quantised_humidity_jumps_against_is_drift():
    # final-19 sim-2002-035: in dry air a humidity's quantum jumps the dew point 1.5 °C against
    # the night's fall. Here it falls 3.6 °C/h and jumps back 0.2 °C every ten readings (a
    # trend of -2.4 °C/h): a trend still, which the level hour bends from by the rate.
    sawtooth = _level_hour_after(lambda seq: 5.0 - 0.06 * seq + 0.2 * (seq // 10))
    assert _reasons(sawtooth) == {"drift:temperature_c"}


def _check_with_pressure_line(dew_per_hour: float) -> DriftCheck:
    """A check fed two hours of steady air and pressure, its dew point moving at this rate."""
    readings = {}
    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05), _LearntNoise(0.05),
                       readings.get, lambda *flagged: None)
    for seq in range(120):
        dew = 5.0 + dew_per_hour / 60 * seq
        reading = _Reading(seq, (30.0, relative_humidity(30.0, dew), 1010.0), dew)
        readings[seq] = reading
        check.update(reading, held=False, noisy=False)
    return check


def test_a_barometer_found_stuck_leaves_the_pressures_line_with_no_drift_open():
    check = _check_with_pressure_line(0.0)
    check.forget_channel(2)
    assert check._series["pressure"].long.count == 0


def test_a_barometer_found_stuck_in_an_open_drift_leaves_every_line_kept():
    # final-19 sim-2003-002: a barometer's run found stuck in a humidity drift; its line,
    # cleared, read a 3.6 hPa/h fall from three readings, a front near, which ended the drift
    # before its recalibration (then flagged inconsistent for 90 healthy readings).
    check = _check_with_pressure_line(3.0)
    assert "dew" in check._drift
    check.forget_channel(2)
    assert check._series["pressure"].long.count == 60


def _front_passage(humidity_rises: bool) -> list[tuple[float, float, float]]:
    """Two hours steady, then the pressure rises 4.8 hPa/h for the hour of the passage; at a
    front passage rain moistens the dry air at the same time (the dew point rises 10 °C in 40
    minutes), and it dries again after (the simulator's final-3 fronts)."""
    series = []
    for seq in range(200):
        rise = max(0, seq - 120)
        moist = min(rise, 40) * 0.25 - max(0, rise - 40) * 0.2
        dew = -5.0 + (max(0.0, moist) if humidity_rises else 0.0)
        series.append((10.0, dew, 1016.0 + 0.08 * min(rise, 60)))
    return series


def test_a_pressure_rise_while_humidity_races_is_a_front_passage_not_drift():
    assert not any(r.startswith("drift:pressure") for r in _reasons(_front_passage(True)))


def test_the_same_pressure_rise_in_still_air_is_drift():
    assert _reasons(_front_passage(False)) == {"drift:pressure_hpa"}


def _slow_rise(rise_per_hour: float, weather_per_hour: tuple[float, float]) -> list[
        tuple[float, float, float]]:
    """Three hours of the weather's pressure trend (the first of the pair), then a rise of
    ``rise_per_hour`` on top of the weather's trend turned to the second of the pair, for two
    hours and a half (final-27 sim-2801-002: a barometer drifting up 2.1 hPa/h as the tide
    turned from +0.15 to -0.17 hPa/h)."""
    before, after = (rate / 60 for rate in weather_per_hour)
    series = []
    for seq in range(180 + 150):
        weather = before * min(seq, 180) + after * max(0, seq - 180)
        series.append((-14.0, -22.0, 1021.0 + weather + rise_per_hour / 60 * max(0, seq - 180)))
    return series


def test_a_slow_pressure_rise_the_weathers_turn_hides_from_the_hours_bend_is_drift():
    flags = _flags(_slow_rise(2.1, (0.15, -0.17)))
    assert {reason for _, reason in flags} == {"drift:pressure_hpa"}
    # Decided once two hours of the rise are one line at most; flagged back near its onset.
    assert min(seq for seq, _ in flags) <= 180 + 15
    assert _flags(_slow_rise(2.1, (0.15, -0.17))[:180 + SLOW_RISE_READINGS - 30]) == []


def test_a_rise_as_fast_as_a_fronts_recovery_with_the_tide_is_the_weather():
    # 0.7 hPa/h of recovery, 0.4 of the tide, 0.3 of the air mass's return.
    assert _flags(_slow_rise(0.0, (0.0, 1.4))) == []


def _first_flag(series: list[tuple[float, float, float]], dew_sigma: float = 0.05,
                temperature_sigma: float = 0.05) -> tuple[int, str] | None:
    """Feed (temperature, humidity, pressure) readings as a sensor reports them; the reading
    at which the first drift was decided, and its reason."""
    readings = {}
    decided: list[tuple[int, str]] = []
    now = 0

    def flag(reading, reason, channel, score, threshold):
        if not decided:
            decided.append((now, reason))

    check = DriftCheck(Thresholds(), _LearntNoise(dew_sigma), _LearntNoise(0.05),
                       _LearntNoise(temperature_sigma), readings.get, flag)
    for seq, values in enumerate(series):
        now = seq
        reading = _Reading(seq, values, dew_point(values[0], max(values[1], 0.1)))
        readings[seq] = reading
        check.update(reading, held=False, noisy=False)
    return decided[0] if decided else None


def _saturated(temperature_per_hour: float, fog_hours: int = 9) -> list[tuple[float, float, float]]:
    """Hours of fog (humidity 100 %) at a steady -5 °C, then the thermometer alone moving for
    two hours: the humidity stays at its limit."""
    start = 60 * fog_hours
    return [(-5.0 + temperature_per_hour / 60 * max(0, seq - start), 100.0, 1010.0)
            for seq in range(start + 120)]


def test_a_temperature_trend_in_saturated_air_is_drift():
    # The dew point says nothing at 100 % (it is the temperature): the temperature's own
    # line against its trend before the hour does.
    decided = _first_flag(_saturated(2.5))
    assert decided is not None and decided[1] == "drift:temperature_c"


def test_a_temperature_trend_in_saturated_air_in_a_sensors_first_hours_is_not_judged():
    # Three hours kept: their range does not bound the daily cycle (final-7: a first
    # morning's warming under thickening cloud, 2 °C/h in fog, was flagged for hours).
    assert _first_flag(_saturated(2.5, fog_hours=3)) is None


def test_a_slow_temperature_trend_in_saturated_air_is_the_weather():
    # A small daily cycle warms fog by under a degree an hour.
    assert _first_flag(_saturated(0.8)) is None


def _saturated_climb(temperature_per_hour: float) -> list[tuple[float, float, float]]:
    """Four hours of fog (humidity 100 %) whose temperature climbs along one line from 10 °C:
    a thermometer drifting up from a storm's saturated recovery, the trend before any hour the
    same climb."""
    return [(10.0 + temperature_per_hour / 60 * seq, 100.0, 1010.0) for seq in range(240)]


def _fog_warming_back(cooling: float, minutes: float) -> list[tuple[float, float, float]]:
    """Four hours of fog warming back from a storm's cooling (``cooling`` °C decaying over
    ``minutes``) to 20 °C: fast at first, ever slower."""
    return [(20.0 - cooling * math.exp(-seq / minutes), 100.0, 1010.0) for seq in range(240)]


def _climb_decided(series: list[tuple[float, float, float]], course: float | None,
                   after_storm: bool = True) -> int | None:
    """Feed (temperature, humidity, pressure) readings as in a thunderstorm's hold whose level
    before the storm, along its trend then, is ``course`` (its ceiling out of reach); the
    reading at which a temperature drift was decided."""
    readings = {}
    decided: list[int] = []
    now = 0

    def flag(reading, reason, channel, score, threshold):
        if not decided and reason == "drift:temperature_c":
            decided.append(now)

    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05), _LearntNoise(0.05),
                       readings.get, flag)
    for seq, values in enumerate(series):
        now = seq
        reading = _Reading(seq, values, dew_point(values[0], max(values[1], 0.1)))
        readings[seq] = reading
        check.update(reading, held=False, noisy=False, after_storm=after_storm,
                     temperature_ceiling=99.0 if after_storm else None,
                     temperature_course=course if after_storm else None)
    return decided[0] if decided else None


def test_a_saturated_temperature_climbing_past_the_storms_course_in_its_hold_is_drift():
    # No bend against the trend before it (that trend is the climb itself), under the hold's
    # ceiling: two hours of one line at the rate, not slowing, over the course before the storm.
    assert _climb_decided(_saturated_climb(2.6), course=12.0) == SLOW_RISE_READINGS - 1
    assert _climb_decided(_saturated_climb(1.5), course=12.0) is None  # under the rate


def test_a_saturated_climb_under_the_storms_course_is_its_recovery():
    assert _climb_decided(_saturated_climb(2.6), course=25.0) is None
    assert _climb_decided(_saturated_climb(2.6), course=None) is None  # no level known


def test_a_saturated_climb_outside_a_storms_hold_is_not_judged_so():
    # Saturated mornings warm fog along one line at the rate (final-28 seed 2901).
    assert _climb_decided(_saturated_climb(2.6), course=12.0, after_storm=False) is None


def test_a_storms_saturated_recovery_slows_and_is_no_climb():
    # A storm's cooling recovers ever slower: its last hour under CLIMB_KEEPS_SHARE of its line.
    assert _climb_decided(_fog_warming_back(8.0, 90.0), course=12.0) is None
    assert _climb_decided(_fog_warming_back(12.0, 90.0), course=8.0) is None


def test_a_climb_with_the_humidity_falling_is_the_air_warming():
    drying = [(t, h - 6.0 / 60 * seq, p) for seq, (t, h, p) in enumerate(_saturated_climb(2.6))]
    assert _climb_decided(drying, course=12.0) is None


def _warming_humid_air(drying_per_hour: float) -> list[tuple[float, float, float]]:
    """Three hours at 98 %, then the temperature rising 2.5 °C/h and the humidity falling."""
    return [(0.0 + 2.5 / 60 * max(0, seq - 180), 98.0 - drying_per_hour / 60 * max(0, seq - 180),
             1010.0) for seq in range(300)]


def test_a_temperature_trend_in_humid_air_with_the_humidity_moving_is_the_weather():
    # Weather that warms humid air dries it (the dew point lags): the humidity falls 12 %/h
    # while the temperature rises 2.5 °C/h, the dew point rising under 1 °C/h.
    assert _first_flag(_warming_humid_air(12.0)) is None


def test_below_saturation_humid_air_is_judged_by_its_dew_point():
    # At 98 % the dew point is looked at as in drier air (no longer only above 90 %): the
    # humidity falling only 6 %/h as the temperature rises 2.5 °C/h lifts it 1.6 °C/h.
    decided = _first_flag(_warming_humid_air(6.0))
    assert decided is not None and decided[1] == "drift:humidity_pct"


def test_humid_air_moistening_is_the_weather():
    # Rain moistens humid air: from 90 % the humidity rises 6 %/h as the temperature rises
    # 1 °C/h, the dew point 2.6 °C/h over the 80 minutes.
    moistening = [(10.0 + 1.0 / 60 * max(0, seq - 180), 90.0 + 6.0 / 60 * max(0, seq - 180),
                   1010.0) for seq in range(260)]
    assert _first_flag(moistening) is None


def test_a_dew_point_rise_flattening_at_saturation_is_the_weather():
    # final-7: rain lifts the dew point 6 °C/h until the air is at ~96 %; from there it can
    # only follow the temperature (1 °C/h): a bend of -5 °C/h, not a drift.
    readings = []
    for seq in range(420):
        temperature = 8.0 + 1.0 / 60 * seq
        dew = min(-2.0 + 6.0 / 60 * seq, temperature - 0.6)
        readings.append((temperature, relative_humidity(temperature, dew), 1010.0))
    assert _first_flag(readings) is None


def test_a_humidity_drift_out_of_saturation_is_drift():
    # final-9: a humidity sensor drifting down 12 %/h from saturated air at a steady 25 °C
    # (the dew point falling ~2 °C/h) leaves 99 % at once; 90 % took it 50 minutes.
    drying = [(25.0, min(100.0, 100.0 - 12.0 / 60 * (seq - 180)), 1010.0)
              for seq in range(330)]
    decided = _first_flag(drying)
    assert decided is not None and decided[1] == "drift:humidity_pct" and decided[0] < 270


def _falling_pressure(dew_per_hour: float) -> list[tuple[float, float, float]]:
    """Dry air, the pressure falling 1 hPa/h (a front hours away) throughout; after two hours
    the thermometer drifts (the humidity channel reads the true air)."""
    series = []
    for seq in range(300):
        bias = dew_per_hour / 60 * max(0, seq - 180)
        series.append((15.0 + bias, 60.0, 1010.0 - seq / 60))
    return series


def test_a_temperature_drift_down_while_the_pressure_falls_is_drift():
    # A falling pressure brings moister air (the dew point up), not a falling dew point.
    decided = _first_flag(_falling_pressure(-2.5))
    assert decided is not None and decided[1] == "drift:temperature_c"


def test_a_temperature_drift_up_while_the_pressure_falls_is_drift():
    # The humidity channel holds still while the dew point it implies rises: no front's
    # moisture, which moves the humidity (final-11: thermometers drifting up 2.9-3.5 °C/h
    # ahead of fronts were never flagged).
    decided = _first_flag(_falling_pressure(+2.5))
    assert decided is not None and decided[1] == "drift:temperature_c"


def test_a_dew_point_rising_with_a_noisy_humidity_while_the_pressure_falls_is_no_drift():
    # A cheap humidity sensor (4 % noise) says little of whether the humidity holds still:
    # the warm sector ahead of a front warming polar air 1.5 °C/h is no thermometer's drift
    # (final-10 1104: a control flagged for 56 readings).
    rng = random.Random(3)
    series = [(-24.0 + 1.5 / 60 * max(0, seq - 180), 75.0 + rng.gauss(0, 4.0),
               1013.0 - seq / 60) for seq in range(300)]
    assert _first_flag(series, dew_sigma=0.5) is None


def test_a_desert_mornings_dew_point_rise_while_the_pressure_falls_is_no_drift():
    # Air at 10 %: the morning warms it 3 °C/h and lifts its dew point 1.5 °C/h, which moves
    # the humidity only ~1 %/h, under 3 %/h; in air that dry a still humidity is judged
    # against its share of 60 % (final-8: a desert morning flagged as a thermometer drift).
    series = []
    for seq in range(300):
        warming = 3.0 / 60 * max(0, seq - 180)
        temperature = 20.0 + warming
        series.append((temperature, relative_humidity(temperature, -12.0 + warming / 2),
                       1010.0 - seq / 60))
    assert _first_flag(series) is None


def test_the_drying_behind_a_front_ending_is_the_weather():
    # Behind a front the pressure rises 1 hPa/h and the dry air's arrival lowers the dew point
    # and the temperature together (the humidity still) for four hours, then both level off: a
    # bend up from the fall, but the dew point's own line does not rise (final-7 803: after
    # a stuck run hid the front's passage, flagged for 186 readings as a thermometer drift).
    series = []
    for seq in range(400):
        cooling = 1.5 / 60 * min(seq, 240)
        series.append((12.0 - cooling, 40.0, 1005.0 + seq / 60))
    assert _first_flag(series) is None


def test_a_rising_dew_point_while_the_pressure_falls_is_still_the_front_coming():
    # The same pressure, the thermometer steady and the humidity rising with the dew point.
    series = [(15.0, relative_humidity(15.0, 5.0 + 2.5 / 60 * max(0, seq - 180)),
               1010.0 - seq / 60) for seq in range(300)]
    assert _first_flag(series) is None


def test_a_temperature_drift_down_while_the_pressure_rises_is_drift():
    # The pressure rising 1.1 hPa/h (a front's wake, the tide) does not dry the air by
    # 3.5 °C/h of dew point in a straight line (final-4, seed 502).
    series = [(-15.0 - 3.5 / 60 * max(0, seq - 180), 76.0, 1015.0 + 1.1 * seq / 60)
              for seq in range(300)]
    decided = _first_flag(series)
    assert decided is not None and decided[1] == "drift:temperature_c"


def _moistening_as_the_pressure(pressure_at: Callable[[int], float]) -> list[
        tuple[float, float, float]]:
    """The humidity drifting up (the dew point +2.5 °C/h from reading 180, the thermometer
    steady) under the given pressure."""
    return [(15.0, relative_humidity(15.0, 5.0 + 2.5 / 60 * max(0, seq - 180)),
             pressure_at(seq)) for seq in range(300)]


def test_a_humidity_drift_up_while_the_pressure_recovers_behind_a_front_is_drift():
    # The pressure rising 1.1 hPa/h for hours (a front's recovery, 0.7 hPa/h for up to a day,
    # and the tide): a front's approach falls, and the air behind it dries (final-18
    # 1902-000: +11 %/h held back 50 readings by the rise, then by saturation).
    decided = _first_flag(_moistening_as_the_pressure(lambda seq: 1005.0 + 1.1 / 60 * seq))
    assert decided is not None and decided[1] == "drift:humidity_pct"


def test_the_same_moistening_as_a_falling_pressure_turns_up_is_a_front_near():
    # The pressure fell 1 hPa/h for three hours and rises 1.1 hPa/h over the last one (the
    # morning tide over a front's approach): the three hours still fall.
    decided = _first_flag(_moistening_as_the_pressure(
        lambda seq: 1010.0 - seq / 60 if seq < 240 else 1006.0 + 1.1 / 60 * (seq - 240)))
    assert decided is None


def test_the_same_moistening_as_a_fronts_passage_lifts_the_pressure_is_a_front_near():
    # The pressure recovering 0.6 hPa/h, then a front's passage lifting it 5 hPa/h from
    # reading 200 (final-7 805-007: a warm front's passage read as a humidity drift).
    series = [(15.0, 5.0 + 2.5 / 60 * max(0, seq - 180),
               1005.0 + 0.6 / 60 * seq + 5.0 / 60 * max(0, seq - 200)) for seq in range(260)]
    assert "drift:humidity_pct" not in _reasons(series)


def _flagged_as_reported(series: list[tuple[float, float, float]]) -> list[int]:
    """Feed (temperature, humidity, pressure) readings as a sensor reports them (the humidity
    cut at 100 %); the seqs flagged."""
    readings = {}
    flagged: list[int] = []

    def flag(reading, reason, channel, score, threshold):
        flagged.append(reading.seq)

    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05),
                       _LearntNoise(0.05), readings.get, flag)
    for seq, values in enumerate(series):
        reading = _Reading(seq, values, dew_point(values[0], values[1]))
        readings[seq] = reading
        check.update(reading, held=False, noisy=False)
    return flagged


def test_a_dew_point_drift_ends_once_the_humidity_sits_at_saturation():
    # A humidity drifting up 12 %/h from 70 % (the thermometer steady) reaches saturation at
    # reading ~330; from there the channel sits at 100 % with one reading in four dipping to
    # 98 % (rain's saturated air under a sensor's noise). The dew point is the temperature there:
    # the drift ends within the hour's last third of saturation, no dip flagged after (final-21
    # seed 2201: the dips among saturated rain read as drift for up to 170 readings).
    series = [(20.0, min(100.0, 70.0 + 12.0 / 60 * max(0, seq - 180)), 1010.0)
              for seq in range(340)]
    series += [(20.0, 98.0 if seq % 4 == 0 else 100.0, 1010.0) for seq in range(340, 600)]
    flagged = _flagged_as_reported(series)
    assert min(flagged) <= 200 and max(flagged) < 360, flagged


def test_saturated_air_with_no_drift_decided_below_it_is_not_flagged():
    # The same hours at 100 % from the start (fog): nothing was decided below saturation.
    assert _flagged_as_reported([(15.0, 100.0, 1010.0)] * 420) == []


def _cooling_fog(pressure_per_hour: float) -> list[tuple[float, float, float]]:
    """Nine hours of fog at 5 °C, then the temperature falling 2.5 °C/h at 100 %, the pressure
    moving at the given rate throughout."""
    return [(5.0 - 2.5 / 60 * max(0, seq - 540), 100.0, 1010.0 + pressure_per_hour * seq / 60)
            for seq in range(660)]


def test_saturated_air_cooling_as_the_pressure_falls_is_rain_ahead_of_a_front():
    assert _first_flag(_cooling_fog(-1.2)) is None


def test_saturated_air_cooling_under_a_steady_pressure_is_drift():
    decided = _first_flag(_cooling_fog(0.0))
    assert decided is not None and decided[1] == "drift:temperature_c"


def _saturated_night(amplitude: float, bend_per_hour: float) -> list[tuple[float, float, float]]:
    """An evening and night at 100 % from 17:00 in a daily cycle of this amplitude (warmest at
    15:00), and from 04:00 a bend on top of it (the cloud clearing, or the thermometer
    drifting)."""
    return [(amplitude * math.cos(2 * math.pi * (seq / 60 + 2) / 24) +
             bend_per_hour / 60 * max(0, seq - 660), 100.0, 1010.0) for seq in range(780)]


def test_a_temperature_bend_in_saturated_air_within_a_wide_daily_cycle_is_the_weather():
    # A dry climate's 15 °C cycle bends fog's temperature by ~1 °C/h at the night's minimum,
    # and the cloud adds to it (final-3).
    assert _first_flag(_saturated_night(15.0, 1.5)) is None


def test_the_same_bend_in_a_small_daily_cycle_is_drift():
    decided = _first_flag(_saturated_night(2.0, 2.5))
    assert decided is not None and decided[1] == "drift:temperature_c"


def _pressure_check(hpa_per_hour: float) -> DriftCheck:
    """A check fed two hours of steady pressure, then a steady trend until the drift is open."""
    readings = {}
    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05), _LearntNoise(0.05),
                       readings.get, lambda *flag: None)
    for seq in range(300):
        pressure = 1010.0 + hpa_per_hour / 60 * max(0, seq - 180)
        reading = _Reading(seq, (20.0, relative_humidity(20.0, 8.0), pressure), 8.0)
        readings[seq] = reading
        check.update(reading, held=False, noisy=False)
    return check


def test_an_open_rising_pressure_drift_says_how_fast_it_lifts_the_pressure():
    # The line from the fitted onset, not the hour's (which began before the onset).
    assert _pressure_check(4.0).pressure_drift_rise() * 60 == pytest.approx(4.0, abs=0.3)


def test_no_open_rising_pressure_drift_lifts_nothing():
    assert _pressure_check(-4.0).pressure_drift_rise() == 0.0
    assert _pressure_check(0.0).pressure_drift_rise() == 0.0


def _after_a_front_jump(hpa_per_hour_after: float) -> list[tuple[float, float, float]]:
    """Saturated air (the dew point is the temperature), the check fresh from a storm's hold:
    a front's jump of 3.3 hPa/h for 40 minutes, then the pressure moving on at the given rate
    (final-9 1001-034)."""
    return [(21.0, 21.0, 1019.2 + 0.055 * min(seq, 40) + hpa_per_hour_after / 60 * max(0, seq - 40))
            for seq in range(150)]


def test_the_pressure_levelling_after_a_front_jump_is_the_weather():
    assert _reasons(_after_a_front_jump(-0.3)) == set()


def test_a_pressure_falling_fast_after_a_front_jump_is_drift():
    # The bend is the same size against the jump, but the sensor's own line falls 2.5 hPa/h.
    assert _reasons(_after_a_front_jump(-2.5)) == {"drift:pressure_hpa"}


def _moistening_under(pressure_fall_per_hour: float) -> list[tuple[float, float, float]]:
    """Eight hours of the pressure falling at the given rate under the tide's swing (0.8 hPa,
    twice a day), then the dew point rising 2 °C/h: over the last hour and three the tide
    hides most of the fall (-0.1 and -0.2 hPa/h at the rise for a fall of 0.5 hPa/h)."""
    return [(15.0, 5.0 + 2.0 / 60 * max(0, seq - 480),
             1015.0 - pressure_fall_per_hour / 60 * seq + 0.8 * math.cos(2 * math.pi * seq / 720))
            for seq in range(600)]


def test_air_moistening_while_the_pressure_fell_for_eight_hours_is_a_front_coming():
    # Rain ahead of a front (final-7 803, tuning-wide 4 and 14).
    assert _reasons(_moistening_under(0.5)) == set()


def test_the_same_moistening_under_the_tide_alone_is_drift():
    assert _reasons(_moistening_under(0.0)) == {"drift:humidity_pct"}
def _humidity_drift_at(dew_level: float, rate_per_hour: float,
                       above_dew_point: float = 4.0) -> set[str]:
    """Two hours level, then a dew point rising steadily (the thermometer steady
    ``above_dew_point`` °C above the dew point's level), at a dew point around ``dew_level``."""
    readings = {}
    reasons: set[str] = set()

    def flag(reading, reason, channel, score, threshold):
        reasons.add(reason)

    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05),
                       _LearntNoise(0.05), readings.get, flag)
    temperature = dew_level + above_dew_point
    for seq in range(300):
        dew = dew_level + rate_per_hour / 60 * max(0, seq - 180)
        reading = _Reading(seq, (temperature, relative_humidity(temperature, dew), 1010.0), dew)
        readings[seq] = reading
        check.update(reading, held=False, noisy=False)
    return reasons


def test_a_dew_point_rate_under_the_bar_is_no_drift_in_mild_air():
    assert _humidity_drift_at(8.0, 1.0) == set()


def test_the_same_rate_at_a_polar_dew_point_is_drift():
    # At -30 °C a humidity drift of 7 %/h moves the dew point 0.9 °C/h (final-10).
    assert _humidity_drift_at(-30.0, 1.0) == {"drift:humidity_pct"}


def test_the_dew_point_rate_scales_with_the_vapour_pressure_in_cold_air():
    assert cold_air_scale(COLD_AIR_REFERENCE_C) == cold_air_scale(25.0) == 1.0
    assert cold_air_scale(-30.0) == pytest.approx(0.709, abs=0.001)


def test_the_same_rate_at_a_dry_airs_cold_dew_point_is_no_drift():
    """A desert's dew point of -16 °C in air at 24 °C: its daily cycle moves it ~1 °C/h."""
    assert _humidity_drift_at(-16.0, 1.0, above_dew_point=40.0) == set()


def _flags_after_storm(series: list[tuple[float, float, float]],
                       dew_floor: float | None = None,
                       temperature_ceiling: float | None = None) -> set[str]:
    """Feed (temperature, dew point, pressure) readings as in a thunderstorm's hold, its jump and
    plunge over (``after_storm``), the dew point's floor ``dew_floor`` and the temperature's
    ceiling ``temperature_ceiling``; the reasons flagged."""
    return {reason for reason, _ in _flagged_after_storm(series, dew_floor, temperature_ceiling)}


def _flagged_after_storm(series: list[tuple[float, float, float]],
                         dew_floor: float | None = None,
                         temperature_ceiling: float | None = None) -> set[tuple[str, int]]:
    """As ``_flags_after_storm``: each reason flagged with the reading it was flagged on."""
    readings = {}
    reasons: set[tuple[str, int]] = set()

    def flag(reading, reason, channel, score, threshold):
        reasons.add((reason, reading.seq))

    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05), _LearntNoise(0.05),
                       readings.get, flag)
    for seq, (temperature, dew, pressure) in enumerate(series):
        reading = _Reading(seq, (temperature, relative_humidity(temperature, dew), pressure), dew)
        readings[seq] = reading
        check.update(reading, held=False, noisy=False, after_storm=True, dew_floor=dew_floor,
                     temperature_ceiling=temperature_ceiling)
    return reasons


def _storm_recovery(seq: int) -> tuple[float, float, float]:
    """After a storm: the air warming back 4 °C/h, its moisture drying 3 °C/h of dew point,
    its pressure jump decaying 3 hPa/h — each a steady line for two hours."""
    return 18.0 + 4.0 / 60 * seq, 14.0 - 3.0 / 60 * seq, 1015.0 - 3.0 / 60 * seq


def test_a_storms_recovery_is_no_drift_in_its_hold():
    assert _flags_after_storm([_storm_recovery(seq) for seq in range(120)]) == set()


def test_a_dew_point_rising_in_a_storms_hold_is_drift_and_a_pressure_is_not_looked_at():
    """The storm's moisture only dries back: a dew point rising at the rate away from it is the
    sensor's (a thermometer's drift lifts the dew point while the air warms and dries). A rising
    pressure there may be a front's passage behind the storm (final-9), so it is not judged."""
    warming = [(t + 2.5 / 60 * seq, d + 3.0 / 60 * seq + 2.0 / 60 * seq, p)
               for seq, (t, d, p) in enumerate(_storm_recovery(seq) for seq in range(120))]
    assert _flags_after_storm(warming) == {"drift:humidity_pct"}
    rising = [(t, d, p + 3.0 / 60 * seq + 3.0 / 60 * seq)
              for seq, (t, d, p) in enumerate(_storm_recovery(seq) for seq in range(120))]
    assert _flags_after_storm(rising) == set()


def _storm_breaking_into_a_drift(carry_decided_before: int | None,
                                 recalibrated_at: int | None = None,
                                 pressure_drifts: bool = True, rate_per_hour: float = 3.0,
                                 storm_jump_hpa: float = 0.0,
                                 rate_before_per_hour: float = 0.0) -> list[int]:
    """A barometer's drift (``rate_per_hour`` from reading 180; with ``pressure_drifts`` False a
    humidity drift, the dew point rising 2 °C/h), decided within the next hour; a thunderstorm
    breaks in at reading 300 and holds the check for 120 readings (``carry_decided_before``
    passed to its reset). The sensor is recalibrated at ``recalibrated_at`` (back on the level
    before the drift). The storm lifts the pressure by ``storm_jump_hpa`` at reading 300. The
    pressure's own trend (the weather's, going on under the drift): ``rate_before_per_hour``.
    Returns the seqs flagged from the storm on."""
    readings = {}
    flagged: list[int] = []

    def flag(reading, reason, channel, score, threshold):
        assert reason == ("drift:pressure_hpa" if pressure_drifts else "drift:humidity_pct")
        flagged.append(reading.seq)

    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05),
                       _LearntNoise(0.05), readings.get, flag)
    for seq in range(450):
        drifting = recalibrated_at is None or seq < recalibrated_at
        rate = rate_per_hour if pressure_drifts else 2.0
        bias = rate / 60 * max(0, seq - 180) if drifting else 0.0
        dew = 8.0 + (0.0 if pressure_drifts else bias)
        pressure = 1010.0 + rate_before_per_hour / 60 * seq + \
            (bias if pressure_drifts else 0.0) + \
            (storm_jump_hpa if seq >= 300 else 0.0)
        reading = _Reading(seq, (20.0, relative_humidity(20.0, dew), pressure), dew)
        readings[seq] = reading
        if seq == 300:
            check.reset(carry_decided_before)
        check.update(reading, held=300 <= seq < 420, noisy=False)
    return [seq for seq in flagged if seq >= 300]


def test_a_pressure_drift_decided_well_before_a_storm_is_flagged_through_its_hold():
    # Carried through the hold, then while the series refills the hour the check judges on,
    # where it opens the drift again.
    assert _storm_breaking_into_a_drift(carry_decided_before=270) == list(range(300, 450))


def test_without_the_carry_a_storm_ends_the_drift():
    assert _storm_breaking_into_a_drift(carry_decided_before=None) == []


def test_a_drift_decided_after_the_carry_bound_is_not_carried():
    # No drift is decided 20 readings into its bend: this one was decided after 200.
    assert _storm_breaking_into_a_drift(carry_decided_before=200) == []


def test_a_carried_drift_ends_when_the_sensor_is_recalibrated_in_the_hold():
    assert _storm_breaking_into_a_drift(270, recalibrated_at=350) == list(range(300, 350))


def test_a_dew_point_drift_is_not_carried_through_a_storm():
    assert _storm_breaking_into_a_drift(270, pressure_drifts=False) == []


def test_a_storms_jump_against_a_carried_drift_is_no_recalibration():
    # A barometer drifting down 3 hPa/h (6 hPa below its level at the storm): the storm's jump
    # of 3.5 hPa at the reading it is found at is half the bias, as a recalibration's would be.
    flagged = _storm_breaking_into_a_drift(270, rate_per_hour=-3.0, storm_jump_hpa=3.5)
    assert flagged == list(range(300, 450))


def test_a_bend_against_the_trend_before_it_under_the_rate_is_not_carried():
    # The pressure rose 1.5 hPa/h, then falls 1.0 hPa/h: a bend of 2.5 hPa/h, decided as drift,
    # whose own line is under the 2 hPa/h rate (the weather's trend changing, as a storm's decay
    # slowing does). A bend of 4 hPa/h, its own line 2.5 hPa/h, is carried.
    flagged = _storm_breaking_into_a_drift(270, rate_per_hour=-2.5, rate_before_per_hour=1.5)
    assert flagged == []
    assert _storm_breaking_into_a_drift(270, rate_per_hour=-4.0,
                                        rate_before_per_hour=1.5) == list(range(300, 450))


def test_a_dew_point_falling_through_the_floor_before_the_storm_is_drift():
    """The storm's moisture dries back to the dew point before the storm (``dew_floor``, the
    evening's fall allowed for): a dew point falling at the rate that has gone under it is the
    sensor's (here the humidity's, the air's temperature holding); the same fall still above it
    may be the drying and is not flagged."""
    falling = [(18.0, 14.0 - 2.0 / 60 * seq, 1015.0) for seq in range(120)]
    assert _flags_after_storm(falling, dew_floor=11.0) == {"drift:humidity_pct"}
    assert _flags_after_storm(falling, dew_floor=9.0) == set()


def test_a_dew_point_falling_through_the_floor_with_the_nights_cooling_is_no_drift():
    """A wide daily cycle's evening (final-39 sim-4004-030, the Kalahari's winter): the air
    cooling 3.4 °C/h lowers the air's dew point by its share, 1.0 °C/h, faster than the floor
    allows for; a dew point falling 1.4 °C/h through the floor is that share and noise, not by
    the rate beyond it. A humidity drifting down on top of the same cooling (3 °C/h of dew
    point) goes beyond it and is drift."""
    cooling = [(20.0 - 3.4 / 60 * seq, 0.0 - 1.4 / 60 * seq, 1015.0) for seq in range(120)]
    assert _flags_after_storm(cooling, dew_floor=-1.0) == set()
    drifting = [(20.0 - 3.4 / 60 * seq, 0.0 - 3.0 / 60 * seq, 1015.0) for seq in range(120)]
    assert _flags_after_storm(drifting, dew_floor=-1.0) != set()


def test_a_dew_point_falling_on_one_line_in_a_storms_hold_with_no_floor_is_drift():
    """With no floor (moist air before the storm, the pressure not back), a dew point falling
    2 °C/h on one line for the hour and the half hour before it, the air's temperature steady,
    is no storm's drying (final-20 2102-003); after an hour alone it is not judged yet."""
    falling = [(18.0, 14.0 - 2.0 / 60 * seq, 1015.0) for seq in range(120)]
    assert _flags_after_storm(falling) == {"drift:humidity_pct"}
    assert _flags_after_storm(falling[:80]) == set()


def test_a_storms_drying_curve_with_no_floor_is_no_drift():
    """The storm's moisture drying back (the simulator's: 5 °C of dew point, a time constant of
    25 readings), the air's temperature steady: a curve, its hour's slope far from the one
    before it."""
    drying = [(18.0, 9.0 + 5.0 * math.exp(-seq / 25), 1015.0) for seq in range(180)]
    assert _flags_after_storm(drying) == set()


def _drying_then_falling(rate_after_per_hour: float, rate_before_per_hour: float = -0.9,
                         hours_before: int = 2) -> list[tuple[float, float, float]]:
    """``hours_before`` hours of a dew point drying at ``rate_before_per_hour`` in a storm's hold,
    then an hour falling at ``rate_after_per_hour``, the air's temperature and pressure steady."""
    bend = 60 * hours_before
    dew = [14.0 + rate_before_per_hour / 60 * min(seq, bend) +
           rate_after_per_hour / 60 * max(0, seq - bend) for seq in range(bend + 60)]
    return [(18.0, value, 1015.0) for value in dew]


def test_a_dew_point_whose_fall_speeds_up_by_the_rate_in_a_storms_hold_is_drift():
    """With no floor, a slow steady drying (0.9 °C/h) that then falls 3 °C/h: a storm's drying is
    fastest first and levels off, so a fall speeding up by the rate is a sensor's drift setting
    in under it (final-33 sim-3405-013), though the two hours are no one line."""
    assert _flags_after_storm(_drying_then_falling(-3.0)) == {"drift:humidity_pct"}


def test_a_fall_that_speeds_up_is_flagged_from_where_it_bent_not_over_the_drying_before():
    """Its onset is the hinge between the drying's line and the steeper one (final-33
    sim-3405-013), not a level's end: a level then a line takes part of the drying for drift."""
    flagged = _flagged_after_storm(_drying_then_falling(-3.0))
    assert 114 <= min(seq for _, seq in flagged) <= 126


def test_a_fall_that_speeds_up_from_hours_already_falling_at_the_rate_is_not_judged_so():
    """An hour before already falling at the rate (1.5 °C/h) is the one line's to judge: a fall
    speeding up from it to 3.5 °C/h is no one line and not judged as speeding up (final-7
    sim-805-014: the drift itself in that trend, decided as one line later)."""
    assert _flags_after_storm(_drying_then_falling(-3.5, rate_before_per_hour=-1.5,
                                                   hours_before=1)) == set()


def test_a_dew_point_whose_fall_speeds_up_by_less_than_the_rate_is_no_drift():
    """The same drying speeding up to 1.8 °C/h, by 0.9 °C/h (under the rate), or a dew point that
    rose 1 °C/h (the storm's moisture coming back) and then falls 3 °C/h: not judged."""
    assert _flags_after_storm(_drying_then_falling(-1.8)) == set()
    assert _flags_after_storm(_drying_then_falling(-3.0, rate_before_per_hour=1.0)) == set()


def test_a_dew_point_falling_on_a_line_while_the_air_warms_back_is_no_drift():
    """The same steady fall of 2 °C/h while the air warms back 1.5 °C/h from the storm's
    cooling (faster than the afternoon's own warming): the storm's drying. So too while the air
    warmed back 3 °C/h over the hour before the last."""
    warming = [(18.0 + 1.5 / 60 * seq, 14.0 - 2.0 / 60 * seq, 1015.0) for seq in range(120)]
    assert _flags_after_storm(warming) == set()
    warmed = [(15.0 + 3.0 / 60 * min(seq, 60), 14.0 - 2.0 / 60 * seq, 1015.0)
              for seq in range(120)]
    assert _flags_after_storm(warmed) == set()


def test_a_dew_point_falling_with_the_evenings_cooling_and_the_humidity_still_is_no_drift():
    """The evening cooling the air 2 °C/h after a storm, its humidity still: the dew point
    falls along the temperature (final-19's dry plateau) and is not judged without a floor."""
    cooling = [(18.0 - 2.0 / 60 * seq, 10.0 - 2.0 / 60 * seq, 1015.0) for seq in range(120)]
    assert _flags_after_storm(cooling) == set()


def test_a_dew_point_under_the_floor_with_the_pressure_rising_is_not_drift():
    """A front's passage behind the storm dries the air and lifts the pressure: not judged."""
    front = [(18.0, 14.0 - 2.0 / 60 * seq, 1015.0 + 1.0 / 60 * seq) for seq in range(120)]
    assert _flags_after_storm(front, dew_floor=11.0) == set()


def test_a_saturated_temperature_rising_over_the_ceiling_in_a_storms_hold_is_drift():
    """In saturated air the dew point is the temperature, and a storm's cooling recovers upwards:
    a rise is judged only against the ceiling (the level before the storm, the day's warming
    allowed for). A thermometer drifting up 2.5 °C/h over it is drift; the same rise still under
    it, or with no ceiling known, is not flagged."""
    warming = [(20.0 + 2.5 / 60 * seq, 20.0 + 2.5 / 60 * seq, 1015.0) for seq in range(120)]
    assert _flags_after_storm(warming, temperature_ceiling=22.0) == {"drift:temperature_c"}
    assert _flags_after_storm(warming, temperature_ceiling=30.0) == set()
    assert _flags_after_storm(warming) == set()


def test_a_saturated_storms_cooling_recovering_under_the_ceiling_is_no_drift():
    """The storm's 7 °C of cooling recovering (as the simulator's: a time constant of 90
    readings, 4.7 °C/h at first) towards the level of 25 °C before the storm, the air saturated:
    under the ceiling (25 °C and the margin), no drift, though the rise is steep."""
    recovery = [(25.0 - 7.0 * math.exp(-seq / 90), 25.0 - 7.0 * math.exp(-seq / 90), 1015.0)
                for seq in range(180)]
    assert _flags_after_storm(recovery, temperature_ceiling=26.0) == set()


def test_a_temperature_over_the_ceiling_with_the_pressure_rising_is_not_drift():
    """A front's passage behind the storm lifts the pressure: not judged (as under the floor)."""
    front = [(20.0 + 2.5 / 60 * seq, 20.0 + 2.5 / 60 * seq, 1015.0 + 1.0 / 60 * seq)
             for seq in range(120)]
    assert _flags_after_storm(front, temperature_ceiling=22.0) == set()


def _drift_recalibrated(held_until: int, channel: int = 2) -> tuple[int, int, float] | None:
    """A barometer drifting up 3 hPa/h (``channel`` 1: a humidity sensor lifting the dew point
    2 °C/h) from reading 100, recalibrated at 300 (back on the level before the drift); the
    check held (the weather's hold) up to ``held_until``. What the check says of where the
    drift began (``began_before_onset``) after the step."""
    readings = {}
    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05),
                       _LearntNoise(0.05), readings.get, lambda *flagged: None)
    for seq in range(310):
        grown = (seq - 100) / 60 if 100 <= seq < 300 else 0.0
        pressure = 1010.0 + (3.0 * grown if channel == 2 else 0.0)
        dew = 8.0 + (2.0 * grown if channel == 1 else 0.0)
        reading = _Reading(seq, (20.0, relative_humidity(20.0, dew), pressure), dew)
        readings[seq] = reading
        check.update(reading, held=seq < held_until, noisy=False)
    assert check.began_before_onset(299, channel) is None  # no step there
    return check.began_before_onset(300, channel)


def test_a_drift_decided_late_began_where_its_recalibration_says():
    # Held until 180, the check fits the onset at the first reading it looks at; the step back
    # of 10 hPa at 3 hPa/h says the drift grew for 200 readings.
    began = _drift_recalibrated(held_until=180)
    assert began is not None
    assert abs(began[0] - 100) <= 3 and abs(began[1] - 180) <= 3 and began[2] > 1.0


def test_a_drift_whose_onset_was_fitted_says_nothing_of_an_earlier_start():
    assert _drift_recalibrated(held_until=0) is None


def test_a_humidity_drifts_step_says_nothing_of_its_start():
    # Its dew point moves as the logarithm of the humidity: the hour's rate is not the drift's.
    assert _drift_recalibrated(held_until=180, channel=1) is None


def _deepening_low(hours_falling_before: int) -> list[tuple[float, float, float]]:
    """Saturated still air; the pressure falls 0.8 hPa/h for ``hours_falling_before`` hours (a
    low's approach), then 3.2 hPa/h for 90 minutes (the low deepening: final-20's 30-40 hPa
    lows)."""
    before = 60 * hours_falling_before
    series = [(20.0, 19.9, 1015.0)] * 120
    pressure = 1015.0
    for seq in range(before + 90):
        pressure -= (0.8 if seq < before else 3.2) / 60
        series.append((20.0, 19.9, pressure))
    return series


def test_a_pressure_fall_speeding_up_after_hours_of_falling_is_a_lows_approach_not_drift():
    assert not any(r.startswith("drift:pressure") for r in _reasons(_deepening_low(9)))


def test_the_same_fast_fall_from_a_steady_pressure_is_drift():
    assert "drift:pressure_hpa" in _reasons(_deepening_low(0))


def _saturated_recovery(slower_per_hour: float, rise_per_hour: float = 4.5) -> tuple[str, ...]:
    """Nine hours of fog at 14 °C, a storm's hour held, then the temperature rising
    ``rise_per_hour`` at 100 % for two hours from the hold's end (the storm's cooling
    recovering), then ``slower_per_hour``: the drift reasons flagged."""
    readings = {}
    reasons: list[str] = []

    def flag(reading, reason, channel, score, threshold):
        reasons.append(reason)

    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05),
                       _LearntNoise(0.05), readings.get, flag)
    for seq in range(900):
        rise = rise_per_hour / 60 * min(max(0, seq - 600), 120) + \
            slower_per_hour / 60 * max(0, seq - 720)
        temperature = 14.0 + rise
        reading = _Reading(seq, (temperature, 100.0, 1010.0), temperature)
        readings[seq] = reading
        check.update(reading, held=540 <= seq < 600, noisy=False)
    return tuple(sorted(set(reasons)))


def test_a_saturated_temperature_rise_slowing_is_the_weather():
    # A bend of -3.3 °C/h against the rise before it, the hour's own line still rising.
    assert _saturated_recovery(1.2) == ()


def test_a_saturated_temperature_rise_turned_down_by_the_drift_rate_is_drift():
    # Against that rise a thermometer drifting faster than it turns its own line down.
    assert _saturated_recovery(-2.0) == ("drift:temperature_c",)


def test_a_saturated_temperature_rise_ending_in_a_slight_fall_is_the_weather():
    # A bend of -2.3 °C/h against a rise of 1.5 °C/h, the hour's own line falling under half
    # the rate: the warming over (a cloud's shade), not a thermometer drifting down.
    assert _saturated_recovery(-0.8, rise_per_hour=1.5) == ()


def _temperature_drift_flagged_at(airs: list[tuple[float, float, float]],
                                  held: range = range(0)) -> list[int]:
    """Feed (temperature, humidity, dew point) readings with the pressure steady (the readings
    in ``held`` held by a weather event): the readings at whose arrival a temperature drift was
    flagged."""
    readings = {}
    flagged_at: list[int] = []
    now = 0

    def flag(reading, reason, channel, score, threshold):
        assert reason == "drift:temperature_c"
        flagged_at.append(now)

    check = DriftCheck(Thresholds(), _LearntNoise(0.05), _LearntNoise(0.05),
                       _LearntNoise(0.05), readings.get, flag)
    for seq, (temperature, humidity, dew_point_c) in enumerate(airs):
        now = seq
        reading = _Reading(seq, (temperature, humidity, 1010.0), dew_point_c)
        readings[seq] = reading
        check.update(reading, held=seq in held, noisy=False)
    return flagged_at


def _saturated_flagged_at(temperatures: list[float], held: range = range(0)) -> list[int]:
    """Feed temperatures in saturated air (humidity 100 %, the dew point the temperature): the
    readings at whose arrival a drift was flagged."""
    return _temperature_drift_flagged_at([(temperature, 100.0, temperature)
                                          for temperature in temperatures], held)


def _fog_cooling_then_warming(afterwards_per_hour: float) -> list[float]:
    """Nine hours of fog cooling 1.5 °C/h from 20 °C, an hour warming 2 °C/h (a bend of
    3.5 °C/h against the cooling, the hour's own line against it), then ``afterwards_per_hour``
    for three hours."""
    temperatures = []
    for seq in range(900):
        temperature = 20.0 - 1.5 / 60 * min(seq, 540) + 2.0 / 60 * min(max(0, seq - 540), 60)
        temperatures.append(temperature + afterwards_per_hour / 60 * max(0, seq - 600))
    return temperatures


def test_a_saturated_temperature_drift_going_on_its_way_stays_flagged():
    # A thermometer drifting up against the fog's cooling keeps its own line rising.
    flagged_at = _saturated_flagged_at(_fog_cooling_then_warming(2.0))
    assert flagged_at and min(flagged_at) < 600 and max(flagged_at) == 899


def test_a_saturated_temperature_drift_whose_hour_after_it_is_level_ends():
    # final-30 sim-3105-024 and sim-3105-029: the saturated temperature bent by the sun after
    # cloud (or a storm's cooling recovering), then level. Measured against the cooling frozen
    # at its decision the level temperature departs from it by 1.5 °C/h: without a look at
    # the hour's own line it is flagged for DRIFT_MAX readings.
    flagged_at = _saturated_flagged_at(_fog_cooling_then_warming(0.0))
    assert flagged_at and min(flagged_at) < 600
    decided = min(flagged_at)
    # Ended at the reading that makes the hour after the decision whole, that hour level.
    assert max(flagged_at) == decided + 59


def _storm_then(temperatures_from_the_hold_end: list[float]) -> list[float]:
    """Nine hours of fog at a steady 20 °C, a storm's hour held, then the temperatures given."""
    return [20.0] * 600 + temperatures_from_the_hold_end


def test_a_saturated_plunge_recovering_right_after_a_storms_hold_is_the_weather():
    # final-30 sim-3105-029: a second storm's plunge (-6 °C/h for 40 minutes) breaks in
    # right after the first storm's hold, then its cooling recovers at 2.5 °C/h: against the
    # plunge alone as the trend before, a bend of 8 °C/h.
    plunge = [20.0 - 6.0 / 60 * min(seq, 40) + 2.5 / 60 * min(max(0, seq - 40), 90)
              for seq in range(300)]
    assert _saturated_flagged_at(_storm_then(plunge), held=range(540, 600)) == []


def test_a_saturated_thermometer_drift_two_hours_after_a_storms_hold_is_drift():
    drifting = [20.0 + 2.5 / 60 * max(0, seq - 120) for seq in range(300)]
    flagged_at = _saturated_flagged_at(_storm_then(drifting), held=range(540, 600))
    assert flagged_at and max(flagged_at) == 899


def _cooled_from_a_level_then(rise_per_hour: float, rise_readings: int) -> list[int]:
    """final-34 sim-3503-025: nine hours of humid air (92 %) level at 2.6 °C, a weak storm
    nobody reported saturating it and cooling it towards 0 °C (an e-folding of 12 readings),
    then from 615 a rise of ``rise_per_hour`` for ``rise_readings`` readings at 100 %, then
    level: the readings at whose arrival a drift was flagged."""
    airs = []
    for seq in range(900):
        cooled = 2.6 * (1.0 - math.exp(-max(0, seq - 540) / 12))
        risen = rise_per_hour / 60 * min(max(0, seq - 615), rise_readings)
        temperature = 2.6 - cooled + risen
        humidity = 92.0 if seq < 540 else 100.0
        airs.append((temperature, humidity, dew_point(temperature, humidity)))
    return _temperature_drift_flagged_at(airs)


def test_a_saturated_cooling_from_a_level_recovering_under_that_level_is_the_weather():
    # Back to 1.8 °C at 1.8 °C/h: a bend of 2.6 °C/h against the cooling before the hour, the
    # hour's own line rising, still under the level the cooling set in from (without the rule
    # decided at 648 and flagged up to 707).
    assert _cooled_from_a_level_then(1.8, 60) == []


def test_a_saturated_thermometer_drifting_up_through_the_level_before_a_cooling_is_drift():
    # The same cooling, then a thermometer drifting up 3 °C/h to the stream's end: decided
    # once its hour's line ends over the level the cooling set in from (2.6 °C), at 668.
    flagged_at = _cooled_from_a_level_then(3.0, 300)
    assert flagged_at and max(flagged_at) == 899
