"""The seeded sensor simulation: reproducible, plausible, with the faults it claims."""

from __future__ import annotations

from collections import Counter

import pytest

from streamml.contracts.weather import (
    ANOMALY_KINDS, NORMAL, OUT_OF_RANGE, SPIKE, STUCK, SensorReading)
from streamml.sensors.config import SensorsConfig
from streamml.runtime.config import ConfigError, load_config
from streamml.sensors.simulation import SensorSimulator, make_profiles


def _stream(seed: int, sensors: int = 4, steps: int = 500, rate: float = 0.03,
            drift_only: int = 0) -> dict[str, list]:
    profiles = make_profiles(sensors, "t-", seed, drift_only)
    simulators = [SensorSimulator(p, seed, rate) for p in profiles]
    return {s.profile.sensor_id: [s.next() for _ in range(steps)] for s in simulators}


def test_same_seed_same_stream_other_seed_other_stream():
    assert _stream(3) == _stream(3)
    assert _stream(3) != _stream(4)


def test_every_reading_is_physically_possible():
    for sensor_id, readings in _stream(5, rate=0.2).items():
        for seq, simulated in enumerate(readings):
            t, h, p = simulated.values
            SensorReading(sensor_id=sensor_id, seq=seq, ts_ms=0, temperature_c=t,
                          humidity_pct=h, pressure_hpa=p)


def test_faults_are_injected_at_about_the_configured_rate():
    kinds = Counter(r.truth for readings in _stream(6, sensors=10, steps=1000).values()
                    for r in readings)
    assert set(kinds) == {NORMAL, *ANOMALY_KINDS}
    # 3 % of readings start a fault; stuck and out-of-range faults last several readings.
    events_rate = (kinds[SPIKE] + kinds[STUCK] / 7 + kinds[OUT_OF_RANGE] / 2) / 10_000
    assert 0.02 < events_rate < 0.04


def test_stuck_readings_repeat_the_last_value_exactly():
    for readings in _stream(7, rate=0.1).values():
        for before, current in zip(readings, readings[1:]):
            if current.truth == STUCK:
                assert current.values == before.values
            elif current.truth == NORMAL and before.truth == NORMAL:
                assert current.values != before.values


def test_drift_only_sensors_never_get_faults_but_do_drift():
    stream = _stream(8, sensors=1, drift_only=2, steps=720, rate=0.5)
    faulty, *clean = stream.values()
    assert any(r.truth != NORMAL for r in faulty)
    for readings in clean:
        assert all(r.truth == NORMAL for r in readings)
        temperatures = [r.values[0] for r in readings]
        assert max(temperatures) - min(temperatures) > 2.0, "half a day of weather drifts"


def test_config_rejects_nonsense():
    with pytest.raises(ConfigError, match="STREAMML_ANOMALY_RATE"):
        load_config(SensorsConfig, {"STREAMML_ANOMALY_RATE": "0.9"})
    with pytest.raises(ConfigError, match="STREAMML_SENSOR_PREFIX"):
        load_config(SensorsConfig, {"STREAMML_SENSOR_PREFIX": "bad prefix "})
    assert load_config(SensorsConfig, {"STREAMML_RATE_HZ": "0"}).rate_hz == 0


def test_the_stream_depends_on_the_seed_not_on_the_sensor_names():
    def values(prefix: str) -> list:
        profile = make_profiles(1, prefix, 9)[0]
        simulator = SensorSimulator(profile, 9, 0.05)
        return [simulator.next() for _ in range(100)]

    assert values("demo-a1-s") == values("demo-b2-s")


class _Producer:
    def __init__(self) -> None:
        self.sent: list[tuple[bytes, bytes]] = []

    def send(self, topic, key, value, headers):
        from kafka.future import Future

        self.sent.append((key, value))
        return Future().success(None)

    def flush(self, timeout=None):
        pass


def test_a_resumed_run_continues_the_same_stream():
    import threading

    from prometheus_client import CollectorRegistry

    from streamml.sensors.metrics import SensorsMetrics
    from streamml.sensors.publisher import ReadingPublisher

    def run(**overrides) -> list[SensorReading]:
        config = SensorsConfig(sensors=2, rate_hz=0, seed=4, **overrides)
        producer = _Producer()
        ReadingPublisher(config, producer, SensorsMetrics.create(CollectorRegistry()),
                         threading.Event()).run()
        return [SensorReading.model_validate_json(value) for _, value in producer.sent]

    whole = run(readings_per_sensor=60)
    first, second = run(readings_per_sensor=25), run(readings_per_sensor=35, resume_at_seq=25)
    assert [(r.sensor_id, r.seq, r.values()) for r in first + second] == \
        [(r.sensor_id, r.seq, r.values()) for r in whole]
