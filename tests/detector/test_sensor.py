"""The sensor model's helpers (its checks are tested end to end in test_sensor_checks.py)."""

from __future__ import annotations

import math

from streamml.detector.reading import Reading
from streamml.detector.sensor import (NOISE_SPANS_STEPS, OUTLASTS_NOISE_STEPS, RECENT, RH,
                                      RUN_TREND_MIN, T, SensorModel, _noise_spans_steps, _shrunk_trend, _trends)
from streamml.detector.stats import ChannelStats
from streamml.detector.thresholds import Thresholds


def _plain_slope(points: list[float]) -> float:
    """Least squares of the points against x = 0, -1, -2, ... (newest first)."""
    n = len(points)
    xs = [-x for x in range(n)]
    mean_x, mean_y = sum(xs) / n, sum(points) / n
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, points)) / \
        sum((x - mean_x) ** 2 for x in xs)


def test_a_straight_line_without_noise_keeps_its_slope():
    rising = [10.0 + 0.05 * (29 - k) for k in range(30)]  # newest first
    assert math.isclose(_shrunk_trend(rising, 0.0), 0.05)
    assert math.isclose(_shrunk_trend(rising[::-1], 0.0), -0.05)


def test_the_slope_is_shrunk_by_two_standard_errors_and_never_past_zero():
    points = [3.0, 2.0, 2.5, 1.0, 1.5, 0.5, 1.0, 0.0, 0.5, -0.5, 0.0, -1.0]
    sxx = sum((x - 5.5) ** 2 for x in range(12))
    slope = _plain_slope(points)
    assert math.isclose(_shrunk_trend(points, 0.1), slope - 2 * 0.1 / math.sqrt(sxx))
    assert _shrunk_trend(points, 100.0) == 0.0


def test_too_few_points_have_no_trend():
    assert _shrunk_trend([float(k) for k in range(RUN_TREND_MIN - 1)], 0.0) == 0.0
    assert _shrunk_trend([], 0.1) == 0.0


def test_a_steady_trend_is_the_lesser_of_the_hours_and_its_newer_halfs():
    """A line with noise under its width is steady; a line levelled off (a tide at its trough)
    or a plunge onto a level (a storm) has no steady trend, though its hour's slope is steep,
    and one slowing down keeps its newer half's."""
    wobble = [0.04 * (-1) ** k for k in range(60)]
    line = [20.0 + 0.05 * (59 - k) + w for k, w in enumerate(wobble)]  # newest first
    trend, steady = _trends(line, 0.05)
    assert 0.04 < steady <= trend
    levelled = [20.0 - 0.02 * max(0, k - 30) for k in range(60)]  # level for half an hour
    assert _trends(levelled, 0.05)[0] > 0.005
    assert _trends(levelled, 0.05)[1] == 0.0
    slowing = [20.0 - 0.0004 * min(k, 50) ** 2 for k in range(60)]  # rising ever slower
    trend, steady = _trends(slowing, 0.05)
    assert 0 < steady < trend / 2
    plunge = [14.0] * 20 + [20.0] * 40
    assert _trends(plunge, 0.05)[0] < -0.05
    assert _trends(plunge, 0.05)[1] == 0.0


def _model_with_a_run_starting(readings: int) -> tuple[SensorModel, float]:
    """A model whose temperature rose steadily over ``readings`` readings and has just repeated
    its last value (a run's start), with the trend before the run worked out then."""
    model = SensorModel(Thresholds())
    for seq in range(readings):
        values = (10.0 + 0.01 * seq + 0.003 * (seq % 3), 50.0, 1000.0)
        model._recent.append(Reading(seq, seq, values, values, 0.0))
    model._channels[T].stats.sigma = 0.002
    for channel in model._channels:
        channel.stats.repeat_rate = 0.9999  # no evidence: nothing needs the trend
    _repeat(model)
    channel = model._channels[T]
    assert channel.run == 1 and channel.run_slope is None
    return model, model._trend_before_run(T)


