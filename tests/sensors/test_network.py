"""The simulated sensor network: seeded, physically consistent, every fault kind labelled."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from streamml.contracts.weather import (
    CHANNELS, CONTROL, DROPOUT, FAULT_KINDS, NORMAL, SensorReading, Truth)
from streamml.sensors.network import (
    FAULT_FREE_START, PARAMS, RANDOMISED, SensorNetwork, params_for)
from streamml.contracts.weather import dew_point, relative_humidity
from streamml.contracts.weather import CONDITIONS
from streamml.sensors.weather import CLIMATES


def _run(seed: int, steps: int = 1440, faulty: int = 6, control: int = 3, rate: float = 0.01,
         params: str = "tuning") -> dict[str, list]:
    network = SensorNetwork(faulty, control, "n-", seed, rate, params_for(params, seed))
    readings = defaultdict(list)
    for _ in range(steps):
        for reading in network.tick():
            readings[reading.sensor_id].append(reading)
    return readings


@pytest.fixture(scope="module")
def day() -> dict[str, list]:
    return _run(4, steps=2880, faulty=12, control=6)


def test_same_seed_same_stream_and_the_seed_matters():
    assert _run(1, steps=300) == _run(1, steps=300)
    assert _run(1, steps=300) != _run(2, steps=300)


def test_every_reading_is_physically_possible(day):
    for sensor_id, readings in day.items():
        for seq, r in enumerate(readings):
            t, h, p = r.values
            SensorReading(sensor_id=sensor_id, seq=seq, ts_ms=0, temperature_c=t,
                          humidity_pct=h, pressure_hpa=p)


def test_humidity_follows_temperature_and_dew_point_and_saturates():
    assert relative_humidity(20.0, 20.0) == pytest.approx(100.0)
    assert relative_humidity(20.0, 25.0) == pytest.approx(100.0), "never above saturation"
    assert relative_humidity(20.0, 10.0) == pytest.approx(52.7, abs=0.5)
    assert dew_point(20.0, relative_humidity(20.0, 7.5)) == pytest.approx(7.5, abs=1e-6)


def test_the_weather_has_every_condition_and_saturates_in_storms(day):
    conditions = Counter(r.truth.condition for rs in day.values() for r in rs)
    assert set(conditions) == set(CONDITIONS), conditions
    storm_humidity = [r.values[1] for rs in day.values() for r in rs
                      if r.truth.condition == "thunderstorm" and r.truth.kind == NORMAL]
    assert max(storm_humidity) >= 99.0


def test_control_sensors_never_fail_and_faults_wait_for_the_learning_period(day):
    for readings in day.values():
        if readings[0].truth.role == CONTROL:
            assert all(r.truth.kind == NORMAL for r in readings)
        assert all(r.truth.kind == NORMAL for r in readings[:FAULT_FREE_START])


def test_every_fault_kind_is_injected_and_labelled(day):
    kinds = Counter(r.truth.kind for rs in day.values() for r in rs)
    assert set(FAULT_KINDS) <= set(kinds), kinds
    for readings in day.values():
        for r in readings:
            if r.truth.kind in (NORMAL, "stuck_all_short", "stuck_all_long"):
                assert r.truth.channel == ""
            else:
                assert r.truth.channel in CHANNELS


def test_faults_do_what_their_kind_says(day):
    for readings in day.values():
        for before, r in zip(readings, readings[1:]):
            kind, truth = r.truth.kind, r.truth
            if kind.startswith("stuck_all"):
                assert r.values == before.values
            elif kind.startswith("stuck_one"):
                c = CHANNELS.index(truth.channel)
                assert r.values[c] == before.values[c]
            elif kind == DROPOUT:
                c = CHANNELS.index(truth.channel)
                assert r.values[c] in (0.0, -40.0, 1013.25)


def test_only_a_fault_that_leaves_every_value_as_it_was_is_unchanged(day):
    unchanged = Counter(r.truth.kind for rs in day.values() for r in rs if r.unchanged)
    assert NORMAL not in unchanged
    assert unchanged["stuck_one_long"] + unchanged["stuck_one_short"] > 0, \
        "a held channel often sits on the step the air stays on"
    clipped_spikes = [r for rs in day.values() for r in rs
                      if r.unchanged and r.truth.kind == "spike_large"]
    assert all(r.truth.channel == "humidity_pct" and r.values[1] == 100.0
               for r in clipped_spikes), "a large spike is lost only where 100 % clips it"


def test_station_sensors_report_at_station_resolution(day):
    for readings in day.values():
        if readings[0].truth.sensor_class != "station":
            continue
        for r in readings:
            if r.truth.kind == NORMAL:
                t, h, p = r.values
                assert round(t * 10) == pytest.approx(t * 10, abs=1e-6)
                assert h == int(h)
                assert round(p * 10) == pytest.approx(p * 10, abs=1e-6)


def test_truth_travels_in_headers():
    truth = Truth(kind="drift", channel="pressure_hpa", condition="rain",
                  sensor_class="station", role="faulty")
    assert Truth.from_headers(truth.headers()) == truth
    assert Truth.from_headers([]) is None


def test_held_out_parameters_make_a_different_stream():
    assert _run(1, steps=200, params="held-out") != _run(1, steps=200)


def _tuning_draws() -> list:
    """The broad tuning family's parameters, one draw per tuning seed (1-20)."""
    return [params_for(RANDOMISED, seed) for seed in range(1, 21)]


