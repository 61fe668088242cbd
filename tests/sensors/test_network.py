"""The simulated sensor network: seeded, physically consistent, every fault kind labelled."""

from __future__ import annotations

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


def _drawn(field: str, end: int | None = None) -> list:
    """A field over every tuning draw: a weather field (one end of its range with ``end``), or
    the draw's own (``noise_scale``, ``resolution_scale``)."""
    values = [getattr(p.weather, field) if hasattr(p.weather, field) else getattr(p, field)
              for p in _tuning_draws()]
    return values if end is None else [value[end] for value in values]


def test_every_family_and_climate_is_named_by_its_key():
    """Each family is declared by copying the one before it: a name left unchanged would
    label one family's evaluation with another's."""
    assert all(params.name == key for key, params in PARAMS.items())
    assert all(climate.name == key for key, climate in CLIMATES.items())
    assert {params.climate for params in PARAMS.values() if isinstance(params.climate, str)} \
        <= set(CLIMATES)


def test_the_broad_tuning_family_draws_its_parameters_per_seed():
    assert params_for(RANDOMISED, 7) == params_for(RANDOMISED, 7)
    drawn = _tuning_draws()
    assert len({p.noise_scale for p in drawn}) == 20 and len({p.weather for p in drawn}) == 20
    assert {p.resolution_scale for p in drawn} == {1.0, 2.0}
    assert all(0.6 <= p.noise_scale <= 1.5 for p in drawn)
    assert _run(3, steps=200, params=RANDOMISED) != _run(3, steps=200)


def test_the_final_held_out_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final"]
    assert final.noise_scale > max(_drawn("noise_scale"))
    assert final.weather.thunderstorms_per_day > max(_drawn("thunderstorms_per_day"))
    assert final.weather.shading_per_hour > max(_drawn("shading_per_hour"))


def test_coarse_resolution_doubles_every_step():
    network = SensorNetwork(3, 0, "c-", 2, 0.0, params_for(RANDOMISED, 2))
    assert params_for(RANDOMISED, 2).resolution_scale == 2.0
    station = [p for p in network.profiles if p.sensor_class == "station"]
    assert station and station[0].resolution == (0.2, 2.0, 0.2)
    for _ in range(100):
        for reading in network.tick():
            if reading.sensor_id == station[0].sensor_id:
                assert reading.values[1] % 2 == 0


def test_the_second_final_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final-2"]
    assert final.weather.front_interval_days < min(_drawn("front_interval_days"))
    assert final.weather.front_pressure_fall_hpa[1] > max(_drawn("front_pressure_fall_hpa", 1))
    assert final.weather.dew_point_depression_c[0] < min(_drawn("dew_point_depression_c", 0))


def test_the_third_final_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final-3"]
    assert final.weather.daily_amplitude_c[1] > max(_drawn("daily_amplitude_c", 1))
    assert final.weather.dew_point_depression_c[1] > max(_drawn("dew_point_depression_c", 1))
    assert final.weather.storm_temperature_drop_c[1] > max(_drawn("storm_temperature_drop_c", 1))
    assert final.noise_scale <= 1.5 and final.classes.count("cheap") == 2


def test_the_fourth_final_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final-4"]
    assert final.weather.mean_temperature_c[0] < min(_drawn("mean_temperature_c", 0))
    assert final.weather.mean_temperature_c[1] < min(_drawn("mean_temperature_c", 1))
    assert final.weather.front_temperature_drop_c[1] > max(_drawn("front_temperature_drop_c", 1))
    assert final.resolution_scale not in _drawn("resolution_scale")


def test_the_fifth_final_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final-5"]
    assert final.weather.mean_temperature_c[1] > max(_drawn("mean_temperature_c", 1))
    assert final.weather.thunderstorms_per_day > max(_drawn("thunderstorms_per_day"))
    assert final.weather.shading_per_hour > max(_drawn("shading_per_hour"))
    assert final.weather.front_pressure_fall_hpa[0] < min(_drawn("front_pressure_fall_hpa", 0))
    assert final.classes.count("station") == 2