def _repeat(model: SensorModel) -> None:
    last = model._recent[-1]
    reading = Reading(last.seq + 1, last.seq + 1, last.values, last.values, 0.0)
    model._recent.append(reading)
    model._check_stuck(reading)


def test_a_runs_trend_is_the_one_before_its_start_though_a_reading_before_it_is_blocked_later():
    model, at_start = _model_with_a_run_starting(100)
    assert at_start > 0.005
    model._flag(model._recent[-4], "noise:temperature_c", T, 4.0, 3.5)
    assert model._run_slope(T) == at_start


def test_a_runs_trend_is_the_one_before_its_start_however_long_the_run():
    model, at_start = _model_with_a_run_starting(RECENT)
    assert at_start > 0.005
    for _ in range(RECENT):
        _repeat(model)
    assert model._channels[T].run == RECENT + 1
    assert model._run_slope(T) == at_start


def test_a_storms_hold_ends_when_every_recent_pressure_is_blocked():
    """At a storm hold's recheck the last five pressures are all flagged (a pressure dropout):
    there is no level to compare, so the pressure is not elevated and the hold ends (this
    divided by zero on tuning-wide)."""
    from streamml.detector.sensor import P
    model = SensorModel(Thresholds())
    for seq in range(30):
        values = (10.0, 80.0, 1013.0 if seq < 25 else 0.0)
        reading = Reading(seq, seq, values, values, 6.0)
        if seq >= 25:
            reading.blocked = frozenset({P})
        model._recent.append(reading)
    model._storm_pressure = 1010.0
    model._weather_since = 0
    model._hold_while_storm_pressure_decays(model._recent[-1])
    assert model._storm_pressure is None


def test_a_storm_that_was_a_temperature_spike_is_withdrawn():
    """A temperature spike down in humid air meets the storm rule on its own reading; when it
    comes straight back, the storm's hold and plunge are withdrawn (the checks they hold back
    judge the readings after it again)."""
    import random

    from streamml.contracts.weather import relative_humidity
    rng = random.Random(1)
    model = SensorModel(Thresholds())
    for seq in range(602):
        temperature = 25 + rng.gauss(0, 0.1)
        humidity = min(100.0, relative_humidity(temperature, 24.0) + rng.gauss(0, 0.8))
        if seq == 600:
            temperature -= 3.5
        values = (round(temperature, 2), round(humidity, 1), round(1008 + rng.gauss(0, 0.05), 2))
        flags = model.update(seq, seq * 60_000, values, 0)
        if seq == 600:
            assert [f.reasons for f in flags] == [("weather:thunderstorm",)]
            assert model._storm_since == 600 and model._weather_until > 700
    assert model._storm_since < 600 and model._weather_until < 600


def _storm_found_at(model: SensorModel, seq: int) -> Reading:
    from streamml.contracts.weather import WEATHER_THUNDERSTORM
    values = (15.0, 100.0, 1006.0)
    reading = Reading(seq, seq * 60_000, values, values, 15.0)
    model._recent.append(reading)
    model._weather_event(reading, WEATHER_THUNDERSTORM)
    return reading


def test_a_storm_withdrawn_in_another_storms_hold_gives_that_storms_levels_back():
    """A second storm found in a storm's hold takes over the first one's levels before it (its
    own are the first storm's cooling); withdrawn (a temperature spike), it gives them back, and
    the hold's ceiling and floor with them (final-30 sim-3103-014: none for the rest of the hold,
    a thermometer drifting up through it)."""
    from streamml.detector.sensor import _LevelBeforeStorm
    model = SensorModel(Thresholds())
    warmth = _LevelBeforeStorm(100, 19.0, 80.0, 0.0)
    dew = _LevelBeforeStorm(100, 14.0, 80.0, 0.0, 1004.7)
    model._storm_since = model._weather_since = 100
    model._weather_until = 280
    model._storm_warmth, model._storm_dew = warmth, dew
    reading = _storm_found_at(model, 150)
    assert model._storm_warmth is not None and model._storm_warmth.storm == 150
    model._withdraw_storm()
    assert model._storm_since == 100
    assert model._storm_warmth == warmth and model._storm_dew == dew
    assert model._temperature_ceiling(reading) is not None


