"""Offline comparison of anomaly detectors on the weather demo's seeded stream.

    .venv/bin/python -m streamml.demo.weather_methods

Same sensors, same seed, same faults as `streamml demo weather`, scored without Kafka, so
the choice of method rests on numbers (the results are in docs/weather.md):

- workshop: IsolationForest(contamination=0.2) per sensor, fitted once on its first 10
  readings of raw temperature/humidity/pressure, as in the workshop;
- iforest-warmup: IsolationForest per sensor fitted once on its 30-reading warm-up window;
- iforest-sliding: IsolationForest per sensor refitted every 30 readings on the last 90;
- iforest-relative: the same, on features relative to the sensor's recent window (residual
  from the rolling median, absolute change since the previous reading);
- robust-trend-z: what the detector runs (streamml.detector.scoring).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from sklearn.ensemble import IsolationForest

from streamml.contracts.weather import NORMAL, Confusion
from streamml.demo.weather import DRIFT_ONLY_SENSORS, READINGS_PER_SENSOR, SEED, SENSORS, WARMUP
from streamml.detector.scoring import ScoringSettings, SensorScorer
from streamml.sensors.simulation import SensorSimulator, make_profiles

ANOMALY_RATE = 0.02
BLOCK, WINDOW = 30, 90

Detector = Callable[[np.ndarray], np.ndarray]  # one sensor's readings -> flagged mask


def simulate() -> list[tuple[bool, np.ndarray, np.ndarray]]:
    """Per sensor: (injects faults, readings n x 3, is-anomaly mask)."""
    sensors = []
    for profile in make_profiles(SENSORS, "m-", SEED, DRIFT_ONLY_SENSORS):
        simulator = SensorSimulator(profile, SEED, ANOMALY_RATE)
        stream = [simulator.next() for _ in range(READINGS_PER_SENSOR)]
        sensors.append((profile.injects_faults, np.array([s.values for s in stream]),
                        np.array([s.truth != NORMAL for s in stream])))
    return sensors


def workshop(values: np.ndarray) -> np.ndarray:
    model = IsolationForest(contamination=0.2, random_state=42).fit(values[:10])
    return model.predict(values) == -1


def iforest_warmup(values: np.ndarray) -> np.ndarray:
    model = IsolationForest(contamination="auto", random_state=42).fit(values[:WARMUP])
    return model.predict(values) == -1


def _sliding(features: np.ndarray, contamination: float) -> np.ndarray:
    flagged = np.zeros(len(features), dtype=bool)
    for start in range(WARMUP, len(features), BLOCK):
        train = features[max(0, start - WINDOW):start]
        model = IsolationForest(contamination=contamination, random_state=42).fit(train)
        flagged[start:start + BLOCK] = model.predict(features[start:start + BLOCK]) == -1
    return flagged


def iforest_sliding(values: np.ndarray) -> np.ndarray:
    return _sliding(values, 0.02)


def iforest_relative(values: np.ndarray) -> np.ndarray:
    features = np.zeros((len(values), 6))
    for i in range(1, len(values)):
        recent = values[max(0, i - BLOCK):i]
        features[i, :3] = values[i] - np.median(recent, axis=0)
        features[i, 3:] = np.abs(values[i] - values[i - 1])
    return _sliding(features, 0.02)


def robust_trend_z(values: np.ndarray) -> np.ndarray:
    scorer = SensorScorer(ScoringSettings(warmup=WARMUP), lambda: 0)
    return np.array([scorer.score("s", seq, seq, tuple(v)).flagged
                     for seq, v in enumerate(values)])


METHODS: dict[str, Detector] = {
    "workshop": workshop, "iforest-warmup": iforest_warmup, "iforest-sliding": iforest_sliding,
    "iforest-relative": iforest_relative, "robust-trend-z": robust_trend_z,
}


def main() -> None:
    sensors = simulate()
    print(f"{SENSORS} sensors with faults + {DRIFT_ONLY_SENSORS} drift-only, "
          f"{READINGS_PER_SENSOR} readings each, seed {SEED}; scored after a {WARMUP}-reading "
          "warm-up\n")
    print(f"{'method':<18} {'precision':>9} {'recall':>7} {'drift FA':>9} {'seconds':>8}")
    for name, detect in METHODS.items():
        started = time.perf_counter()
        faulty, drift = Confusion(), Confusion()
        for injects, values, truth in sensors:
            flagged = detect(values)
            counts = faulty if injects else drift
            for is_anomaly, was_flagged in zip(truth[WARMUP:], flagged[WARMUP:]):
                counts.add(bool(is_anomaly), bool(was_flagged))
        print(f"{name:<18} {faulty.precision:9.3f} {faulty.recall:7.3f} "
              f"{100 * drift.false_alarm_rate:8.2f}% {time.perf_counter() - started:8.1f}",
              flush=True)


if __name__ == "__main__":
    main()
