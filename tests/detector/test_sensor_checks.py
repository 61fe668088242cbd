"""Each check of a sensor's model on hand-made readings: what it catches, what it lets pass."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from streamml.contracts.weather import CHANNELS, dew_point, relative_humidity
from streamml.detector.scoring import SCORED, WARMING_UP, SensorScorer
from streamml.detector.sensor import (
    BRACKET_AFTER, CEILING_NEAR_READINGS, DRIFT_CONFIRM, NEAR_LIMIT_HOLD_READINGS,
    RUN_DEW_MIN_REPEATS, SensorModel,
    _lone_spike_steps)
from streamml.detector.thresholds import Thresholds
from streamml.sensors.network import PARAMS, SensorNetwork

THRESHOLDS = Thresholds()


def _weather(seq: int, rng: random.Random, resolution=(0.01, 0.1, 0.01),
             noise=(0.1, 0.8, 0.05)) -> tuple[float, float, float]:
    """A calm day: a slow temperature cycle, constant dew point, a pressure tide."""
    temperature = 15 + 3 * math.sin(seq / 229) + rng.gauss(0, noise[0])
    humidity = relative_humidity(temperature, 8.0) + rng.gauss(0, noise[1])
    pressure = 1012 + 0.5 * math.sin(seq / 115) + rng.gauss(0, noise[2])
    return tuple(round(round(v / r) * r, 2) for v, r in  # type: ignore[return-value]
                 zip((temperature, min(humidity, 100.0), pressure), resolution))


def _run(values: list[tuple[float, float, float]]) -> dict[int, tuple[str, ...]]:
    scorer = SensorScorer(THRESHOLDS, lambda: 0)
    flagged: dict[int, tuple[str, ...]] = {}
    for seq, reading in enumerate(values):
        verdict = scorer.score("s", seq, seq * 60_000, reading)
        for flag in verdict.flags:
            flagged[flag.seq] = flag.reasons
    return flagged


def _stream(n: int = 900, seed: int = 1, **kwargs) -> list[tuple[float, float, float]]:
    rng = random.Random(seed)
    return [_weather(seq, rng, **kwargs) for seq in range(n)]


def test_a_healthy_sensor_raises_nothing_and_warms_up_first():
    scorer = SensorScorer(THRESHOLDS, lambda: 0)
    values = _stream()
    statuses = [scorer.score("s", seq, seq, v).status for seq, v in enumerate(values)]
    assert statuses[:THRESHOLDS.warmup - 1] == [WARMING_UP] * (THRESHOLDS.warmup - 1)
    assert statuses[-1] == SCORED
    assert _run(values) == {}


def test_station_resolution_repeats_are_not_stuck():
    values = _stream(resolution=(0.1, 1.0, 0.1), noise=(0.05, 0.4, 0.04))
    assert sum(a == b for a, b in zip(values, values[1:])) > 20, "exact repeats happen"
    assert _run(values) == {}


def test_a_stuck_channel_is_flagged_from_its_first_repeat_to_its_end_and_not_after():
    values = _stream()
    held = values[399][2]
    values[400:430] = [(t, h, held) for t, h, _ in values[400:430]]
    flagged = _run(values)
    assert set(flagged) == set(range(400, 430))
    assert all(reasons == ("stuck:pressure_hpa",) for reasons in flagged.values())


def test_a_short_run_on_a_channel_whose_noise_spans_its_steps_is_stuck():
    """Pressure at 0.01 hPa with noise of 0.05 hPa (five steps) repeats one reading in 10-20,
    each repeat its own noise's rounding: 7 repeats are 16-21 nats by the repeat rate and 18
    by the quantised chance. Its 25-31 learnt healthy runs (of 1 or 2 repeats) gave a tail
    extrapolated from a few short runs that capped the run at 9.6 nats (each was missed)."""
    for seed in (1, 2, 4):
        assert _run(_stream(seed=seed)) == {}, seed
        for start in (400, 600, 800):
            values = _stream(seed=seed)
            held = values[start - 1][2]
            values[start:start + 7] = [(t, h, held) for t, h, _ in values[start:start + 7]]
            flagged = _run(values)
            began = _run_edge(values, start - 1, 2, -1)
            assert set(range(start, start + 7)) <= set(flagged) <= set(range(began, start + 8)), (
                seed, start, sorted(flagged))
            assert all(rs == ("stuck:pressure_hpa",) for rs in flagged.values()), (seed, start)


def test_a_run_twice_as_long_as_any_learnt_healthy_run_is_not_bounded_by_them():
    """Station pressure at 0.1 hPa with noise of 0.07 hPa (under a step) repeats one reading in
    three: its learnt runs' tail (none longer than about 10 repeats) capped a stuck run of 20
    repeats under the threshold, though its repeat rate and quantised chance both say it is
    rarer (each was missed); past twice the longest learnt run the tail does not bound it."""
    station = dict(resolution=(0.1, 1.0, 0.1), noise=(0.05, 0.4, 0.07))
    assert _run(_stream(seed=3, **station)) == {}
    for start in (400, 600, 800):
        values = _stream(seed=3, **station)
        held = values[start - 1][2]
        values[start:start + 20] = [(t, h, held) for t, h, _ in values[start:start + 20]]
        flagged = _run(values)
        began, ended = _run_edge(values, start, 2, -1), _run_edge(values, start, 2, 1)
        assert set(range(start, start + 20)) <= set(flagged) <= set(range(began, ended + 1)), (
            start, sorted(flagged))
        assert all(rs == ("stuck:pressure_hpa",) for rs in flagged.values()), start


def test_a_humidity_held_inside_an_inconsistency_leaves_no_gap_in_its_flags():
    """Humidity 9 °C of dew point off the temperature for 100 readings, held on one value for 25
    of them: a stuck flag on the held run, past twice the longest learnt run, ended the
    inconsistency's flag early and left readings of it unflagged (`final-11` 1201-009)."""
    values = _stream(seed=1, resolution=(0.1, 1.0, 0.1), noise=(0.05, 0.6, 0.07))
    values[500:600] = [(t, float(round(relative_humidity(t, dew_point(t, h) - 9.0))), p)
                       for t, h, p in values[500:600]]
    held = values[539][1]
    values[540:565] = [(t, held, p) for t, _, p in values[540:565]]
    flagged = _run(values)
    assert set(range(500, 565)) <= set(flagged), sorted(set(range(500, 565)) - set(flagged))


def test_a_dropout_to_an_in_range_constant_is_a_dropout():
    values = _stream()
    values[500:540] = [(0.0, h, p) for _, h, p in values[500:540]]
    flagged = _run(values)
    assert set(flagged) == set(range(500, 540))
    assert flagged[500] == ("dropout:temperature_c",)


def test_a_jump_no_weather_makes_then_a_repeat_is_a_dropout_at_once():
    """A calm station's temperature repeats nearly every reading, so a run of repeats is weak
    evidence; a jump of 40 °C in one reading is no weather, and its first repeat decides
    (`final-7` 803-018: 0.3 °C, then -40.0 for 18 readings, never flagged)."""
    values = _stream(resolution=(0.1, 1.0, 0.1), noise=(0.01, 0.4, 0.04))
    assert sum(a[0] == b[0] for a, b in zip(values, values[1:])) > 0.8 * len(values)
    assert _run(values) == {}
    values[500:518] = [(-40.0, h, p) for _, h, p in values[500:518]]
    flagged = _run(values)
    assert set(flagged) == set(range(500, 518))
    assert all(reasons == ("dropout:temperature_c",) for reasons in flagged.values())


def test_a_spike_is_flagged_one_reading_later_and_nothing_else():
    values = _stream()
    t, h, p = values[600]
    values[600] = (t, h, round(p + 0.4, 2))  # 8 noise widths
    assert _run(values) == {600: ("spike:pressure_hpa",)}


def _with_small_pressure_spike(size: float) -> list[tuple[float, float, float]]:
    """A healthy stream (pressure noise 0.05 hPa) whose pressure at 598-602 lies on its smooth
    tide, plus ``size`` at 600 alone."""
    values = _stream()
    for seq in range(598, 603):
        t, h, _ = values[seq]
        tide = 1012 + 0.5 * math.sin(seq / 115)
        values[seq] = (t, h, round(tide + (size if seq == 600 else 0.0), 2))
    return values


def test_a_smaller_spike_is_flagged_two_readings_later_against_two_neighbours_each_side():
    # 4.7 noise widths (learnt 0.051): 3.8 off the line through one neighbour each side, 4.2
    # off the mean of two each side
    values = _with_small_pressure_spike(0.24)
    assert _run(values) == {600: ("spike:pressure_hpa",)}
    one_each_side = Thresholds(spike_near_z=THRESHOLDS.spike_z)
    scorer = SensorScorer(one_each_side, lambda: 0)
    flagged = {flag.seq for seq, v in enumerate(values)
               for flag in scorer.score("s", seq, seq * 60_000, v).flags}
    assert flagged == set(), "the one-reading check alone misses it"


def _with_pressure_zigzag(first: float, second: float) -> list[tuple[float, float, float]]:
    """A healthy stream (pressure noise 0.05 hPa) whose pressure at 597-603 lies on its smooth
    tide, plus ``first`` at 599 and ``second`` at 600."""
    values = _stream()
    for seq in range(597, 604):
        t, h, _ = values[seq]
        tide = 1012 + 0.5 * math.sin(seq / 115)
        values[seq] = (t, h, round(tide + {599: first, 600: second}.get(seq, 0.0), 2))
    return values


def test_a_spike_seen_first_from_the_reading_before_it_is_flagged_and_not_that_reading():
    # 599 is 3 noise widths under the tide, 600 six over it: 599 stands 5 widths off the line
    # through 598 and 600 and comes back, but the fall out of it is larger than the rise into
    # it (a healthy pair's step); one reading later 600 is the one off the line through the rest.
    assert _run(_with_pressure_zigzag(-0.16, 0.3)) == {600: ("spike:pressure_hpa",)}
    # The other way round: 599 is the spike (5.3 widths), 600 a healthy reading under the tide.
    assert _run(_with_pressure_zigzag(0.27, -0.08)) == {599: ("spike:pressure_hpa",)}


def test_a_late_spike_is_read_repaired_while_its_decision_waits():
    """Until one reading later decides it, a late spike reads as its repair (the inconsistency
    check caches the dew point of the newest reading but one: final-24 sim-2501-028 read a late
    humidity spike's raw value and flagged 46 readings of a front's dry air), and as it was
    read once its neighbour turns out to be the spike."""
    values = _with_pressure_zigzag(-0.16, 0.3)
    model = SensorModel(THRESHOLDS)
    for seq in range(601):
        model.update(seq, seq * 60_000, values[seq], 0)
    waiting = model._recent[-2]
    assert waiting.seq == 599 and waiting.late_spikes == (2,)
    assert waiting.repaired[2] == pytest.approx((values[598][2] + values[600][2]) / 2)
    model.update(601, 601 * 60_000, values[601], 0)
    assert waiting.repaired[2] == values[599][2]


def test_a_step_is_no_smaller_spike():
    values = _stream()
    values[600:] = [(t, h, round(p + 0.24, 2)) for t, h, p in values[600:]]
    assert 600 not in _run(values)


def _with_shade_turning(spike: float = 0.0) -> list[tuple[float, float, float]]:
    """A quiet healthy stream (final-25's consumer noise: 0.03 C, 0.3 %, 0.02 hPa) shaded by
    2 C from 560, the sun out over 590-594 and shaded again: the air relaxes a quarter of the
    way to each new level a minute, so it rises ever slower to 594 and turns down (the
    humidity at a constant dew point); plus ``spike`` on the thermometer at 594."""
    rng = random.Random(1)
    shade, values = 0.0, []
    for seq in range(900):
        shade += ((0.0 if 590 <= seq < 595 else 2.0 if seq >= 560 else 0.0) - shade) / 4.0
        temperature = 15 + 3 * math.sin(seq / 229) - shade + rng.gauss(0, 0.03) + \
            (spike if seq == 594 else 0.0)
        humidity = relative_humidity(temperature, 8.0) + rng.gauss(0, 0.3)
        pressure = 1012 + 0.5 * math.sin(seq / 115) + rng.gauss(0, 0.02)
        values.append((round(temperature, 2), round(min(humidity, 100.0), 1), round(pressure, 2)))
    return values


def test_a_shade_turning_is_no_spike_and_a_spike_off_its_course_is():
    # 594 rose 0.16 C after a step of 0.23 C and fell 0.40 C: 6 noise widths off the line through
    # its neighbours, but on the course of the two readings before it (SPIKE_OFF_COURSE).
    values = _with_shade_turning()
    assert [values[seq][0] for seq in range(592, 596)] == [15.73, 15.96, 16.12, 15.72]
    assert _run(values) == {}
    assert _run(_with_shade_turning(spike=0.3)) == {594: ("spike:temperature_c",)}


# final-22's station sensors: every channel in 0.275 steps (2.75 % humidity), noise a quarter
# of a step on the barometer and the thermometer.
_COARSE = {"resolution": (0.275, 2.75, 0.275), "noise": (0.07, 0.7, 0.07)}


def _with_coarse_spike(channel: int, steps: int) -> list[tuple[float, float, float]]:
    """A healthy coarse stream whose ``channel`` lies on its rounded smooth course at 594-606,
    plus ``steps`` of its steps at 600 alone."""
    values = _stream(**_COARSE)
    step = _COARSE["resolution"][channel]
    for seq in range(594, 607):
        course = (15 + 3 * math.sin(seq / 229), 0.0, 1012 + 0.5 * math.sin(seq / 115))[channel]
        reading = list(values[seq])
        reading[channel] = round((round(course / step) + (steps if seq == 600 else 0)) * step, 2)
        values[seq] = (reading[0], reading[1], reading[2])
    return values


def test_a_coarse_barometers_small_spike_is_judged_against_six_readings_each_side():
    # 2 steps (0.55 hPa, 7.9 noise widths): 3.3 half-step floors off the line through its
    # neighbours, under the spike checks' bar; 5 spreads of noise and rounding off the line
    # through six readings each side, which lie on it, and straight back.
    assert _run(_stream(**_COARSE)) == {}
    assert _run(_with_coarse_spike(2, 2)) == {600: ("spike:pressure_hpa",)}


def test_a_coarse_barometers_spike_two_steps_out_and_one_back_is_a_level_spike():
    # final-25 sim-2602-023 @1141: 2 steps under the line, the next reading 1 step under it,
    # so it comes back one step of two (under LEVEL_SPIKE_BACK's share); two steps off its
    # neighbour before, it is no healthy blip of one step out and one back.
    values = _with_coarse_spike(2, -2)
    t, h, p = values[601]
    values[601] = (t, h, round(p - 0.275, 2))
    assert _run(values) == {600: ("spike:pressure_hpa",)}
    # One step out and one back is what a healthy barometer shows at a step's edge.
    assert _run(_with_coarse_spike(2, -1)) == {}


def test_a_coarse_barometers_step_is_no_level_spike():
    values = _stream(**_COARSE)
    values[600:] = [(t, h, round(p + 0.55, 2)) for t, h, p in values[600:]]
    assert 600 not in _run(values)


def test_a_coarse_thermometers_small_spike_is_not_judged_against_six_readings_each_side():
    # A cloud's edge moves the air's temperature and back in a minute: only barometers are.
    assert _run(_with_coarse_spike(0, 2)) == {}


def _with_lone_humidity_step(steps: int, temperature_steps: int = 0
                             ) -> list[tuple[float, float, float]]:
    """The coarse stream, whose humidity reads 57.75 % at 604-629 (six readings each side of
    616 on one value), with ``steps`` of its steps at 616 alone and the thermometer moved
    ``temperature_steps`` of its own there."""
    values = _stream(**_COARSE)
    assert {h for _, h, _ in values[604:630]} == {57.75}
    t, h, p = values[616]
    values[616] = (round(t + temperature_steps * 0.275, 2), round(h + steps * 2.75, 2), p)
    return values


def test_a_calm_humiditys_reading_two_steps_off_a_level_its_neighbours_never_left_is_a_spike():
    # 2 steps (5.5 %, 7.9 noise widths) off 57.75 %, read by both neighbours and by all twelve
    # around it: 3.3 half-step floors off its neighbours, under the spike checks' bar
    # (LONE_SPIKE_STEPS; final-28 sim-2905-014 @2066).
    assert _run(_with_lone_humidity_step(2)) == {616: ("spike:humidity_pct",)}
    assert _run(_with_lone_humidity_step(-2)) == {616: ("spike:humidity_pct",)}
    # One step out and back is a healthy blip at a step's edge.
    assert _run(_with_lone_humidity_step(1)) == {}
    # The thermometer two steps down with it: the air moved (a shade), not judged so.
    assert 616 not in _run(_with_lone_humidity_step(2, temperature_steps=-2))


def test_a_lone_spike_stands_two_steps_off_a_level_none_of_its_neighbours_stepped_towards():
    level = [10.0] * 6
    assert _lone_spike_steps(level + [10.4] + level, 0.2) == pytest.approx(2.0)
    assert _lone_spike_steps(level + [9.6] + level, 0.2) == pytest.approx(2.0)
    # A neighbour a step towards it: the level may sit at its step's edge.
    assert _lone_spike_steps([10.2] + level[1:] + [10.4] + level, 0.2) == 0.0
    # Neighbours a step away are no such sign; two steps away, a course climbing to a peak.
    assert _lone_spike_steps([9.8] + level[1:] + [10.4] + level, 0.2) == pytest.approx(2.0)
    assert _lone_spike_steps([9.6] + level[1:] + [10.4] + level, 0.2) == 0.0
    # Its two neighbours on different values, or one step out: none.
    assert _lone_spike_steps(level + [10.4] + [9.8] + level[1:], 0.2) == 0.0
    assert _lone_spike_steps(level + [10.2] + level, 0.2) == 0.0


def test_a_noise_burst_is_flagged_and_the_end_of_it_raises_no_alarm():
    values = _stream()
    rng = random.Random(3)
    values[500:540] = [(round(t + rng.gauss(0, 1.2), 2), h, p) for t, h, p in values[500:540]]
    flagged = _run(values)
    assert len(set(flagged) & set(range(500, 540))) >= 30
    assert all(r[0].startswith(("noise:temperature_c", "spike:temperature_c"))
               for r in flagged.values())
    assert not set(flagged) - set(range(498, 544))


def test_humidity_that_does_not_fit_the_temperature_is_inconsistent():
    values = _stream()
    shifted = [(t, round(relative_humidity(t, dew_point(t, h) - 9.0), 1), p)
               for t, h, p in values[500:530]]
    values[500:530] = shifted
    flagged = _run(values)
    assert set(flagged) == set(range(500, 530))
    assert set(flagged.values()) == {("inconsistent",)}


def _dry_day(seq: int, rng: random.Random, humidity_noise: float = 2.0,
             ) -> tuple[float, float, float]:
    """A hot, dry day read by a cheap sensor: a 20 °C daily cycle under a dew point near 0 °C
    (humidity 10-40 %, where one percent of humidity is more than a degree of dew point)."""
    cycle = math.sin(2 * math.pi * seq / 1440)
    temperature = 25 + 10 * cycle + rng.gauss(0, 0.3)
    humidity = relative_humidity(temperature, 1.5 * cycle) + rng.gauss(0, humidity_noise)
    pressure = 1010 + 0.8 * math.sin(seq / 229) + rng.gauss(0, 0.15)
    return (round(temperature, 1), round(min(max(humidity, 1.0), 100.0), 1), round(pressure, 1))


def test_noisy_humidity_in_dry_air_is_not_inconsistent():
    for seed in range(1, 5):
        rng = random.Random(seed)
        flagged = _run([_dry_day(seq, rng) for seq in range(1440)])
        assert not [seq for seq, reasons in flagged.items() if "inconsistent" in reasons]


def test_humidity_that_does_not_fit_the_temperature_is_inconsistent_in_dry_air_too():
    rng = random.Random(5)
    values = [_dry_day(seq, rng, humidity_noise=1.0) for seq in range(1440)]
    values[700:740] = [(t, round(relative_humidity(t, dew_point(t, h) + 9.0), 1), p)
                       for t, h, p in values[700:740]]
    flagged = _run(values)
    caught = [seq for seq, reasons in flagged.items() if "inconsistent" in reasons]
    assert len(set(caught) & set(range(700, 740))) >= 0.8 * 40
    assert set(caught) <= set(range(700, 740))


def test_humidity_rising_over_minutes_as_rain_sets_in_is_not_inconsistent():
    """The dew point climbs ever faster, 8 °C in a quarter of an hour, while the temperature
    barely moves: fast, but a trend that bends, not a step within one reading."""
    values = _stream(resolution=(0.1, 1.0, 0.1), noise=(0.05, 0.4, 0.04))
    for i in range(500, 900):
        t, h, p = values[i]
        moist = 8.0 * min(1.0, ((i - 500) / 15) ** 2)
        values[i] = (t, round(min(100.0, relative_humidity(t, dew_point(t, h) + moist))), p)
    flagged = _run(values)
    assert not [seq for seq, reasons in flagged.items() if "inconsistent" in reasons]


def _saturating_dry_day(seed: int) -> list[tuple[float, float, float]]:
    """A dry day (dew points 20-30 °C under the temperature) with rain from reading 600: over
    an hour and a half the air cools by 4 °C and its dew point rises to the temperature, it
    stays saturated for an hour and a half, and dries out again over two hours from 780."""
    rng = random.Random(seed)
    values = [_dry_day(seq, rng, humidity_noise=1.0) for seq in range(1100)]
    for seq in range(600, 1100):
        t, h, p = values[seq]
        wet = math.sin(math.pi / 2 * min(1.0, (seq - 600) / 90)) ** 2 if seq < 780 else \
            max(0.0, 1 - (seq - 780) / 120)
        cooled = t - 4.0 * wet
        dry_dew_point = min(dew_point(t, h), cooled)
        wet_dew_point = dry_dew_point + wet * (cooled - dry_dew_point)
        values[seq] = (round(cooled, 1),
                       round(min(100.0, relative_humidity(cooled, wet_dew_point + 0.05)), 1), p)
    return values


def _assert_only_a_drier_step_in_the_saturated_spell_is_inconsistent(
        values: list[tuple[float, float, float]]) -> None:
    """The day alone raises no inconsistency; its readings 730-750, in the rain's saturated
    spell, read 12 °C of dew point drier are flagged, at least four in five of them, and
    nothing else is."""
    clean = _run(values)
    assert not [seq for seq, reasons in clean.items() if "inconsistent" in reasons]
    values[730:750] = [(t, round(relative_humidity(t, dew_point(t, h) - 12.0), 1), p)
                       for t, h, p in values[730:750]]
    flagged = _run(values)
    caught = [seq for seq, reasons in flagged.items() if "inconsistent" in reasons]
    assert len(set(caught) & set(range(730, 750))) >= 0.8 * 20
    assert set(caught) <= set(range(730, 750))


def test_a_humidity_step_out_of_saturated_air_is_inconsistent():
    """In saturated air a reading as dry as the sensor's usual air, at the same temperature,
    is no return from an unseen inconsistency: rain ends over tens of minutes, with the
    temperature. The rain itself, its saturated spell and its end raise nothing."""
    values = _saturating_dry_day(seed=6)
    assert all(h == 100.0 for _, h, _ in values[700:780])
    _assert_only_a_drier_step_in_the_saturated_spell_is_inconsistent(values)


def _noisy_saturating_dry_day(seed: int) -> list[tuple[float, float, float]]:
    """The dry day with rain above, read by a cheap humidity channel (noise 3 %) throughout,
    its rain's air saturated to within that noise (96.5 %): it reads 88-100 %, cut at the
    limit, its dew point on average more than 0.5 °C under the temperature."""
    rng = random.Random(seed)
    values = _saturating_dry_day(seed)
    for seq in range(len(values)):
        t, h, p = values[seq]
        h -= 3.5 if h >= 100.0 else 0.0
        values[seq] = (t, round(min(100.0, max(1.0, h + rng.gauss(0, 3.0))), 1), p)
    return values


def test_a_humidity_step_out_of_noisy_saturated_air_is_inconsistent():
    """A noisy humidity's saturated air reads on average under 100 %, its fitted dew point a
    fraction of a degree more under the temperature than SATURATED_DEPRESSION_C: a step from
    there to the dry climate's usual air is still a step out of saturated air, judged, not let
    go as the end of an unseen inconsistency (final-24 sim-2502-006)."""
    values = _noisy_saturating_dry_day(seed=6)
    _assert_only_a_drier_step_in_the_saturated_spell_is_inconsistent(values)


def _rain_in_dry_climate() -> tuple[list[tuple[float, float, float]], list[int]]:
    """The first 1,200 readings of `final-11`'s (seed 1202, a mediterranean climate,
    development data since the thirteenth round) sensor 23, a station-grade sensor, and the
    readings of its inconsistent fault: its humidity drops from 95 % to 64 % in the rain ahead
    of a front, the temperature unchanged, for 51 readings."""
    network = SensorNetwork(24, 0, "sim-", 1202, 0.004, PARAMS["final-11"])
    values, faulty = [], []
    for seq in range(1200):
        reading = network.tick()[23]
        values.append(reading.values)
        if reading.truth.kind == "inconsistent":
            faulty.append(seq)
    return values, faulty


def test_a_humidity_drop_out_of_rain_and_its_return_are_one_inconsistency():
    """A humidity that drops out of rain's moist air towards a dry climate's usual humidity
    looks like the end of an inconsistency the check did not see begin; when it comes back to
    the rain's level, the readings between were the inconsistency, and the return is no new
    one."""
    values, faulty = _rain_in_dry_climate()
    assert faulty[0] == 136 and faulty[17] == 1109 and faulty[-1] == 1159  # two faults
    flagged = _run(values)
    caught = {seq for seq, reasons in flagged.items() if "inconsistent" in reasons}
    assert len(caught & set(faulty[17:])) >= 0.8 * len(faulty[17:])
    assert not caught - set(faulty)