def test_the_sixth_final_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final-6"]
    assert final.weather.front_interval_days < min(_drawn("front_interval_days"))
    assert final.weather.front_pressure_fall_hpa[1] > max(_drawn("front_pressure_fall_hpa", 1))
    assert final.weather.storm_pressure_jump_hpa[1] > max(_drawn("storm_pressure_jump_hpa", 1))
    assert final.noise_scale < min(_drawn("noise_scale"))
    assert final.resolution_scale > max(_drawn("resolution_scale"))


def test_the_seventh_final_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final-7"]
    assert final.weather.storm_temperature_drop_c[1] > max(_drawn("storm_temperature_drop_c", 1))
    assert final.weather.shading_per_hour > max(_drawn("shading_per_hour"))
    assert final.weather.daily_amplitude_c[1] > max(_drawn("daily_amplitude_c", 1))
    assert final.noise_scale < min(_drawn("noise_scale"))
    assert final.noise_scale < PARAMS["final-6"].noise_scale


def test_the_eighth_final_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final-8"].weather
    assert final.dew_point_depression_c[0] > max(_drawn("dew_point_depression_c", 1))
    assert final.daily_amplitude_c[0] > max(_drawn("daily_amplitude_c", 1))
    assert final.mean_temperature_c[1] > max(_drawn("mean_temperature_c", 1))
    assert final.shading_per_hour < min(_drawn("shading_per_hour"))


def test_the_ninth_final_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final-9"].weather
    assert final.thunderstorms_per_day > max(_drawn("thunderstorms_per_day"))
    assert final.thunderstorms_per_day > max(c.thunderstorms_per_day for c in CLIMATES.values()
                                             if c.name != "monsoon")
    assert final.dew_point_depression_c[1] < min(_drawn("dew_point_depression_c", 1))
    assert final.mean_temperature_c[0] > max(_drawn("mean_temperature_c", 0))


def test_the_tenth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-10"]
    final = params.weather
    others = [c for c in CLIMATES.values() if c.name != "polar"]
    assert final.mean_temperature_c[1] < min(_drawn("mean_temperature_c", 0))
    assert final.mean_temperature_c[0] < min(c.mean_temperature_c[0] for c in others)
    assert final.daily_amplitude_c[1] < min(_drawn("daily_amplitude_c", 0))
    assert final.front_temperature_drop_c[1] > max(c.front_temperature_drop_c[1] for c in others)
    assert params.noise_scale > max(_drawn("noise_scale"))


def test_the_eleventh_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-11"]
    final = params.weather
    assert final.front_interval_days > max(_drawn("front_interval_days"))
    assert final.dew_point_depression_c[1] > max(_drawn("dew_point_depression_c", 1))
    assert params.resolution_scale < min(_drawn("resolution_scale"))
    assert params.resolution_scale < min(p.resolution_scale for p in PARAMS.values()
                                         if p.name != "final-11")


def test_the_twelfth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-12"]
    final = params.weather
    assert final.mean_temperature_c[0] < min(_drawn("mean_temperature_c", 0))
    assert final.daily_amplitude_c[1] > max(_drawn("daily_amplitude_c", 1))
    assert final.dew_point_depression_c[1] > max(_drawn("dew_point_depression_c", 1))
    assert final.thunderstorms_per_day < min(_drawn("thunderstorms_per_day"))


def test_the_thirteenth_final_family_lies_outside_the_tuning_ranges():
    final = PARAMS["final-13"].weather
    assert final.mean_temperature_c[0] > max(_drawn("mean_temperature_c", 0))
    assert final.thunderstorms_per_day > max(_drawn("thunderstorms_per_day"))
    assert final.storm_temperature_drop_c[1] > max(_drawn("storm_temperature_drop_c", 1))
    assert final.storm_pressure_jump_hpa[1] > max(_drawn("storm_pressure_jump_hpa", 1))
    assert final.front_pressure_fall_hpa[1] < min(_drawn("front_pressure_fall_hpa", 0))
    assert final.front_interval_days > max(_drawn("front_interval_days"))