def _of(params, field: str):
    """A family's field: its climate's (``mean_temperature_c``, …) or its own (``noise_scale``,
    ``resolution_scale``)."""
    return getattr(params.weather, field) if hasattr(params.weather, field) \
        else getattr(params, field)


def _drawn(field: str, end: int | None = None) -> list:
    """A field over every tuning draw (one end of its range with ``end``)."""
    values = [_of(p, field) for p in _tuning_draws()]
    return values if end is None else [value[end] for value in values]


def test_every_family_and_climate_is_named_by_its_key():
    """Each family is declared by copying the one before it: a name left unchanged would
    label one family's evaluation with another's."""
    assert all(params.name == key for key, params in PARAMS.items())
    assert all(climate.name == key for key, climate in CLIMATES.items())
    assert {params.climate for params in PARAMS.values() if isinstance(params.climate, str)} \
        <= set(CLIMATES)


# What each final family was declared to be: outside the tuning draws (and, where said, every
# other climate or family) in these fields, so that it tests the detector on weather and sensors
# it was not tuned to. "field[end] > draws" is past the draws' highest (of that end of their
# ranges, or "draws[other end]"), "<" under their lowest, "not in" none of them; "climates" and
# "families" are the others; "N class" is how many of the four sensor classes' turns it takes.
OUTSIDE_THE_TUNING_RANGES = {
    "final": ("noise_scale > draws", "thunderstorms_per_day > draws", "shading_per_hour > draws"),
    "final-2": ("front_interval_days < draws", "front_pressure_fall_hpa[1] > draws",
                "dew_point_depression_c[0] < draws"),
    "final-3": ("daily_amplitude_c[1] > draws", "dew_point_depression_c[1] > draws",
                "storm_temperature_drop_c[1] > draws", "noise_scale <= 1.5", "2 cheap"),
    "final-4": ("mean_temperature_c[0] < draws", "mean_temperature_c[1] < draws",
                "front_temperature_drop_c[1] > draws", "resolution_scale not in draws"),
    "final-5": ("mean_temperature_c[1] > draws", "thunderstorms_per_day > draws",
                "shading_per_hour > draws", "front_pressure_fall_hpa[0] < draws", "2 station"),
    "final-6": ("front_interval_days < draws", "front_pressure_fall_hpa[1] > draws",
                "storm_pressure_jump_hpa[1] > draws", "noise_scale < draws",
                "resolution_scale > draws"),
    "final-7": ("storm_temperature_drop_c[1] > draws", "shading_per_hour > draws",
                "daily_amplitude_c[1] > draws", "noise_scale < draws", "noise_scale < final-6"),
    "final-8": ("dew_point_depression_c[0] > draws[1]", "daily_amplitude_c[0] > draws[1]",
                "mean_temperature_c[1] > draws", "shading_per_hour < draws"),
    "final-9": ("thunderstorms_per_day > draws", "thunderstorms_per_day > climates",
                "dew_point_depression_c[1] < draws", "mean_temperature_c[0] > draws"),
    "final-10": ("mean_temperature_c[1] < draws[0]", "mean_temperature_c[0] < climates",
                 "daily_amplitude_c[1] < draws[0]", "front_temperature_drop_c[1] > climates",
                 "noise_scale > draws"),
    "final-11": ("front_interval_days > draws", "dew_point_depression_c[1] > draws",
                 "resolution_scale < draws", "resolution_scale < families"),
    "final-12": ("mean_temperature_c[0] < draws", "daily_amplitude_c[1] > draws",
                 "dew_point_depression_c[1] > draws", "thunderstorms_per_day < draws"),
    "final-13": ("mean_temperature_c[0] > draws", "thunderstorms_per_day > draws",
                 "storm_temperature_drop_c[1] > draws", "storm_pressure_jump_hpa[1] > draws",
                 "front_pressure_fall_hpa[1] < draws[0]", "front_interval_days > draws"),
    "final-14": ("front_interval_days > draws", "front_pressure_fall_hpa[1] < draws[0]",
                 "thunderstorms_per_day < draws", "storm_pressure_jump_hpa[1] < draws[0]",
                 "shading_per_hour < draws", "dew_point_depression_c[0] < draws", "2 station"),
    "final-15": ("front_temperature_drop_c[0] > draws[1]", "storm_pressure_jump_hpa[1] > draws",
                 "daily_amplitude_c[1] > draws", "resolution_scale not in draws", "2 consumer"),
    "final-16": ("front_interval_days < draws", "shading_per_hour > draws",
                 "mean_temperature_c[0] < draws", "dew_point_depression_c[0] < draws", "2 cheap"),
    "final-17": ("daily_amplitude_c[1] > draws", "dew_point_depression_c[1] > draws",
                 "front_interval_days > draws", "front_pressure_fall_hpa[1] > draws",
                 "resolution_scale not in draws", "2 station"),
    "final-18": ("thunderstorms_per_day > draws", "storm_temperature_drop_c[1] > draws",
                 "storm_pressure_jump_hpa[1] > draws", "front_interval_days < draws",
                 "resolution_scale not in draws", "2 cheap"),
    "final-19": ("daily_amplitude_c[0] > draws", "daily_amplitude_c[1] > draws",
                 "mean_temperature_c[0] < draws", "dew_point_depression_c[1] > draws",
                 "resolution_scale not in draws", "2 station"),
    "final-20": ("front_pressure_fall_hpa[0] > draws", "front_pressure_fall_hpa[1] > draws",
                 "storm_pressure_jump_hpa[1] > draws", "dew_point_depression_c[1] < draws",
                 "thunderstorms_per_day > draws", "resolution_scale not in draws", "3 consumer"),
    "final-21": ("shading_per_hour > draws", "daily_amplitude_c[1] < draws",
                 "front_interval_days > draws", "resolution_scale > families",
                 "resolution_scale not in draws", "3 cheap"),
    "final-22": ("dew_point_depression_c[0] < draws", "front_interval_days < draws",
                 "thunderstorms_per_day < draws", "shading_per_hour > draws",
                 "noise_scale > draws", "resolution_scale not in families",
                 "resolution_scale not in draws", "3 station"),
    "final-23": ("mean_temperature_c[0] < draws", "daily_amplitude_c[1] > draws",
                 "front_interval_days > draws", "thunderstorms_per_day < draws",
                 "shading_per_hour < draws", "noise_scale < draws",
                 "resolution_scale not in families", "resolution_scale not in draws",
                 "2 consumer"),
    "final-24": ("mean_temperature_c[0] > draws", "mean_temperature_c[1] > draws",
                 "daily_amplitude_c[0] > draws", "front_interval_days > draws",
                 "front_pressure_fall_hpa[1] < draws", "storm_temperature_drop_c[0] > draws",
                 "storm_temperature_drop_c[1] > climates", "shading_per_hour < draws",
                 "noise_scale > draws", "noise_scale > families",
                 "resolution_scale not in families", "resolution_scale not in draws",
                 "2 cheap"),
    "final-25": ("dew_point_depression_c[1] < draws", "front_interval_days > climates",
                 "front_interval_days > draws", "front_pressure_fall_hpa[1] < draws",
                 "thunderstorms_per_day > draws",
                 "shading_per_hour > climates", "shading_per_hour > draws",
                 "noise_scale < draws", "noise_scale < families",
                 "resolution_scale not in families", "resolution_scale not in draws",
                 "2 station"),
    "final-26": ("mean_temperature_c[0] > climates", "mean_temperature_c[1] > climates",
                 "mean_temperature_c[1] > draws", "front_interval_days > draws",
                 "front_pressure_fall_hpa[1] < draws", "thunderstorms_per_day < draws",
                 "shading_per_hour < climates", "shading_per_hour < draws",
                 "resolution_scale not in families", "resolution_scale not in draws",
                 "2 consumer"),
    "final-27": ("front_temperature_drop_c[0] > climates", "front_temperature_drop_c[0] > draws",
                 "thunderstorms_per_day < climates", "thunderstorms_per_day < draws",
                 "storm_pressure_jump_hpa[0] < draws", "mean_temperature_c[1] < draws",
                 "resolution_scale not in families", "resolution_scale not in draws",
                 "2 cheap"),
    "final-28": ("thunderstorms_per_day > draws", "storm_temperature_drop_c[1] > draws",
                 "daily_amplitude_c[0] > draws", "front_interval_days > draws",
                 "shading_per_hour > draws", "storm_pressure_jump_hpa[1] > draws",
                 "resolution_scale not in families", "resolution_scale not in draws",
                 "2 station"),
    "final-29": ("front_interval_days < draws", "front_pressure_fall_hpa[1] > draws",
                 "dew_point_depression_c[1] < draws", "thunderstorms_per_day < draws",
                 "storm_temperature_drop_c[1] < draws", "storm_pressure_jump_hpa[1] < draws",
                 "shading_per_hour < draws", "front_temperature_drop_c[1] < draws",
                 "resolution_scale not in families", "resolution_scale not in draws",
                 "2 cheap", "2 consumer"),
    "final-30": ("dew_point_depression_c[1] < climates", "dew_point_depression_c[0] < draws",
                 "mean_temperature_c[0] > draws", "daily_amplitude_c[1] < draws",
                 "front_interval_days > draws", "front_pressure_fall_hpa[1] < draws",
                 "thunderstorms_per_day > draws", "storm_temperature_drop_c[1] < draws",
                 "storm_pressure_jump_hpa[1] < draws", "shading_per_hour > draws",
                 "resolution_scale not in families", "resolution_scale not in draws",
                 "2 cheap"),
    "final-31": ("mean_temperature_c[1] < climates", "mean_temperature_c[0] < draws",
                 "thunderstorms_per_day < draws", "daily_amplitude_c[1] not in draws",
                 "dew_point_depression_c[1] < draws", "front_interval_days > draws",
                 "front_pressure_fall_hpa[1] < draws", "storm_temperature_drop_c[1] < draws",
                 "storm_pressure_jump_hpa[1] < draws", "shading_per_hour < draws",
                 "noise_scale < draws", "resolution_scale not in families",
                 "resolution_scale not in draws", "2 consumer"),
    "final-32": ("mean_temperature_c[0] < draws", "mean_temperature_c[1] < draws",
                 "daily_amplitude_c[1] < draws", "dew_point_depression_c[0] < climates",
                 "dew_point_depression_c[1] < draws", "front_interval_days < draws",
                 "front_pressure_fall_hpa[1] > draws", "front_temperature_drop_c[1] > draws",
                 "thunderstorms_per_day < draws", "storm_pressure_jump_hpa[1] < draws",
                 "shading_per_hour < draws", "noise_scale > draws",
                 "resolution_scale not in families", "resolution_scale not in draws",
                 "2 station"),
    "final-33": ("mean_temperature_c[0] > draws", "mean_temperature_c[1] > draws",
                 "daily_amplitude_c[1] > draws", "dew_point_depression_c[1] > draws",
                 "front_interval_days > draws", "front_pressure_fall_hpa[0] < draws",
                 "front_temperature_drop_c[1] < draws", "thunderstorms_per_day > draws",
                 "storm_temperature_drop_c[1] > draws", "shading_per_hour > draws",
                 "noise_scale not in families", "resolution_scale < draws",
                 "resolution_scale not in families", "3 cheap"),
    "final-34": ("mean_temperature_c[1] < draws", "daily_amplitude_c[0] < climates",
                 "daily_amplitude_c[1] < climates", "dew_point_depression_c[0] < draws",
                 "dew_point_depression_c[1] < draws", "front_pressure_fall_hpa[0] < draws",
                 "front_temperature_drop_c[1] < draws", "thunderstorms_per_day < draws",
                 "storm_temperature_drop_c[1] < draws", "storm_pressure_jump_hpa[1] < draws",
                 "noise_scale not in families", "resolution_scale > draws",
                 "resolution_scale not in families", "3 station"),
    "final-35": ("mean_temperature_c[0] > draws", "mean_temperature_c[1] > draws",
                 "daily_amplitude_c[0] < draws", "daily_amplitude_c[1] < draws",
                 "dew_point_depression_c[0] < draws", "dew_point_depression_c[1] < draws",
                 "front_interval_days < draws", "front_pressure_fall_hpa[0] < draws",
                 "front_pressure_fall_hpa[1] < draws", "front_temperature_drop_c[1] < draws",
                 "thunderstorms_per_day > draws", "storm_temperature_drop_c[1] < draws",
                 "storm_pressure_jump_hpa[1] < draws", "shading_per_hour > draws",
                 "noise_scale > draws", "noise_scale not in families",
                 "resolution_scale < draws", "resolution_scale not in families", "3 consumer"),
    "final-36": ("mean_temperature_c[0] > draws", "mean_temperature_c[1] > draws",
                 "daily_amplitude_c[0] > draws", "daily_amplitude_c[1] > draws",
                 "dew_point_depression_c[1] > draws", "front_interval_days > draws",
                 "front_pressure_fall_hpa[0] < draws", "front_pressure_fall_hpa[1] < draws",
                 "front_temperature_drop_c[0] < draws", "front_temperature_drop_c[1] < draws",
                 "thunderstorms_per_day < draws", "storm_temperature_drop_c[0] < draws",
                 "storm_temperature_drop_c[1] < draws", "storm_pressure_jump_hpa[0] < draws",
                 "storm_pressure_jump_hpa[1] < draws", "shading_per_hour < draws",
                 "noise_scale > draws", "noise_scale not in families", "resolution_scale < draws",
                 "resolution_scale not in families", "2 cheap"),
    "final-37": ("daily_amplitude_c[0] > draws", "daily_amplitude_c[1] > draws",
                 "dew_point_depression_c[0] > draws", "dew_point_depression_c[1] > draws",
                 "front_interval_days > draws", "front_pressure_fall_hpa[0] < draws",
                 "front_pressure_fall_hpa[1] < draws", "front_temperature_drop_c[0] > draws",
                 "front_temperature_drop_c[1] > draws", "storm_temperature_drop_c[0] > draws",
                 "storm_temperature_drop_c[1] > draws", "storm_pressure_jump_hpa[0] > draws",
                 "storm_pressure_jump_hpa[1] > draws", "resolution_scale < draws",
                 "resolution_scale not in families", "2 station"),
    "final-38": ("mean_temperature_c[1] < draws", "dew_point_depression_c[0] > draws",
                 "dew_point_depression_c[1] > draws", "front_interval_days < draws",
                 "front_pressure_fall_hpa[0] > draws", "front_pressure_fall_hpa[1] > draws",
                 "thunderstorms_per_day < draws", "storm_temperature_drop_c[0] < draws",
                 "storm_pressure_jump_hpa[0] < draws", "shading_per_hour < draws",
                 "resolution_scale < draws", "resolution_scale not in families", "2 consumer"),
    "final-39": ("daily_amplitude_c[0] > draws", "daily_amplitude_c[1] > draws",
                 "daily_amplitude_c[1] > climates", "dew_point_depression_c[0] > draws",
                 "dew_point_depression_c[1] > draws", "front_interval_days > draws",
                 "front_pressure_fall_hpa[0] < draws", "front_pressure_fall_hpa[1] < draws",
                 "thunderstorms_per_day < draws", "storm_temperature_drop_c[0] < draws",
                 "storm_temperature_drop_c[1] < draws", "storm_pressure_jump_hpa[0] < draws",
                 "storm_pressure_jump_hpa[1] < draws", "shading_per_hour < draws",
                 "resolution_scale not in draws", "resolution_scale not in families",
                 "2 cheap", "2 station"),
    "final-40": ("mean_temperature_c[1] < draws", "daily_amplitude_c[0] < draws",
                 "daily_amplitude_c[1] < draws", "dew_point_depression_c[0] < draws",
                 "dew_point_depression_c[1] < draws", "front_interval_days < draws",
                 "front_pressure_fall_hpa[0] > draws", "front_pressure_fall_hpa[1] > draws",
                 "front_temperature_drop_c[0] < draws", "front_temperature_drop_c[1] < draws",
                 "thunderstorms_per_day < draws", "storm_temperature_drop_c[0] < draws",
                 "storm_temperature_drop_c[1] < draws", "storm_pressure_jump_hpa[0] < draws",
                 "storm_pressure_jump_hpa[1] < draws", "resolution_scale not in draws",
                 "resolution_scale not in families", "2 station"),
    "final-41": ("mean_temperature_c[0] > draws", "daily_amplitude_c[1] < draws",
                 "dew_point_depression_c[0] < draws", "dew_point_depression_c[1] < draws",
                 "front_interval_days > draws", "front_pressure_fall_hpa[0] < draws",
                 "front_pressure_fall_hpa[1] < draws", "front_temperature_drop_c[0] < draws",
                 "front_temperature_drop_c[1] < draws", "thunderstorms_per_day < draws",
                 "storm_temperature_drop_c[0] < draws", "storm_temperature_drop_c[1] < draws",
                 "storm_pressure_jump_hpa[0] < draws", "storm_pressure_jump_hpa[1] < draws",
                 "shading_per_hour > draws", "resolution_scale < draws",
                 "resolution_scale not in families", "2 consumer"),
}
_FIELD_CLAIM = re.compile(r"(?P<field>\w+)(?:\[(?P<end>\d)\])? (?P<op><=|<|>|not in) "
                          r"(?P<among>draws|climates|families|final-\d+|[\d.]+)"
                          r"(?:\[(?P<their_end>\d)\])?")
