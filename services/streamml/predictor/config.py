from __future__ import annotations

from dataclasses import dataclass

from streamml.contracts.cricket import DEFAULT_MODEL_KEY
from streamml.runtime.config import require
from streamml.runtime.settings import RuntimeConfig


@dataclass(frozen=True)
class PredictorConfig(RuntimeConfig):
    service_name: str = "predictor"
    model_key: str = DEFAULT_MODEL_KEY
    # Artifacts above this size are rejected before they are parsed.
    max_model_bytes: int = 8 * 1024 * 1024
    # Public keys (PEM files, or directories of *.pub/*.pem) whose signatures are trusted;
    # several during a key rotation. A model signed otherwise is rejected unopened.
    model_trusted_keys: tuple[str, ...] = ()
    # Matches whose predictions are kept until their final score arrives (oldest dropped).
    max_tracked_matches: int = 10000
    events_topic: str = "cricket.match-events"
    results_topic: str = "cricket.match-results"
    predictions_topic: str = "cricket.predictions"
    models_topic: str = "cricket.models"

    def validate(self) -> None:
        super().validate()
        require(self, bool(self.model_key), "model_key", "must not be empty")
        require(self, 1024 <= self.max_model_bytes <= self.max_message_bytes, "max_model_bytes",
                "must be between 1024 and STREAMML_MAX_MESSAGE_BYTES")
        require(self, bool(self.model_trusted_keys), "model_trusted_keys",
                "required: the public key file(s) of the model signer (`streamml keys generate`)")
        require(self, self.max_tracked_matches >= 1, "max_tracked_matches", "must be positive")
