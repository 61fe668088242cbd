"""The predictor's metrics, declared once. Dead letters by reason are the runtime's
``streamml_dead_letters_total{service="predictor"}``."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from streamml.runtime.metrics import BATCH_SIZE_BUCKETS, LATENCY_BUCKETS

ERROR_BUCKETS = (1, 2, 5, 8, 10, 15, 20, 30, 50, 80, 120)
EARLY_PHASE = "overs_01_14"
LATE_PHASE = "overs_15_20"


@dataclass(frozen=True)
class PredictorMetrics:
    events: Counter
    predictions: Counter
    batch_size: Histogram
    latency: Histogram
    model_version: Gauge
    model_swaps: Counter
    model_rejections: Counter
    match_error: Histogram
    ball_error: Histogram
    matches_scored: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> PredictorMetrics:
        return cls(
            events=Counter(
                "streamml_predictor_events", "Valid match events consumed", registry=registry),
            predictions=Counter(
                "streamml_predictor_predictions", "Predictions published", registry=registry),
            batch_size=Histogram(
                "streamml_predictor_batch_size", "Events per vectorised model call",
                buckets=BATCH_SIZE_BUCKETS, registry=registry),
            latency=Histogram(
                "streamml_predictor_latency_seconds",
                "From the event's time to its prediction being ready", buckets=LATENCY_BUCKETS,
                registry=registry),
            model_version=Gauge(
                "streamml_predictor_model_version", "Version of the model in use (0: none yet)",
                registry=registry),
            model_swaps=Counter(
                "streamml_predictor_model_swaps", "Models loaded (the first one included)",
                registry=registry),
            model_rejections=Counter(
                "streamml_predictor_model_rejections",
                "Model artifacts that failed verification, by reason", ["reason"],
                registry=registry),
            match_error=Histogram(
                "streamml_predictor_match_error_runs",
                "Per finished match: mean absolute error of its predictions against the actual "
                "final score", buckets=ERROR_BUCKETS, registry=registry),
            ball_error=Histogram(
                "streamml_predictor_prediction_error_runs",
                "Per prediction of a finished match: absolute error against the actual final "
                "score, by phase of the innings", ["phase"], buckets=ERROR_BUCKETS,
                registry=registry),
            matches_scored=Counter(
                "streamml_predictor_matches_scored",
                "Finished matches whose predictions were scored", registry=registry),
        )