_CLASS_CLAIM = re.compile(r"(?P<count>\d) (?P<klass>station|consumer|cheap)")


def _compared_with(family: str, among: str, field: str) -> list:
    """The values of ``field`` that ``family`` is claimed to lie outside of."""
    if among == "draws":
        return _drawn(field)
    if among == "climates":
        return [getattr(climate, field) for name, climate in CLIMATES.items()
                if name != PARAMS[family].weather.name]
    if among == "families":
        return [_of(params, field) for name, params in PARAMS.items() if name != family]
    if among in PARAMS:
        return [_of(PARAMS[among], field)]
    return [float(among)]


def _holds(family: str, claim: str) -> bool:
    params = PARAMS[family]
    if match := _CLASS_CLAIM.fullmatch(claim):
        return params.classes.count(match["klass"]) == int(match["count"])
    match = _FIELD_CLAIM.fullmatch(claim)
    assert match, f"not a claim: {claim}"
    end = None if match["end"] is None else int(match["end"])
    their_end = end if match["their_end"] is None else int(match["their_end"])
    value = _of(params, match["field"])
    value = value if end is None else value[end]
    others = _compared_with(family, match["among"], match["field"])
    others = others if their_end is None or match["among"][0].isdigit() else \
        [other[their_end] for other in others]
    return {"<=": lambda: value <= min(others), "<": lambda: value < min(others),
            ">": lambda: value > max(others), "not in": lambda: value not in others}[match["op"]]()