def test_the_fourteenth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-14"]
    final = params.weather
    assert final.front_interval_days > max(_drawn("front_interval_days"))
    assert final.front_pressure_fall_hpa[1] < min(_drawn("front_pressure_fall_hpa", 0))
    assert final.thunderstorms_per_day < min(_drawn("thunderstorms_per_day"))
    assert final.storm_pressure_jump_hpa[1] < min(_drawn("storm_pressure_jump_hpa", 0))
    assert final.shading_per_hour < min(_drawn("shading_per_hour"))
    assert final.dew_point_depression_c[0] < min(_drawn("dew_point_depression_c", 0))
    assert params.classes.count("station") == 2


def test_the_fifteenth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-15"]
    final = params.weather
    assert final.front_temperature_drop_c[0] > max(_drawn("front_temperature_drop_c", 1))
    assert final.storm_pressure_jump_hpa[1] > max(_drawn("storm_pressure_jump_hpa", 1))
    assert final.daily_amplitude_c[1] > max(_drawn("daily_amplitude_c", 1))
    assert params.classes.count("consumer") == 2
    assert params.resolution_scale not in _drawn("resolution_scale")


def test_the_sixteenth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-16"]
    final = params.weather
    assert final.front_interval_days < min(_drawn("front_interval_days"))
    assert final.shading_per_hour > max(_drawn("shading_per_hour"))
    assert final.mean_temperature_c[0] < min(_drawn("mean_temperature_c", 0))
    assert final.dew_point_depression_c[0] < min(_drawn("dew_point_depression_c", 0))
    assert params.classes.count("cheap") == 2


def test_the_seventeenth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-17"]
    final = params.weather
    assert final.daily_amplitude_c[1] > max(_drawn("daily_amplitude_c", 1))
    assert final.dew_point_depression_c[1] > max(_drawn("dew_point_depression_c", 1))
    assert final.front_interval_days > max(_drawn("front_interval_days"))
    assert final.front_pressure_fall_hpa[1] > max(_drawn("front_pressure_fall_hpa", 1))
    assert params.resolution_scale not in _drawn("resolution_scale")
    assert params.classes.count("station") == 2


def test_the_eighteenth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-18"]
    final = params.weather
    assert final.thunderstorms_per_day > max(_drawn("thunderstorms_per_day"))
    assert final.storm_temperature_drop_c[1] > max(_drawn("storm_temperature_drop_c", 1))
    assert final.storm_pressure_jump_hpa[1] > max(_drawn("storm_pressure_jump_hpa", 1))
    assert final.front_interval_days < min(_drawn("front_interval_days"))
    assert params.resolution_scale not in _drawn("resolution_scale")
    assert params.classes.count("cheap") == 2


def test_the_nineteenth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-19"]
    final = params.weather
    assert final.daily_amplitude_c[0] > max(_drawn("daily_amplitude_c", 0))
    assert final.daily_amplitude_c[1] > max(_drawn("daily_amplitude_c", 1))
    assert final.mean_temperature_c[0] < min(_drawn("mean_temperature_c", 0))
    assert final.dew_point_depression_c[1] > max(_drawn("dew_point_depression_c", 1))
    assert params.resolution_scale not in _drawn("resolution_scale")
    assert params.classes.count("station") == 2