def _saturated_since_start(seed: int) -> list[tuple[float, float, float]]:
    """A station-grade sensor in fog from its first reading (humidity 100 %: no humidity noise
    to learn), that clears from reading 700 as the air warms by 3 °C over two hours."""
    rng = random.Random(seed)
    values = []
    for seq in range(1000):
        base = 24 + 0.5 * math.sin(2 * math.pi * seq / 1440)
        temperature = base + 3.0 * min(1.0, max(0.0, (seq - 700) / 120))
        humidity = relative_humidity(temperature, base) + 2.0 + rng.gauss(0, 0.4)
        pressure = 1008 + 0.5 * math.sin(seq / 229) + rng.gauss(0, 0.04)
        values.append((round(temperature + rng.gauss(0, 0.05), 1),
                       round(min(100.0, humidity)), round(pressure, 1)))
    return values


def test_a_humidity_step_out_of_air_saturated_since_the_start_is_inconsistent():
    """A humidity channel that has read only its limit has learnt no noise; a step to dry air
    at the same temperature is still inconsistent, judged as if the sensor were as noisy as
    the noisiest class. The fog clearing as the air warms raises nothing."""
    values = _saturated_since_start(seed=3)
    assert all(h == 100.0 for _, h, _ in values[:400])
    clean = _run(values)
    assert not [seq for seq, reasons in clean.items() if "inconsistent" in reasons]
    rng = random.Random(4)
    values[400:430] = [(t, round(55 + rng.gauss(0, 1.0)), p) for t, _, p in values[400:430]]
    flagged = _run(values)
    caught = [seq for seq, reasons in flagged.items() if "inconsistent" in reasons]
    assert len(set(caught) & set(range(400, 430))) >= 0.8 * 30
    assert set(caught) <= set(range(400, 430))


def _cold_moist_day(seed: int) -> list[tuple[float, float, float]]:
    """Polar air read by a cheap sensor: -25 °C with a small daily cycle, the dew point about
    2.8 °C under the temperature (humidity ~ 78 %: even saturated air is then only 2.8 °C of
    dew point away, under the check's 3 °C floor)."""
    rng = random.Random(seed)
    values = []
    for seq in range(1100):
        cycle = math.sin(2 * math.pi * seq / 1440)
        temperature = -25 + 0.8 * cycle + rng.gauss(0, 0.3)
        dew = -27.8 + 0.3 * 0.8 * cycle
        humidity = relative_humidity(temperature, dew) + rng.gauss(0, 1.5)
        pressure = 1010 + 0.8 * math.sin(seq / 229) + rng.gauss(0, 0.15)
        values.append((round(temperature, 1), round(min(max(humidity, 1.0), 100.0), 1),
                       round(pressure, 1)))
    return values


def test_humidity_stepping_into_saturation_at_the_same_temperature_is_inconsistent():
    """A step that ends at 100 % is cut there: the dew point cannot pass the temperature, so
    the step is as large as the air allows, however small its depression. 30 readings of
    humidity 8 °C of dew point too moist (read 100 %) are flagged."""
    for seed in range(1, 4):
        values = _cold_moist_day(seed)
        values[700:730] = [(t, round(min(100.0, relative_humidity(t, dew_point(t, h) + 8.0)), 1),
                            p) for t, h, p in values[700:730]]
        assert all(h == 100.0 for _, h, _ in values[700:730])
        flagged = _run(values)
        caught = [seq for seq, reasons in flagged.items() if "inconsistent" in reasons]
        assert len(set(caught) & set(range(700, 730))) >= 0.8 * 30, seed
        assert set(caught) <= set(range(700, 730)), seed


def test_cold_air_saturating_over_minutes_is_not_inconsistent():
    """The same cold, moist air saturated by rain over a quarter of an hour, the temperature
    barely moving: a trend that bends into the limit, not a step within one reading."""
    for seed in range(1, 4):
        values = _cold_moist_day(seed)
        for i in range(600, 1100):
            t, h, p = values[i]
            moist = 3.0 * min(1.0, ((i - 600) / 15) ** 2)
            values[i] = (t, round(min(100.0, relative_humidity(t, dew_point(t, h) + moist)), 1),
                         p)
        flagged = _run(values)
        assert not [seq for seq, reasons in flagged.items() if "inconsistent" in reasons], seed


def _storm_clearing(seed: int, dry_after: float | None = None) -> list[tuple[float, float, float]]:
    """Humid air (dew point 2 °C under the temperature) with a thunderstorm's saturated spell
    at 500-700; at 700 the storm clears and the air warms 2.5 °C within two minutes, its
    dew point still the storm's (``dry_after``: the sensor's humidity reads that much dew
    point too dry from there on)."""
    rng = random.Random(seed)
    values = []
    for seq in range(1000):
        base = 24 + math.sin(2 * math.pi * seq / 1440)
        cooled = base - 2.5 * (1.0 - min(1.0, max(0.0, (seq - 699) / 2))) if seq >= 500 else base
        dew = cooled if 500 <= seq < 700 else base - 2.0
        if seq >= 700:
            dew = min(cooled, base - 2.5 + 0.5 * math.exp(-(seq - 700) / 60))
            if dry_after is not None and seq < 760:
                dew -= dry_after
        temperature = cooled + rng.gauss(0, 0.1)
        humidity = relative_humidity(temperature, dew) + rng.gauss(0, 0.8)
        pressure = 1008 + 0.5 * math.sin(seq / 229) + rng.gauss(0, 0.05)
        values.append((round(temperature, 2), round(min(100.0, humidity), 1),
                       round(pressure, 2)))
    return values


def test_humidity_drying_as_a_storm_clears_and_the_air_warms_is_inconsistent():
    """Warming air leaves the moisture where it was: a dew point 6 °C lower at the reading the
    air warms 2.5 °C is no weather's, though the temperature's step is over 0.3 of the dew
    point's. The storm's clearing itself raises nothing. (Seeds 4-6: on seed 3 the warming
    within two minutes reads as a temperature dropout, which holds the check.)"""
    for seed in range(4, 7):
        clean = _run(_storm_clearing(seed))
        assert not [seq for seq, reasons in clean.items() if "inconsistent" in reasons], seed
        flagged = _run(_storm_clearing(seed, dry_after=6.0))
        caught = [seq for seq, reasons in flagged.items() if "inconsistent" in reasons]
        assert len(set(caught) & set(range(700, 760))) >= 0.8 * 60, seed
        assert set(caught) <= set(range(700, 760)), seed


def test_a_steadily_growing_pressure_bias_is_drift_and_its_repair_is_not_an_alarm():
    values = _stream()
    values[400:580] = [(t, h, round(p + 3.0 / 60 * (i + 1), 2))
                       for i, (t, h, p) in enumerate(values[400:580])]
    flagged = _run(values)
    caught = set(flagged) & set(range(400, 580))
    assert len(caught) >= 0.8 * 180
    assert {r for reasons in flagged.values() for r in reasons} == {"drift:pressure_hpa"}
    assert not set(flagged) - set(range(390, 580))


def test_a_thunderstorm_is_a_weather_event_not_a_fault():
    """7 °C colder within ten minutes, a 3 hPa pressure jump, the air saturated by the rain,
    then a slow recovery: fast, but every channel agrees."""
    values = _stream(1200)
    for i in range(400, 1200):
        t, h, p = values[i]
        since = i - 400
        cool = 7.0 * min(1.0, since / 8) * math.exp(-max(0, since - 30) / 90)
        jump = 3.0 * min(1.0, since / 6) * math.exp(-max(0, since - 20) / 30)
        cooled = t - cool
        moist = min(1.0, since / 5) * math.exp(-max(0, since - 60) / 40)
        dew = 8.0 + moist * (cooled - 8.0)
        values[i] = (round(cooled, 2), round(relative_humidity(cooled, dew), 1),
                     round(p + jump, 2))
    flagged = _run(values)
    assert flagged and all(r[0].startswith("weather") for r in flagged.values()), flagged
    assert list(flagged.values())[0] == ("weather:thunderstorm",)


def _thunderstorm(values: list[tuple[float, float, float]], start: int, drop: float = 7.0,
                  jump_hpa: float = 3.0, jump_decay: float = 30.0, jump_holds: int = 20) -> None:
    """A storm from ``start`` on: colder within ten minutes, a pressure jump that decays after
    ``jump_holds`` minutes, the air saturated by the rain for an hour."""
    for i in range(start, len(values)):
        t, h, p = values[i]
        since = i - start
        cool = drop * min(1.0, since / 8) * math.exp(-max(0, since - 30) / 90)
        jump = jump_hpa * min(1.0, since / 6) * math.exp(-max(0, since - jump_holds) / jump_decay)
        cooled = t - cool
        moist = min(1.0, since / 5) * math.exp(-max(0, since - 60) / 40)
        dew = dew_point(t, h) + moist * (cooled - dew_point(t, h))
        values[i] = (round(cooled, 2), round(min(100.0, relative_humidity(cooled, dew)), 1),
                     round(p + jump, 2))


def test_a_thunderstorm_in_a_fronts_wake_is_weather_and_so_is_its_pressure_decay():
    """A cold front (pressure up 2 hPa, 3 °C colder, drier), then an hour later a storm whose
    5 hPa jump decays at up to 7 hPa/h for two hours: the storm is reported and holds the
    drift check while its jump decays, though the front's hold was still on."""
    values = _stream(1300)
    for i in range(300, 1300):
        t, h, p = values[i]
        passed = min(1.0, (i - 300) / 30)
        cooled = t - 3.0 * passed
        dew = 8.0 - 4.0 * passed
        values[i] = (round(cooled, 2), round(relative_humidity(cooled, dew), 1),
                     round(p + 2.0 * passed, 2))
    _thunderstorm(values, 420, drop=8.0, jump_hpa=5.0, jump_decay=40.0)
    flagged = _run(values)
    assert flagged and all(r[0].startswith("weather") for r in flagged.values()), flagged
    events = [r for r in flagged.values()]
    assert ("weather:front",) in events and ("weather:thunderstorm",) in events, flagged
    assert events.count(("weather:thunderstorm",)) == 1, flagged


def test_a_storms_pressure_jump_decaying_after_the_hold_is_weather_not_drift():
    """A long storm (or one storm after another) keeps its 4 hPa jump for four hours, then it
    decays at up to 8 hPa/h: still the storm's, since the pressure is above its level before
    the storm."""
    values = _stream(1300)
    _thunderstorm(values, 400, drop=6.0, jump_hpa=4.0, jump_decay=30.0, jump_holds=240)
    flagged = _run(values)
    assert flagged[404] == ("weather:thunderstorm",), flagged
    assert not [r for reasons in flagged.values() for r in reasons if r.startswith("drift")]


def test_a_storms_pressure_jump_decaying_onto_a_fronts_fall_is_weather_not_drift():
    """Saturated air ahead of a front (the pressure falling 1.2 hPa/h), a storm's 1.8 hPa jump,
    and a second jump 100 minutes later whose 2 °C dip is no new storm: the pressure is back at
    its level before the storm while the jumps still hold, not at the level the front's fall
    takes it to, so their decay is still the storm's (a station on final-2: 74 readings, 182
    here, flagged as a pressure drift before)."""
    resolution = (0.2, 2.0, 0.2)
    values = _stream(1400, resolution=resolution, noise=(0.05, 0.4, 0.04))
    values[330:] = [(t, 100.0, round(p - 1.2 / 60 * i, 2))
                    for i, (t, _, p) in enumerate(values[330:])]
    _thunderstorm(values, 400, drop=6.0, jump_hpa=1.8, jump_decay=80.0, jump_holds=60)
    _thunderstorm(values, 500, drop=2.0, jump_hpa=1.8, jump_decay=80.0, jump_holds=60)
    values = [tuple(round(round(v / r) * r, 2) for v, r in zip(reading, resolution))
              for reading in values]
    flagged = _run(values)
    assert flagged[404] == ("weather:thunderstorm",), flagged
    assert not [r for reasons in flagged.values() for r in reasons if r.startswith("drift")]


def test_a_pressure_drift_after_a_storm_has_decayed_is_still_drift():
    values = _stream(1300)
    _thunderstorm(values, 300, drop=6.0, jump_hpa=4.0, jump_decay=40.0, jump_holds=60)
    values[700:880] = [(t, h, round(p - 3.0 / 60 * (i + 1), 2))
                       for i, (t, h, p) in enumerate(values[700:880])]
    flagged = _run(values)
    caught = {seq for seq, reasons in flagged.items() if "drift:pressure_hpa" in reasons}
    assert len(caught & set(range(700, 880))) >= 0.8 * 180, sorted(caught)


def _cold_front(values: list[tuple[float, float, float]], start: int) -> None:
    """Within half an hour: 3 °C colder, the dew point 4 °C lower, the pressure 2 hPa up."""
    for i in range(start, len(values)):
        t, _, p = values[i]
        passed = min(1.0, (i - start) / 30)
        cooled = t - 3.0 * passed
        values[i] = (round(cooled, 2), round(relative_humidity(cooled, 8.0 - 4.0 * passed), 1),
                     round(p + 2.0 * passed, 2))


def test_a_cold_fronts_first_minutes_are_weather_though_they_look_like_drift_at_first():
    """The dew point falls at 8 °C/h a few minutes before the pressure has risen enough to
    tell a front: the drift decision waits, and the front explains it."""
    values = _stream()
    _cold_front(values, 300)
    flagged = _run(values)
    assert list(flagged.values()) == [("weather:front",)], flagged


def test_a_drift_decided_just_before_a_gap_is_still_flagged():
    """A drift decision waits DRIFT_CONFIRM readings; readings missing meanwhile (the model
    starts afresh after a gap) do not lose it."""
    values = _stream()
    values[400:580] = [(t, h, round(p + 3.0 / 60 * (i + 1), 2))
                       for i, (t, h, p) in enumerate(values[400:580])]
    scorer = SensorScorer(THRESHOLDS, lambda: 0)
    first_emitted = next(seq for seq, reading in enumerate(values)
                         if scorer.score("s", seq, seq * 60_000, reading).flags)
    decided = first_emitted - DRIFT_CONFIRM
    scorer = SensorScorer(THRESHOLDS, lambda: 0)
    flagged: set[int] = set()
    for seq in [*range(decided + 3), decided + 8]:  # five readings missing
        flagged.update(flag.seq for flag in scorer.score("s", seq, seq * 60_000,
                                                         values[seq]).flags)
    assert decided in flagged and min(flagged) < decided - 20, sorted(flagged)


def test_a_pressure_drift_upwards_in_a_storms_wake_ends_the_storms_hold():
    """The storm hold lasts while the pressure falls back; a bias rising 3 hPa/h soon after
    the storm is no decay, and is flagged."""
    values = _stream(1300)
    _thunderstorm(values, 300, drop=6.0, jump_hpa=4.0, jump_decay=40.0, jump_holds=150)
    values[470:650] = [(t, h, round(p + 3.0 / 60 * (i + 1), 2))
                       for i, (t, h, p) in enumerate(values[470:650])]
    flagged = _run(values)
    caught = {seq for seq, reasons in flagged.items() if "drift:pressure_hpa" in reasons}
    assert len(caught & set(range(470, 650))) >= 0.7 * 180, sorted(caught)


def _calm_coarse_pressure(seed: int) -> list[tuple[float, float, float]]:
    """A station sensor at 0.2 °C / 2 % / 0.2 hPa whose pressure flicks between steps for ten
    hours, then lies still in the middle of one step (noise 0.035 hPa, well under a step) for
    five: healthy, and on one value for hours."""
    rng = random.Random(seed)
    base = _stream(900, seed=seed, resolution=(0.2, 2.0, 0.2), noise=(0.08, 0.6, 0.04))
    values = []
    for seq, (t, h, _) in enumerate(base):
        level = 1012.0 + (0.12 * math.sin(seq / 5) if seq < 600 else 0.0)
        values.append((t, h, round(round((level + rng.gauss(0, 0.035)) / 0.2) * 0.2, 2)))
    return values


def test_a_calm_coarse_channel_on_one_step_for_hours_is_not_stuck():
    for seed in (1, 2, 3):
        values = _calm_coarse_pressure(seed)
        longest = run = 0
        for a, b in zip(values, values[1:]):
            run = run + 1 if a[2] == b[2] else 0
            longest = max(longest, run)
        assert longest >= 250, "the pressure repeats for hours"
        assert _run(values) == {}


def _tidal_coarse_pressure(seed: int) -> list[tuple[float, float, float]]:
    """A station sensor at 0.2 °C / 2 % / 0.2 hPa whose pressure follows a 12-hour tide of
    0.6 hPa (noise 0.05 hPa, a quarter of a step): on one step for up to an hour or more."""
    rng = random.Random(seed + 100)
    base = _stream(1800, seed=seed, resolution=(0.2, 2.0, 0.2), noise=(0.08, 0.6, 0.04))
    return [(t, h, round(round((1012.1 + 0.6 * math.sin(2 * math.pi * seq / 720) +
                                rng.gauss(0, 0.05)) / 0.2) * 0.2, 2))
            for seq, (t, h, _) in enumerate(base)]


def test_a_calm_coarse_barometer_held_while_the_tide_moves_it_is_stuck_past_its_own_repeats():
    """Held 200 readings where the tide's trend before the run would have carried it a step or
    more: its learnt runs bound the run until it is twice their longest, by when its own
    repeats, learnt 40 readings late, had raised the repeat rate to 0.98 (each was missed).
    Judged by the rate as it was before the run's repeats were learnt, it is stuck; the
    healthy tide raises nothing."""
    for seed, start in ((1, 900), (3, 1100), (3, 1200), (4, 1000), (4, 1200)):
        values = _tidal_coarse_pressure(seed)
        assert _run(values) == {}, seed
        held = values[start - 1][2]
        values[start:start + 200] = [(t, h, held) for t, h, _ in values[start:start + 200]]
        _assert_stuck_run(values, start, start + 200, 2, "stuck:pressure_hpa", seed)


def _station_on_the_tide(seed: int) -> list[tuple[float, float, float]]:
    """A station sensor whose barometer reads in 0.175 hPa steps (final-19's resolution) with
    noise 0.035 hPa, a fifth of a step, on a 12-hour tide of 0.8 hPa (a trough at reading 240)
    and a slow synoptic wander: at the tide's turns it sits on one step 60-100 readings."""
    rng = random.Random(seed + 500)
    base = _stream(1800, seed=seed, resolution=(0.1, 1.0, 0.1), noise=(0.05, 0.4, 0.03))
    wander, values = 0.0, []
    for seq, (t, h, _) in enumerate(base):
        wander += rng.gauss(0, 0.005) - 0.0002 * wander
        tide = 0.8 * math.cos(2 * math.pi * (seq - 240) / 720)
        pressure = 1012.0 + wander + tide + rng.gauss(0, 0.035)
        values.append((t, h, round(round(pressure / 0.175) * 0.175, 2)))
    return values


def test_a_calm_coarse_barometer_at_the_tides_turn_is_not_stuck():
    """Its trend before the run, the tide's falling or rising limb, would have carried it a
    step or more along a line; the tide turns instead (stuck on main on each of these seeds,
    63-99 readings)."""
    for seed in (4, 5):
        assert _run(_station_on_the_tide(seed)) == {}, seed
    _assert_not_stuck(_station_on_the_tide(18), "stuck:pressure_hpa", 18)


def test_a_barometer_held_past_the_tides_turn_is_still_stuck():
    """Held 150 readings from the tide's falling limb on (from 180 or 200): the tide turned
    and rose on by a step or two."""
    for seed, start in ((4, 200), (5, 180)):
        values = _station_on_the_tide(seed)
        held = values[start - 1][2]
        values[start:start + 150] = [(t, h, held) for t, h, _ in values[start:start + 150]]
        _assert_stuck_run(values, start, start + 150, 2, "stuck:pressure_hpa", seed)


def _quiet_station_on_the_tide(seed: int, trend: float) -> list[tuple[float, float, float]]:
    """A station barometer in 0.16 hPa steps with noise 0.015 hPa, a tenth of a step (final-25's
    quiet stations), on a 12-hour tide of 0.8 hPa (a crest at reading 240) and a synoptic
    wander pushed by ``trend`` hPa a reading: at the tide's turns it sits on one step for up to
    two hours, its trend before the run steeper than the tide's there."""
    rng = random.Random(seed + 700)
    base = _stream(1800, seed=seed, resolution=(0.1, 1.0, 0.1), noise=(0.05, 0.4, 0.03))
    wander, values = 0.0, []
    for seq, (t, h, _) in enumerate(base):
        wander += rng.gauss(0, 0.005) - 0.0002 * wander + trend
        tide = 0.8 * math.cos(2 * math.pi * (seq - 240) / 720)
        pressure = 1012.0 + wander + tide + rng.gauss(0, 0.015)
        values.append((t, h, round(round(pressure / 0.16) * 0.16, 2)))
    return values


def test_a_quiet_barometer_holding_the_tides_turn_within_a_step_is_not_stuck():
    """Held 79 readings across the crest (194-272; stuck on 845cda9 by its learnt runs, the tide's
    chance with the noise learnt from its step crossings over 12): the 1 hPa tide with its trend
    before ranges over less than a step meanwhile (``tidal_hold_log_odds``). Held on 150
    readings from the tide's limb, the tide leaves the step: still stuck."""
    values = _quiet_station_on_the_tide(3, 0.0004)
    assert _run(values) == {}
    held = values[179][2]
    values[180:330] = [(t, h, held) for t, h, _ in values[180:330]]
    _assert_stuck_run(values, 180, 330, 2, "stuck:pressure_hpa", 3)


def test_a_barometer_held_for_hours_is_judged_with_the_noise_it_had_before_its_own_repeats():
    """final-25 (development data since the twenty-seventh round) sim-2603-007, a cheap sensor
    whose barometer reads in 0.16 hPa steps with a learnt noise of 0.37 of a step, held 1012.32
    hPa from 1008 to 1326 (its fault from 1010) with its trend before flat. Its own repeats,
    learnt 40 readings late, lowered the noise that judged it (0.18 of a step by the end) and
    raised its repeat rate to 0.98: never flagged. Judged with the noise as at its 40th repeat
    once it outlasts four times its longest learnt run (28 readings; RUN_NOISE_OUTLASTS), it is
    stuck over the whole run."""
    network = SensorNetwork(24, 12, "sim-", 2603, 0.004, PARAMS["final-25"])
    values = [network.tick()[7].values for _ in range(1340)]
    assert {p for _, _, p in values[1007:1327]} == {1012.32} and values[1327][2] != 1012.32
    stuck = {seq for seq, reasons in _run(values).items() if "stuck:pressure_hpa" in reasons}
    assert set(range(1010, 1327)) <= stuck, sorted(set(range(1010, 1327)) - stuck)[:5]


def _network_channel(family: str, seed: int, sensor: int, readings: int
                     ) -> list[tuple[float, float, float]]:
    """The first ``readings`` of one simulated sensor of a family's seed."""
    network = SensorNetwork(24, 12, "sim-", seed, 0.004, PARAMS[family])
    return [network.tick()[sensor].values for _ in range(readings)]


def test_a_calm_thermometer_held_far_past_every_learnt_run_is_stuck():
    """final-34 sim-3503-013, a station thermometer at 0.24 °C (noise a fifth of a step), held
    0.48 °C from 1267 to 1558 (its fault from 1282), 292 readings: 5.6 times the longest (52) of
    its 175 learnt healthy runs. Its own repeats raised its repeat rate to 0.98 (4.8 nats at its
    end) and its learnt runs capped it at 10.3 nats: never flagged on main. Past
    FAR_OUTLASTS_LONGEST times the longest of FAR_OUTLASTS_MIN_RUNS learnt runs it is judged by
    the rate before it (0.64 at its 40th repeat): stuck over the whole fault."""
    values = _network_channel("final-34", 3503, 13, 1570)
    assert {t for t, _, _ in values[1266:1559]} == {0.48} and values[1559][0] != 0.48
    stuck = {seq for seq, reasons in _run(values).items() if "stuck:temperature_c" in reasons}
    assert set(range(1282, 1559)) <= stuck, sorted(set(range(1282, 1559)) - stuck)[:5]


def test_a_calm_channel_held_long_healthy_is_not_stuck_before_a_days_runs_are_learnt():
    """Healthy holds the rule must leave (it judges thermometers only): final-34 control
    sim-3502-030's station humidity (2.4 %, noise a fifth of a step) on 93.6 % for 293 readings
    (1040-1332), 5.6 times the longest of the 58 runs it had learnt (under
    FAR_OUTLASTS_MIN_RUNS); final-2 sim-302-000's
    barometer (0.2 hPa, noise a quarter of a step) on 1011.4 hPa for 97 readings (1264-1360),
    3.2 times the longest of its 166 (under FAR_OUTLASTS_LONGEST, and a barometer, which the
    rule leaves to the tide's chance); final-2 control sim-305-028's
    humidity at 100 % for 154 readings (2414-2567), 7 times the longest of its 209: saturated
    air, which holds it as long as the weather does."""
    for family, seed, sensor, channel, first, last in (
            ("final-34", 3502, 30, 1, 1040, 1332), ("final-2", 302, 0, 2, 1264, 1360),
            ("final-2", 305, 28, 1, 2414, 2567)):
        values = _network_channel(family, seed, sensor, last + 10)
        assert len({v[channel] for v in values[first:last + 1]}) == 1, (family, sensor)
        name = f"stuck:{CHANNELS[channel]}"
        stuck = {seq for seq, reasons in _run(values).items() if name in reasons}
        assert not stuck & set(range(first, last + 1)), (family, sensor, sorted(stuck)[:5])


