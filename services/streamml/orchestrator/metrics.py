"""The orchestrator's metrics, declared once."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

FINAL_SCORE_BUCKETS = (80, 100, 120, 140, 160, 180, 200, 220, 250)


@dataclass(frozen=True)
class OrchestratorMetrics:
    training_samples: Counter
    events: Counter
    matches_started: Counter
    matches_completed: Counter
    matches_in_progress: Gauge
    final_score: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry) -> OrchestratorMetrics:
        return cls(
            training_samples=Counter(
                "streamml_orchestrator_training_samples",
                "Labelled training samples published", registry=registry),
            events=Counter(
                "streamml_orchestrator_match_events",
                "Ball-by-ball match events published", registry=registry),
            matches_started=Counter(
                "streamml_orchestrator_matches_started", "Matches started", registry=registry),
            matches_completed=Counter(
                "streamml_orchestrator_matches_completed",
                "Matches finished (final score published)", registry=registry),
            matches_in_progress=Gauge(
                "streamml_orchestrator_matches_in_progress", "Matches being played",
                registry=registry),
            final_score=Histogram(
                "streamml_orchestrator_final_score_runs", "Actual final scores of finished matches",
                buckets=FINAL_SCORE_BUCKETS, registry=registry),
        )
