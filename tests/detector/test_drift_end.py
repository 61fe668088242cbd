"""A drift's end: one channel stepping back by the bias a ramp before it had grown."""

from __future__ import annotations

import random
from dataclasses import dataclass

from streamml.contracts.weather import dew_point, relative_humidity
from streamml.detector.drift_end import BeganBefore, DriftEndCheck, MIN_RAMP
from streamml.detector.reading import Reading
from streamml.detector.stats import SATURATED_PCT
from streamml.detector.thresholds import Thresholds


@dataclass
class _LearntNoise:
    sigma: float
    resolution: float
    ready: bool = True


_NOISE = [_LearntNoise(0.1, 0.1), _LearntNoise(0.5, 0.5), _LearntNoise(0.05, 0.01)]
_DEW_NOISE = _LearntNoise(0.1, 0.01)
STEP = 400  # the seq of the step in every series below


def _flagged(series: list[tuple[float, float, float]],
             reasons: dict[int, tuple[str, ...]] | None = None,
             began_before: BeganBefore | None = None,
             dew_noise: _LearntNoise = _DEW_NOISE,
             noise: list[_LearntNoise] | None = None) -> dict[int, set[str]]:
    """Feed (temperature, humidity, pressure) readings, one a minute from seq 0 (``reasons``:
    flags the other checks gave some of them); every reading the check flags, with reasons."""
    readings: dict[int, Reading] = {}
    flagged: dict[int, set[str]] = {}

    def flag(reading: Reading, reason: str, channel: int, score: float,
             threshold: float) -> None:
        flagged.setdefault(reading.seq, set()).add(reason)

    check = DriftEndCheck(Thresholds(), noise or _NOISE, dew_noise,  # type: ignore[arg-type]
                          readings.get, flag, began_before)
    for seq, values in enumerate(series):
        reading = Reading(seq, seq * 60_000, values, values, dew_point(values[0], values[1]))
        if reasons and seq in reasons:
            reading.reasons = reasons[seq]
        readings[seq] = reading
        check.update(reading)
    return flagged


def _weather(seed: int = 1) -> list[tuple[float, float, float]]:
    """Eight hours of calm weather with noise: a slow warming, the dew point steady, the
    pressure falling slowly."""
    rng = random.Random(seed)
    series = []
    for seq in range(480):
        temperature = 15.0 + 0.5 / 60 * seq + rng.gauss(0, 0.1)
        humidity = relative_humidity(temperature, 8.0)
        series.append((round(temperature, 1), round(humidity + rng.gauss(0, 0.5), 1),
                       round(1010.0 - 0.3 / 60 * seq + rng.gauss(0, 0.05), 2)))
    return series


def _with_drift(series: list[tuple[float, float, float]], channel: int, per_hour: float,
                length: int) -> list[tuple[float, float, float]]:
    """A bias growing on one channel for ``length`` readings up to the step, gone at it."""
    drifted = []
    for seq, values in enumerate(series):
        bias = per_hour / 60 * (seq - (STEP - length) + 1) if STEP - length <= seq < STEP else 0.0
        changed = list(values)
        changed[channel] += bias
        drifted.append((changed[0], changed[1], changed[2]))
    return drifted


def test_a_pressure_ramp_stepping_back_is_drift_back_to_its_onset():
    flagged = _flagged(_with_drift(_weather(), 2, 3.0, 150))
    seqs = sorted(flagged)
    assert seqs and all(flagged[seq] == {"drift:pressure_hpa"} for seq in seqs)
    assert abs(seqs[0] - (STEP - 150)) <= 6  # the fitted onset
    assert seqs[-1] == STEP - 1  # not the step itself, nor what follows


def test_a_temperature_ramp_stepping_back_is_drift_of_the_temperature():
    flagged = _flagged(_with_drift(_weather(), 0, 2.5, 120))
    assert {reason for reasons in flagged.values() for reason in reasons} == \
        {"drift:temperature_c"}
    assert max(flagged) == STEP - 1 and min(flagged) <= STEP - 110


def test_a_humidity_ramp_stepping_back_is_drift_of_the_humidity():
    flagged = _flagged(_with_drift(_weather(), 1, -10.0, 180))
    assert {reason for reasons in flagged.values() for reason in reasons} == \
        {"drift:humidity_pct"}
    # The dew point falls ever faster as the humidity falls: the hinge is fitted a little late.
    assert min(flagged) <= STEP - 150