def _rising_calm_barometer(seed: int) -> list[tuple[float, float, float]]:
    """A station sensor (0.1 °C / 1 % / 0.1 hPa) whose pressure rises 0.004 hPa a minute (0.04
    of a step a reading, 2.4 hPa in ten hours) with noise 0.025 hPa, a quarter of a step: it
    sits on each step until the pressure crosses its edge, flickering there."""
    rng = random.Random(300 + seed)
    base = _stream(1000, seed=seed, resolution=(0.1, 1.0, 0.1), noise=(0.08, 0.8, 0.03))
    return [(t, h, round(round((1010.0 + 0.004 * seq + rng.gauss(0, 0.025)) / 0.1) * 0.1, 2))
            for seq, (t, h, _) in enumerate(base)]


def test_a_barometer_held_while_the_line_through_it_rose_two_steps_is_stuck():
    """Held 35 readings (700-734) while the pressure rose 1.4 steps, then 2 steps up: its trend
    before (0.04 of a step a reading, shrunk) would not have carried it RUN_END_CARRIED steps,
    and its repeat rate is a calm channel's. The 30 readings before it and the 15 from its end
    lie on one line, which says where the pressure went; the run is flagged then (on main it
    was never flagged, on either seed). The healthy rise raises nothing; a step of the
    pressure at a run's end is not judged so (test_a_calm_barometer_held_then_falling_...)."""
    for seed in (1, 3, 6, 7):
        assert _run(_rising_calm_barometer(seed)) == {}, seed
    for seed in (1, 3):
        values = _rising_calm_barometer(seed)
        held = values[699][2]
        values[700:735] = [(t, h, held) for t, h, _ in values[700:735]]
        assert round((values[735][2] - held) / 0.1) == 2
        _assert_stuck_run(values, 700, 735, 2, "stuck:pressure_hpa", seed)


def test_humidity_stuck_at_100_in_fog_is_stuck_when_the_sensor_is_noisy_there():
    """Fog from reading 300: the air is saturated, and a healthy sensor's noise still takes
    it below 100 % about half the time (readings are clipped at 100). Stuck at 100 % for 150
    readings from 600, it is flagged stuck; the fog before is not (the step into the fog is
    an inconsistency here: this fog comes without its temperature)."""
    rng = random.Random(7)
    values = _stream()
    for seq in range(300, len(values)):
        t, _, p = values[seq]
        humidity = 100.0 if 600 <= seq < 750 else min(100.0, round(100 + rng.gauss(0, 0.8), 1))
        values[seq] = (t, humidity, p)
    flagged = _run(values)
    stuck = {seq for seq, reasons in flagged.items() if "stuck:humidity_pct" in reasons}
    assert len(stuck & set(range(600, 750))) >= 140
    # (a healthy 100 % right after the fault still continues the run)
    assert not stuck - set(range(600, 760)), sorted(stuck)


