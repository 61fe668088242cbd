"""The trainer's metrics, declared once."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

TRAINING_SECONDS_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


@dataclass(frozen=True)
class TrainerMetrics:
    samples: Counter
    training_runs: Counter
    training_seconds: Histogram
    training_samples: Gauge
    holdout_r2: Gauge
    holdout_mae: Gauge
    model_version: Gauge
    model_bytes: Gauge
    open_matches: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> TrainerMetrics:
        return cls(
            samples=Counter(
                "streamml_trainer_samples",
                "Labelled samples received, by source (synthetic training data or finished matches)",
                ["source"], registry=registry),
            training_runs=Counter(
                "streamml_trainer_training_runs",
                "Training runs by outcome (published, kept: candidate worse than the model in use, "
                "failed)", ["outcome"], registry=registry),
            training_seconds=Histogram(
                "streamml_trainer_training_duration_seconds", "Time to fit one candidate",
                buckets=TRAINING_SECONDS_BUCKETS, registry=registry),
            training_samples=Gauge(
                "streamml_trainer_training_samples",
                "Samples the last candidate was fitted on", registry=registry),
            holdout_r2=Gauge(
                "streamml_trainer_holdout_r2", "Held-out R^2 of the last candidate",
                registry=registry),
            holdout_mae=Gauge(
                "streamml_trainer_holdout_mae_runs",
                "Held-out mean absolute error of the last candidate, in runs", registry=registry),
            model_version=Gauge(
                "streamml_trainer_model_version", "Version of the newest published model",
                registry=registry),
            model_bytes=Gauge(
                "streamml_trainer_model_bytes", "Size of the newest published model artifact",
                registry=registry),
            open_matches=Gauge(
                "streamml_trainer_open_matches", "Live matches waiting for their final score",
                registry=registry),
        )