def test_a_ramp_shorter_than_an_hour_and_a_quarter_is_no_drift():
    assert not _flagged(_with_drift(_weather(), 2, 4.0, MIN_RAMP - 25))


def test_a_step_of_the_weather_with_no_ramp_before_it_is_no_drift():
    series = [(t, h, p + (3.0 if seq >= STEP else 0.0)) for seq, (t, h, p) in
              enumerate(_weather())]
    assert not _flagged(series)


def test_a_clouds_shade_after_the_morning_warming_is_no_drift():
    # The temperature drops 2.5 °C in a reading and stays; the dew point holds, so the humidity
    # rises with it: a change of the air, not of one channel.
    series = []
    for seq, (t, h, p) in enumerate(_weather()):
        if seq >= STEP:
            t -= 2.5
            h = relative_humidity(t, 8.0)
        series.append((t, h, p))
    assert not _flagged(_with_drift(series, 0, 0.0, 150))


def test_a_thunderstorm_after_a_pressure_ramp_is_no_drift_end():
    # The pressure jumps back while the temperature plunges and the air saturates.
    series = []
    for seq, (t, h, p) in enumerate(_with_drift(_weather(), 2, 3.0, 150)):
        if seq >= STEP:
            t -= 6.0
            h = 100.0
        series.append((t, h, p))
    assert not _flagged(series)


def test_the_end_of_a_stuck_run_is_no_drift_end():
    # The barometer held its value for the last 20 readings of a ramp, then let go: the step back
    # is the stuck run's end, whose readings the stuck check flagged.
    ramped = _with_drift(_weather(), 2, -3.0, 150)
    held = ramped[STEP - 20][2]
    stuck = [(t, h, held if STEP - 20 <= seq < STEP else p)
             for seq, (t, h, p) in enumerate(ramped)]
    assert _flagged(stuck)  # unflagged, the same readings would be a drift's end
    assert not _flagged(stuck, {seq: ("stuck:pressure_hpa",) for seq in range(STEP - 20, STEP)})


def test_a_spike_is_no_step():
    series = _with_drift(_weather(), 2, 3.0, 150)
    # The step back comes back up at the next reading: a one-reading spike at the ramp's top.
    series[STEP] = (series[STEP][0], series[STEP][1], series[STEP - 1][2] - 7.5)
    for seq in range(STEP + 1, len(series)):
        t, h, p = series[seq]
        series[seq] = (t, h, p + 7.5)
    assert not _flagged(series)


def test_a_pressure_ramp_slower_than_half_a_drifts_rate_is_no_drift():
    # 0.8 hPa/h for 200 readings, then back: a level the weather's trend left behind.
    assert not _flagged(_with_drift(_weather(), 2, 0.8, 200))


def test_a_humidity_offset_held_up_to_a_step_back_is_no_drift():
    # An inconsistency its check did not flag: the humidity 12 % low for 50 readings, then back.
    series = [(t, h - 12.0 if STEP - 50 <= seq < STEP else h, p)
              for seq, (t, h, p) in enumerate(_weather())]
    assert not _flagged(series)


def test_a_pressure_ramp_with_a_storms_jump_inside_landing_on_the_weathers_line_is_drift():
    # A storm's jump of 4 hPa decaying over 40 readings inside the ramp scatters the fit; the
    # step lands on the weather's line from before the onset.
    series = []
    for seq, (t, h, p) in enumerate(_with_drift(_weather(), 2, 3.0, 150)):
        if 300 <= seq < 340:
            p += 4.0 * (340 - seq) / 40
        series.append((t, h, p))
    flagged = _flagged(series)
    assert flagged and max(flagged) == STEP - 1 and min(flagged) <= STEP - 140


def test_a_humidity_drifts_end_read_as_an_inconsistency_is_drift_once_that_outlasts_one():
    # The inconsistency check flags the humidity from the step on, as long as it flags an
    # inconsistency it never sees end (90 readings): the step is judged 75 readings on.
    series = _with_drift(_weather(), 1, -10.0, 180)
    reasons = {seq: ("inconsistent",) for seq in range(STEP, STEP + 90)}
    flagged = _flagged(series, reasons)
    assert flagged and max(flagged) == STEP - 1


