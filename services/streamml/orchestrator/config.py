from __future__ import annotations

from dataclasses import dataclass

from streamml.contracts.cricket import DEFAULT_MODEL_KEY
from streamml.runtime.config import require
from streamml.runtime.settings import RuntimeConfig


@dataclass(frozen=True)
class OrchestratorConfig(RuntimeConfig):
    service_name: str = "orchestrator"
    seed: int = 42
    # Identifies this run in match and sample ids; empty: a random id per start.
    run_id: str = ""
    training_samples: int = 6000
    samples_per_match: int = 4
    concurrent_matches: int = 4
    # Stop after this many matches (the demo); 0 plays rounds until SIGTERM.
    max_matches: int = 0
    # Seconds between balls: 1.0 is the workshop's pace, 0 is as fast as possible.
    ball_interval_s: float = 1.0
    # Wait this long for the trainer to report a model before the first match; 0: do not wait.
    wait_for_model_s: float = 120.0
    model_key: str = DEFAULT_MODEL_KEY
    training_topic: str = "cricket.training-data"
    events_topic: str = "cricket.match-events"
    results_topic: str = "cricket.match-results"
    status_topic: str = "cricket.model-status"

    def validate(self) -> None:
        super().validate()
        require(self, self.training_samples >= 0, "training_samples", "must not be negative")
        require(self, self.samples_per_match >= 1, "samples_per_match", "must be at least 1")
        require(self, self.concurrent_matches >= 1, "concurrent_matches", "must be at least 1")
        require(self, self.max_matches >= 0, "max_matches", "must not be negative")
        require(self, self.ball_interval_s >= 0, "ball_interval_s", "must not be negative")
        require(self, self.wait_for_model_s >= 0, "wait_for_model_s", "must not be negative")
        require(self, bool(self.model_key), "model_key", "must not be empty")