def test_a_storm_withdrawn_outside_any_hold_leaves_no_levels():
    model = SensorModel(Thresholds())
    reading = _storm_found_at(model, 150)  # too few readings kept for any level
    model._withdraw_storm()
    assert model._storm_warmth is None and model._storm_dew is None
    assert model._temperature_ceiling(reading) is None


def test_only_a_channel_whose_noise_is_half_a_step_or_more_is_let_past_its_learnt_runs():
    """A calm coarse channel (noise a quarter to a third of a step: `final-2` station pressure
    and humidity) sits on one step for 50-70 readings when healthy: its learnt runs bound a run
    however long; at half a step of noise or more a run twice the longest is a fault's."""
    stats = ChannelStats()
    stats.resolution = 0.1
    stats.quantised_sigma = 0.03
    assert not _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS)
    stats.quantised_sigma = 0.06
    assert _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS)
    assert not _noise_spans_steps(stats, NOISE_SPANS_STEPS)
    stats.resolution = 0.0  # no resolution learnt: no quantised chance to fall back on
    assert not _noise_spans_steps(stats, OUTLASTS_NOISE_STEPS)


def test_only_a_humidity_held_at_saturation_is_kept_off_the_daily_cycles_turn():
    """The daily cycle's turn bounds a calm thermometer's or humidity's run, but not a
    humidity held at saturation: no daily cycle moves it there (final-7 803-004, held at 99 %
    through a front, went unflagged when it did)."""
    from streamml.detector.sensor import RH
    model = SensorModel(Thresholds())
    for seq, humidity in enumerate((97.0, 99.0)):
        values = (12.0, humidity, 1005.0)
        model._recent.append(Reading(seq, seq, values, values, 12.0))
    assert model._held_saturated(RH)
    assert not model._held_saturated(T)
    values = (12.3, 96.0, 1005.0)
    model._recent.append(Reading(2, 2, values, values, 11.7))
    assert not model._held_saturated(RH)


def _humidity_run(temperatures: list[float], held: float = 93.0) -> SensorModel:
    """A model whose calm station humidity (3 % steps, noise a sixth of one) has held ``held``
    since the first of ``temperatures`` (one reading each), the dew point at that reading's."""
    from streamml.contracts.weather import dew_point
    from streamml.detector.sensor import RH
    model = SensorModel(Thresholds())
    stats = model._channels[RH].stats
    stats.resolution, stats.sigma, stats.quantised_sigma = 3.0, 3.0, 0.5
    for seq, temperature in enumerate(temperatures):
        values = (temperature, held, 1016.0)
        model._recent.append(Reading(seq, seq, values, values, dew_point(temperature, held)))
    humidity = model._channels[RH]
    humidity.run_first = model._recent[0]
    humidity.run = len(temperatures) - 1
    return model


def test_a_calm_humidity_is_judged_along_what_the_thermometer_beside_it_says():
    """final-21 2202-033: a station humidity on 93 % for 269 readings while the temperature sat
    within a step (true 23.6-24.0 °C) is likely, whatever its trend before said; the same run
    while the air warmed 1.5 °C (the humidity at its dew point 8 % lower) is not."""
    from streamml.detector.sensor import RH
    still = [23.7 if seq % 7 else 24.0 for seq in range(270)]
    model = _humidity_run(still)
    model._channels[T].run = 20
    assert model._thermometer_path_evidence(269) < 3.0
    warming = [round((23.7 + 1.5 * seq / 269) / 0.3) * 0.3 for seq in range(270)]
    model = _humidity_run(warming)
    model._channels[T].run = 5
    assert model._thermometer_path_evidence(269) > 100.0
    # ... and a humidity held at saturation is not judged so.
    model = _humidity_run(still, held=99.0)
    model._channels[T].run = 20
    assert model._thermometer_path_evidence(269) == math.inf
    assert model._channels[RH].run == 269