def test_a_humidity_step_flagged_as_an_inconsistency_that_steps_back_is_no_drift_end():
    series = _with_drift(_weather(), 1, -10.0, 180)
    reasons = {seq: ("inconsistent",) for seq in range(STEP, STEP + 40)}
    assert not _flagged(series, reasons)


def _held_from_step(series: list[tuple[float, float, float]], channel: int,
                    repeats: int) -> list[tuple[float, float, float]]:
    """The channel repeating its value at the step for ``repeats`` readings after it."""
    held = list(series)
    for seq in range(STEP + 1, STEP + 1 + repeats):
        values = list(held[seq])
        values[channel] = held[STEP][channel]
        held[seq] = (values[0], values[1], values[2])
    return held


def test_a_large_drifts_end_read_as_a_dropout_is_drift_once_the_channel_moves_on():
    # 6 hPa/h for 150 readings: a step back of 15 hPa, over the 10 hPa no weather makes, that
    # repeats for 4 readings (a dropout at once), then moves on with the weather.
    series = _held_from_step(_with_drift(_weather(), 2, 6.0, 150), 2, 4)
    reasons = {seq: ("dropout:pressure_hpa",) for seq in range(STEP, STEP + 5)}
    flagged = _flagged(series, reasons)
    assert flagged and max(flagged) == STEP - 1 and min(flagged) <= STEP - 140
    assert all(flagged[seq] == {"drift:pressure_hpa"} for seq in flagged)


def test_a_dropout_at_a_ramps_top_that_jumps_back_is_no_drift_end():
    # The barometer reads a constant from the step for 12 readings, then jumps back to where
    # the ramp had taken it: a dropout's end, not a recalibration.
    ramped = _with_drift(_weather(), 2, 6.0, 150)
    series = list(ramped)
    top = ramped[STEP - 1][2]
    for seq in range(STEP, STEP + 40):
        t, h, p = ramped[seq]
        series[seq] = (t, h, ramped[STEP][2] if seq < STEP + 12 else p + top - ramped[STEP][2])
    reasons = {seq: ("dropout:pressure_hpa",) for seq in range(STEP, STEP + 12)}
    assert not _flagged(series, reasons)


def test_a_dropout_still_flagged_when_judged_is_no_drift_end():
    series = _held_from_step(_with_drift(_weather(), 2, 6.0, 150), 2, 40)
    reasons = {seq: ("dropout:pressure_hpa",) for seq in range(STEP, STEP + 41)}
    assert not _flagged(series, reasons)


def _a_ramp_from_the_start() -> list[tuple[float, float, float]]:
    """A barometer's ramp of 3 hPa/h from the first reading up to the step: no weather's line
    before it to fit a hinge against."""
    return [(t, h, p + (3.0 / 60 * seq if seq < STEP else 0.0))
            for seq, (t, h, p) in enumerate(_weather())]


def test_a_step_the_drift_check_ended_a_late_decided_drift_at_is_flagged_back_to_its_start():
    def began_before(step_seq: int, channel: int) -> tuple[int, int, float] | None:
        return (STEP - 150, STEP - 60, 2.0) if (step_seq, channel) == (STEP, 2) else None

    series = _a_ramp_from_the_start()
    assert not _flagged(series)  # no ramp fitted
    flagged = _flagged(series, began_before=began_before)
    assert sorted(flagged) == list(range(STEP - 150, STEP - 60))
    assert all(flagged[seq] == {"drift:pressure_hpa"} for seq in flagged)


def test_a_drift_the_drift_check_ended_at_a_step_read_as_a_stuck_runs_end_is_not_flagged():
    def began_before(step_seq: int, channel: int) -> tuple[int, int, float] | None:
        return (STEP - 150, STEP - 60, 2.0) if (step_seq, channel) == (STEP, 2) else None

    reasons = {seq: ("stuck:pressure_hpa",) for seq in range(STEP - 20, STEP)}
    assert not _flagged(_a_ramp_from_the_start(), reasons, began_before)