def test_every_final_family_says_how_it_lies_outside_the_tuning_ranges():
    assert set(OUTSIDE_THE_TUNING_RANGES) == {name for name in PARAMS if name.startswith("final")}


@pytest.mark.parametrize("family", OUTSIDE_THE_TUNING_RANGES)
def test_each_final_family_lies_outside_the_tuning_ranges(family):
    for claim in OUTSIDE_THE_TUNING_RANGES[family]:
        assert _holds(family, claim), f"{family}: {claim}"


def test_the_broad_tuning_family_draws_its_parameters_per_seed():
    assert params_for(RANDOMISED, 7) == params_for(RANDOMISED, 7)
    drawn = _tuning_draws()
    assert len({p.noise_scale for p in drawn}) == 20 and len({p.weather for p in drawn}) == 20
    assert {p.resolution_scale for p in drawn} == {1.0, 2.0}
    assert all(0.6 <= p.noise_scale <= 1.5 for p in drawn)
    assert _run(3, steps=200, params=RANDOMISED) != _run(3, steps=200)


def test_coarse_resolution_doubles_every_step():
    network = SensorNetwork(3, 0, "c-", 2, 0.0, params_for(RANDOMISED, 2))
    assert params_for(RANDOMISED, 2).resolution_scale == 2.0
    station = [p for p in network.profiles if p.sensor_class == "station"]
    assert station and station[0].resolution == (0.2, 2.0, 0.2)
    for _ in range(100):
        for reading in network.tick():
            if reading.sensor_id == station[0].sensor_id:
                assert reading.values[1] % 2 == 0