def test_a_thermometer_held_or_flagged_through_the_run_vouches_for_nothing():
    """A sensor held whole holds its thermometer too: its still temperature says nothing of the
    air; nor does a thermometer flagged at a reading of the run."""
    still = [23.7] * 270
    model = _humidity_run(still)
    model._channels[T].run = 269
    assert model._thermometer_path_evidence(269) == math.inf
    model = _humidity_run([23.7 if seq % 7 else 24.0 for seq in range(270)])
    model._channels[T].run = 20
    model._recent[100].faulty = frozenset({T})
    assert model._thermometer_path_evidence(269) == math.inf


def test_a_channel_with_too_few_learnt_runs_adds_its_own_run_evidence_to_a_sensor_held_whole():
    """A sensor held whole is judged by its channels' repeat rates (capped by the learnt joint
    runs), but a channel that has learnt fewer than MIN_RUNS runs of its own adds its own run's
    evidence instead (the quantised chance along its trend): its repeat rate, learnt in its first
    hours, says little yet of how long it sits on one step (final-21 2203-025: a calm station
    thermometer at 0.3 °C, two runs learnt, 3.1 of the 12.3 nats that flagged it whole at night)."""
    from streamml.detector.sensor import P, RH
    from streamml.detector.stats import MIN_RUNS
    model = SensorModel(Thresholds())
    values = (24.0, 80.0, 1010.7)
    model._recent.append(Reading(0, 0, values, values, 20.3))
    for c, (resolution, learnt) in enumerate(((0.3, MIN_RUNS), (3.0, MIN_RUNS), (0.3, 2))):
        channel = model._channels[c]
        stats = channel.stats
        stats.resolution, stats.quantised_sigma, stats.sigma = resolution, 0.2 * resolution, \
            0.5 * resolution
        stats.repeat_rate = 0.8
        for _ in range(learnt):
            stats.runs.step(True)
            stats.runs.step(False)
        channel.run, channel.run_slope = 20, 0.0
        channel.run_first = model._recent[0]
    by_rate = [model._rate_evidence(c, 20) for c in (T, RH, P)]
    own = model._run_evidence(P, 20)
    assert own < 1.0 < 4.0 < by_rate[P]  # a calm barometer sits on its step along a flat line
    joint = model._joint_evidence([T, RH, P], 20, by_rate=True)
    assert math.isclose(joint, by_rate[T] + by_rate[RH] + own)
    for _ in range(MIN_RUNS - 2):  # its runs learnt: its repeat rate counts
        model._channels[P].stats.runs.step(True)
        model._channels[P].stats.runs.step(False)
    assert math.isclose(model._joint_evidence([T, RH, P], 20, by_rate=True), sum(by_rate))


def _model_fed(readings: int) -> SensorModel:
    """A model fed ``readings`` readings of slowly cooling, moistening air."""
    model = SensorModel(Thresholds())
    for seq in range(readings):
        values = (-20.0 - 0.0125 * seq + 0.01 * (seq % 3), 70.0 + 0.03 * seq + 0.1 * (seq % 2),
                  1010.0 + 0.01 * (seq % 4))
        model.update(seq, 60_000 * seq, values, 0)
    return model


def test_a_humidity_run_found_stuck_at_its_end_leaves_the_dew_points_line():
    # final-31 sim-3201-009: the held humidity and its step out stayed in the dew point's line
    # (read as the dew point rising); found at its end, the run's readings leave it.
    model = _model_fed(200)
    lines = model._drift._series
    assert lines["dew"].long.count > 0 and lines["pressure"].long.count > 0
    model._flag_ended_run(RH, 150, 199, 10.0)
    assert [r.seq for r in model._recent if "stuck:humidity_pct" in r.reasons] == \
        list(range(151, 199))
    assert lines["dew"].long.count == 0
    # The barometer's readings were no part of the run: its line is kept.
    assert lines["pressure"].long.count > 0