def _noise_tail_spikes_dropped(flagged: dict[int, tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
    """Seed 4 draws a pressure reading 4.6 noise widths off its neighbours at 404 (3.1 widths
    up between two at -1.4 and -1.5): a spike to any check that flags under 4.6."""
    return {seq: reasons for seq, reasons in flagged.items()
            if not (seq == 404 and reasons == ("spike:pressure_hpa",))}


def test_a_short_dropout_on_a_calm_coarse_channel_is_a_dropout():
    """Pressure read to 0.2 hPa with noise of half a step: a run on one step is likely enough
    that the calm-channel chance alone would cap six repeats below the dropout's evidence.
    A jump of many noise widths to a constant is no calm channel: five or six readings at
    1013.25 are flagged as a dropout, and nothing else is."""
    for seed in (2, 3, 4, 5):
        for length in (5, 6):
            values = _stream(seed=seed, resolution=(0.1, 1.0, 0.2), noise=(0.05, 0.4, 0.1))
            values[600:600 + length] = [(t, h, 1013.25) for t, h, _ in values[600:600 + length]]
            flagged = _noise_tail_spikes_dropped(_run(values))
            assert set(flagged) == set(range(600, 600 + length)), (seed, length, sorted(flagged))
            assert set(flagged.values()) == {("dropout:pressure_hpa",)}


def test_a_value_finer_than_the_channels_steps_held_is_a_dropout_at_once():
    """A barometer at 0.2 hPa (noise under a third of a step, repeating most readings) reads
    1013.25 for five readings: too few repeats for its repeat rate (each was missed), but a
    value with more decimals than its steps came out of no converter: a dropout from its first
    reading, and nothing else."""
    for noise, seed in ((0.05, 3), (0.06, 3), (0.06, 5), (0.08, 3)):
        values = _stream(seed=seed, resolution=(0.1, 1.0, 0.2), noise=(0.05, 0.4, noise))
        assert _run(values) == {}, (noise, seed)
        values[600:605] = [(t, h, 1013.25) for t, h, _ in values[600:605]]
        flagged = _run(values)
        assert set(flagged) == set(range(600, 605)), (noise, seed, sorted(flagged))
        assert set(flagged.values()) == {("dropout:pressure_hpa",)}


def _coarse_swinging_barometer(seed: int) -> list[tuple[float, float, float]]:
    """A station whose barometer reports at 2.75 times its steps (0.275 hPa, written to two
    decimals: 1012.55, 1012.83, 1013.10, 1013.38), its pressure rising 3 hPa from 1012 over
    eight hours and falling back, with noise under a third of a step (a calm coarse barometer: it repeats most
    readings)."""
    rng = random.Random(seed)
    values = []
    for seq in range(900):
        t, h, _ = _weather(seq, rng, resolution=(0.1, 1.0, 0.275), noise=(0.05, 0.4, 0.08))
        pressure = 1012 + 3 * math.sin(seq / 300) + rng.gauss(0, 0.08)
        values.append((t, h, round(round(pressure / 0.275) * 0.275, 2)))
    return values


def test_a_value_off_the_channels_grid_held_is_a_dropout_at_once():
    """The coarse barometer reads 1013.25 for five readings: as many decimals as its steps
    have, but between two of the values it was seen to report (1013.10 and 1013.38, half a step
    off its grid): it came out of no converter, a dropout from its first reading, and nothing
    else (final-22: three station barometers, never flagged before). A healthy one raises
    nothing."""
    for seed in (1, 2, 4):
        _assert_1013_25_held_is_a_dropout(_coarse_swinging_barometer(seed), seed)


def _assert_1013_25_held_is_a_dropout(values: list, seed: int) -> None:
    """A healthy barometer raises nothing; reading 1013.25 for readings 600-604, it is a
    dropout from the first of them, and nothing else."""
    assert _run(values) == {}, seed
    dropped = list(values)
    dropped[600:605] = [(t, h, 1013.25) for t, h, _ in values[600:605]]
    flagged = _run(dropped)
    assert set(flagged) == set(range(600, 605)), (seed, sorted(flagged))
    assert set(flagged.values()) == {("dropout:pressure_hpa",)}


def _saturated_air(seed: int) -> list[tuple[float, float, float]]:
    """Fog all day: humidity between 99 and 99.9 % (saturated air, which says nothing of the
    sensor), temperature and pressure read to 0.1 with noise about one step."""
    rng = random.Random(100 + seed)
    base = _stream(seed=seed, resolution=(0.1, 0.1, 0.1), noise=(0.1, 0.4, 0.08))
    return [(t, round(min(99.9, max(99.0, 99.5 + rng.gauss(0, 0.3))), 1), p) for t, _, p in base]


def test_every_judged_channel_stuck_at_once_in_saturated_air_is_stuck():
    """Temperature and pressure held for eight readings while the humidity (at 99 to <100 %,
    never judged) goes on: every channel that can be judged repeats at once, from the same
    reading, which keeps the repeat rates' joint evidence (no more than such healthy runs of
    the two at once, learnt: a repeat or two); each channel alone is too calm to be sure of.
    (Six readings were caught before the joint runs were learnt; seeds 3 and 4 hold values
    one channel already repeated a reading earlier: judged as a calm spell's run, which
    eight readings do not exceed.)"""
    for seed in (1, 2, 5):
        values = _saturated_air(seed)
        assert _noise_tail_spikes_dropped(_run(values)) == {}
        held_t, _, held_p = values[599]
        values[600:608] = [(held_t, h, held_p) for _, h, _ in values[600:608]]
        flagged = _noise_tail_spikes_dropped(_run(values))
        for seq in range(600, 608):
            assert flagged.get(seq) == ("stuck:temperature_c", "stuck:pressure_hpa"), (
                seed, sorted(flagged.items()))
        # (the run starts where the held values first appeared; a healthy repeat continues it)
        assert set(flagged) <= set(range(596, 609)), (seed, sorted(flagged))
        assert all(r.startswith("stuck:") for rs in flagged.values() for r in rs)


def _calm_station(seed: int, n: int = 1400) -> list[tuple[float, float, float]]:
    """A station sensor read to 0.25 °C / 2.5 % / 0.25 hPa with noise a tenth of a step:
    each channel lies on one step until the weather carries it to the next, for up to 50
    readings at once on all three (final-6's station channels)."""
    return _stream(n, seed=seed, resolution=(0.25, 2.5, 0.25), noise=(0.03, 0.25, 0.03))


def _longest_joint_run(values: list[tuple[float, float, float]]) -> int:
    longest = run = 0
    for a, b in zip(values, values[1:]):
        run = run + 1 if a == b else 0
        longest = max(longest, run)
    return longest


def test_a_calm_station_on_its_steps_is_not_stuck_and_stuck_whole_it_is():
    """Healthy runs of every channel at once are learnt (how long they last, among runs whose
    channels fell still one by one): a calm spell's are no fault. Stuck whole for two hours,
    far past the longest of them, it is stuck from its first repeat. (Seed 2 still draws
    false alarms: a humidity run of 130 readings past a tail learnt from few runs.)"""
    for seed in (1, 3, 4, 5, 6):
        values = _calm_station(seed)
        assert _longest_joint_run(values) >= 30
        assert _run(values) == {}, seed
        held = values[999]
        values[1000:1120] = [held] * 120
        flagged = _run(values)
        # (flagged from where each channel's run of the held value began, to where it ended: a
        # calm channel may have been on it for a while, and stay on it after)
        began = min(_run_edge(values, 999, c, -1) for c in range(3))
        ended = max(_run_edge(values, 1119, c, 1) for c in range(3))
        assert set(range(1000, 1120)) <= set(flagged) <= set(range(began, ended + 1)), (
            seed, sorted(flagged))
        assert all(r.startswith("stuck:") for rs in flagged.values() for r in rs)


def _assert_stuck_run(values: list[tuple[float, float, float]], start: int, end: int,
                      channel: int, reason: str, seed: int) -> None:
    """The run held on ``channel`` from ``start`` to before ``end`` is flagged whole, from no
    earlier than where its value began, and only for ``reason``."""
    flagged = _run(values)
    began = _run_edge(values, start - 1, channel, -1)
    assert set(range(start, end)) <= set(flagged) <= set(range(began, end)), (
        seed, sorted(flagged))
    assert all(rs == (reason,) for rs in flagged.values()), seed


def _assert_not_stuck(values: list[tuple[float, float, float]], reason: str, seed: int) -> None:
    """No reading of the stream is flagged for ``reason``."""
    flagged = _run(values)
    assert not any(reason in rs for rs in flagged.values()), (seed, sorted(flagged))


def _run_edge(values: list[tuple[float, float, float]], seq: int, channel: int,
              direction: int) -> int:
    """The first (direction -1) or last (+1) reading of the run of values[seq] on channel."""
    while 0 <= seq + direction < len(values) and \
            values[seq + direction][channel] == values[seq][channel]:
        seq += direction
    return seq


def test_a_step_of_a_channel_never_seen_to_step_is_no_dropout():
    """Humidity on one value since the sensor started (no step learnt, so no noise to
    measure a jump by), then one step down and still again: a calm channel, no dropout."""
    values = _stream(900, resolution=(0.1, 2.5, 0.1), noise=(0.05, 0.1, 0.04))
    values = [(t, 72.5 if seq < 500 else 70.0, p) for seq, (t, _, p) in enumerate(values)]
    flagged = _run(values)
    assert not any(r.startswith("dropout:") for rs in flagged.values() for r in rs), flagged


def _station_storm(seed: int, n: int = 1000, start: int = 600, fog: bool = True,
                   jump_hpa: float = 3.0, dry_dew_c: float = 12.0
                   ) -> list[tuple[float, float, float]]:
    """A station sensor (0.1 °C / 1 % / 0.1 hPa, quiet) in moist air (dew point 12 °C): a fog
    that moistens the air to the edge of saturation and dries again (100-300: the sensor reads
    99 and 100 %, so it is seen leaving 100 %), then from ``start`` a storm that cools the air 10 °C, a quarter of the way each
    minute, jumps the pressure ``jump_hpa`` (a third of the way each minute), and moistens it
    to saturation within minutes: the humidity jumps from ~90 to 100 % in one reading and stays
    there, clipped, for an hour. Without the fog if not ``fog``; the dew point before the storm
    ``dry_dew_c``."""
    rng = random.Random(200 + seed)
    values = _stream(n, seed=seed, resolution=(0.1, 1.0, 0.1), noise=(0.03, 0.2, 0.03))
    out: list[tuple[float, float, float]] = []
    cool = jump = 0.0
    for i, (t, _, p) in enumerate(values):
        dry = dry_dew_c
        dew = dry
        if fog and 100 <= i < 300:
            dew = dry + min(1.0, (i - 100) / 40, (300 - i) / 40) * (t - 0.05 - dry)
        since = i - start
        if 0 <= since < 60:
            cool += (10.0 - cool) / 4
            jump += (jump_hpa - jump) / 3
        elif since >= 60:
            cool *= 1 - 1 / 90
            jump *= 1 - 1 / 40
        if since >= 0:
            t, p = t - cool, p + jump
            moist = 1 - (5 / 6) ** (since + 1) if since < 60 else math.exp(-(since - 60) / 25)
            dew = dry + moist * (t - dry)
        humidity = min(100.0, round(relative_humidity(t, dew) + rng.gauss(0, 0.2)))
        out.append((round(t, 1), humidity, round(p, 1)))
    return out


def test_humidity_a_storm_saturates_in_a_minute_is_no_dropout():
    """The storm's plunge takes the humidity from 90 to 100 % in one reading (20 noise widths,
    then exact repeats: a dropout's signature), but at the dew point before it the new
    temperature is saturated: the step is the weather's, and the run at 100 % is judged as
    saturated air (each seed was flagged a dropout when the step was taken as it came)."""
    for seed in (1, 6, 9):
        values = _station_storm(seed)
        first = next(i for i in range(600, 620) if values[i][1] == 100.0)
        assert 100 - values[first - 1][1] >= 9 and values[first + 20][1] == 100.0, values[599:605]
        flagged = _run(values)
        assert "weather:thunderstorm" in flagged[600], seed
        assert not any(r.startswith("dropout:") for rs in flagged.values() for r in rs), (
            seed, sorted(flagged.items()))


def _with_channel_held(values: list[tuple[float, float, float]], c: int, first: int, end: int
                       ) -> tuple[list[tuple[float, float, float]], float]:
    """A copy of ``values`` with channel c held at its reading before ``first`` up to ``end``,
    and the held value."""
    held = values[first - 1][c]
    copy = list(values)
    copy[first:end] = [(held if c == 0 else t, held if c == 1 else h, held if c == 2 else p)
                       for t, h, p in values[first:end]]
    return copy, held


def _hold_barometer(values: list[tuple[float, float, float]], first: int, end: int
                    ) -> tuple[float, dict[int, tuple[str, ...]], set[int], int]:
    """Holds the barometer at its reading before ``first`` up to ``end`` (in place) and runs
    the detector: the held value, the flags, the readings flagged stuck on the pressure and
    where the held run began (it may have sat on that step before ``first``)."""
    held = values[first - 1][2]
    values[first:end] = [(t, h, held) for t, h, _ in values[first:end]]
    flagged = _run(values)
    stuck = {seq for seq, rs in flagged.items() if "stuck:pressure_hpa" in rs}
    return held, flagged, stuck, _run_edge(values, first - 1, 2, -1)


def test_a_barometer_held_through_a_storms_jump_is_stuck():
    """A quiet station's barometer held from 596 to 615 while a storm, found at 600 by its
    plunge into saturated air, jumped the pressure 3 hPa (30 steps), then let go: the run is
    flagged stuck (it was never flagged: no run's end is judged in a storm's hold). The same
    storm with a healthy barometer, even one whose jump is 0.6 hPa (6 steps), raises nothing
    but the storm."""
    for seed in (1, 2, 3, 4, 5):
        for jump_hpa in (3.0, 0.6):
            values = _station_storm(seed, fog=False, jump_hpa=jump_hpa)
            flagged = _run(values)
            assert all(r[0].startswith("weather:") for r in flagged.values()), (
                seed, jump_hpa, sorted(flagged.items()))
        values = _station_storm(seed, fog=False)
        held, flagged, stuck, began = _hold_barometer(values, 596, 616)
        assert values[616][2] - held >= 2.5
        assert set(range(596, 616)) <= stuck <= set(range(began, 616)), (seed, sorted(flagged))
        assert all(r in ("stuck:pressure_hpa", "weather:thunderstorm")
                   for rs in flagged.values() for r in rs), (seed, sorted(flagged.items()))


def _station_front(seed: int, n: int = 900, start: int = 600, storm_at: int | None = None
                   ) -> list[tuple[float, float, float]]:
    """A quiet station sensor (0.1 °C / 1 % / 0.1 hPa, noise a third of a step) under a cold
    front from ``start``: within half an hour 3 °C colder, the dew point 4 °C lower and the
    pressure 2 hPa up (two thirds of a step a reading). With a thunderstorm from ``storm_at``
    in the front's hold: the air cooled 8 °C a quarter of the way each minute and saturated
    within minutes, the pressure jumped 2 hPa a third of the way (7 steps in its first)."""
    rng = random.Random(seed)
    out: list[tuple[float, float, float]] = []
    cool = jump = 0.0
    for seq in range(n):
        passed = min(1.0, max(0, seq - start) / 30)
        t = 15 + 3 * math.sin(seq / 229) - 3.0 * passed
        dew = 8.0 - 4.0 * passed
        p = 1012 + 0.5 * math.sin(seq / 115) + 2.0 * passed
        if storm_at is not None and seq >= storm_at:
            cool += (8.0 - cool) / 4
            jump += (2.0 - jump) / 3
            t, p = t - cool, p + jump
            dew = min(t, dew + min(1.0, (seq - storm_at + 1) / 5) * (t - dew))
        t += rng.gauss(0, 0.03)
        humidity = min(100.0, relative_humidity(t, dew) + rng.gauss(0, 0.2))
        p += rng.gauss(0, 0.03)
        out.append(tuple(round(round(v / r) * r, 2)  # type: ignore[arg-type]
                         for v, r in zip((t, humidity, p), (0.1, 1.0, 0.1))))
    return out


def test_a_barometer_held_through_a_fronts_rise_is_stuck_and_a_storms_jump_there_is_not():
    """A front, found 15-17 readings into its rise, holds every run's end unjudged but a
    storm's. A barometer held from 618 to 629 while the rise went on, then let go 8-10 steps
    up, is flagged stuck (never flagged before: FRONT_COOLING_C); the healthy one, and a
    healthy one that sat on a step in the front's hold before a storm's jump of 7 steps with
    its plunge, raise nothing but the weather."""
    for seed in range(1, 8):
        values = _station_front(seed)
        assert [r for rs in _run(values).values() for r in rs] == ["weather:front"], seed
        held, flagged, stuck, began = _hold_barometer(values, 618, 630)
        assert values[630][2] - held >= 0.75
        assert set(range(618, 630)) <= stuck <= set(range(began, 630)), (seed, sorted(flagged))
        assert {r for rs in flagged.values() for r in rs} == \
            {"stuck:pressure_hpa", "weather:front"}, (seed, sorted(flagged.items()))
    for seed in range(1, 6):
        for storm_at in (660, 680):
            flagged = _run(_station_front(seed, storm_at=storm_at))
            assert {r for rs in flagged.values() for r in rs} == \
                {"weather:front", "weather:thunderstorm"}, (seed, storm_at, sorted(flagged.items()))


def _station_front_drying(seed: int, n: int = 900) -> list[tuple[float, float, float]]:
    """``_station_front``'s station and front (from 600), the air behind it then drying: the dew
    point a further 6 °C down over readings 640-680 (0.15 °C a reading), the temperature as
    before (it moves under 0.02 °C a reading there), so the humidity falls half a step a
    reading."""
    rng = random.Random(seed)
    out: list[tuple[float, float, float]] = []
    for seq in range(n):
        passed = min(1.0, max(0, seq - 600) / 30)
        t = 15 + 3 * math.sin(seq / 229) - 3.0 * passed + rng.gauss(0, 0.03)
        dew = 8.0 - 4.0 * passed - 0.15 * min(max(seq - 640, 0), 40)
        humidity = min(100.0, relative_humidity(t, dew) + rng.gauss(0, 0.2))
        p = 1012 + 0.5 * math.sin(seq / 115) + 2.0 * passed + rng.gauss(0, 0.03)
        out.append(tuple(round(round(v / r) * r, 2)  # type: ignore[arg-type]
                         for v, r in zip((t, humidity, p), (0.1, 1.0, 0.1))))
    return out


def test_a_humidity_held_through_a_fronts_drying_is_stuck():
    """The station's humidity held from 650 to 667 in the front's hold while the air behind it
    dried, then let go 6 or more steps down at once, the thermometer still: flagged stuck back
    to where the held value began (never flagged before: no rule judged a humidity's run end in
    a front's hold; final-28 sim-2902-004, sim-2902-000). The healthy drying, a step or two at a
    time, raises nothing but the front."""
    for seed in range(1, 8):
        values = _station_front_drying(seed)
        assert [r for rs in _run(values).values() for r in rs] == ["weather:front"], seed
        held = values[649][1]
        values[650:668] = [(t, held, p) for t, _, p in values[650:668]]
        assert held - values[668][1] >= 6.0, seed
        flagged = _run(values)
        began = _run_edge(values, 649, 1, -1)
        humidity = {seq for seq, rs in flagged.items() if "stuck:humidity_pct" in rs}
        assert set(range(650, 668)) <= humidity <= set(range(began, 668)), (seed, sorted(humidity))
        assert {r for rs in flagged.values() for r in rs} == \
            {"stuck:humidity_pct", "weather:front"}, (seed, sorted(flagged.items()))


def test_a_dropout_after_a_healthy_barometers_run_in_a_fronts_hold_is_no_release():
    """A healthy station barometer sits on one step 11-24 readings in a front's hold once its
    rise is over, then drops out to a constant 3 hPa up: 0.12-0.25 hPa a reading over the run,
    faster than any front's rise (FRONT_RISE_HPA), so the run is not read as held through the
    rise (final-22 sim-2302-000); only the dropout is flagged."""
    for seed in range(1, 8):
        values = _station_front(seed)
        pressure = [p for _, _, p in values]
        runs = {x: next(k for k in range(1, x) if pressure[x - 1 - k] != pressure[x - 1])
                for x in range(640, 720) if pressure[x] != pressure[x - 1]}
        end = max(runs, key=lambda x: runs[x])
        assert runs[end] >= RUN_DEW_MIN_REPEATS, seed
        dropped = round(pressure[end - 1] + 3.0, 2)
        values[end:end + 20] = [(t, h, dropped) for t, h, _ in values[end:end + 20]]
        flagged = _run(values)
        assert {r for rs in flagged.values() for r in rs} == \
            {"dropout:pressure_hpa", "weather:front"}, (seed, sorted(flagged.items()))

def _calm_winter_station(seed: int, n: int = 1000, rise_from: int = 600, rise_to: int = 900,
                         rise_hpa: float = 1.5,
                         ) -> list[tuple[float, float, float]]:
    """A calm winter station (0.1 °C / 1 % / 0.1 hPa): a slowly cooling thermometer and a
    humidity that repeat about half their readings, and a barometer (noise a fifth of a step)
    that sits on 1011.3 hPa for hours, flickering a step down now and then, while the pressure
    rises ``rise_hpa`` from ``rise_from`` to ``rise_to``, then is level."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        risen = min(max(seq - rise_from, 0), rise_to - rise_from) / (rise_to - rise_from)
        readings = (-20.0 - 0.002 * seq + rng.gauss(0, 0.03),
                    60.0 + 0.005 * seq + rng.gauss(0, 0.3),
                    1011.3 + rise_hpa * risen + rng.gauss(0, 0.02))
        values.append(tuple(round(round(v / r) * r, 2)  # type: ignore[misc]
                            for v, r in zip(readings, (0.1, 1.0, 0.1))))
    return values  # type: ignore[return-value]


def test_a_barometers_release_after_a_long_hold_is_no_dropout_and_the_hold_is_stuck():
    """A calm barometer held 1011.3 hPa for 300 readings while the pressure rose 1.5 hPa, then
    let go 15 steps up to where the air went (30 noise widths, as a dropout's jump), and sits
    there as a calm barometer does: 0.005 hPa a reading over the hold, far slower than the
    weather moves the pressure (RELEASE_HPA_PER_READING), so the step is the hold's release.
    The calm thermometer's and humidity's repeats beside it say nothing of the step: they no
    longer make it a dropout (on main every seed's release was flagged a dropout for 21-100
    healthy readings, and two seeds' holds never flagged stuck: final-31 sim-3205-001). The
    hold is flagged stuck (by the line through the readings on both sides of it, or its own
    repeats), and nothing else."""
    for seed in (3, 5, 6, 8):
        values = _calm_winter_station(seed)
        assert _run(values) == {}, seed
        held = values[599][2]
        values[600:900] = [(t, h, held) for t, h, _ in values[600:900]]
        assert round((values[900][2] - held) / 0.1) == 15, seed
        _assert_stuck_run(values, 600, 900, 2, "stuck:pressure_hpa", seed)


def test_a_barometers_dropout_out_of_a_short_run_is_still_judged_with_the_calm_channels():
    """A barometer on a rising pressure (a step every ten readings) drops out 3 hPa up, to a
    constant on its grid, for ten readings: far faster than the weather moves the pressure over
    the few readings it sat on its step before, so no release. Its own repeats are too few for
    a dropout; the calm thermometer's and humidity's repeats with it still count, as before
    (without the guard no seed's dropout was flagged)."""
    for seed in (2, 3, 4, 7, 8):
        values = _calm_winter_station(seed, 900, rise_from=0, rise_to=900, rise_hpa=9.0)
        assert _run(values) == {}, seed
        pressure = [p for _, _, p in values]
        assert pressure[699] != pressure[690], seed  # (a short run before the jump)
        dropped = round(pressure[699] + 3.0, 2)
        values[700:710] = [(t, h, dropped) for t, h, _ in values[700:710]]
        flagged = _run(values)
        assert set(flagged) == set(range(700, 710)), (seed, sorted(flagged))
        assert set(flagged.values()) == {("dropout:pressure_hpa",)}, seed


def test_a_storms_plunge_is_no_noise():
    """A quiet station's temperature falls 2.5, 2.0, 1.3, 1.0 ... °C a minute as the storm
    cools the air by 10 °C (a quarter of the way each minute) and the pressure jumps 3 hPa:
    second differences of many noise widths for ten minutes, all of one sign. The storm is
    reported at its first reading, and its plunge is not read as noise (every seed was
    flagged noise:temperature_c for its first minutes before)."""
    for seed in (1, 3, 4, 5):
        flagged = _run(_station_storm(seed))
        assert flagged[600] == ("weather:thunderstorm",), seed
        assert not any(r.startswith("noise:") for rs in flagged.values() for r in rs), (
            seed, sorted(flagged.items()))


def _station_warming(seed: int, warming_c_per_min: float, n: int = 900, start: int = 700,
                     minutes: int = 40, temperature_sd: float = 0.04, humidity_sd: float = 0.3,
                     ) -> list[tuple[float, float, float]]:
    """A station sensor (0.1 °C / 1 % / 0.1 hPa) whose humidity repeats about two readings in
    three, then a sun break from reading ``start``: the temperature rises
    ``warming_c_per_min`` for ``minutes`` readings, the dew point stays (so the humidity falls,
    ~4 % per °C)."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        temperature = 15 + 3 * math.sin(seq / 229) + \
            warming_c_per_min * min(max(seq - start, 0), minutes) + rng.gauss(0, temperature_sd)
        humidity = relative_humidity(temperature, 8.0) + rng.gauss(0, humidity_sd)
        pressure = 1012 + 0.5 * math.sin(seq / 115) + rng.gauss(0, 0.04)
        values.append(tuple(round(round(v / r) * r, 2) for v, r in  # type: ignore[misc]
                            zip((temperature, min(humidity, 100.0), pressure), (0.1, 1.0, 0.1))))
    return values  # type: ignore[return-value]


def test_humidity_stuck_while_the_temperature_moves_it_is_stuck_and_calm_it_is_not():
    """20 repeats at a repeat rate of ~0.65 are 8-9 nats: no decision by the repeats alone. The
    temperature rising 1.2 °C meanwhile pulls the humidity of the run's dew point 3 steps
    away: a healthy channel would have followed, so the run is stuck. Held as long while the
    temperature stays, it is not judged. While it falls, the cooling pulls nothing (at night the
    dew point falls with the air), but here the dew point stays: the run's end steps 5-7 % up,
    the way the temperatures over the run said, and puts the dew point back, so the run is
    stuck at its end (``_other_foretold``; not judged before)."""
    for seed in (1, 2, 4, 5, 6, 7):
        values = _station_warming(seed, 0.06)
        assert _run(values) == {}, seed
        held = values[704][1]
        values[705:725] = [(t, held, p) for t, _, p in values[705:725]]
        _assert_stuck_run(values, 705, 725, 1, "stuck:humidity_pct", seed)
        calm = _station_warming(seed, 0.0)
        held = calm[704][1]
        calm[705:725] = [(t, held, p) for t, _, p in calm[705:725]]
        assert _run(calm) == {}, seed
        cooling = _station_warming(seed, -0.06)
        held = cooling[704][1]
        cooling[705:725] = [(t, held, p) for t, _, p in cooling[705:725]]
        _assert_stuck_run(cooling, 705, 725, 1, "stuck:humidity_pct", seed)


def _rising_pressure_drift(values: list[tuple[float, float, float]], start: int, end: int,
                           hpa_per_hour: float) -> None:
    """The pressure reads ``hpa_per_hour`` higher each hour from ``start`` to ``end``."""
    for i in range(start, end):
        t, h, p = values[i]
        values[i] = (t, h, round(p + hpa_per_hour / 60 * (i - start + 1), 2))


def _evening_cooling(values: list[tuple[float, float, float]], start: int,
                     c_per_hour: float) -> None:
    """The temperature falls ``c_per_hour`` from ``start`` on, the dew point steady at 8 °C."""
    for i in range(start, len(values)):
        t, _, p = values[i]
        cooled = t - c_per_hour / 60 * (i - start)
        values[i] = (round(cooled, 2), round(relative_humidity(cooled, 8.0), 1), p)


def test_a_rising_pressure_drift_in_the_evenings_cooling_is_drift_to_its_end_not_a_front():
    """The pressure drifting up 3 hPa/h while the evening cools the air 3 °C/h meets the
    front rule (up 1 hPa and 2 °C colder in 40 minutes) once the drift is open: the rise
    the drift's line explains is no front's, so the drift is flagged to its end."""
    values = _stream(900)
    _rising_pressure_drift(values, 400, 580, hpa_per_hour=3.0)
    _evening_cooling(values, 440, c_per_hour=3.0)
    flagged = _run(values)
    assert ("weather:front",) not in flagged.values(), flagged
    caught = {seq for seq, reasons in flagged.items() if "drift:pressure_hpa" in reasons}
    assert len(caught & set(range(400, 580))) >= 0.9 * 180, sorted(caught)


def _reported_as_front(flagged: dict[int, tuple[str, ...]]) -> bool:
    """A front is reported (the drift that goes on through it may flag its reading too: the
    front's hold does not cover a pressure that keeps rising at a drift's rate)."""
    return any("weather:front" in reasons for reasons in flagged.values())


def test_a_cold_front_passing_during_a_rising_pressure_drift_is_still_a_front():
    values = _stream(900)
    _rising_pressure_drift(values, 300, 900, hpa_per_hour=2.5)
    _cold_front(values, 480)
    flagged = _run(values)
    assert _reported_as_front(flagged), flagged


def test_a_pressure_jump_in_rain_during_a_rising_pressure_drift_is_still_a_front():
    """A front's passage in rain: the pressure jumps 1.5 hPa in ten minutes, the air
    saturated, while a pressure drift (or the front's first rise, read as one) is open."""
    values = _stream(900)
    _rising_pressure_drift(values, 300, 900, hpa_per_hour=3.0)
    for i in range(440, 900):
        t, _, p = values[i]
        values[i] = (t, 95.0 + (i % 3) * 0.5, round(p + 1.5 * min(1.0, max(0, i - 470) / 10), 2))
    flagged = _run(values)
    assert _reported_as_front(flagged), flagged


def _humid_stream(n: int = 900, seed: int = 1) -> list[tuple[float, float, float]]:
    """Monsoon air: warm, 1 °C from saturation (humidity ~94 %), noise as ``_weather``'s."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        temperature = 25 + 1.5 * math.sin(seq / 229)
        measured = temperature + rng.gauss(0, 0.1)
        humidity = relative_humidity(measured, temperature - 1.0) + rng.gauss(0, 0.8)
        pressure = 1008 + 0.5 * math.sin(seq / 115) + rng.gauss(0, 0.05)
        values.append((round(measured, 2), round(min(humidity, 100.0), 1), round(pressure, 2)))
    return values


def test_a_temperature_spike_down_in_humid_air_read_as_a_storm_is_still_a_spike():
    """3.5 °C down for one reading in air near saturation meets the storm rule on its own
    reading (reported as weather at once); when the next reading comes straight back it is
    a spike, and the reading is reported again as one."""
    values = _humid_stream()
    t, h, p = values[600]
    values[600] = (round(t - 3.5, 2), h, p)
    flagged = _run(values)
    assert flagged[600] == ("weather:thunderstorm", "spike:temperature_c")


def test_a_temperature_noise_burst_in_humid_air_is_noise_not_storms():
    """A thermometer's noise burst (1.5 °C) in air near saturation drops readings 2.5 °C under
    the ten before them, which the storm rule alone would read as a storm's plunge again and
    again: once the burst is recognised, its drops are no storm (and a storm's plunge would
    hide the burst's noise for 15 readings each time)."""
    for seed in (1, 2, 5):  # before: 49, 31 and 42 of its 60 readings flagged
        values = _humid_stream(seed=seed)
        rng = random.Random(seed + 300)
        for seq in range(600, 660):
            t, h, p = values[seq]
            values[seq] = (round(t + rng.gauss(0, 1.5), 2), h, p)
        flagged = _run(values)
        noisy = {seq for seq, reasons in flagged.items()
                 if any(r.startswith(("noise:temperature_c", "spike:temperature_c"))
                        for r in reasons)}
        storms = [seq for seq, reasons in flagged.items() if "weather:thunderstorm" in reasons]
        assert len(noisy & set(range(600, 660))) >= 55, (seed, sorted(noisy))
        assert all(seq < 610 for seq in storms), (seed, storms)


def test_a_thermometers_reading_that_opened_a_storm_is_decided_at_once_and_the_storm_withdrawn():
    """A burst's first spike 3 °C up at 590, then in humid air a reading 0.5 °C under the one
    before (2.5 °C under that spike: the storm rule fires at 600) and one 0.9 °C over it at 601:
    the late spike would take 601 for the spike and leave the storm, whose plunge stops the noise
    check (final-20 sim-2104-021 @1348). The storm's own reading is decided at once, as a
    spike, and the storm withdrawn."""
    values = _humid_stream()
    for seq, rise in ((590, 3.0), (600, -0.5), (601, 0.9)):
        t, h, p = values[seq]
        values[seq] = (round((values[599][0] if seq >= 600 else t) + rise, 2), h, p)
    assert _run(values)[600] == ("weather:thunderstorm", "spike:temperature_c")
    model = SensorModel(THRESHOLDS)
    for seq in range(603):
        model.update(seq, seq * 60_000, values[seq], 0)
    assert model._storm_since != 600


def _with_humidity_burst(seed: int) -> list[tuple[float, float, float]]:
    """A humidity burst at 600-619: 8 % of noise, then its last ten readings 20 % under the
    air and 2 % over it by turns (its dew points 2-3 °C under the air's on the whole)."""
    values = _stream(seed=seed)
    rng = random.Random(seed + 100)
    for seq in range(600, 620):
        t, h, p = values[seq]
        move = rng.gauss(0, 8.0) if seq < 610 else (-20.0 if seq % 2 else 2.0)
        values[seq] = (t, round(min(100.0, h + move), 1), p)
    return values


def test_a_humidity_noise_bursts_end_is_no_dew_point_step():
    """The inconsistency check's step over a noise burst's readings carries their own scatter:
    the burst's low stretch is no level the air had, and its end no step back up (before: 616-619
    flagged inconsistent on every seed, and on seed 3 625-710 after the burst too, as on final-22
    sim-2305-013 @2638-2691)."""
    for seed in (1, 2, 3):
        flagged = _run(_with_humidity_burst(seed))
        assert not [seq for seq, reasons in flagged.items() if "inconsistent" in reasons], seed
        assert sum("noise:humidity_pct" in reasons for reasons in flagged.values()) >= 15, seed


def test_a_humidity_noise_burst_in_humid_air_stays_noise_through_its_readings_cut_to_100():
    """Air at ~94 %, a humidity noise burst of 6 % for 40 readings: some of its readings are
    cut to 100 % (saturated air says nothing of the sensor, so a noise burst is not judged on
    them), but once the burst is recognised it goes on through them (before: only 9 to 16 of
    the 40 flagged, the burst found again and again after each reading at 100 %)."""
    for seed in (3, 4, 6):
        values = _humid_stream(seed=seed)
        rng = random.Random(seed + 200)
        for seq in range(600, 640):
            t, h, p = values[seq]
            values[seq] = (t, round(min(100.0, h + rng.gauss(0, 6.0)), 1), p)
        assert sum(values[seq][1] >= 99 for seq in range(600, 640)) >= 7, seed
        flagged = _run(values)
        noisy = {seq for seq, reasons in flagged.items() if "noise:humidity_pct" in reasons}
        assert len(noisy & set(range(600, 640))) >= 28, (seed, sorted(noisy))
        assert not set(flagged) - set(range(598, 644)), (seed, sorted(flagged.items()))


def _noisy_saturated_spell(seed: int) -> list[tuple[float, float, float]]:
    """The rain of ``_saturating_dry_day`` read by a noisier humidity channel at 0.1 % steps:
    in its saturated spell the readings clip at 100 % or fall just under it."""
    rng = random.Random(seed)
    return [(t, round(min(100.0, h + 0.3 + rng.gauss(0, 0.8)), 1) if h >= 99.0 else h, p)
            for t, h, p in _saturating_dry_day(seed)]


def test_a_fine_humidity_channel_stuck_just_under_saturation_is_stuck():
    """A channel at 0.1 % steps repeating one value just under 100 % (99.4 %) for 25 readings
    in saturated air is stuck: its noise would have moved it. The saturated spell itself, its
    readings at 100 % and just under, is no stuck run."""
    values = _noisy_saturated_spell(seed=6)
    assert len({h for _, h, _ in values[700:780]}) > 5
    spell, stuck = _humidity_stuck_before_and_after_holding_99_4(values)
    assert not spell
    assert len(stuck) >= 0.6 * 25
    assert stuck <= set(range(720, 745))


def _humidity_stuck_before_and_after_holding_99_4(
        values: list[tuple[float, float, float]]) -> tuple[set[int], set[int]]:
    """The readings flagged stuck:humidity_pct as they are, and with 99.4 % held 720-744."""
    def stuck(values: list[tuple[float, float, float]]) -> set[int]:
        return {seq for seq, reasons in _run(values).items() if "stuck:humidity_pct" in reasons}
    held = values[:720] + [(t, 99.4, p) for t, _, p in values[720:745]] + values[745:]
    return stuck(values), stuck(held)


def _on_coarse_steps(humidity: float) -> float:
    """A humidity read at 0.3 % steps counted down from 100 %."""
    return round(100.0 - round((100.0 - humidity) / 0.3) * 0.3, 1)


def test_a_coarse_humidity_whose_noise_spans_its_steps_stuck_just_under_saturation_is_stuck():
    """A channel at 0.3 % steps (coarser than FINE_NEAR_LIMIT_PCT) whose noise, a percent, spans
    three of them, repeating 99.4 % for 25 readings in saturated air, is stuck: its noise would
    have moved it among the band's values (before: unjudged, as a station's 1 % steps). Its
    saturated spell itself is no stuck run."""
    for seed in (5, 6):
        values = [(t, _on_coarse_steps(h), p) for t, h, p in _noisy_saturated_spell(seed)]
        assert len({h for _, h, _ in values[700:780]}) > 3
        spell, stuck = _humidity_stuck_before_and_after_holding_99_4(values)
        assert not spell, (seed, sorted(spell))
        assert len(stuck) >= 0.6 * 25, (seed, sorted(stuck))
        assert stuck <= set(range(720, 745)), (seed, sorted(stuck))


def test_a_storm_the_air_has_not_cooled_after_is_withdrawn_and_holds_no_drift_back():
    """Two readings 3 °C colder with the pressure 1.5 hPa up meet the storm rule (a noisy
    thermometer's and barometer's extremes, not a spike: two in a row), but a quarter of an hour
    later the air is as warm as before: the storm's three-hour hold is withdrawn, and a pressure
    drift starting soon after is flagged."""
    values = _stream(1000)
    for i in (500, 501):
        t, h, p = values[i]
        values[i] = (round(t - 3.0, 2), round(relative_humidity(t - 3.0, dew_point(t, h)), 1),
                     round(p + 1.5, 2))
    values[530:710] = [(t, h, round(p + 3.0 / 60 * (i + 1), 2))
                       for i, (t, h, p) in enumerate(values[530:710])]
    flagged = _run(values)
    assert "weather:thunderstorm" in flagged.get(500, ()) + flagged.get(501, ()), flagged
    caught = {seq for seq, reasons in flagged.items() if "drift:pressure_hpa" in reasons}
    assert len(caught & set(range(530, 710))) >= 0.8 * 180, sorted(caught)


def test_a_storm_that_cooled_the_air_still_holds_the_drift_check():
    """A pressure rising 3 hPa/h half an hour into a storm that cooled the air is held: within
    the storm's hold a front's passage can lift the pressure so (final-9: behind storms in
    saturated air, a front's rise read as drift on six controls when it was looked at)."""
    values = _stream(1000)
    _thunderstorm(values, 500, drop=3.0, jump_hpa=1.5, jump_decay=20.0, jump_holds=10)
    values[530:710] = [(t, h, round(p + 3.0 / 60 * (i + 1), 2))
                       for i, (t, h, p) in enumerate(values[530:710])]
    # The rise stays, as a front's does (a rise that falls back at once is a drift's end).
    values[710:] = [(t, h, round(p + 9.0, 2)) for t, h, p in values[710:]]
    flagged = _run(values)
    assert any(r == ("weather:thunderstorm",) for r in flagged.values()), flagged
    caught = {seq for seq, reasons in flagged.items() if "drift:pressure_hpa" in reasons}
    assert len(caught & set(range(530, 680))) == 0, sorted(caught)


def test_a_thermometer_drifting_up_in_a_storms_hold_is_drift():
    """A storm's moisture dries back and its cooling recovers: the dew point never climbs after
    it. A thermometer whose bias grows 2.5 °C/h from 100 readings after a storm's start lifts
    the dew point while the air warms and dries: flagged inside the storm's hold (before, the
    hold and the hour after it hid all but one of its 120 readings). A bias growing downwards
    is looked for only under the dew point before the storm
    (``test_a_thermometer_drifting_down_in_a_storms_hold_is_drift_under_the_floor``)."""
    values = _stream(1300)
    _thunderstorm(values, 300, drop=7.0, jump_hpa=3.0)
    storm = list(values)
    values[400:520] = [(round(t + 2.5 / 60 * (i + 1), 2), h, p)
                       for i, (t, h, p) in enumerate(values[400:520])]
    flagged = _run(values)
    caught = {seq for seq, reasons in flagged.items() if reasons[0].startswith("drift")}
    assert len(caught & set(range(400, 520))) >= 0.6 * 120, sorted(caught)
    assert not [r for r in _run(storm).values() if r[0].startswith("drift")]


def test_a_thermometer_drifting_down_in_a_storms_hold_is_drift_under_the_floor():
    """The storm's moisture dries back to the dew point before the storm, which the evening
    lowers by 1.1 °C/h at most: a thermometer whose bias falls 3 °C/h from 60 readings after a
    storm's start takes the dew point under that floor and is flagged inside the storm's hold
    (before, its first flag came 10 readings after the hold's end, at 490). The storm alone,
    drying back, is not."""
    values = _stream(1300)
    _thunderstorm(values, 300, drop=7.0, jump_hpa=3.0)
    storm = list(values)
    values[360:600] = [(round(t - 3.0 / 60 * (i + 1), 2), h, p)
                       for i, (t, h, p) in enumerate(values[360:600])]
    flagged = _run(values)
    caught = {seq for seq, reasons in flagged.items() if reasons[0].startswith("drift")}
    assert len(caught & set(range(360, 480))) >= 60, sorted(caught)
    assert not [r for r in _run(storm).values() if r[0].startswith("drift")]


def test_a_thermometer_drifting_up_in_a_saturated_storms_hold_is_drift_over_the_ceiling():
    """In saturated air (fog, a monsoon) the dew point is the temperature, and the storm's cooling
    recovers upwards: only towards the temperature before the storm, moved along the day's
    warming. A thermometer whose bias grows 3 °C/h from 40 readings after a storm's start goes
    through that ceiling and is flagged inside the storm's hold, back to its onset within the
    readings the check has followed since the storm settled (before, not until the hold was over
    and the check had its two hours again). The storm alone, recovering, is not."""
    for seed in (1, 2):
        rng = random.Random(100 + seed)
        values = [(t, round(min(99.9, max(99.0, 99.5 + rng.gauss(0, 0.3))), 1), p)
                  for t, _, p in _stream(1000, seed=seed, resolution=(0.1, 0.1, 0.1),
                                         noise=(0.1, 0.4, 0.08))]
        _thunderstorm(values, 300, drop=6.0, jump_hpa=2.0)
        storm = list(values)
        values[340:520] = [(round(t + 3.0 / 60 * (i + 1), 1), h, p)
                           for i, (t, h, p) in enumerate(values[340:520])]
        flagged = _run(values)
        caught = {seq for seq, reasons in flagged.items() if "drift:temperature_c" in reasons}
        assert len(caught & set(range(340, 520))) >= 0.9 * 180, (seed, sorted(caught))
        assert min(caught) >= 330, (seed, sorted(caught))  # the storm settled at 330
        assert not [r for r in _run(storm).values() if r[0].startswith("drift")], seed


@dataclass(frozen=True)
class _Air:
    """The air rain falls into from reading 600, and the sensor that reads it."""

    cooling_per_hour: float  # the evening's, before the rain
    dew_point_depression: float
    dew_point_fall_per_hour: float
    pressure_fall_per_hour: float
    noise: tuple[float, float, float]
    steps: tuple[float, float, float]


def _rain(seed: int, air: _Air, humidity_drift_per_hour: float = 0.0,
          rain: bool = True) -> list[tuple[float, float, float]]:
    """From reading 600 rain sets in over two hours, moistens the air towards saturation (as
    the simulator's: the dew point following the rain's share of the dew-point depression, a
    quarter of the way in 25 minutes) and cools it 1.5 °C, the pressure swaying with the tide
    over its fall. Optionally a humidity bias growing from reading 600 instead."""
    rng = random.Random(seed)
    values = []
    moist = cool = 0.0
    for seq in range(900):
        share = min(1.0, max(0.0, (seq - 600) / 120)) if rain else 0.0
        temperature = 24.0 - air.cooling_per_hour / 60 * seq - cool
        dew = 24.0 - air.dew_point_depression - air.dew_point_fall_per_hour / 60 * seq
        moist += (share * (temperature - dew) - moist) / 25
        cool += (1.5 * share - cool) / 30
        bias = humidity_drift_per_hour / 60 * max(0, seq - 600)
        humidity = relative_humidity(temperature, dew + moist) + bias + rng.gauss(0, air.noise[1])
        pressure = 1012 - air.pressure_fall_per_hour / 60 * seq + \
            0.8 * math.cos(2 * math.pi * seq / 720) + rng.gauss(0, air.noise[2])
        values.append((round(round((temperature + rng.gauss(0, air.noise[0])) / air.steps[0])
                             * air.steps[0], 2),
                       round(round(min(humidity, 100.0) / air.steps[1]) * air.steps[1], 1),
                       round(round(pressure / air.steps[2]) * air.steps[2], 2)))
    return values


def _rain_in_dry_air(seed: int, humidity_drift_per_hour: float = 0.0, rain: bool = True,
                     fall_per_hour: float = 0.3) -> list[tuple[float, float, float]]:
    """A warm evening, the dew point 16 °C under the temperature, read by a station (0.05 °C,
    0.5 %, 0.05 hPa); the pressure falls 0.3 hPa/h (a shallow front; ``fall_per_hour``) and
    sways with the tide, which hides the fall over the hour and three hours before the rain."""
    air = _Air(cooling_per_hour=1.0, dew_point_depression=16.0, dew_point_fall_per_hour=0.3,
               pressure_fall_per_hour=fall_per_hour, noise=(0.03, 0.3, 0.03),
               steps=(0.05, 0.5, 0.05))
    return _rain(seed, air, humidity_drift_per_hour, rain)


def test_rain_saturating_dry_air_is_not_a_humidity_drift():
    """In dry air rain's humidity rises 4-10 %/h for its first hour, as a humidity sensor's
    drift does, then races towards saturation (final-11: 8 % of control readings in rain
    flagged so): the decision waits for that, and withdraws its flags."""
    for seed in range(1, 4):
        flagged = _run(_rain_in_dry_air(seed))
        assert not [seq for seq, reasons in flagged.items()
                    if any(reason.startswith("drift") for reason in reasons)], flagged


def test_a_humidity_drift_in_the_same_dry_air_is_still_drift():
    """A humidity bias growing 12 %/h never races: it is flagged, back to its onset, an hour
    after it is decided."""
    for seed in range(1, 4):
        flagged = _run(_rain_in_dry_air(seed, humidity_drift_per_hour=12.0, rain=False))
        drift = [seq for seq, reasons in flagged.items() if "drift:humidity_pct" in reasons]
        assert drift and min(drift) < 640 and set(drift) <= set(range(590, 900)), flagged


def _rain_in_moist_air(seed: int, humidity_drift_per_hour: float = 0.0, rain: bool = True,
                       dew_point_depression: float = 3.5,
                       fall_per_hour: float = 0.35) -> list[tuple[float, float, float]]:
    """Trade-wind air (24 °C, the dew point 3.5 °C under it: ~81 %) read at final-21's coarse
    resolution (0.3 °C, 0.3 %, 0.3 hPa), the temperature steady: the rain moistens it to
    saturation at ~12 %/h (never racing); the pressure falls 0.35 hPa/h (a weak front;
    ``fall_per_hour``)."""
    air = _Air(cooling_per_hour=0.0, dew_point_depression=dew_point_depression,
               dew_point_fall_per_hour=0.0,
               pressure_fall_per_hour=fall_per_hour, noise=(0.1, 1.5, 0.05),
               steps=(0.3, 0.3, 0.3))
    return _rain(seed, air, humidity_drift_per_hour, rain)


def test_rain_saturating_moist_air_with_its_cooling_is_not_a_humidity_drift():
    """Trade-wind rain ahead of a weak front moistens the air to saturation at 10-12 %/h,
    never racing, while it cools the air (final-21 seed 2201: three controls flagged for 64-136
    readings each): a moistening whose temperature bent down rises into saturation within the
    wait, and its flags are withdrawn; nothing is flagged in the saturated rain after."""
    for seed in range(1, 4):
        flagged = _run(_rain_in_moist_air(seed))
        assert not [seq for seq, reasons in flagged.items()
                    if any(reason.startswith("drift") for reason in reasons)], (seed, flagged)


def test_rain_saturating_drier_trade_wind_air_later_is_not_a_humidity_drift():
    """In air 5 °C under saturation (~74 %) the same rain saturates it 120-135 readings after it
    set in, later than RAIN_CONFIRM readings after a moistening's decision (final-21
    sim-2201-030: two readings late): a moistening whose air cooled waits COOLED_RAIN_CONFIRM.
    On the shorter wait all ten seeds read as drift; two still do (not traced)."""
    drifting = [seed for seed in range(1, 11) if any(
        reason.startswith("drift") for reasons in
        _run(_rain_in_moist_air(seed, dew_point_depression=5.0)).values() for reason in reasons)]
    assert len(drifting) <= 2, drifting


def test_a_humidity_drift_into_saturation_in_the_same_air_is_still_drift():
    """A humidity bias growing 12 %/h into saturation leaves the thermometer alone: it stays
    drift, flagged back to its onset."""
    for seed in range(1, 4):
        flagged = _run(_rain_in_moist_air(seed, humidity_drift_per_hour=12.0, rain=False))
        drift = [seq for seq, reasons in flagged.items() if "drift:humidity_pct" in reasons]
        assert drift and min(drift) < 640, (seed, sorted(flagged))


def _rain_in_hot_humid_air(seed: int, rain: bool = True) -> list[tuple[float, float, float]]:
    """Air 5 °C over its dew point (~73 %) cooling 0.3 °C/h, the pressure only swaying with the
    tide, read by a station (0.1 °C, 0.5 %, 0.1 hPa; humidity noise 1 %): rain sets in at
    reading 600 and saturates the air ~130 readings later, at ~12-19 %/h (final-26 seed 2705's
    rain into hot air at 62-79 %: never racing, no pressure fall, the cooling within a drift's)."""
    air = _Air(cooling_per_hour=0.3, dew_point_depression=5.0, dew_point_fall_per_hour=0.3,
               pressure_fall_per_hour=0.0, noise=(0.1, 1.0, 0.05), steps=(0.1, 0.5, 0.1))
    return _rain(seed, air, rain=rain)


def test_rain_saturating_air_with_room_to_race_without_racing_is_not_a_humidity_drift():
    """Rain into air with room to race (under ROOM_TO_RACE_PCT where its climb began) that
    climbs no faster than a drift still takes the air into saturation within a couple of hours:
    the moistening waits ROOM_RAIN_CONFIRM readings, and its flags are withdrawn once the
    humidity sits at saturation (before: 107-125 readings flagged on each seed)."""
    for seed in range(1, 4):
        flagged = _run(_rain_in_hot_humid_air(seed))
        assert not [seq for seq, reasons in flagged.items()
                    if any(reason.startswith("drift") for reason in reasons)], (seed, flagged)


def test_a_humidity_drift_recalibrated_short_of_saturation_in_that_air_is_still_drift():
    """A humidity bias growing 12 %/h for two hours in the same air (73 -> 97 %, then
    recalibrated) touches saturation only with its noise: it is flagged, back to its onset
    (final-26 sim-2705-014)."""
    for seed in range(1, 4):
        values = [(t, round(round(min(100.0, h + 12.0 / 60 * (seq - 599)) / 0.5) * 0.5, 1)
                   if 600 <= seq < 720 else h, p)
                  for seq, (t, h, p) in enumerate(_rain_in_hot_humid_air(seed, rain=False))]
        flagged = _run(values)
        drift = [seq for seq, reasons in flagged.items() if "drift:humidity_pct" in reasons]
        assert drift and min(drift) < 640 and set(drift) <= set(range(590, 720)), (seed, drift)


def test_a_humidity_drift_pinned_at_saturation_then_recalibrated_is_flagged_back():
    """A humidity bias growing 12 %/h for four hours in the same air sits pinned at 100 % for
    its last ~100 readings, as rain would keep it, and is withdrawn as rain; its recalibration
    then steps the humidity out of saturation by the bias it grew in one reading (100 -> ~73 %),
    which rain's drying never does: the withdrawn flags are flagged back to its onset, and the
    pinned readings up to the step (before: never flagged on five seeds)."""
    for seed in range(1, 4):
        values = [(t, round(round(min(100.0, h + 12.0 / 60 * (seq - 599)) / 0.5) * 0.5, 1)
                   if 600 <= seq < 840 else h, p)
                  for seq, (t, h, p) in enumerate(_rain_in_hot_humid_air(seed, rain=False))]
        flagged = _run(values)
        drift = {seq for seq, reasons in flagged.items() if "drift:humidity_pct" in reasons}
        assert drift and min(drift) < 640 and drift <= set(range(590, 840)), (seed, drift)
        assert len(drift & set(range(720, 840))) >= 110, (seed, sorted(drift))


def _first_drift_flag_emitted(values: list[tuple[float, float, float]]) -> int:
    scorer = SensorScorer(THRESHOLDS, lambda: 0)
    for seq, reading in enumerate(values):
        verdict = scorer.score("s", seq, seq * 60_000, reading)
        if any(reason.startswith("drift") for flag in verdict.flags for reason in flag.reasons):
            return seq
    raise AssertionError("no drift flagged")


def test_a_humidity_drift_from_air_too_dry_for_slow_rain_to_saturate_waits_an_hour():
    """A humidity bias growing 15 %/h from air at ~36 % (the dew point 22 °C under a
    temperature falling 1 °C/h, the pressure only swaying with the tide): rain climbing no
    faster than that cannot saturate air from under SLOW_RAIN_FROM_PCT within ROOM_RAIN_CONFIRM,
    so the moistening waits RAIN_CONFIRM readings (the race would withdraw rain's), reported
    ~80 readings after its onset (before: ~140; final-24 sim-2501-009 lost 69 readings to the
    stream's end so)."""
    air = _Air(cooling_per_hour=1.0, dew_point_depression=22.0, dew_point_fall_per_hour=0.3,
               pressure_fall_per_hour=0.0, noise=(0.03, 0.3, 0.03), steps=(0.05, 0.5, 0.05))
    for seed in range(1, 4):
        values = _rain(seed, air, humidity_drift_per_hour=15.0, rain=False)
        assert _first_drift_flag_emitted(values) < 700, seed
        drift = [seq for seq, reasons in _run(values).items() if "drift:humidity_pct" in reasons]
        assert drift and min(drift) < 610, (seed, drift)


def test_a_thermometer_drifting_up_as_the_evening_moistens_the_air_waits_an_hour():
    """Air cooling 1 °C/h, its humidity rising from 67 % with the evening, read by a thermometer
    drifting up 2.5 °C/h from reading 600: its dew point rises with the humidity, a moistening,
    but its temperature's trend bends up (rain never warms the air it moistens) by over
    RAIN_WARMING_C_PER_HOUR, so it waits RAIN_CONFIRM, not ROOM_RAIN_CONFIRM (final-23
    sim-2402-023). On seed 3 it is decided within the hour of its start (before: reported at
    749)."""
    air = _Air(cooling_per_hour=1.0, dew_point_depression=16.0, dew_point_fall_per_hour=0.0,
               pressure_fall_per_hour=0.0, noise=(0.03, 0.3, 0.03), steps=(0.05, 0.5, 0.05))
    values = [(round(t + 2.5 / 60 * max(0, seq - 599), 2), h, p)
              for seq, (t, h, p) in enumerate(_rain(3, air, rain=False))]
    assert _first_drift_flag_emitted(values) < 700


def test_a_humidity_drift_in_moist_air_under_the_tide_alone_does_not_wait_for_rain():
    """Over ROOM_TO_RACE_PCT rain cannot race within the hour, and only a falling pressure says
    rain: with the pressure not falling faster than the tide makes it over eight hours, a
    humidity drift decided in air at ~85 % is reported without the hour's wait (final-22
    sim-2302-005: a drift decided at 86 % that rose into a front's moisture raced, and was lost
    to the wait)."""
    for seed in range(1, 4):
        waited = _first_drift_flag_emitted(
            _rain_in_moist_air(seed, humidity_drift_per_hour=12.0, rain=False))
        at_once = _first_drift_flag_emitted(
            _rain_in_moist_air(seed, humidity_drift_per_hour=12.0, rain=False,
                               fall_per_hour=0.0))
        assert at_once <= waited - 30, (seed, at_once, waited)


def test_rain_saturating_dry_air_under_the_tide_alone_is_not_a_humidity_drift():
    """Rain moistens dry air whatever the pressure says: a shallow front's fall hidden over
    eight hours by the tide's rise (final-24 seed 2505: the Sahel's rain ahead of a front
    moistening five controls from 18-50 % at 4-19 %/h, flagged 28-87 readings each) waits for
    the humidity to race as one under a falling pressure does, and is withdrawn."""
    for seed in range(1, 4):
        flagged = _run(_rain_in_dry_air(seed, fall_per_hour=0.0))
        assert not [seq for seq, reasons in flagged.items()
                    if any(reason.startswith("drift") for reason in reasons)], (seed, flagged)


def test_a_humidity_drift_under_the_tide_alone_is_still_drift():
    """The same air's humidity bias growing 12 %/h with the pressure not falling never races:
    it waits as rain would and is flagged, back to its onset."""
    for seed in range(1, 4):
        flagged = _run(_rain_in_dry_air(seed, humidity_drift_per_hour=12.0, rain=False,
                                        fall_per_hour=0.0))
        drift = [seq for seq, reasons in flagged.items() if "drift:humidity_pct" in reasons]
        assert drift and min(drift) < 640 and set(drift) <= set(range(590, 900)), flagged


def test_a_rising_pressure_drift_read_as_a_front_in_rain_is_withdrawn_and_flagged_back():
    """Monsoon air at ~94 %: a pressure bias rising 4 hPa/h meets the jump-in-rain rule (1 hPa
    in 16 readings) 18-21 readings in, before the drift check has opened it. The pressure goes
    on rising at the drift's rate over the next 90 readings, so the "front" is withdrawn, the
    drift flagged back to its onset, and the drift's rise makes no second front."""
    for seed in range(1, 4):
        values = _humid_stream(1000, seed=seed)
        _rising_pressure_drift(values, 400, 700, hpa_per_hour=4.0)
        flagged = _run(values)
        fronts = [seq for seq, reasons in flagged.items() if "weather:front" in reasons]
        assert len(fronts) == 1 and 400 < fronts[0] < 430, (seed, fronts)
        caught = {seq for seq, reasons in flagged.items() if "drift:pressure_hpa" in reasons}
        assert len(caught & set(range(400, 700))) >= 0.95 * 300, (seed, sorted(caught))
        assert caught <= set(range(395, 700)), (seed, sorted(caught))


def test_a_fronts_rise_that_slows_within_90_readings_is_still_a_front():
    """A front's passage in rain: the pressure jumps 1.5 hPa in ten minutes and rises 4 hPa/h
    for 50 readings more (as behind final-9's fronts that rose 2.8-5.6 hPa/h over readings
    30-60), then levels: the front stands, and its hold keeps the drift check back."""
    for seed in range(1, 4):
        values = _humid_stream(1000, seed=seed)
        for i in range(400, 1000):
            t, h, p = values[i]
            rise = 1.5 * min(1.0, (i - 400) / 10) + 4.0 / 60 * min(50, max(0, i - 410))
            values[i] = (t, h, round(p + rise, 2))
        flagged = _run(values)
        assert [seq for seq, reasons in flagged.items() if "weather:front" in reasons] == [410]
        assert not [seq for seq, reasons in flagged.items()
                    if any(reason.startswith("drift") for reason in reasons)], (seed, flagged)


def test_a_pressure_drift_read_as_a_front_and_recalibrated_before_it_is_judged_is_drift():
    """The same drift, its bias gone at once 55-100 readings in (the sensor recalibrated), before
    the front is judged: the pressure falling back to its level before the "front" in minutes
    is no weather's, and the drift is flagged from its onset to its end, and no further."""
    for seed in range(1, 4):
        for end in (455, 480, 500):
            values = _humid_stream(1000, seed=seed)
            _rising_pressure_drift(values, 400, end, hpa_per_hour=4.0)
            flagged = _run(values)
            caught = {seq for seq, reasons in flagged.items() if "drift:pressure_hpa" in reasons}
            assert len(caught) >= 0.95 * (end - 400) and caught <= set(range(395, end)), (
                seed, end, sorted(caught))


def test_a_pressure_drift_begun_in_a_fronts_wake_is_drift_and_the_fronts_rise_is_not():
    """A front's jump in rain (1.5 hPa in ten minutes, then level), and 70 readings later a
    pressure bias rising 3 hPa/h, inside the front's three-hour hold: judged again every half
    hour, the pressure is let go once it has risen at a drift's rate for an hour, and the drift
    is flagged from its onset; the front's own rise is not."""
    for seed in range(1, 4):
        values = _humid_stream(1000, seed=seed)
        for i in range(400, 1000):
            t, h, p = values[i]
            values[i] = (t, h, round(p + 1.5 * min(1.0, (i - 400) / 10), 2))
        _rising_pressure_drift(values, 480, 700, hpa_per_hour=3.0)
        flagged = _run(values)
        assert [seq for seq, reasons in flagged.items() if "weather:front" in reasons] == [410]
        caught = {seq for seq, reasons in flagged.items() if "drift:pressure_hpa" in reasons}
        assert len(caught) >= 0.95 * 220 and caught <= set(range(475, 700)), (
            seed, sorted(caught))


def test_a_second_fronts_passage_in_a_fronts_hold_is_no_drift():
    """A front's jump in rain (1.5 hPa in ten minutes, then level), and 50 readings later a
    second passage, rising 3.6 hPa over 55 readings (4 hPa/h), then level, inside the first
    front's hold (final-22 2303-031: fronts every 0.7 days; a storm read as a front, the front's
    own passage 52 readings later). Two slices at a drift's rate are a passage's; the rise is let
    go only after WAKE_SLICES, longer than any passage, so it raises no drift."""
    for seed in range(1, 4):
        values = _humid_stream(1000, seed=seed)
        for i in range(400, 1000):
            t, h, p = values[i]
            rise = 1.5 * min(1.0, (i - 400) / 10) + 3.6 * min(1.0, max(0, i - 460) / 55)
            values[i] = (t, h, round(p + rise, 2))
        flagged = _run(values)
        assert [seq for seq, reasons in flagged.items() if "weather:front" in reasons] == [410]
        assert not [seq for seq, reasons in flagged.items()
                    if any(reason.startswith("drift") for reason in reasons)], (seed, flagged)


def _station_morning(seed: int, warming_c_per_min: float, n: int = 900,
                     ) -> list[tuple[float, float, float]]:
    """A station sensor (0.1 °C / 1 % / 0.1 hPa) whose channels repeat about every other
    reading, then a morning from reading 600: the temperature climbs ``warming_c_per_min`` for
    two hours, the dew point stays (so the humidity falls)."""
    return _station_warming(seed, warming_c_per_min, n, start=600, minutes=120,
                            temperature_sd=0.05, humidity_sd=0.4)


def test_a_station_held_whole_while_its_temperature_climbs_is_stuck():
    """Every channel held for 8 readings while the temperature climbs 3 °C/h (half a step a
    reading): 14-18 nats by the repeat rates, but capped by the learnt joint runs of calm
    spells (each was missed). The temperature's trend before the run would have carried it 4
    steps over it: the learnt runs do not bound it (final-13 1404-013)."""
    for seed in (1, 2, 4):
        values = _station_morning(seed, 0.05)
        assert _run(values) == {}, seed
        values[690:698] = [values[689]] * 8
        flagged = _run(values)
        began = min(_run_edge(values, 689, c, -1) for c in range(3))
        ended = max(_run_edge(values, 697, c, 1) for c in range(3))
        assert set(range(690, 698)) <= set(flagged) <= set(range(began, ended + 1)), (
            seed, sorted(flagged))
        assert all(r.startswith("stuck:") for rs in flagged.values() for r in rs), seed


def _calm_coarse_morning(seed: int, warming_c_per_min: float = 0.04, minutes: int = 120,
                         ) -> list[tuple[float, float, float]]:
    """A station thermometer at 0.1 °C whose noise is under a third of a step (it repeats most
    readings when calm), then a morning from reading 600: the temperature climbs
    ``warming_c_per_min`` (a quarter of a step a reading) for ``minutes`` readings."""
    return _station_warming(seed, warming_c_per_min, start=600, minutes=minutes,
                            temperature_sd=0.03)


def test_a_calm_coarse_thermometer_held_through_the_morning_climb_is_stuck_at_the_runs_end():
    """Held 15 readings while the morning climbs a quarter of a step a reading: at a repeat rate
    of ~0.6 that is too few repeats for the rate (each was missed), and the channel's noise is
    under half a step, where steady trends do not lift the learnt runs (calm coarse channels
    sat on one step through such trends). The step out of the run, 3-4 steps the way the trend
    went, shows the weather went on: the run is stuck, flagged when it ends."""
    for seed in (1, 2, 4):
        values = _calm_coarse_morning(seed)
        assert _run(values) == {}, seed
        held = values[689][0]
        values[690:705] = [(held, h, p) for _, h, p in values[690:705]]
        _assert_stuck_run(values, 690, 705, 0, "stuck:temperature_c", seed)


def test_a_calm_coarse_thermometer_on_one_step_where_the_climb_levels_off_is_not_stuck():
    """The climb stops at reading 690 (the day's top): the thermometer sits on its step and
    leaves it by one step, not the way the trend went, so its run's end confirms nothing."""
    for seed in (1, 2, 4):
        assert _run(_calm_coarse_morning(seed, minutes=90)) == {}, seed


def _busy_station(seed: int, n: int = 900, pressure_sd: float = 0.06,
                  ) -> list[tuple[float, float, float]]:
    """A station sensor (0.1 °C / 1 % / 0.1 hPa) whose noise is about 0.6 of a step on every
    channel: each repeats about every other reading, all three at once seldom more than two
    readings running (final-14's station sensors)."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        temperature = 15 + 3 * math.sin(seq / 229) + rng.gauss(0, 0.06)
        humidity = relative_humidity(temperature, 8.0) + rng.gauss(0, 0.6)
        pressure = 1012 + 0.5 * math.sin(seq / 115) + rng.gauss(0, pressure_sd)
        values.append(tuple(round(round(v / r) * r, 2) for v, r in  # type: ignore[misc]
                            zip((temperature, min(humidity, 100.0), pressure), (0.1, 1.0, 0.1))))
    return values  # type: ignore[return-value]


def _joint_run_edge(values: list[tuple[float, float, float]], seq: int, direction: int) -> int:
    """The first (direction -1) or last (+1) reading of the run of values[seq] on every channel
    at once."""
    while 0 <= seq + direction < len(values) and values[seq + direction] == values[seq]:
        seq += direction
    return seq


def test_a_station_held_whole_past_twice_its_longest_healthy_joint_run_is_stuck_from_there():
    """Every channel held for 8 readings, one or two of them already repeating before: 13-22
    nats by the repeat rates, capped under 12 by the tail of the learnt joint runs (longest 2
    or 3 repeats; final-14: 8 of 12 short all-channel runs missed so). Twice the longest of them
    is outside what they say anything about: flagged from where all three repeat, not from
    where a channel calm already began its run (seeds 7 and 8 were caught before, from there)."""
    for seed in (4, 5, 6, 7, 8):
        _assert_held_whole_flagged_on(_busy_station(seed), seed, CHANNELS)


def _assert_held_whole_flagged_on(values: list[tuple[float, float, float]], seed: int,
                                  channels: tuple[str, ...]) -> None:
    """A healthy sensor held whole for 8 readings from 700: flagged stuck on ``channels`` only,
    over the readings held and at most out to where all three began repeating and where those
    channels' runs end."""
    assert _run(values) == {}, seed
    values[700:708] = [values[699]] * 8
    flagged = _run(values)
    began = _joint_run_edge(values, 699, -1) + 1
    ended = max(_run_edge(values, 707, CHANNELS.index(c), 1) for c in channels)
    assert set(range(700, 708)) <= set(flagged) <= set(range(began, ended + 1)), (
        seed, sorted(flagged))
    assert all(r in {f"stuck:{c}" for c in channels} for rs in flagged.values() for r in rs), seed


def _fog_morning(seed: int, warming_c_per_min: float, n: int = 1000,
                 ) -> list[tuple[float, float, float]]:
    """A station sensor in fog (the dew point 0.15 °C under the temperature: 98-100 %), then a
    morning from reading 600: the temperature climbs ``warming_c_per_min`` for 250 readings,
    the dew point stays (final-14 1505-002: 2.5 °C, the humidity down to 86 %)."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        level = 11 + 0.5 * math.sin(seq / 229)
        temperature = level + warming_c_per_min * min(max(seq - 600, 0), 250) + \
            rng.gauss(0, 0.05)
        humidity = relative_humidity(temperature, level - 0.15) + rng.gauss(0, 0.5)
        pressure = 1016 + 0.5 * math.sin(seq / 115) + rng.gauss(0, 0.05)
        values.append(tuple(round(round(v / r) * r, 2) for v, r in  # type: ignore[misc]
                            zip((temperature, min(humidity, 100.0), pressure), (0.1, 1.0, 0.1))))
    return values  # type: ignore[return-value]


def test_humidity_held_at_99_as_the_air_warms_off_saturation_is_stuck_and_in_fog_it_is_not():
    """A coarse humidity's repeats at 99 % say nothing in saturated air, so they were never
    judged; held there for 250 readings while the air warmed 2.5 °C, the run's dew point would
    read 3 steps under saturation within the first hour: no weather keeps the air saturated
    as it warms, and the run is judged (flagged from its start). Held as long while the fog
    stays, it is not."""
    for seed in (1, 3, 4, 8):
        for warming in (0.01, 0.0):
            values = _fog_morning(seed, warming)
            assert not any("stuck:humidity_pct" in rs for rs in _run(values).values()), seed
            first = max(seq for seq in range(560, 600) if values[seq][1] == 99.0)
            values[first:850] = [(t, 99.0, p) for t, _, p in values[first:850]]
            caught = {seq for seq, rs in _run(values).items() if "stuck:humidity_pct" in rs}
            if warming:
                began = _run_edge(values, first, 1, -1)
                assert set(range(first + 1, 850)) <= caught <= set(range(began, 850)), (
                    seed, sorted(caught))
            else:
                assert not caught, (seed, sorted(caught))


def _saturating_evening(seed: int, n: int = 1000) -> list[tuple[float, float, float]]:
    """A station sensor (humidity noise 0.44 % on 1.65 % steps, as final-30's) whose air cools
    onto its dew point by reading 400 and stays saturated (fog): the humidity reads 99.0 % (the
    step under the limit, its rounding boundary at 99.825 %) about one time in three, else
    100 %."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        level = 11 + 0.5 * math.sin(seq / 229)
        temperature = level + 1.5 * max(0.0, 1 - seq / 400) + rng.gauss(0, 0.05)
        humidity = relative_humidity(temperature, level) + rng.gauss(0, 0.44)
        pressure = 1016 + 0.5 * math.sin(seq / 115) + rng.gauss(0, 0.05)
        values.append((round(round(temperature / 0.1) * 0.1, 2),
                       min(round(round(humidity / 1.65) * 1.65, 2), 100.0),
                       round(round(pressure / 0.1) * 0.1, 2)))
    return values


def test_humidity_held_on_the_step_under_the_limit_in_saturated_air_is_stuck_once_held_long():
    """Saturated air reads the limit more often than the step under it where the step's
    rounding boundary lies under the limit, so a healthy channel cannot hold that step for
    long there (final-30 sim-3103-013: 99.0 % on 1.65 % steps for 190 readings at a true
    100 %, never judged). A hold of NEAR_LIMIT_HOLD_READINGS readings in air the readings
    before it put at saturation is judged (flagged from its start); a shorter one is not (the
    air can warm a hair under saturation for 53 readings: final-28 2905-012), nor is the
    fog's own reading of the step."""
    for seed in (1, 2, 5):
        values = _saturating_evening(seed)
        assert not any("stuck:humidity_pct" in rs for rs in _run(values).values()), seed
        first = max(seq for seq in range(560, 600) if values[seq][1] == 99.0)
        short = list(values)
        short[first:first + NEAR_LIMIT_HOLD_READINGS - 20] = [
            (t, 99.0, p) for t, _, p in values[first:first + NEAR_LIMIT_HOLD_READINGS - 20]]
        assert not any("stuck:humidity_pct" in rs for rs in _run(short).values()), seed
        values[first:850] = [(t, 99.0, p) for t, _, p in values[first:850]]
        caught = {seq for seq, rs in _run(values).items() if "stuck:humidity_pct" in rs}
        began = _run_edge(values, first, 1, -1)
        assert set(range(first + 1, 850)) <= caught <= set(range(began, 850)), (
            seed, sorted(caught))


def _cloud_passing(seed: int, dew_below_c: float, n: int = 900,
                   ) -> list[tuple[float, float, float]]:
    """A station sensor in moist air (the dew point ``dew_below_c`` under the temperature); a
    cloud shades it from reading 682 (2 °C cooler within 4 readings) and passes off the sun
    from 698 (warming back over 8 readings); the dew point stays."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        level = 15 + 1.5 * math.sin(seq / 229)
        shade = min(max(seq - 682, 0), 4) / 4 - min(max(seq - 698, 0), 8) / 8
        temperature = level - 2.0 * shade + rng.gauss(0, 0.05)
        humidity = relative_humidity(temperature, level - dew_below_c) + rng.gauss(0, 0.4)
        pressure = 1012 + 0.5 * math.sin(seq / 115) + rng.gauss(0, 0.05)
        values.append(tuple(round(round(v / r) * r, 2) for v, r in  # type: ignore[misc]
                            zip((temperature, min(humidity, 100.0), pressure), (0.1, 1.0, 0.1))))
    return values  # type: ignore[return-value]


def test_humidity_stepping_into_saturation_as_the_air_warms_is_inconsistent():
    """The humidity reads 100 % from reading 703 for 22 readings, as the cloud passes off the
    sun: the dew point steps 5 °C while the air warms 1.5 °C over the fitted step, and a
    temperature step that large a share of it was read as the weather's (final-14 1501-000:
    never flagged, and its return flagged for 90 readings instead). No weather moistens the
    air as it warms (rain and storms cool it). The cloud passing alone raises nothing, nor
    does it in fog, where the humidity reads 100 % in the shade and its dew point (the
    temperature's) rises back with the air."""
    for seed in (1, 4):
        assert _run(_cloud_passing(seed, 4.0)) == {}, seed
        in_fog = _run(_cloud_passing(seed, 0.3))
        assert not any("inconsistent" in rs for rs in in_fog.values()), (seed, in_fog)
        values = _cloud_passing(seed, 4.0)
        values[703:725] = [(t, 100.0, p) for t, _, p in values[703:725]]
        flagged = _run(values)
        assert set(flagged) == set(range(703, 725)), (seed, sorted(flagged))
        assert all(rs == ("inconsistent",) for rs in flagged.values()), seed


def test_a_run_ending_in_a_storms_hold_is_not_judged_by_its_end():
    """A storm at 560 lifts the pressure 1 hPa, which then decays and levels off: the barometer
    sits on a step after the steady fall and leaves it the way it fell (seed 4: judged stuck
    by its end without the hold condition). In a weather event's hold the trend before a run is
    the event's, which stops, so a run's end there confirms nothing."""
    for seed in (1, 2, 3, 4, 5):
        values = _calm_coarse_morning(seed)
        _thunderstorm(values, 560, drop=3.0, jump_hpa=1.0)
        flagged = _run(values)
        assert "weather:thunderstorm" in {r for rs in flagged.values() for r in rs}, seed
        assert not [seq for seq, rs in flagged.items() if any(r.startswith("stuck:") for r in rs)
                    ], (seed, sorted(flagged))


def _pressure_drift_into_a_storm(seed: int) -> dict[int, tuple[str, ...]]:
    """A barometer drifting down 3 hPa/h from 300, recalibrated at 500; a thunderstorm from
    430, two hours after the drift began (its jump of 3 hPa against the drift's bias)."""
    values = _stream(900, seed=seed)
    _thunderstorm(values, 430, drop=7.0, jump_hpa=3.0, jump_decay=40.0, jump_holds=30)
    values[300:500] = [(t, h, round(p - 3.0 / 60 * (i + 1), 2))
                       for i, (t, h, p) in enumerate(values[300:500])]
    return _run(values)


def test_a_pressure_drift_flagged_well_before_a_storm_goes_on_through_its_hold():
    """Decided and flagged an hour before the storm: flagged on through the storm's hold to its
    recalibration, and not after."""
    for seed in (1, 2, 3):
        flagged = _pressure_drift_into_a_storm(seed)
        caught = {seq for seq, reasons in flagged.items() if "drift:pressure_hpa" in reasons}
        assert "weather:thunderstorm" in {r for reasons in flagged.values() for r in reasons}
        assert set(range(440, 500)) <= caught, (seed, sorted(caught))
        assert not {seq for seq in caught if seq >= 500}, (seed, sorted(caught))


def _busy_station_calm_barometer(seed: int) -> list[tuple[float, float, float]]:
    """``_busy_station`` whose barometer is calm: its noise is 0.3 of a step, so it sits on one
    step for a while when healthy (final-15's station barometers at 0.30-0.38 of a step)."""
    return _busy_station(seed, pressure_sd=0.03)


def test_a_station_held_whole_past_its_joint_runs_with_a_calm_barometer_is_stuck_on_the_others():
    """Every channel held for 8 readings: twice the longest learnt healthy joint run, but the
    barometer's noise is under half a step, so the joint runs' tail still capped the evidence
    under 12 (each seed was missed; final-15: 4 of 7 short all-channel runs). Each channel's own
    run evidence, bounded by its own learnt runs (the calm barometer's adds little), adds up
    past the bar. Flagged on the thermometer and the humidity from where all three repeat, not
    on the barometer, whose repeats are a calm channel's."""
    for seed in (4, 6, 16, 17):
        _assert_held_whole_flagged_on(_busy_station_calm_barometer(seed), seed,
                                      ("temperature_c", "humidity_pct"))



def _calm_coarse_station(seed: int, n: int, moved_c: Callable[[int], float], shade_c: float,
                  ) -> list[tuple[float, float, float]]:
    """A calm coarse station (0.1 °C / 1 % / 0.1 hPa, noise a third of a step or less, a slow
    day: its channels sit on one step together for long runs), the dew point at 8 °C, its air
    moved ``moved_c(seq)`` °C off the slow day by the weather and, from reading 638, a shade
    cooling it ``shade_c`` at once."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        temperature = 15 + 0.5 * math.sin(seq / 229) + moved_c(seq) - \
            (shade_c if seq >= 638 else 0.0) + rng.gauss(0, 0.03)
        humidity = relative_humidity(temperature, 8.0) + rng.gauss(0, 0.3)
        pressure = 1012 + 0.2 * math.sin(seq / 115) + rng.gauss(0, 0.03)
        values.append(tuple(round(round(v / r) * r, 2) for v, r in  # type: ignore[misc]
                            zip((temperature, min(humidity, 100.0), pressure), (0.1, 1.0, 0.1))))
    return values  # type: ignore[return-value]


def _calm_station_sun_break(seed: int, n: int = 900, warming_c: float = 0.04, minutes: int = 120,
                            shade_c: float = 0.0) -> list[tuple[float, float, float]]:
    """A calm coarse station (``_calm_coarse_station``) whose sun break from reading 625 warms
    the air ``warming_c`` a minute (0.04 °C: 0.4 of a step a reading) for ``minutes`` (two
    hours): the hour before reading 660 is flat, then climbing, no steady line; a shade from
    reading 638 cools it ``shade_c`` at once."""
    return _calm_coarse_station(seed, n, lambda seq: warming_c * min(max(seq - 625, 0), minutes),
                                shade_c)


def _assert_held_whole_thermometer_stuck(values: list[tuple[float, float, float]], first: int,
                                        end: int, seed: int) -> None:
    """The sensor held whole over [first, end): its thermometer's run is flagged stuck, at most
    back to where its held value began, and nothing is flagged but stuck runs."""
    flagged = _run(values)
    began = _run_edge(values, first - 1, 0, -1)
    temperature = {seq for seq, rs in flagged.items() if "stuck:temperature_c" in rs}
    assert set(range(first, end)) <= temperature <= set(range(began, end)), (
        seed, sorted(temperature))
    assert all(r.startswith("stuck:") for rs in flagged.values() for r in rs), seed


def test_a_calm_station_held_whole_through_a_sun_break_is_stuck_at_the_runs_end():
    """Held whole 20 readings from 660 while the sun break warms the air 8 steps: the learnt
    joint runs of calm spells cap the channels' evidence, and the readings before follow no
    steady line (flat, then climbing), so the thermometer's run end confirms no steady trend
    (the thermometer was missed). The whole sensor held and the thermometer stepped out 8 steps
    the way the readings before were heading: its run is stuck, flagged at its end. (The
    humidity, falling steadily before, is flagged by its own run's end on some seeds.)"""
    for seed in (1, 2, 3, 4):
        values = _calm_station_sun_break(seed)
        assert _run(values) == {}, seed
        values[660:680] = [values[659]] * 20
        _assert_held_whole_thermometer_stuck(values, 660, 680, seed)


def test_a_calm_thermometer_held_alone_through_a_sun_break_is_stuck_as_the_humidity_said():
    """The same run on the thermometer alone (the humidity and pressure go on): the readings
    before follow no steady line, but the humidity fell 3-4 % over the run, which at the dew
    point before it says the air warmed 8 steps while the thermometer held; the step out puts
    the dew point back: stuck at the run's end (it was not judged before)."""
    for seed in (1, 2, 3, 4):
        values = _calm_station_sun_break(seed)
        held = values[659][0]
        values[660:680] = [(held, h, p) for _, h, p in values[660:680]]
        _assert_stuck_run(values, 660, 680, 0, "stuck:temperature_c", seed)


def test_a_calm_humidity_held_alone_while_a_cloud_cooled_the_air_is_stuck_as_the_temperature_said():
    """The reverse case: the station's humidity held 10 readings from 628 while a cloud cooled
    the air 0.1 °C a minute, the dew point steady, then 5-6 steps up. Its learnt runs are as long
    (it repeats 0.7 of the time) and cooling air pulls no humidity (PULL_STEPS); but at the dew
    point before the run the temperatures over it read 4-6 % more, and the step out puts the
    dew point back: stuck at the run's end (it was not judged before)."""
    for seed in (1, 3, 4, 6):
        values = _calm_station_sun_break(seed, warming_c=-0.1, minutes=15)
        assert _run(values) == {}, seed
        held = values[627][1]
        values[628:638] = [(t, held, p) for t, _, p in values[628:638]]
        _assert_stuck_run(values, 628, 638, 1, "stuck:humidity_pct", seed)


def _storm_over_calm_station(seed: int) -> list[tuple[float, float, float]]:
    """A calm coarse station (``_calm_coarse_station``, dew point 8 °C) under a thunderstorm
    from reading 640: the air 8 °C colder within ten minutes (saturated: 15 -> 7 °C), the
    pressure 3 hPa up within six."""
    values = _calm_coarse_station(seed, 900, lambda seq: -8.0 * min(1.0, max(seq - 640, 0) / 10),
                                  0.0)
    return [(t, h, round(p + 3.0 * min(1.0, max(seq - 640, 0) / 6), 2))
            for seq, (t, h, p) in enumerate(values)]


def test_a_calm_humidity_held_through_a_storms_plunge_is_stuck_along_the_dew_point():
    """The station's humidity held at 62-63 % for 24 readings from 630 while the storm cools
    the air 8 °C (the healthy humidity goes to 100 %): its repeat rate and learnt runs (a calm
    coarse channel's) and the storm's hold keep every other judgment of its run under the bar
    (it was flagged only as inconsistent); the humidity the temperatures say, the dew point let
    move HELD_DEW_C_PER_HOUR, rules it out: stuck, back to where the held value began. The storm
    over the healthy sensor is weather only."""
    for seed in (1, 2, 3, 4):
        values = _storm_over_calm_station(seed)
        assert {r for rs in _run(values).values() for r in rs} == {"weather:thunderstorm"}, seed
        held = values[629][1]
        values[630:654] = [(t, held, p) for t, _, p in values[630:654]]
        flagged = _run(values)
        began = _run_edge(values, 629, 1, -1)
        humidity = {seq for seq, rs in flagged.items() if "stuck:humidity_pct" in rs}
        assert set(range(630, 654)) <= humidity <= set(range(began, 654)), (seed, sorted(humidity))
        assert all(r in ("stuck:humidity_pct", "weather:thunderstorm")
                   for rs in flagged.values() for r in rs), (seed, flagged)


def test_a_calm_humidity_held_in_still_air_then_shaded_is_not_judged_by_its_end():
    """Held 10 readings in still air, then a shade cools the air 1.2 °C at once: the humidity
    steps 5-6 % up with the temperature, not before it (the temperatures over the run say it
    stayed), so the step out is the weather's of that reading: its run's end is not judged."""
    for seed in (1, 2, 3, 4, 6, 8):
        values = _calm_station_sun_break(seed, warming_c=0.0, shade_c=1.2)
        held = values[627][1]
        values[628:638] = [(t, held, p) for t, _, p in values[628:638]]
        _assert_not_stuck(values, "stuck:humidity_pct", seed)


def test_a_calm_barometer_held_then_falling_is_not_judged_by_the_dew_point():
    """The barometer held 10 readings from 628 on a calm station, the humidity a step up over the
    run's last three (moister air ahead of a squall), then the pressure falls 6 steps as the
    humidity steps back: the dew point drifted and returned, as ``_other_foretold`` asks, but the
    dew point says nothing of the pressure (the rule read a humidity in % against a pressure in
    hPa when it was let judge barometers: this run was flagged on every seed)."""
    for seed in (1, 2, 3, 4, 6, 7, 8):
        values = _calm_station_sun_break(seed, warming_c=0.0)
        assert _run(values) == {}, seed
        held = values[627][2]
        values[628:635] = [(t, h, held) for t, h, _ in values[628:635]]
        values[635:638] = [(t, h + 1.0, held) for t, h, _ in values[635:638]]
        values[638:] = [(t, h, round(p - 0.6, 2)) for t, h, p in values[638:]]
        assert _run(values) == {}, seed


def _calm_station_under_a_cloud(seed: int, n: int = 900) -> list[tuple[float, float, float]]:
    """A calm coarse station (0.1 °C / 1 % / 0.1 hPa, noise a third of a step or less) under a
    cloud from reading 640: the air cools 0.02 °C a minute and the pressure rises 0.01 hPa a
    minute for 40 minutes, the dew point staying at 8 °C; no trend before it."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        minutes = min(max(seq - 640, 0), 40)
        temperature = 15 + 0.5 * math.sin(seq / 229) - 0.02 * minutes + rng.gauss(0, 0.03)
        humidity = relative_humidity(temperature, 8.0) + rng.gauss(0, 0.3)
        pressure = 1012 + 0.2 * math.sin(seq / 115) + 0.01 * minutes + rng.gauss(0, 0.03)
        values.append(tuple(round(round(v / r) * r, 2) for v, r in  # type: ignore[misc]
                            zip((temperature, min(humidity, 100.0), pressure), (0.1, 1.0, 0.1))))
    return values  # type: ignore[return-value]


def test_a_calm_station_held_whole_that_every_channel_leaves_at_once_is_stuck():
    """Held whole 20 readings from 640 while the cloud cools the air 4 steps: its joint runs
    cap the run's evidence under the bar, and no channel's trend before confirms its step out
    (none was moving); but all three channels step out at the same reading, as a stuck sensor's
    readings resume, which a healthy sensor's channels do about as often as their chances of
    stepping multiplied: with that, the run is stuck at its end (missed before)."""
    for seed in (1, 2, 6, 7):
        values = _calm_station_under_a_cloud(seed)
        assert _run(values) == {}, seed
        held = values[639]
        values[640:660] = [held] * 20
        assert all(values[660][c] != held[c] for c in range(3)), seed
        flagged = _run(values)
        began = min(_run_edge(values, 639, c, -1) for c in range(3))
        assert set(range(640, 660)) <= set(flagged) <= set(range(began, 660)), (
            seed, sorted(flagged))
        assert all(rs == ("stuck:temperature_c", "stuck:humidity_pct", "stuck:pressure_hpa")
                   for rs in flagged.values()), seed


def test_a_station_held_whole_that_every_channel_leaves_for_one_reading_is_not_judged():
    """The same run, but the reading after the step is back at the held values on every channel:
    the step was a spike, not the run's end, so the sensor held whole is not judged at it. (Its
    barometer is, by the line through the readings on both sides of its run: the cloud raised
    the pressure 2 steps along it while it held.)"""
    for seed in (1, 2, 6, 7):
        values = _calm_station_under_a_cloud(seed)
        held = values[639]
        values[640:660] = [held] * 20
        values[661] = held
        flagged = _run(values)
        assert not any(reason in flagged.get(seq, ()) for seq in range(640, 660)
                       for reason in ("stuck:temperature_c", "stuck:humidity_pct")), (
            seed, sorted(flagged.items()))



def test_a_station_held_whole_whose_humidity_reads_its_held_value_again_is_stuck():
    """The same run, but at the reading after the step the humidity reads its held value again
    (the air moved under a step of it while it held) while the thermometer and barometer stay
    out: a stuck sensor's release lands each channel where the air went plus its noise, so the
    step's chance counts the two that stayed out (``WHOLE_END_STAYED``), and with the run's joint
    evidence it reaches the bar: stuck on all three channels (on main only one channel's own
    rules flagged part of it)."""
    for seed in (1, 6, 7):
        values = _calm_station_under_a_cloud(seed)
        held = values[639]
        values[640:660] = [held] * 20
        assert all(values[660][c] != held[c] for c in range(3)), seed
        values[661] = (values[661][0], held[1], values[661][2])
        flagged = _run(values)
        for seq in range(640, 660):
            assert set(flagged.get(seq, ())) == {
                "stuck:temperature_c", "stuck:humidity_pct", "stuck:pressure_hpa"}, (seed, seq)


def test_final_28s_station_held_whole_and_left_by_two_channels_that_stayed_out_is_stuck():
    """final-28 sim-2904-002: a station (steps 0.18 C / 1.8 % / 0.18 hPa, noise a third to a
    half of a step) held whole at 2370-2380 in cloudy air, then -2, +1 and -1 steps, the
    barometer back on its held value at the next reading: 11.4 nats of joint evidence, 13.1
    with the chance of the thermometer's and humidity's step (``WHOLE_END_STAYED``). Stuck over
    the held readings, nothing else stuck in the hundred readings round it (never flagged on
    main)."""
    values = _network_sensor("final-28", 2904, 2, 2400)
    assert len(set(values[2369:2381])) == 1
    assert values[2382][2] == values[2380][2]
    stuck = {seq for seq, reasons in _run(values).items() if 2300 <= seq < 2400 and
             any(reason.startswith("stuck") for reason in reasons)}
    assert stuck == set(range(2370, 2381)), sorted(stuck)

def _cheap_moist_air(seed: int, warming_c: float = 0.1, shade_c: float = 0.0, n: int = 900,
                     ) -> list[tuple[float, float, float]]:
    """A cheap sensor (0.1 °C / 0.1 % / 0.1 hPa; noise 1.6 steps of temperature, 1.8 % of
    humidity) in cold air 2 °C over its dew point (final-16's lake shore): a sun break from
    reading 640 warms the air ``warming_c`` a minute for 15 minutes, the dew point stays (the
    humidity falls ~1 % a minute); a shade from reading 652 cools it ``shade_c`` at once."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        air = -2 + 0.8 * math.sin(seq / 229)
        temperature = air + warming_c * min(max(seq - 640, 0), 15) - \
            (shade_c if seq >= 652 else 0.0)
        humidity = relative_humidity(temperature, air - 2.0) + rng.gauss(0, 1.8)
        pressure = 1012 + 0.5 * math.sin(seq / 115) + rng.gauss(0, 0.12)
        values.append(tuple(round(round(v / r) * r, 2) for v, r in  # type: ignore[misc]
                            zip((temperature + rng.gauss(0, 0.16), min(humidity, 100.0),
                                 pressure), (0.1, 0.1, 0.1))))
    return values  # type: ignore[return-value]


def test_a_noisy_thermometer_held_while_the_humidity_fell_is_stuck_at_the_runs_end():
    """A cheap thermometer held 6 readings in a sun break while the humidity fell ~4 %, then 6-10
    steps up (final-16 1705-018): 9-11 nats by its rate and quantised chance, and the trend
    before (flat) confirms nothing; the humidity says the air warmed 3-5 steps while it held,
    and the step out puts the dew point back: stuck at the run's end (missed before)."""
    for seed in (1, 2, 5, 6):
        values = _cheap_moist_air(seed)
        assert _run(values) == {}, seed
        held = values[645][0]
        values[646:652] = [(held, h, p) for _, h, p in values[646:652]]
        flagged = _run(values)
        temperature = {seq for seq, rs in flagged.items() if "stuck:temperature_c" in rs}
        assert set(range(646, 652)) <= temperature <= set(
            range(_run_edge(values, 645, 0, -1), 652)), (seed, sorted(temperature))


def test_a_noisy_thermometer_held_in_still_air_then_shaded_is_not_judged_by_its_end():
    """Held 6 readings in still air, then a shade cools it 0.8 °C at once: the humidity rises
    with that step, not before it (the dew point steady while it held), so the step out is the
    weather's of that reading: its run's end is not judged."""
    for seed in (1, 2, 5, 6):
        values = _cheap_moist_air(seed, warming_c=0.0, shade_c=0.8)
        held = values[645][0]
        values[646:652] = [(held, h, p) for _, h, p in values[646:652]]
        _assert_not_stuck(values, "stuck:temperature_c", seed)


def test_a_calm_thermometer_held_briefly_through_a_sun_break_is_stuck_by_a_small_step_alone():
    """The sun break's thermometer held 8 readings from 660, not 20: it steps out 3-4 steps (under
    the 5 that a step out the humidity foretold needed), at a reading where the humidity stays.
    The humidity fell ~1 % over the run, which says the air warmed 2-3 steps while it held, and
    the step is the thermometer's own: stuck at the run's end (missed before)."""
    for seed in (1, 2, 3, 4, 6, 7, 8):
        values = _calm_station_sun_break(seed)
        held = values[659][0]
        values[660:668] = [(held, h, p) for _, h, p in values[660:668]]
        assert 3 <= round((values[668][0] - held) / 0.1) < 5, seed
        flagged = _run(values)
        temperature = {seq for seq, rs in flagged.items() if "stuck:temperature_c" in rs}
        assert set(range(660, 668)) <= temperature <= set(
            range(_run_edge(values, 659, 0, -1), 668)), (seed, sorted(temperature))


def _calm_station_warming_into_a_sun_break(seed: int) -> list[tuple[float, float, float]]:
    """A calm coarse station (``_calm_coarse_station``) warming steadily 0.015 °C a minute from
    reading 540 (0.15 of a step a reading), and from reading 660 a sun break warming it 0.05 °C
    a minute more for 15 minutes."""
    return _calm_coarse_station(
        seed, 900, lambda seq: 0.015 * max(seq - 540, 0) + 0.05 * min(max(seq - 660, 0), 15), 0.0)


def test_a_thermometer_held_into_a_sun_break_is_stuck_as_the_humidity_said_not_as_its_trend():
    """The thermometer held 12 readings from 660 while the sun break warmed the air 7-8 steps,
    then let go: its steady trend before confirms the step, but that trend (0.15 of a step a
    reading, shrunk by its errors) is too shallow for the bar; the humidity fell 2-3 % over the
    run, which at the dew point before says the air warmed as far as the step out, and the step
    puts the dew point back. The step is the run's move: stuck (final-19 2002-011, 2004-008;
    missed before on every seed here)."""
    for seed in (2, 4, 7, 8):
        values = _calm_station_warming_into_a_sun_break(seed)
        assert _run(values) == {}, seed
        held = values[659][0]
        values[660:672] = [(held, h, p) for _, h, p in values[660:672]]
        assert round((values[672][0] - held) / 0.1) >= 5, seed
        flagged = _run(values)
        temperature = {seq for seq, rs in flagged.items() if "stuck:temperature_c" in rs}
        assert set(range(660, 672)) <= temperature <= set(
            range(_run_edge(values, 659, 0, -1), 672)), (seed, sorted(temperature))


def test_a_thermometer_held_into_a_sun_break_the_humidity_did_not_foretell_is_judged_by_its_trend():
    """The same run, but the humidity reads over the run's last 3 readings what it read at its
    first (the air moistening as it warmed, as far as the humidity says): nothing says the air
    warmed more than the shallow steady trend, whose evidence is under the bar: not judged."""
    for seed in (1, 2, 4, 7):
        values = _calm_station_warming_into_a_sun_break(seed)
        held, humidity = values[659][0], values[659][1]
        values[660:672] = [(held, h, p) for _, h, p in values[660:672]]
        values[669:672] = [(t, humidity, p) for t, _, p in values[669:672]]
        _assert_not_stuck(values, "stuck:temperature_c", seed)


def _held_in_sun_break(values: list[tuple[float, float, float]], length: int = 16,
                       ) -> list[tuple[float, float, float]]:
    """``values`` with the thermometer held ``length`` readings from 660 and the humidity over the
    run's last 3 readings back at what it read at its first (nothing foretells the step out)."""
    held, humidity = values[659][0], values[659][1]
    end = 660 + length
    values[660:end] = [(held, h, p) for _, h, p in values[660:end]]
    values[end - 3:end] = [(t, humidity, p) for t, _, p in values[end - 3:end]]
    return values


def test_a_thermometer_held_in_a_sun_break_after_a_flat_spell_is_judged_by_its_last_half_hour():
    """The sun break (``_calm_station_sun_break``: flat, then 0.4 of a step a reading from 625):
    the hour before the run at 660 follows no line, but its newer half does; the thermometer
    held 16 readings, then 6-8 steps up the way that half hour went: stuck (final-19 2005-012, a
    station thermometer held in the morning's climb after a cloudy spell; missed before on
    every seed here)."""
    for seed in (1, 2, 3, 4, 6, 7, 8, 11, 12):
        values = _calm_station_sun_break(seed)
        assert _run(values) == {}, seed
        values = _held_in_sun_break(values)
        assert round((values[676][0] - values[659][0]) / 0.1) >= 6, seed
        flagged = _run(values)
        temperature = {seq for seq, rs in flagged.items() if "stuck:temperature_c" in rs}
        assert set(range(660, 676)) <= temperature <= set(
            range(_run_edge(values, 659, 0, -1), 676)), (seed, sorted(temperature))


def test_a_thermometer_held_in_a_sun_break_shaded_in_its_last_half_hour_is_not_judged():
    """The same run, but clouds shaded the climb 0.3 °C twice in the half hour before it: that half
    hour follows no line either, and nothing else says how far the air moved: not judged."""
    for seed in (1, 3, 6, 7, 8, 11, 12):
        values = _calm_coarse_station(
            seed, 900, lambda seq: 0.04 * min(max(seq - 625, 0), 120) -
            (0.3 if 640 <= seq < 646 or 650 <= seq < 655 else 0.0), 0.0)
        assert _run(values) == {}, seed
        _assert_not_stuck(_held_in_sun_break(values), "stuck:temperature_c", seed)


def _calm_station_cloud(seed: int, cooling_c: float, shade_c: float = 0.0, n: int = 900,
                        ) -> list[tuple[float, float, float]]:
    """A calm coarse station (``_calm_coarse_station``) under a cloud from reading 625 that cools
    the air ``cooling_c`` a minute for 15 minutes; from reading 638 a deeper shade cools it
    ``shade_c`` more at once."""
    return _calm_coarse_station(seed, n, lambda seq: -cooling_c * min(max(seq - 625, 0), 15),
                                shade_c)


def test_a_calm_humidity_held_as_a_cloud_cooled_the_air_is_stuck_by_a_small_step_alone():
    """The humidity held 10 readings from 628 while the cloud cooled the air 0.07 °C a minute, then
    3-4 steps up at a reading where the temperature moved no more than before: at the dew point
    before the run, the temperatures over it read 2-3 % more, and the step is the humidity's own
    (8-9 nats by its repeats; missed before)."""
    for seed in (1, 2, 3, 4, 6, 7, 8):
        values = _calm_station_cloud(seed, 0.07)
        assert _run(values) == {}, seed
        held = values[627][1]
        values[628:638] = [(t, held, p) for t, _, p in values[628:638]]
        assert 3 <= values[638][1] - held < 5, seed
        _assert_stuck_run(values, 628, 638, 1, "stuck:humidity_pct", seed)


def test_a_calm_humidity_stepping_with_the_temperature_is_not_judged_by_a_small_step():
    """The same run under a thinner cloud (0.03 °C a minute: the temperatures over it say 1 %
    more), then a deeper shade cools the air 0.6 °C at the reading the humidity steps 4 up: most
    of the step is that reading's weather, which the temperature shares (a healthy calm humidity
    leaves its step so as a cloud comes or goes), so its run's end is not judged (it would be,
    by the step alone)."""
    for seed in (2, 3, 7, 8):
        values = _calm_station_cloud(seed, 0.03, shade_c=0.6)
        held = values[627][1]
        values[628:638] = [(t, held, p) for t, _, p in values[628:638]]
        assert values[638][1] - held == 4, seed
        _assert_not_stuck(values, "stuck:humidity_pct", seed)


def _assert_stuck_in_storm(values: list[tuple[float, float, float]], start: int, end: int,
                           channel: int, reason: str, seed: int) -> None:
    """The run held on ``channel`` from ``start`` to before ``end`` is flagged whole for
    ``reason``, from no earlier than where its value began; nothing else before its end but
    the storm (the step out may read as noise after it)."""
    flagged = _run(values)
    stuck = {seq for seq, rs in flagged.items() if reason in rs}
    began = _run_edge(values, start - 1, channel, -1)
    assert set(range(start, end)) <= stuck <= set(range(began, end)), (seed, sorted(flagged))
    assert all(r in (reason, "weather:thunderstorm") for seq, rs in flagged.items() if seq < end
               for r in rs), (seed, sorted(flagged.items()))

def test_a_barometer_held_while_a_storms_jump_decayed_is_stuck_at_the_runs_end():
    """The quiet station's storm (found at 600, a 3 hPa jump held for an hour, then decaying a
    40th of what is left each minute) with its barometer held 20 readings from 665 while the
    decay took the pressure down 10 steps, then let go: stuck at the run's end, inside the
    storm's hold (no run's end was judged there but a barometer's held through the jump)."""
    for seed in (1, 2, 3, 4, 5):
        values = _station_storm(seed, fog=False)
        held = values[664][2]
        values[665:685] = [(t, h, held) for t, h, _ in values[665:685]]
        assert held - values[685][2] >= 0.5, (seed, values[685])
        _assert_stuck_in_storm(values, 665, 685, 2, "stuck:pressure_hpa", seed)


def test_a_barometer_held_in_a_storms_hold_that_falls_under_its_level_before_is_not_judged():
    """The same held barometer let go 1.5 hPa under the pressure's level before the storm (where
    no decay takes it: a dropout's value or a recalibration lands anywhere) is not judged by its
    run's end (with STORM_DECAY_BELOW_HPA at 3 it is, on every seed)."""
    for seed in (1, 2, 3, 4, 5):
        values = _station_storm(seed, fog=False)
        held, before = values[664][2], values[590][2]
        values[665:685] = [(t, h, held) for t, h, _ in values[665:685]]
        values[685:] = [(t, h, round(p - (values[685][2] - before) - 1.5, 1))
                        for t, h, p in values[685:]]
        _assert_not_stuck(values, "stuck:pressure_hpa", seed)


def test_a_barometer_held_from_a_storms_plateau_into_its_decay_is_stuck_by_a_small_step():
    """The quiet station's storm with a 1.5 hPa jump (held for an hour, then decaying a 40th of
    what is left each minute) with its barometer held 16 readings from 654, the plateau's last
    readings, while the decay took the pressure down 3-4 steps, then let go: stuck at the run's
    end (missed before on every seed: 5 steps were asked of a step down there). The healthy
    barometer follows the same decay a step at a time and is not judged."""
    for seed in (1, 2, 3, 4, 5, 6, 7):
        healthy = _station_storm(seed, fog=False, jump_hpa=1.5)
        _assert_not_stuck(healthy, "stuck:pressure_hpa", seed)
        values, held = _with_channel_held(healthy, 2, 654, 670)
        assert 3 <= round((held - values[670][2]) / 0.1) <= 4, (seed, values[670])
        _assert_stuck_in_storm(values, 654, 670, 2, "stuck:pressure_hpa", seed)


def _held_in_storms_late_decay(seed: int, rise_hpa: float = 0.0
                               ) -> list[tuple[float, float, float]]:
    """The quiet station's storm with its barometer held 16 readings from 700, an hour and more
    after the storm was found, while the jump's slow decay took the pressure down 3-4 steps, then
    let go; with the pressure rising ``rise_hpa`` a minute from 640 on (faster than the decay: a
    rise in the storm's wake), the run is let go up."""
    values = _station_storm(seed, fog=False)
    values[640:] = [(t, h, round(p + rise_hpa * k, 1)) for k, (t, h, p) in enumerate(values[640:])]
    held = values[699][2]
    values[700:716] = [(t, h, held) for t, h, _ in values[700:716]]
    return values


def test_a_barometer_held_as_a_storm_wore_off_is_stuck_by_a_smaller_step_along_its_trend():
    """Let go 3-4 steps down, the way the decay went, along the steady fall before the run:
    stuck at the run's end inside the storm's hold (missed before on every seed: 5 steps were
    asked of a run's end there). The healthy barometer follows the same decay a step at a time
    and is not judged. Held as the pressure rose in the storm's wake and let go 7-8 steps up
    along that rise (the way the next storm's jump steps a healthy barometer): not judged
    (only a step down is judged so; with a step up judged too it is, on every seed)."""
    for seed in (1, 2, 3, 4, 5, 6, 7, 8):
        healthy = _station_storm(seed, fog=False)
        assert not any("stuck:pressure_hpa" in rs for rs in _run(healthy).values()), seed
        values = _held_in_storms_late_decay(seed)
        assert 3 <= round((values[699][2] - values[716][2]) / 0.1) <= 4, (seed, values[716])
        flagged = _run(values)
        stuck = {seq for seq, rs in flagged.items() if "stuck:pressure_hpa" in rs}
        began = _run_edge(values, 699, 2, -1)
        assert set(range(700, 716)) <= stuck <= set(range(began, 716)), (seed, sorted(stuck))
        rising = _held_in_storms_late_decay(seed, rise_hpa=0.06)
        assert 5 <= round((rising[716][2] - rising[699][2]) / 0.1) <= 9, (seed, rising[716])
        _assert_not_stuck(rising, "stuck:pressure_hpa", seed)


def test_a_thermometer_held_while_the_air_warmed_after_a_storm_is_stuck_as_the_humidity_said():
    """The quiet station's storm in drier air, its thermometer held 16 readings from 700 while
    the storm's cooling wore off (the air warming 0.06 °C a minute, the humidity falling), then
    8-10 steps up with the humidity still: at the dew point before the run the humidity over it
    says the air warmed so, the step out puts the dew point back, and the humidity did not step
    with it. Stuck at the run's end, inside the storm's hold (it was not judged there)."""
    for seed in (1, 2, 3, 4, 5):
        values = _station_storm(seed, fog=False, dry_dew_c=2.0)
        held = values[699][0]
        values[700:716] = [(held, h, p) for _, h, p in values[700:716]]
        assert values[716][0] - held >= 0.75, (seed, values[716])
        _assert_stuck_in_storm(values, 700, 716, 0, "stuck:temperature_c", seed)


def test_a_thermometer_held_while_a_storms_jump_decayed_is_stuck_by_a_smaller_step_up():
    """The quiet station's storm with a 5 hPa jump, its thermometer held 16 readings from 740 in
    the storm's saturated air while the storm's cooling wore off and the decaying jump took the
    barometer down 2-3 steps, then let go 0.4-0.5 °C up (under SATURATED_STEP_C): the storm is
    over, so its cooling wears off and a healthy thermometer warms a step at a time. Stuck over
    the run at its end (missed before on every seed, or flagged from 748 only; the 5 hPa jump's
    steep decay reads as barometer noise on some seeds, apart). Held so in a storm
    with a 1 hPa jump, the barometer not falling 2 steps over the run: not judged. The healthy
    thermometer through the 5 hPa storm is not flagged stuck."""
    for seed in (1, 2, 3, 4, 5, 6, 7):
        healthy = _station_storm(seed, fog=False, jump_hpa=5.0)
        _assert_not_stuck(healthy, "stuck:temperature_c", seed)
        values, held = _with_channel_held(healthy, 0, 740, 756)
        assert 0.4 <= values[756][0] - held < 0.8 and values[756][1] == 100.0, (seed, values[756])
        assert values[739][2] - values[755][2] >= 0.2 - 1e-9, (seed, values[755])
        stuck = {seq for seq, rs in _run(values).items() if "stuck:temperature_c" in rs}
        began = _run_edge(values, 739, 0, -1)
        assert set(range(740, 756)) <= stuck <= set(range(began, 756)), (seed, sorted(stuck))
        values, _ = _with_channel_held(_station_storm(seed, fog=False, jump_hpa=1.0), 0, 740, 756)
        assert values[739][2] - values[755][2] < 0.2 - 1e-9, (seed, values[755])
        _assert_not_stuck(values, "stuck:temperature_c", seed)


def test_a_humidity_held_two_steps_under_the_limit_in_a_storms_saturated_air_is_stuck():
    """The quiet station's storm saturates the air (its humidity reads 100 % from minutes after
    the storm was found, 99 % at times); the humidity reads 98 % at 649 (two steps under the
    limit: saturated air reads it with a chance under 1e-4 by the channel's noise and step) and
    is held there 6 readings on the storm's plateau (the barometer on its jump, the thermometer
    not warming), then back to 100 %: stuck over the repeats (missed before on every seed). Held
    so at 674, the jump decaying (the barometer falling 2 steps or more over the run: the storm
    over, so the air may dry): not judged."""
    for seed in (1, 2, 3, 4, 5, 6, 7):
        values = _station_storm(seed, fog=False)
        assert all(h >= 99.0 for _, h, _ in values[620:660]), seed
        values[649:656] = [(t, 98.0, p) for t, _, p in values[649:656]]
        stuck = {seq for seq, rs in _run(values).items() if "stuck:humidity_pct" in rs}
        assert set(range(650, 656)) <= stuck <= set(range(649, 656)), (seed, sorted(stuck))
        values = _station_storm(seed, fog=False)
        values[674:681] = [(t, 98.0, p) for t, _, p in values[674:681]]
        assert values[674][2] - values[679][2] >= 0.2 - 1e-9, (seed, values[679])
        _assert_not_stuck(values, "stuck:humidity_pct", seed)


def test_a_thermometer_held_in_a_storms_saturated_air_is_stuck_by_a_step_no_shade_makes():
    """The quiet station's storm saturates the air for an hour and more; its thermometer held 16
    readings from 700 while the storm's cooling wore off, then 0.8-1.0 °C up (the humidity at
    100 % throughout, so it says nothing): no cloud's shade moves saturated air so far in a
    minute, and the pressure did not jump with it. Stuck at the run's end (it was not judged in
    the storm's hold). Held 8 readings, 0.5-0.6 °C out, a shade's size: not judged (with
    SATURATED_STEP_C at 0.4 it is)."""
    for seed in (1, 2, 3, 4, 5):
        values = _station_storm(seed, fog=False)
        held = values[699][0]
        values[700:716] = [(held, h, p) for _, h, p in values[700:716]]
        assert values[716][0] - held >= 0.79 and values[716][1] == 100.0, (seed, values[716])
        _assert_stuck_in_storm(values, 700, 716, 0, "stuck:temperature_c", seed)
        values = _station_storm(seed, fog=False)
        values[700:708] = [(held, h, p) for _, h, p in values[700:708]]
        _assert_not_stuck(values, "stuck:temperature_c", seed)


def _shaded_c(seq: int, start: int, end: int, shade_c: float) -> float:
    """How much a cloud's shade from ``start`` to ``end`` has cooled the air at ``seq``: towards
    ``shade_c`` while it lasts and back after, a quarter of what is left each minute (the
    simulator's, and a real thermometer's, way with shading)."""
    shade = 0.0
    for minute in range(seq + 1):
        target = shade_c if start <= minute < end else 0.0
        shade += (target - shade) / 4.0
    return shade


def test_a_calm_station_held_whole_while_the_air_warmed_is_stuck_where_its_step_out_settles():
    """Held whole 12 readings from 641 while the air, flat before, warms 0.08 °C a minute: no
    trend before foretells the thermometer's 9-11 steps out, the humidity held too (it foretells
    nothing) and the pressure stayed (so not every channel stepped). The step out lands past
    every temperature of the half hour before the run and the next reading goes on by under a
    step: the run is stuck at its end (missed before on every seed)."""
    for seed in (1, 2, 3, 4):
        values = _calm_coarse_station(seed, 900, lambda seq: 0.08 * min(max(seq - 640, 0), 30),
                                      0.0)
        assert _run(values) == {}, seed
        values[641:653] = [values[640]] * 12
        _assert_held_whole_thermometer_stuck(values, 641, 653, seed)


def _assert_held_whole_in_shade_not_stuck(shade_from: int, shade_to: int) -> None:
    """A calm coarse station held whole over readings 640-647 with a 2.5 °C shade over
    [shade_from, shade_to): its thermometer's run is not judged stuck, on every seed."""
    for seed in (1, 2, 3, 4):
        values = _calm_coarse_station(
            seed, 900, lambda seq: -_shaded_c(seq, shade_from, shade_to, 2.5), 0.0)
        values[640:648] = [values[639]] * 8
        _assert_not_stuck(values, "stuck:temperature_c", seed)


def test_a_calm_station_held_whole_in_a_clouds_shade_is_not_judged_by_its_step_back_out():
    """Held whole 8 readings at the bottom of a 2.5 °C shade, then the shade ends: the
    thermometer steps 6 steps up, back towards where the air was before the shade (not past it),
    and the next reading goes on by three quarters of the step: not judged."""
    _assert_held_whole_in_shade_not_stuck(620, 648)


def test_a_calm_station_held_whole_in_still_air_then_shaded_is_not_judged_by_its_step_out():
    """Held whole 8 readings in still air, then a 2.5 °C shade begins: the thermometer steps 6
    steps down, past every reading before the run, but the next reading goes on by three
    quarters of the step (the shade deepening): not judged."""
    _assert_held_whole_in_shade_not_stuck(648, 680)


def test_a_calm_station_held_whole_as_a_shade_ended_is_stuck_where_its_step_out_stays():
    """A 0.7 °C shade from reading 625; the sensor held whole 14 readings from 641 at its bottom
    while the shade ended (the air warming back a quarter of what is left each minute), then
    the thermometer steps about 7 steps up to where the air was before the shade (not past the
    half hour before the run) with the humidity, and stays there the next three readings: a
    shade's end would have gone on. Stuck at the run's end (missed before on every seed: the
    step lands nowhere past the readings before the run)."""
    for seed in (1, 2, 3, 4):
        values = _calm_coarse_station(
            seed, 900, lambda seq: -_shaded_c(seq, 625, 641, 0.7), 0.0)
        assert _run(values) == {}, seed
        values[641:655] = [values[640]] * 14
        assert round((values[655][0] - values[640][0]) / 0.1) >= 5, (seed, values[655])
        _assert_held_whole_thermometer_stuck(values, 641, 655, seed)


def test_a_calm_station_held_whole_then_a_humidity_step_alone_is_not_judged_by_its_step_out():
    """Held whole 8 readings in still air, then the humidity alone steps 18 % down and stays (an
    inconsistency beginning, the thermometer and barometer still on their steps): it lands past
    every reading before the run and settles, but a stuck sensor's release moves the channels
    the weather moved together; so its run is not judged stuck."""
    for seed in (1, 2, 3, 4):
        values = _calm_coarse_station(seed, 900, lambda seq: 0.0, 0.0)
        held = values[639]
        values[640:648] = [held] * 8
        values[648:652] = [(held[0], held[1] - 18.0, held[2])] * 4
        values[652:700] = [(t, h - 18.0, p) for t, h, p in values[652:700]]
        _assert_not_stuck(values, "stuck:humidity_pct", seed)


def _plateau_morning(seed: int, warming_c_per_min: float = 0.02, n: int = 900,
                     ) -> list[tuple[float, float, float]]:
    """A station sensor at 1.75 of its resolution (0.175 °C / 1.75 % / 0.175 hPa, noise a third
    of a step: its channels repeat most readings) in dry air (dew point -10 °C), then a morning
    climb from reading 600 of ``warming_c_per_min`` on top of the day's slow rise (together
    about 0.04 °C, a fifth of a step, a minute)."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        temperature = 2 - 4 * math.sin(seq / 229) + \
            warming_c_per_min * min(max(seq - 600, 0), 200) + rng.gauss(0, 0.06)
        humidity = relative_humidity(temperature, -10.0) + rng.gauss(0, 0.5)
        pressure = 1012 + 0.5 * math.sin(seq / 115) + rng.gauss(0, 0.05)
        values.append(tuple(round(round(v / r) * r, 3) for v, r in  # type: ignore[misc]
                            zip((temperature, min(humidity, 100.0), pressure),
                                (0.175, 1.75, 0.175))))
    return values  # type: ignore[return-value]


def test_a_coarse_station_held_whole_in_the_morning_climb_is_stuck_by_its_calm_channels_too():
    """Held whole 10 readings from 700 while the air climbs a fifth of a step a reading, then
    the thermometer steps 2-3 steps up the way its steady trend went: the quantised chance of
    the run along that trend is under the bar alone (the same run on the thermometer alone,
    the humidity and pressure going on, is not judged), but the calm humidity and pressure
    held over the same readings, which a healthy thermometer's climb does not hold, add their
    joint evidence: the readings held whole are flagged stuck at the run's end (missed on main
    on these seeds; final-19's station thermometers)."""
    for seed in (3, 5, 11):
        values = _plateau_morning(seed)
        assert _run(values) == {}, seed
        held = values[699]
        alone = [(held[0], h, p) for _, h, p in values[700:710]]
        values[700:710] = [held] * 10
        _assert_held_whole_thermometer_stuck(values, 700, 710, seed)
        assert min(_run(values)) == 700, seed  # (only the readings held whole)
        values[700:710] = alone
        _assert_not_stuck(values, "stuck:temperature_c", seed)


def _saturated_then_warming(seed: int) -> list[tuple[float, float, float]]:
    """Warm air at its dew point read by a consumer sensor with 1.5 % humidity noise (two
    readings in three cut to 100 %) until reading 500, then warming by 4 °C over three hours
    under the same dew point (the humidity falls to about 80 %)."""
    rng = random.Random(seed)
    values = []
    for seq in range(1400):
        dew = 24 + 0.5 * math.sin(2 * math.pi * seq / 1440)
        temperature = dew + 0.05 + 4.0 * min(1.0, max(0.0, (seq - 500) / 180))
        humidity = relative_humidity(temperature, dew) + rng.gauss(0, 1.5)
        pressure = 1008 + 0.5 * math.sin(seq / 229) + rng.gauss(0, 0.05)
        values.append((round(temperature + rng.gauss(0, 0.1), 2), round(min(100.0, humidity), 1),
                       round(pressure, 2)))
    return values


def test_humidity_noise_learnt_only_near_saturation_does_not_judge_the_air_once_dry():
    """The noise a humidity channel learns from saturated air is that of the dips under 99 %,
    a band a few percent wide (0.5-0.7 % here for 1.5 %): it judges readings near the ceiling
    only, and once the air dries the channel learns its noise from the readings clear of it.
    Judged by the dips' noise, those readings were noise (16-50 flagged on these seeds)."""
    for seed in (4, 5, 7, 12):
        values = _saturated_then_warming(seed)
        last_saturated = max(seq for seq, (_, h, _) in enumerate(values) if h >= 99.0)
        flagged = _run(values)
        assert not [seq for seq, reasons in flagged.items()
                    if seq > last_saturated + CEILING_NEAR_READINGS and
                    any("humidity" in reason for reason in reasons)], seed


def _moistening_into_saturation(seed: int, burst: int | None = None,
                                ) -> list[tuple[float, float, float]]:
    """Air 3 °C over its dew point (humidity ~83 %, noise 1 %) moistening into saturation over
    four hours from reading 400; with ``burst``, 40 readings of noise at 8 % from there."""
    rng = random.Random(seed)
    values = []
    for seq in range(1100):
        temperature = 22 + 0.5 * math.sin(2 * math.pi * seq / 1440)
        depression = 3.0 * (1 - min(1.0, max(0.0, (seq - 400) / 240)))
        noise = 8.0 if burst is not None and burst <= seq < burst + 40 else 1.0
        humidity = relative_humidity(temperature, temperature - depression) + rng.gauss(0, noise)
        pressure = 1008 + 0.5 * math.sin(seq / 229) + rng.gauss(0, 0.05)
        values.append((round(temperature + rng.gauss(0, 0.1), 2), round(min(100.0, humidity), 1),
                       round(pressure, 2)))
    return values


def test_a_humidity_noise_burst_in_saturated_air_is_noise_once_the_noise_was_learnt_clear_of_it():
    """A channel that learnt its noise in unsaturated air knows what its readings cut at 100 %
    can do: a burst of 8 % noise in saturated air is flagged as noise (none of these three was
    while saturated readings started no burst). Saturation itself raises nothing."""
    for seed in (1, 3, 7):
        clean = _run(_moistening_into_saturation(seed))
        assert not [seq for seq, reasons in clean.items()
                    if any("humidity" in reason for reason in reasons)], seed
        flagged = _run(_moistening_into_saturation(seed, burst=800))
        noise = [seq for seq, reasons in flagged.items() if "noise:humidity_pct" in reasons]
        assert len(set(noise) & set(range(800, 840))) >= 0.75 * 40, seed
        assert not [seq for seq, reasons in flagged.items() if not 800 <= seq < 850 and
                    any("humidity" in reason for reason in reasons)], seed


def test_a_calm_humidity_the_thermometer_vouches_for_is_flagged_from_where_the_sensor_held_whole():
    """final-21 (development data since the twenty-third round) control sim-2201-025, a station
    at 0.3 °C / 3 % / 0.3 hPa: its humidity reads 84 % from reading 58 while the temperature
    moves between 22.8 and 23.1 °C (the true humidity 83.1-84.3 %, within its step); from 160
    the whole sensor holds, and a joint decision flags it. The humidity's repeats before were a
    calm channel's, which the thermometer vouches for: no flag reaches back before 160 (before
    bad38c0 they reached back to 59)."""
    network = SensorNetwork(24, 12, "sim-", 2201, 0.004, PARAMS["final-21"])
    values = [network.tick()[25].values for _ in range(400)]
    assert {h for _, h, _ in values[58:252]} == {84.0}
    assert len({t for t, _, _ in values[58:160]}) > 1
    stuck = sorted(seq for seq, reasons in _run(values).items() if "stuck:humidity_pct" in reasons)
    assert not [seq for seq in stuck if seq < 160], stuck[:5]


def test_a_humidity_held_with_the_thermometer_at_the_nights_trough_adds_no_joint_evidence():
    """final-25 (development data since the twenty-seventh round) control sim-2601-029, a station
    at 0.16 °C / 1.6 % / 0.16 hPa, noise a fifth of a step: at the night's trough its thermometer
    holds 21.76 °C from reading 1635 to 1694 and its humidity 92.8 % with it (a still night holds
    the dew point, so a thermometer on one step holds a calm humidity on its own). Their joint
    run is no rarer than the thermometer's (``_humidity_held_with``): nothing is flagged stuck
    (before, both from 1636 on, 12.2 nats)."""
    network = SensorNetwork(24, 12, "sim-", 2601, 0.004, PARAMS["final-25"])
    values = [network.tick()[29].values for _ in range(1760)]
    assert {t for t, _, _ in values[1635:1695]} == {21.76}
    assert {h for _, h, _ in values[1633:1695]} == {92.8}
    stuck = [seq for seq, reasons in _run(values).items()
             if seq >= 1600 and any(r.startswith("stuck") for r in reasons)]
    assert not stuck, stuck[:5]


def test_a_coarse_humidity_that_held_one_value_through_its_warm_up_is_not_judged_by_a_nil_noise():
    """final-22 (development data since the twenty-third round) control sim-2301-034, a station
    at 0.275 °C / 2.75 % / 0.275 hPa: its humidity reads 96.25 % for its first 22 readings, then
    96.25 or 99 % (saturated: not learnt) until reading 400. It learnt a noise of 0.001 % from
    those repeats, and each step it made was noise or a spike: 500 readings flagged before it
    learnt a step at 760. A noise never measured judges nothing: none is flagged now."""
    network = SensorNetwork(24, 12, "sim-", 2301, 0.004, PARAMS["final-22"])
    values = [network.tick()[34].values for _ in range(800)]
    assert {h for _, h, _ in values[:22]} == {96.25}
    flagged = [seq for seq, reasons in _run(values).items()
               if any(r in reasons for r in ("noise:humidity_pct", "spike:humidity_pct"))]
    assert not flagged, flagged[:5]


def test_a_barometer_held_after_a_fronts_rise_or_before_its_own_release_read_as_a_front_is_judged():
    """final-22 (development data since the twenty-fourth round), two station barometers at
    0.275 hPa (noise a quarter of a step) held for hours while the pressure rose 1.1 hPa, then 4
    steps up at once: sim-2303-019 held 1021.63 from 1027 to 1210, its run begun 129 readings
    after a real front (whose hold covered the readings before it); sim-2301-000 held 1025.75
    from 2461 to 2699, a "front" found at 2704, 4 readings after its release (the condition fair).
    The line through the readings on both sides says the pressure rose through the run: stuck
    (neither was flagged before)."""
    for seed, index, first, end, held in ((2303, 19, 1044, 1211, 1021.63),
                                          (2301, 0, 2475, 2700, 1025.75)):
        network = SensorNetwork(24, 12, "sim-", seed, 0.004, PARAMS["final-22"])
        values = [network.tick()[index].values for _ in range(end + BRACKET_AFTER + 1)]
        assert {p for _, _, p in values[first:end]} == {held} and values[end][2] > held + 1.0
        stuck = {seq for seq, reasons in _run(values).items() if "stuck:pressure_hpa" in reasons}
        assert set(range(first, end)) <= stuck, (seed, sorted(set(range(first, end)) - stuck)[:5])


def _fine_fog_since_start(seed: int) -> list[tuple[float, float, float]]:
    """A consumer-grade sensor in fog from its first reading (a boreal night): humidity at 0.1 %
    steps with 0.5 % noise, clipped at 100 % or just under it, never clear of saturation."""
    rng = random.Random(seed)
    values = []
    for seq in range(600):
        temperature = -12 + 0.3 * math.sin(seq / 229) + rng.gauss(0, 0.05)
        humidity = min(100.0, 100.0 + rng.gauss(0, 0.5))
        pressure = 1015 + 0.3 * math.sin(seq / 115) + rng.gauss(0, 0.02)
        values.append((round(temperature, 2), round(humidity, 1), round(pressure, 2)))
    return values


def test_a_fine_humidity_saturated_since_the_start_stuck_under_the_limit_is_stuck():
    """A humidity that has known only saturated air has learnt no repeat rate clear of it (the
    0.5 it starts at) and no steps: it is judged under the limit by how often its readings there
    repeated and the steps it made there (UNDER_LIMIT_MIN_PAIRS). Held at 99.6 % for 15
    readings it is stuck (unjudged before: final-23 2401-020); the fog itself raises nothing."""
    for seed in (1, 2, 3):
        values = _fine_fog_since_start(seed)
        assert not _run(values), seed
        held = values[:300] + [(t, 99.6, p) for t, _, p in values[300:315]] + values[315:]
        stuck = {seq for seq, reasons in _run(held).items() if "stuck:humidity_pct" in reasons}
        assert len(stuck) >= 0.6 * 15, (seed, sorted(stuck))
        assert stuck <= set(range(299, 315)), (seed, sorted(stuck))


def _shaded_coarse_station(seed: int, held_from: int | None = None, held_for: int = 25,
                           held_channel: int = 1) -> list[tuple[float, float, float]]:
    """final-22's station class (0.275 °C / 2.75 % / 0.275 hPa, noise a third to a quarter of a
    step): a calm day whose dew point holds at 8 °C; a cloud's shade cools the air 1.6 °C and
    passes over readings 1000-1024 (the humidity 6 %, two of its steps, up and back). With
    ``held_from``, the ``held_channel`` (the humidity unless told) repeats its reading before
    that for ``held_for`` readings."""
    rng = random.Random(seed)
    values = []
    for seq in range(1300):
        shade = 1.6 * max(0.0, 1 - abs(seq - 1012) / 12)
        temperature = 15 + 3 * math.sin(seq / 229) - shade + rng.gauss(0, 0.1)
        humidity = relative_humidity(temperature, 8.0) + rng.gauss(0, 0.7)
        pressure = 1012 + 0.5 * math.sin(seq / 115) + rng.gauss(0, 0.08)
        values.append(tuple(round(round(v / r) * r, 3) for v, r in
                            zip((temperature, humidity, pressure), (0.275, 2.75, 0.275))))
    if held_from is not None:
        held = values[held_from - 1][held_channel]
        for seq in range(held_from, held_from + held_for):
            values[seq] = tuple(held if c == held_channel else v  # type: ignore[assignment]
                                for c, v in enumerate(values[seq]))
    return values  # type: ignore[return-value]


def test_a_humidity_held_while_a_cloud_shaded_the_air_and_passed_is_stuck_along_the_thermometer():
    """A calm coarse humidity repeats three readings in four when healthy, so 25 repeats say
    3-6 nats by its rate; but the thermometer beside it says the shade took the humidity two of
    its steps up and back at the dew point before the run (off any steady line through that
    path, and come back): held through the shade it is stuck (missed before on every seed),
    followed it is not (final-22 2304-007: a station humidity held 24 readings at 85.25 % while
    the air cooled 1.1 °C and warmed 2.2 °C back, 1.3 nats as judged before, 166 along the bump
    at its last repeat)."""
    for seed in (1, 2, 3, 4, 5, 6, 7, 8):
        # (seed 4 draws a false alarm at 282-296 with or without the rule: a run learnt early)
        assert not [seq for seq, rs in _run(_shaded_coarse_station(seed)).items()
                    if "stuck:humidity_pct" in rs and seq >= 900], seed
        values = _shaded_coarse_station(seed, held_from=1000)
        stuck = {seq for seq, rs in _run(values).items()
                 if "stuck:humidity_pct" in rs and seq >= 900}
        began = _run_edge(values, 999, 1, -1)
        ended = _run_edge(values, 1024, 1, 1)
        assert set(range(1000, 1025)) <= stuck <= set(range(began, ended + 1)), (seed, sorted(stuck))


def test_a_thermometer_held_while_a_cloud_shaded_the_air_and_passed_is_stuck_along_the_humidity():
    """The mirror of the test above: the thermometer held through the shade while the humidity
    beside it went two of its steps up and back says, at the dew point before the run, that the
    air cooled 1.6 °C (six of the thermometer's steps) and warmed back, off any steady line and
    clear of what the humidity's noise draws: stuck over the run (missed before: final-32
    sim-3304-012 @824, a station thermometer held 21 readings at -9.35 °C while a shade took the
    humidity 85 -> 96.9 -> 86.7 %, 10.1 nats by its learnt runs). The healthy thermometer through
    the same shade is not stuck."""
    for seed in (1, 2, 3, 4, 5, 6, 7, 8):
        assert not [seq for seq, rs in _run(_shaded_coarse_station(seed)).items()
                    if "stuck:temperature_c" in rs and seq >= 900], seed
        values = _shaded_coarse_station(seed, held_from=1000, held_channel=0)
        stuck = {seq for seq, rs in _run(values).items()
                 if "stuck:temperature_c" in rs and seq >= 900}
        began = _run_edge(values, 999, 0, -1)
        ended = _run_edge(values, 1024, 0, 1)
        assert set(range(1000, 1025)) <= stuck <= set(range(began, ended + 1)), (seed, sorted(stuck))


def test_a_fine_humidity_beside_a_thermometer_whose_noise_alone_draws_a_bump_is_not_stuck(
        monkeypatch):
    """final-10 (sim-1101-031, a control: 1.5 % humidity steps, a 0.15 °C thermometer, -17 °C
    and 88 %) and final-16 (sim-1701-025, a control: 1 % steps, 0.1 °C, 6 °C and 96 %): cold air
    near saturation, where a degree is 7-8 % of humidity, so the thermometer's own noise spreads
    the path at the dew point 2-3 % (2-3 of the humidity's steps) over a healthy run of 13-17
    readings. Judged along that bump without the path's noise as a floor the healthy runs were
    stuck (the variant on w-so: final-10 +53 control false alarms, final-16 +17); with it, no."""
    from streamml.detector import sensor
    kept = sensor.THERMOMETER_BUMP_NOISE
    for family, seed, index, first, end in (("final-10", 1101, 31, 1600, 1680),
                                            ("final-16", 1701, 25, 2540, 2580)):
        network = SensorNetwork(24, 12, "sim-", seed, 0.004, PARAMS[family])
        values = [network.tick()[index].values for _ in range(end)]
        for floor, expected in ((kept, False), (0.0, True)):
            monkeypatch.setattr(sensor, "THERMOMETER_BUMP_NOISE", floor)
            stuck = [seq for seq, reasons in _run(values).items()
                     if "stuck:humidity_pct" in reasons and first <= seq < end]
            assert bool(stuck) is expected, (family, floor, stuck[:5])


def _calm_barometer_at_011(seed: int) -> list[tuple[float, float, float]]:
    """A calm station whose barometer reports at 0.11 hPa (written to two decimals, whole
    multiples of the step: 1007.49 ... 1008.70), its pressure on a slow tide, noise under half a
    step."""
    values = _stream(seed=seed, resolution=(0.1, 1.0, 0.11), noise=(0.05, 0.4, 0.05))
    return [(t, h, round(round((p - 4) / 0.11) * 0.11, 2)) for t, h, p in values]


def test_a_value_off_a_grid_anchored_at_zero_is_a_dropout_however_far_from_the_values_seen():
    """The barometer at 0.11 hPa reads 1013.25 for five readings, 41 steps over any value it
    reported: as many decimals as its steps, and too far from the values seen for their grid's
    step to place it, but every value it reported was a whole multiple of 0.11 and 1013.25 is
    not (9211.36 steps): a dropout from its first reading, and nothing else (final-23: station
    barometers sim-2405-005 and, seven values into its stream, sim-2403-009, never flagged
    before). A healthy one raises nothing."""
    for seed in (1, 2, 3):
        _assert_1013_25_held_is_a_dropout(_calm_barometer_at_011(seed), seed)


def test_a_humidity_jumping_to_zero_at_the_streams_end_is_a_dropout_at_once():
    """A station humidity at 1 % steps drops to 0 % for the stream's last five readings: too
    few repeats for its repeat rate, and too few readings after the step for the inconsistency
    check, but no air holds no water: a dropout from its first reading (final-23 sim-2404-009,
    never flagged before)."""
    for seed in (3, 5):
        values = _stream(n=605, seed=seed, resolution=(0.1, 1.0, 0.2), noise=(0.05, 0.4, 0.1))
        assert _run(values) == {}, seed
        values[600:605] = [(t, 0.0, p) for t, _, p in values[600:605]]
        flagged = _run(values)
        assert set(flagged) == set(range(600, 605)), (seed, sorted(flagged))
        assert set(flagged.values()) == {("dropout:humidity_pct",)}


def _saturated_since_the_start(seed: int, burst: int | None = None,
                               ) -> list[tuple[float, float, float]]:
    """A consumer sensor in fog from its start (humidity noise 0.4 %, cut to 100 %: every pair
    of readings touches 99 %, so no noise is learnt); with ``burst``, 30 readings of noise at
    4 % from there."""
    rng = random.Random(seed)
    values = []
    for seq in range(700):
        t, _, p = _weather(seq, rng)
        sd = 4.0 if burst is not None and burst <= seq < burst + 30 else 0.4
        values.append((t, round(min(100.0, 100.0 + rng.gauss(0, sd)), 1), p))
    return values


def test_a_noise_burst_in_air_saturated_since_the_start_is_noise():
    """A humidity that has known only saturated air learnt no noise, but it learnt how its
    readings scatter there: a burst's readings go far under the ceiling, where a healthy
    channel's noise only dips (final-23: three consumer humidities, bursts of 10-50 readings in
    the first 300, never flagged before). Saturation itself raises nothing."""
    for seed in (1, 2, 3):
        assert not [seq for seq, reasons in _run(_saturated_since_the_start(seed)).items()
                    if any("humidity" in reason for reason in reasons)], seed
        flagged = _run(_saturated_since_the_start(seed, burst=400))
        noise = {seq for seq, reasons in flagged.items() if "noise:humidity_pct" in reasons}
        assert len(noise & set(range(400, 430))) >= 0.6 * 30, (seed, sorted(noise))
        assert not [seq for seq, reasons in flagged.items() if not 395 <= seq < 440 and
                    any("humidity" in reason for reason in reasons)], seed


def _noisy_cheap_thermometer(seed: int, held: float | None = None,
                             held_from: int = 700) -> list[tuple[float, float, float]]:
    """final-24's cheap class (0.14 °C / 1.4 % / 0.14 hPa; the thermometer's noise four of its
    steps): a calm day. With ``held``, the thermometer reads ``held`` (°C off its level) at
    ``held_from`` and repeats it for the next 5 readings."""
    values = _stream(1000, seed, resolution=(0.14, 1.4, 0.14), noise=(0.56, 2.0, 0.2))
    if held is not None:
        level = 15 + 3 * math.sin(held_from / 229) + held
        value = round(round(level / 0.14) * 0.14, 2)
        for seq in range(held_from, held_from + 6):
            values[seq] = (value, values[seq][1], values[seq][2])
    return values


def test_a_noisy_thermometer_held_off_its_level_is_stuck_and_at_it_is_not():
    """A channel whose noise spans its steps reads each value afresh about its level: 5 repeats
    of a value 2.5 noise widths over the level the readings before it say are
    far rarer than 5 at the level, the most a line placed where it helps can say (LEVEL_READINGS;
    final-24 sim-2502-000: 11.8 nats so, 15.6 along the level). Held off the level it is stuck
    (missed before on seeds 2, 3 and 5), held at it it is not: 5 repeats at the level say about
    12 nats, and on other seeds they cross it (seeds 1, 4 and 8, before as now)."""
    for seed in (2, 3, 5, 6, 7):
        assert not [s for s, rs in _run(_noisy_cheap_thermometer(seed)).items()
                    if "stuck:temperature_c" in rs], seed
        at_level = _run(_noisy_cheap_thermometer(seed, held=0.0))
        assert not [s for s, rs in at_level.items() if "stuck:temperature_c" in rs], seed
        off_level = _run(_noisy_cheap_thermometer(seed, held=1.4))
        stuck = {s for s, rs in off_level.items() if "stuck:temperature_c" in rs}
        assert set(range(701, 706)) <= stuck <= set(range(699, 707)), (seed, sorted(stuck))


def _network_sensor(family: str, seed: int, index: int, readings: int
                    ) -> list[tuple[float, float, float]]:
    network = SensorNetwork(24, 12, "sim-", seed, 0.004, PARAMS[family])
    return [network.tick()[index].values for _ in range(readings)]


def test_a_coarse_humidity_saturated_through_the_night_is_not_stuck_on_the_rate_it_starts_at():
    """final-25's station humidities (1.6 % steps, noise a tenth of one) read only 97.6-100 %
    through their first night: no step clear of saturation, no noise, the repeat rate the 0.5
    it starts at. Held as the slow morning warmed the air they were stuck at 18 repeats by that
    rate, and sim-2602-030's 99.2 % counted as warmed off saturation by steps of the noise's
    0.001 % floor; the rate's posterior from the few pairs learnt says little, and a step never
    measured counts no warming (``_humidity_step``). final-23 sim-2401-013, stuck at 96.8 %
    while the morning warmed the air 0.4 °C in 18 readings, is still stuck: the step into the
    run counts its pull (``_pull_step``)."""
    for family, seed, index, readings, first, end in (
            ("final-25", 2602, 30, 400, 343, 392), ("final-25", 2604, 30, 460, 324, 455),
            ("final-25", 2605, 34, 400, 341, 394)):
        flagged = _run(_network_sensor(family, seed, index, readings))
        assert not [seq for seq, reasons in flagged.items()
                    if "stuck:humidity_pct" in reasons and first <= seq < end], (seed, index)
    values = _network_sensor("final-23", 2401, 13, 460)
    assert {h for _, h, _ in values[414:442]} == {96.8}
    stuck = {seq for seq, reasons in _run(values).items() if "stuck:humidity_pct" in reasons}
    assert set(range(420, 442)) <= stuck <= set(range(414, 443)), sorted(stuck)


def test_a_noisy_thermometer_is_judged_by_its_six_hours_repeat_rate_not_its_last_hours():
    """A channel whose noise spans its steps draws each reading afresh, so a calm hour does
    not make it repeat more: its runs are judged by the six hours' repeat rate, not the higher
    of that and the last hour's (``SensorModel._repeat_rate``). final-26 sim-2704-005: a cheap
    thermometer (0.12 °C steps, noise 3 of them) held 36.96 °C for 7 readings at its level,
    14.2 nats by its noise; the last hour's 12 repeats of 60 (rate 0.21, 10.9 nats) kept it
    unflagged before, its six hours' rate 0.11 says 15.3. Stuck now; the rest of its day, and
    final-24's noisy cheap thermometer on a calm day, raise no stuck flag."""
    values = _network_sensor("final-26", 2704, 5, 900)
    assert {t for t, _, _ in values[826:833]} == {36.96}
    stuck = {seq for seq, reasons in _run(values).items() if "stuck:temperature_c" in reasons}
    assert set(range(827, 833)) <= stuck <= set(range(826, 833)), sorted(stuck)
    for seed in range(1, 9):
        assert not [s for s, rs in _run(_noisy_cheap_thermometer(seed)).items()
                    if rs and rs[0].startswith("stuck")], seed


def test_a_station_held_whole_soon_after_its_start_outlasts_its_few_learnt_joint_runs():
    """Joint runs outlast their learnt healthy ones at twice the longest once half a full tail
    of them was learnt (``JOINT_OUTLASTS_MIN_RUNS``). final-27 sim-2802-009: a station (noise a
    quarter to half of its steps) held whole at readings 121-136, its channels already calm
    since 113-119, had learnt 16 staggered joint runs, the longest 3: their tail capped the run
    at 11.1 nats. Its noisier humidity (half a step) is now flagged by the channels' own runs
    added up (16.7 nats), and nothing else of its first 200 readings is flagged stuck."""
    values = _network_sensor("final-27", 2802, 9, 200)
    assert len({v for v in values[120:137]}) == 1
    stuck = {seq for seq, reasons in _run(values).items()
             if any(reason.startswith("stuck") for reason in reasons)}
    assert set(range(121, 137)) <= stuck <= set(range(120, 138)), sorted(stuck)


def test_a_station_held_whole_past_its_few_learnt_joint_runs_is_judged_by_their_least_tail():
    """final-34 control sim-3501-035, a station at 0.24 °C in flat weather: its thermometer and
    barometer held together at readings 76-100 (24 repeats; the humidity at 98.4-100 %,
    unjudged) with 9 staggered joint runs learnt, the longest 9: their tail, fitted to its 4
    longest, capped the run's repeat rates (13.4 nats) at 12.2, and 46 healthy readings (75-120)
    were flagged stuck. Bounded by the least steep tail those 4 runs support
    (``TAIL_ENDS_SE``), nothing of its first 200 readings is stuck; the same station held whole
    from reading 76 to 140 is."""
    values = _network_sensor("final-34", 3501, 35, 260)
    assert not any(any(reason.startswith("stuck") for reason in reasons)
                   for reasons in _run(values[:200]).values())
    held = values[:76] + [values[76]] * (140 - 76) + values[140:]
    stuck = {seq for seq, reasons in _run(held).items()
             if any(reason.startswith("stuck") for reason in reasons)}
    assert set(range(77, 140)) <= stuck, sorted(stuck)


def test_an_evening_humidity_held_by_a_storms_cooling_wearing_off_is_no_stuck_run():
    """final-25 (development data since the twenty-seventh round) control sim-2601-033, a station
    at 0.16 °C / 1.6 %, noise a fifth of a step: from reading 1032 (17:12) to 1102 its humidity
    reads 81.6 % while a storm's cooling wears off against the evening's (the air 29.7 -> 29.0 °C)
    and the dew point falls with the day (26.05 -> 25.73 °C): the true humidity stays mid-step.
    At the run's first dew point the temperatures say a 2 % rise (18.9 nats); with the dew point
    let drift DEW_DRIFT_C_PER_HOUR the run is the weather's: nothing is flagged stuck (before,
    71 readings at 12.2 nats). The same humidity held on through the evening, while the air
    cools on past what such a drift follows, is still stuck."""
    network = SensorNetwork(24, 12, "sim-", 2601, 0.004, PARAMS["final-25"])
    values = [network.tick()[33].values for _ in range(1400)]
    assert {h for _, h, _ in values[1032:1103]} == {81.6}
    assert values[1000][0] - values[1102][0] < 1.0
    stuck = [seq for seq, reasons in _run(values[:1140]).items()
             if seq >= 1000 and "stuck:humidity_pct" in reasons]
    assert not stuck, stuck[:5]
    held = values[:1032] + [(t, 81.6, p) for t, _, p in values[1032:1300]] + values[1300:]
    stuck = {seq for seq, reasons in _run(held).items() if "stuck:humidity_pct" in reasons}
    assert stuck & set(range(1103, 1300)), sorted(stuck)[:5]


def _coarse_calm_night(seed: int, n: int = 1000) -> list[tuple[float, float, float]]:
    """A calm night at a coarse station (0.24 °C / 2.4 % / 0.24 hPa, as final-34's): a slowly
    cooling thermometer near 2 °C, a humidity near 84 % whose noise is a twentieth of a step
    (it sits on one step for tens of readings), a slowly rising barometer."""
    rng = random.Random(seed)
    values = []
    for seq in range(n):
        readings = (2.0 - 0.001 * seq + rng.gauss(0, 0.08),
                    84.0 + 1.5 * math.sin(seq / 150) + rng.gauss(0, 0.1),
                    1011.0 + 0.0006 * seq + rng.gauss(0, 0.06))
        values.append(tuple(round(round(v / r) * r, 2)  # type: ignore[misc]
                            for v, r in zip(readings, (0.24, 2.4, 0.24))))
    return values  # type: ignore[return-value]


def test_a_humiditys_return_from_a_flagged_fault_to_a_calm_step_is_no_dropout():
    """A coarse calm humidity reads 28.8 % for 40 readings (flagged a dropout), then comes back
    to its step near 84 % and sits there, as a calm coarse humidity does (the fault flagged,
    nothing after it): the step out of the flagged stretch goes back to where the channel was
    before it (RETURN_SHARE), the fault's end, not a dropout's jump. Before, each seed's healthy
    readings after it were flagged a dropout for 124-131 readings (final-34 sim-3503-009: 162)."""
    for seed in (3, 4, 5, 10):
        values = _coarse_calm_night(seed)
        assert _run(values) == {}, seed
        values[600:640] = [(t, 28.8, p) for t, _, p in values[600:640]]
        flagged = _run(values)
        assert set(flagged) == set(range(600, 640)), (seed, sorted(flagged))
        assert {r for reasons in flagged.values() for r in reasons} <= \
            {"dropout:humidity_pct", "inconsistent"}, seed


def test_a_step_out_of_a_flagged_fault_that_does_not_go_back_is_still_a_dropout():
    """The same humidity at 28.8 % for 40 readings, then at 50.4 % for 40 more: not halfway
    back to the 84 % it read before the fault (RETURN_SHARE), a second constant, still flagged
    a dropout (as before; with every step out of a flagged reading taken as the fault's end,
    it would not be)."""
    for seed in (5, 10):
        values = _coarse_calm_night(seed)
        values[600:640] = [(t, 28.8, p) for t, _, p in values[600:640]]
        values[640:680] = [(t, 50.4, p) for t, _, p in values[640:680]]
        flagged = _run(values)
        assert set(range(640, 680)) <= set(flagged), (seed, sorted(flagged))
        assert all("dropout:humidity_pct" in flagged[seq] for seq in range(640, 680)), seed