def test_the_twentieth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-20"]
    final = params.weather
    assert final.front_pressure_fall_hpa[0] > max(_drawn("front_pressure_fall_hpa", 0))
    assert final.front_pressure_fall_hpa[1] > max(_drawn("front_pressure_fall_hpa", 1))
    assert final.storm_pressure_jump_hpa[1] > max(_drawn("storm_pressure_jump_hpa", 1))
    assert final.dew_point_depression_c[1] < min(_drawn("dew_point_depression_c", 1))
    assert final.thunderstorms_per_day > max(_drawn("thunderstorms_per_day"))
    assert params.resolution_scale not in _drawn("resolution_scale")
    assert params.classes.count("consumer") == 3


def test_the_twenty_first_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-21"]
    final = params.weather
    assert final.shading_per_hour > max(_drawn("shading_per_hour"))
    assert final.daily_amplitude_c[1] < min(_drawn("daily_amplitude_c", 1))
    assert final.front_interval_days > max(_drawn("front_interval_days"))
    assert params.resolution_scale > max(PARAMS[name].resolution_scale for name in PARAMS
                                         if name != "final-21")
    assert params.resolution_scale not in _drawn("resolution_scale")
    assert params.classes.count("cheap") == 3


def test_the_twenty_second_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-22"]
    final = params.weather
    assert final.dew_point_depression_c[0] < min(_drawn("dew_point_depression_c", 0))
    assert final.front_interval_days < min(_drawn("front_interval_days"))
    assert final.thunderstorms_per_day < min(_drawn("thunderstorms_per_day"))
    assert final.shading_per_hour > max(_drawn("shading_per_hour"))
    assert params.noise_scale > max(_drawn("noise_scale"))
    assert params.resolution_scale not in {PARAMS[name].resolution_scale for name in PARAMS
                                           if name != "final-22"}
    assert params.resolution_scale not in _drawn("resolution_scale")
    assert params.classes.count("station") == 3


def test_the_twenty_third_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-23"]
    final = params.weather
    assert final.mean_temperature_c[0] < min(_drawn("mean_temperature_c", 0))
    assert final.daily_amplitude_c[1] > max(_drawn("daily_amplitude_c", 1))
    assert final.front_interval_days > max(_drawn("front_interval_days"))
    assert final.thunderstorms_per_day < min(_drawn("thunderstorms_per_day"))
    assert final.shading_per_hour < min(_drawn("shading_per_hour"))
    assert params.noise_scale < min(_drawn("noise_scale"))
    assert params.resolution_scale not in {PARAMS[name].resolution_scale for name in PARAMS
                                           if name != "final-23"}
    assert params.resolution_scale not in _drawn("resolution_scale")
    assert params.classes.count("consumer") == 2


def test_the_twenty_fourth_final_family_lies_outside_the_tuning_ranges():
    params = PARAMS["final-24"]
    final = params.weather
    assert final.mean_temperature_c[0] > max(_drawn("mean_temperature_c", 0))
    assert final.mean_temperature_c[1] > max(_drawn("mean_temperature_c", 1))
    assert final.daily_amplitude_c[0] > max(_drawn("daily_amplitude_c", 0))
    assert final.front_interval_days > max(_drawn("front_interval_days"))
    assert final.front_pressure_fall_hpa[1] < min(_drawn("front_pressure_fall_hpa", 1))
    assert final.storm_temperature_drop_c[0] > max(_drawn("storm_temperature_drop_c", 0))
    assert final.storm_temperature_drop_c[1] > max(climate.storm_temperature_drop_c[1]
                                                   for name, climate in CLIMATES.items()
                                                   if name != "sahel")
    assert final.shading_per_hour < min(_drawn("shading_per_hour"))
    assert params.noise_scale > max(_drawn("noise_scale"))
    assert params.noise_scale > max(PARAMS[name].noise_scale for name in PARAMS
                                    if name != "final-24")
    assert params.resolution_scale not in {PARAMS[name].resolution_scale for name in PARAMS
                                           if name != "final-24"}
    assert params.resolution_scale not in _drawn("resolution_scale")
    assert params.classes.count("cheap") == 2
