"""The detector's own metrics, declared once (dashboards use these names).

The runtime already counts messages consumed per topic and dead letters per reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

SCORE_BUCKETS = (0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 25, 50, 100)


@dataclass(frozen=True)
class DetectorMetrics:
    readings: Counter
    anomalies: Counter
    weather_events: Counter
    score: Histogram
    model_fits: Counter
    model_age: Gauge
    model: Info
    sensors: Gauge
    truth: Counter
    precision: Gauge
    recall: Gauge
    restored: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> DetectorMetrics:
        return cls(
            readings=Counter(
                "streamml_detector_readings",
                "Valid readings handled, by status: scored, warming_up (sensor has no model "
                "yet; counted, not scored) or duplicate (redelivered; answered from memory)",
                ["status"], registry=registry,
            ),
            anomalies=Counter(
                "streamml_detector_anomalies",
                "Sensor-fault flags published, by signal: the fault kind (spike, stuck, "
                "dropout, noise, drift, inconsistent); a reading with two kinds counts twice",
                ["signal"], registry=registry,
            ),
            weather_events=Counter(
                "streamml_detector_weather_events",
                "Weather events published (not faults), by event: thunderstorm, front",
                ["event"], registry=registry,
            ),
            score=Histogram(
                "streamml_detector_anomaly_score",
                "Strength of the evidence of every published fault flag: its check's "
                "statistic over that check's threshold (1 = just flagged)",
                buckets=SCORE_BUCKETS, registry=registry,
            ),
            model_fits=Counter(
                "streamml_detector_model_fits",
                "Per-sensor model fits (warm-up and sliding-window refits); each is a new "
                "model version <sensor>/<fit number>",
                registry=registry,
            ),
            model_age=Gauge(
                "streamml_detector_model_age_seconds",
                "Age of the oldest per-sensor model in use", registry=registry,
            ),
            model=Info(
                "streamml_detector_model", "Detection method and its settings", registry=registry,
            ),
            sensors=Gauge(
                "streamml_detector_sensors",
                "Sensors this instance tracks, by state: warming_up or serving",
                ["state"], registry=registry,
            ),
            truth=Counter(
                "streamml_detector_truth_outcomes",
                "Scored readings that carry ground truth, by outcome: true_positive, "
                "false_positive, false_negative, true_negative",
                ["outcome"], registry=registry,
            ),
            precision=Gauge(
                "streamml_detector_precision",
                "Running precision against ground truth since start (1 until something is flagged)",
                registry=registry,
            ),
            recall=Gauge(
                "streamml_detector_recall",
                "Running recall against ground truth since start (1 until an anomaly arrives)",
                registry=registry,
            ),
            restored=Counter(
                "streamml_detector_restored_readings",
                "Readings read back from a partition this instance took over, to rebuild "
                "its sensors' state (replayed, not scored or published)",
                registry=registry,
            ),
        )
