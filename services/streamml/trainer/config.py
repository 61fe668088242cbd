from __future__ import annotations

from dataclasses import dataclass

from streamml.contracts.cricket import DEFAULT_MODEL_KEY
from streamml.runtime.config import require
from streamml.runtime.settings import RuntimeConfig


@dataclass(frozen=True)
class TrainerConfig(RuntimeConfig):
    service_name: str = "trainer"
    model_key: str = DEFAULT_MODEL_KEY
    # First model once this many samples are in; a new candidate after this many new ones.
    min_samples: int = 1000
    retrain_min_new_samples: int = 1000
    # The newest samples kept for training (older ones are dropped).
    max_samples: int = 50000
    holdout_fraction: float = 0.2
    # Train as soon as the input is drained, or after waiting this long while data keeps coming.
    max_train_delay_s: float = 10.0
    # Learn from finished matches: live states labelled with the actual final score.
    learn_from_matches: bool = True
    max_open_matches: int = 2000
    # The model is bounded so that its artifact stays small (about 0.6 MB with these values).
    n_estimators: int = 40
    max_depth: int = 12
    min_samples_leaf: int = 10
    random_state: int = 0
    # Publish a candidate if its held-out MAE <= incumbent MAE * (1 + tolerance).
    publish_tolerance: float = 0.0
    max_model_bytes: int = 8 * 1024 * 1024
    # Ed25519 private key (PEM) that signs every published model, e.g. a mounted Secret.
    model_signing_key: str = ""
    # Public keys (files or directories) accepted when reading the model in use at start-up;
    # empty: only the signing key's own public key.
    model_trusted_keys: tuple[str, ...] = ()
    training_topic: str = "cricket.training-data"
    events_topic: str = "cricket.match-events"
    results_topic: str = "cricket.match-results"
    models_topic: str = "cricket.models"
    status_topic: str = "cricket.model-status"

    def validate(self) -> None:
        super().validate()
        require(self, bool(self.model_key), "model_key", "must not be empty")
        require(self, self.min_samples >= 10, "min_samples", "must be at least 10")
        require(self, self.retrain_min_new_samples >= 1, "retrain_min_new_samples", "must be positive")
        require(self, self.max_samples >= self.min_samples, "max_samples", "must be >= min_samples")
        require(self, 0 < self.holdout_fraction < 1, "holdout_fraction", "must be in (0, 1)")
        require(self, self.max_train_delay_s >= 0, "max_train_delay_s", "must not be negative")
        require(self, self.max_open_matches >= 1, "max_open_matches", "must be positive")
        require(self, 1 <= self.n_estimators <= 500, "n_estimators", "must be in [1, 500]")
        require(self, 1 <= self.max_depth <= 30, "max_depth", "must be in [1, 30]")
        require(self, self.min_samples_leaf >= 1, "min_samples_leaf", "must be positive")
        require(self, self.publish_tolerance >= 0, "publish_tolerance", "must not be negative")
        require(self, bool(self.model_signing_key), "model_signing_key",
                "required: the PEM file of the Ed25519 key that signs models "
                "(create one with `streamml keys generate`)")
        require(self, self.max_model_bytes <= self.max_message_bytes, "max_model_bytes",
                "must not exceed STREAMML_MAX_MESSAGE_BYTES")