def _near_saturation(dew_below: list[float], seed: int = 2) -> list[tuple[float, float, float]]:
    """Calm air at 10 °C whose dew point lies ``dew_below[seq]`` under the temperature (0:
    saturated, the humidity at 100 %), with noise; the pressure steady."""
    # The humidity's noise is cut at 100 %: a sensor in saturated air reads its limit.
    rng = random.Random(seed)
    series = []
    for seq, below in enumerate(dew_below):
        temperature = 10.0 + rng.gauss(0, 0.1)
        humidity = 100.0 if below == 0.0 else \
            min(100.0, relative_humidity(temperature, temperature - below) + rng.gauss(0, 0.5))
        series.append((round(temperature, 1), round(humidity, 1),
                       round(1010.0 + rng.gauss(0, 0.05), 2)))
    return series


def _clipped(series: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    return [(t, min(100.0, h), p) for t, h, p in series]


def test_a_humidity_drift_cut_at_saturation_stepping_out_of_it_is_drift():
    # The air 1.5 °C under saturation (90 %); the drift reaches 100 % after an hour and is cut
    # there until it ends: the humidity steps out of saturation by 10 %, the temperature still.
    series = _clipped(_with_drift(_near_saturation([1.5] * 480), 1, 10.0, 150))
    flagged = _flagged(series)
    assert {reason for reasons in flagged.values() for reason in reasons} == \
        {"drift:humidity_pct"}
    assert max(flagged) == STEP - 1 and min(flagged) <= STEP - MIN_RAMP


def test_a_humidity_drift_in_air_saturated_before_it_flags_the_clipped_readings_before_its_end():
    # The air saturated until the drift began, then drying 1.5 °C under it: the reading stays at
    # 100 % throughout (no ramp to fit), then steps out of saturation at the drift's end.
    below = [0.0 if seq < STEP - 150 else 1.5 * min(1.0, (seq - STEP + 150) / 150)
             for seq in range(480)]
    series = _clipped(_with_drift(_near_saturation(below), 1, 10.0, 150))
    assert all(h >= SATURATED_PCT for _, h, _ in series[:STEP])
    assert set(_flagged(series)) == set(range(STEP - MIN_RAMP, STEP))


def test_a_thermometer_ramp_in_air_saturated_since_the_start_is_drift_of_the_temperature():
    """The air saturated throughout, the humidity's noise never learnt (it never left 100 %); a
    thermometer drifting down 2.5 °C/h for 150 readings steps back: the humidity, at 100 % on
    both sides of the step, is quiet (final-22 2304-006, never judged before: its humidity had
    no noise to judge a step by). The same air without the drift raises nothing."""
    never_learnt = [_NOISE[0], _LearntNoise(0.0, 0.0, ready=False), _NOISE[2]]
    saturated = _near_saturation([0.0] * 480)
    assert not _flagged(saturated, noise=never_learnt)
    flagged = _flagged(_with_drift(saturated, 0, -2.5, 150), noise=never_learnt)
    assert {reason for reasons in flagged.values() for reason in reasons} == \
        {"drift:temperature_c"}
    assert max(flagged) == STEP - 1 and min(flagged) <= STEP - 140


def test_an_inconsistencys_start_out_of_saturated_air_is_no_drift_end():
    # Saturated air; the humidity falls as if the dew point were 6 °C lower, for 40 readings.
    below = [6.0 if STEP <= seq < STEP + 40 else 0.0 for seq in range(480)]
    assert not _flagged(_near_saturation(below))


def test_saturated_air_drying_as_it_warms_is_no_drift_end():
    # The sun after a shower: the temperature up 1.5 °C in a reading, the dew point where it was.
    series = [(t + 1.5, relative_humidity(t + 1.5, dew_point(t, h)), p) if seq >= STEP
              else (t, h, p) for seq, (t, h, p) in enumerate(_near_saturation([0.0] * 480))]
    assert not _flagged(series)


def test_a_step_out_of_a_storms_saturated_air_is_no_drift_end():
    # The same readings, but a thunderstorm was reported as the air saturated: its moisture
    # clears (a stuck reading at 100 % let go looks the same).
    below = [0.0 if seq < STEP - 150 else 1.5 * min(1.0, (seq - STEP + 150) / 150)
             for seq in range(480)]
    series = _clipped(_with_drift(_near_saturation(below), 1, 10.0, 150))
    assert _flagged(series)
    assert not _flagged(series, {STEP - 120: ("weather:thunderstorm",)})


def test_a_coarse_humiditys_flicker_out_of_saturation_is_no_drift_end():
    # A calm saturated hour whose dew point was learnt at 0.02 °C of noise; the humidity drops
    # to 97 % and stays: the dew point falls 0.45 °C, 22 of its widths but 4.5 of the
    # temperature's, which it reads in saturated air.
    series = [(10.0, 97.0 if seq >= STEP else 100.0, p)
              for seq, (t, h, p) in enumerate(_near_saturation([0.0] * 480))]
    assert not _flagged(series, dew_noise=_LearntNoise(0.02, 0.01))


def _drying_under_a_cut_drift(dried: float) -> list[tuple[float, float, float]]:
    """Air saturated until a humidity drift began, then drying ``dried`` °C under it while the
    drift holds the reading at 100 %, up to the drift's end."""
    below = [0.0 if seq < STEP - 150 else dried * min(1.0, (seq - STEP + 150) / 150)
             for seq in range(480)]
    return _clipped(_with_drift(_near_saturation(below), 1, 10.0, 150))


_COARSE_HUMIDITY_STEP = 2.4  # % (final-34's station humidities)


def _coarse(series: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """The humidity read on _COARSE_HUMIDITY_STEP steps, cut at 100 %: saturated air reads
    100 %, the highest level under it 98.4 %."""
    step = _COARSE_HUMIDITY_STEP
    return [(t, min(100.0, round(round(h / step) * step, 2)), p) for t, h, p in series]


_COARSE_NOISE = [_NOISE[0], _LearntNoise(_COARSE_HUMIDITY_STEP / 2, _COARSE_HUMIDITY_STEP),
                 _NOISE[2]]


def test_a_coarse_humiditys_drift_end_two_levels_under_saturation_is_drift():
    # The drift held the reading at 100 % while the air dried 1 °C under saturation: the step out
    # lands on 93.6 %, 6.4 % down (2.67 of the humidity's 2.4 % steps, under STEP_RESOLUTIONS'
    # four), two levels under the highest one under 100 % (final-34 sim-3505-023, -3503-018).
    series = _coarse(_drying_under_a_cut_drift(1.0))
    assert series[STEP - 1][1] == 100.0 and series[STEP][1] == 93.6
    assert set(_flagged(series, noise=_COARSE_NOISE)) == set(range(STEP - MIN_RAMP, STEP))


def test_a_coarse_humiditys_drop_one_level_under_saturation_is_no_drift_end():
    # The same air drying 0.6 °C under saturation: the step out lands on 96 %, the level under
    # the highest one under 100 % (1.67 steps), as a healthy coarse humidity flickers down from
    # 100 % (final-34: 17 such drops on healthy readings), though its dew point falls 0.5 °C in
    # the reading, 25 widths of the dew point's noise (0.02 °C), and by many more on the means.
    series = _coarse(_drying_under_a_cut_drift(0.6))
    assert series[STEP - 1][1] == 100.0 and series[STEP][1] == 96.0
    quiet = [_LearntNoise(0.05, 0.1), *_COARSE_NOISE[1:]]
    assert not _flagged(series, dew_noise=_LearntNoise(0.02, 0.01), noise=quiet)
    # Two steps of a humidity twice as fine are the same drop: that one is a drift's end.
    finer = [quiet[0], _LearntNoise(0.6, 1.2), quiet[2]]
    assert set(_flagged(series, dew_noise=_LearntNoise(0.02, 0.01), noise=finer)) == \
        set(range(STEP - MIN_RAMP, STEP))


def test_a_cheap_humiditys_drift_end_out_of_saturation_is_measured_on_the_means():
    # A dew point learnt at 0.25 °C of noise: the fall of 2 °C is 8 of its widths in one
    # reading, but the clipped run carries only the temperature's noise and the six readings
    # from the step average theirs down.
    series = _drying_under_a_cut_drift(2.0)
    assert set(_flagged(series, dew_noise=_LearntNoise(0.25, 0.01))) == \
        set(range(STEP - MIN_RAMP, STEP))


def test_a_step_out_of_saturation_of_a_humidity_never_learnt_is_measured_on_one_reading():
    series = _drying_under_a_cut_drift(2.0)
    never_learnt = [_NOISE[0], _LearntNoise(0.5, 0.5, ready=False), _NOISE[2]]
    assert not _flagged(series, dew_noise=_LearntNoise(0.25, 0.01), noise=never_learnt)


def test_a_step_out_of_saturation_within_the_humiditys_averaged_noise_is_no_drift_end():
    # The humidity learnt at 5 % of noise: its mean drop of 13 % is under ten of its widths
    # over six readings.
    series = _drying_under_a_cut_drift(2.0)
    noisy = [_NOISE[0], _LearntNoise(5.0, 0.5), _NOISE[2]]
    assert not _flagged(series, dew_noise=_LearntNoise(0.25, 0.01), noise=noisy)


def _stormy(start: int, length: int = 40) -> list[tuple[float, float, float]]:
    """_weather with a thunderstorm from ``start`` for ``length`` readings: the temperature
    plunging 5 °C, the rain lifting the dew point 3 °C (at most to the temperature), the pressure
    jumping 3 hPa; after it the moisture dries back, the jump decays and the air warms again."""
    stormy = []
    for seq, (t, h, p) in enumerate(_weather()):
        since = seq - start
        if since >= 0:
            over = since - length
            onset = min(1.0, (since + 1) / 4)
            cooled = t - 5.0 * (onset if over < 0 else (1 - 1 / 90) ** over)
            moist = 3.0 * (1.0 if over < 0 else (1 - 1 / 25) ** over)
            dew = min(cooled, dew_point(t, h) + moist)
            t, h = round(cooled, 1), round(relative_humidity(cooled, dew), 1)
            p = round(p + 3.0 * (onset if over < 0 else (1 - 1 / 40) ** over), 2)
        stormy.append((t, h, p))
    return stormy


def test_a_ramp_with_a_thunderstorm_inside_is_fitted_without_the_storm():
    # The storm's moisture and jump bend the line plus hinge away from the ramp (not flagged
    # unreported); fitted without the readings around the storm reported, the ramp is drift.
    for channel, per_hour, reason in ((0, -2.5, "drift:temperature_c"),
                                      (2, -3.0, "drift:pressure_hpa")):
        series = _with_drift(_stormy(300), channel, per_hour, 150)
        assert not _flagged(series)
        flagged = _flagged(series, {302: ("weather:thunderstorm",)})
        assert {r for reasons in flagged.values() for r in reasons} == {reason}
        assert max(flagged) == STEP - 1 and abs(min(flagged) - (STEP - 150)) <= 10


def test_a_weather_step_after_a_thunderstorm_with_no_ramp_is_no_drift():
    # The storm's readings left out, what remains is the weather's line and a step.
    for channel, size in ((0, 2.0), (2, 3.0)):
        series = []
        for seq, (t, h, p) in enumerate(_stormy(300)):
            if seq >= STEP:
                t, p = (t + size, p) if channel == 0 else (t, p + size)
            series.append((t, h, p))
        assert not _flagged(series, {302: ("weather:thunderstorm",)})


def _cut_drift_ending_dry() -> list[tuple[float, float, float]]:
    """Air 4.5 °C under saturation (74 %) at 10 °C; a humidity drift of 15 %/h reaches 100 %
    after 105 readings and is cut there until it ends: the humidity steps back to 74 %, its dew
    point 4.5 °C lower (an inconsistency's start by that check's 3 °C), the temperature still."""
    return _clipped(_with_drift(_near_saturation([4.5] * 480), 1, 15.0, 150))


def test_a_cut_humidity_drifts_end_read_as_an_inconsistency_is_drift_once_that_outlasts_one():
    series = _cut_drift_ending_dry()
    reasons = {seq: ("inconsistent",) for seq in range(STEP, STEP + 90)}
    flagged = _flagged(series, reasons)
    assert {reason for reasons in flagged.values() for reason in reasons} == \
        {"drift:humidity_pct"}
    assert max(flagged) == STEP - 1 and abs(min(flagged) - (STEP - 150)) <= 10


def test_a_large_step_out_of_saturation_not_read_as_an_inconsistency_is_no_drift_end():
    assert not _flagged(_cut_drift_ending_dry())


def test_a_large_step_out_of_saturation_whose_inconsistency_steps_back_is_no_drift_end():
    reasons = {seq: ("inconsistent",) for seq in range(STEP, STEP + 40)}
    assert not _flagged(_cut_drift_ending_dry(), reasons)


def test_a_humidity_drift_in_fog_warming_in_the_morning_is_fitted_on_the_humidity():
    # Fog at 10 °C (saturated, its dew point the temperature's) warms 3 °C over the 150
    # readings before the step while a humidity sensor drifts down 10 %/h from 100 %, then
    # steps back into saturation. The dew point read falls 1.4 °C where the fog's rose 3 °C: a
    # ramp off the step by twice its bias on the weather's line before it; the humidity's own
    # ramp lands on its line.
    rng = random.Random(3)
    series = []
    for seq in range(480):
        warmed = 3.0 * min(1.0, max(0.0, (seq - STEP + 150) / 150))
        bias = -10.0 / 60 * (seq - STEP + 150) if STEP - 150 <= seq < STEP else 0.0
        humidity = min(100.0, 100.0 + bias + rng.gauss(0, 0.5))
        series.append((round(10.0 + warmed + rng.gauss(0, 0.1), 1), round(humidity, 1),
                       round(1010.0 + rng.gauss(0, 0.05), 2)))
    flagged = _flagged(series)
    assert {reason for reasons in flagged.values() for reason in reasons} == \
        {"drift:humidity_pct"}
    assert max(flagged) == STEP - 1 and abs(min(flagged) - (STEP - 150)) <= 10


def test_a_large_step_out_of_saturation_flagged_again_by_a_second_inconsistency_is_no_drift_end():
    # The first inconsistency steps back after 25 readings; a second one, flagged from 30
    # readings later on, still flags the reading 75 on.
    reasons = {seq: ("inconsistent",) for seq in range(STEP, STEP + 90)
               if not STEP + 25 <= seq < STEP + 55}
    assert not _flagged(_cut_drift_ending_dry(), reasons)


def _front_then_thermometer_drift(seed: int = 1) -> list[tuple[float, float, float]]:
    """Calm weather with a front's moisture passing (the dew point lifted 8 °C for an hour and
    a half and taken back, the pressure up 2 hPa), then a thermometer drifting 3 °C/h for 150
    readings up to the step (the humidity sensor reads the air)."""
    rng = random.Random(seed)
    series = []
    for seq in range(480):
        temperature = 15.0 + 0.5 / 60 * seq
        lift = 8.0 * max(0.0, 1.0 - abs(seq - 175) / 45) if 130 <= seq <= 220 else 0.0
        humidity = relative_humidity(temperature, 2.0 + lift)
        pressure = 1010.0 + (2.0 if seq >= 175 else 0.0)
        bias = 3.0 / 60 * (seq - 249) if 250 <= seq < STEP else 0.0
        series.append((round(temperature + bias + rng.gauss(0, 0.1), 1),
                       round(humidity + rng.gauss(0, 0.5), 1),
                       round(pressure + rng.gauss(0, 0.05), 2)))
    return series


def test_a_thermometer_ramp_behind_a_front_is_fitted_on_the_temperature():
    # The front's moisture in the readings looked back over bends the dew point's line; the
    # temperature's own line holds the ramp the step undid.
    series = _front_then_thermometer_drift()
    assert not _flagged(series)  # no front reported: the dew point's fit alone, not accepted
    flagged = _flagged(series, reasons={175: ("weather:front",)})
    assert {reason for reasons in flagged.values() for reason in reasons} == \
        {"drift:temperature_c"}
    assert max(flagged) == STEP - 1 and abs(min(flagged) - 250) <= 10


def _thermometer_step_landing_low(low: float, after: float) -> list[tuple[float, float, float]]:
    """A thermometer's 3 °C/h ramp of 120 readings whose step back's first reading lies ``low``
    under the air and the second after it ``after`` over it (a noisy thermometer's readings)."""
    series = _with_drift(_weather(), 0, 3.0, 120)
    for seq, offset in ((STEP, -low), (STEP + 2, after)):
        t, h, p = series[seq]
        series[seq] = (t + offset, h, p)
    return series


def test_a_noisy_thermometers_step_back_is_confirmed_within_its_noise():
    # The step's first reading 1.2 °C low, the second after it 1.3 over the air: 2.5 °C off the
    # first, over 0.3 of the 7.1 °C step, within it and two of the thermometer's noise widths.
    series = _thermometer_step_landing_low(1.2, 1.3)
    quiet = [_LearntNoise(0.2, 0.1), _NOISE[1], _NOISE[2]]
    assert not _flagged(series, noise=quiet)  # 0.2 °C of noise: not confirmed
    flagged = _flagged(series, noise=[_LearntNoise(0.5, 0.1), _NOISE[1], _NOISE[2]])
    assert flagged and max(flagged) == STEP - 1 and min(flagged) <= STEP - 110


def test_a_spike_on_another_channel_before_the_step_leaves_it_clean():
    series = _with_drift(_weather(), 0, 2.5, 120)
    flagged = _flagged(series, reasons={STEP - 1: ("spike:pressure_hpa",)})
    assert flagged and max(flagged) == STEP - 1 and min(flagged) <= STEP - 110
    assert not _flagged(series, reasons={STEP - 1: ("spike:temperature_c",)})


def _read_as_inconsistency_until_a_storm(per_hour: float, event: str = "weather:thunderstorm"
                                         ) -> dict[int, set[str]] | None:
    """A humidity ramp of ``per_hour`` stepping back, read as an inconsistency's start whose flags
    a weather event (a thunderstorm) reported 30 readings on closes: what the check flags, or None
    if the same flags without the report (the inconsistency stepping back) flag anything."""
    series = _with_drift(_weather(), 1, per_hour, 180)
    reasons: dict[int, tuple[str, ...]] = {
        seq: ("inconsistent",) for seq in range(STEP, STEP + 30)}
    if _flagged(series, reasons):
        return None
    reasons[STEP + 30] = (event,)
    return _flagged(series, reasons)


def test_a_humidity_drifts_end_read_as_an_inconsistency_a_storm_closes_is_drift():
    # Out of air at ~23 %: the inconsistency's flags ran unbroken up to the storm's report.
    flagged = _read_as_inconsistency_until_a_storm(-10.0)
    assert flagged and max(flagged) == STEP - 1 and min(flagged) <= STEP - 150
    # A front's report there may be the inconsistency's own step back (the dew point falling).
    assert _read_as_inconsistency_until_a_storm(-10.0, "weather:front") == {}


def test_an_inconsistency_a_storm_closes_out_of_moist_air_is_no_drift_end():
    # Out of air at ~95 % (over MOIST_PCT): where an inconsistency's start fits a ramp undone.
    assert _read_as_inconsistency_until_a_storm(14.0) == {}
    series = _with_drift(_weather(), 1, 14.0, 180)
    assert _flagged(series, {seq: ("inconsistent",) for seq in range(STEP, STEP + 90)})


def _front_cooling_then_thermometer_drift(seed: int = 1) -> list[tuple[float, float, float]]:
    """Humid air (97 %) cooled 3 °C by a front's passage over seq 100-140 (the look-back's
    start), then level, and a thermometer drifting down 2.6 °C/h from 185 up to the step (the
    humidity sensor reads the air: the dew point follows the thermometer)."""
    rng = random.Random(seed)
    series = []
    for seq in range(480):
        temperature = 12.0 - 3.0 * min(1.0, max(0.0, (seq - 100) / 40))
        bias = -2.6 / 60 * (seq - 184) if 185 <= seq < STEP else 0.0
        series.append((round(temperature + bias + rng.gauss(0, 0.1), 1),
                       round(97.0 + rng.gauss(0, 0.5), 1),
                       round(1010.0 + 0.02 * min(seq, 140) + rng.gauss(0, 0.05), 2)))
    return series


def test_a_thermometer_ramp_after_a_fronts_cooling_is_fitted_from_after_the_passage():
    # The front's fall at the look-back's start bends every line through all of it; from a
    # later start the ramp is plain.
    series = _front_cooling_then_thermometer_drift()
    assert not _flagged(series)  # no weather reported: the whole look-back alone
    flagged = _flagged(series, reasons={100: ("weather:front",)})
    assert {reason for reasons in flagged.values() for reason in reasons} == \
        {"drift:temperature_c"}
    assert max(flagged) == STEP - 1 and abs(min(flagged) - 185) <= 10
