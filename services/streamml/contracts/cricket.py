"""What the cricket services agree on: message schemas, feature order, the model format.

The orchestrator publishes ``TrainingSample``, ``MatchEvent`` and ``MatchResult``; the trainer
publishes model artifacts and ``ModelStatus``; the predictor publishes ``Prediction``.

A model travels on the models topic as a skops archive of a plain dict (the *envelope*):
``{"format", "format_version", "model_key", "version", "features", "target", "metrics",
"trained_at_ms", "estimator"}``. The value of the Kafka record is the archive; headers repeat
the key facts so that a reader can skip older versions without opening the archive.
"""

from __future__ import annotations

import math

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import Field
from pydantic_core import to_json

from streamml.runtime.messages import Message

# Order of the columns of the model's input matrix. Trainer and predictor both use this tuple.
FEATURES: tuple[str, ...] = (
    "current_over",
    "current_score",
    "wickets",
    "run_rate",
    "batting_strength",
    "pitch_condition",
)
TARGET = "final_score"
SCORE_COLUMN = FEATURES.index("current_score")
BALLS_PER_OVER = 6
MAX_OVERS = 20
MAX_BALLS = BALLS_PER_OVER * MAX_OVERS
MAX_WICKETS = 10
# Six runs off every ball is the most a side can score.
MAX_RUN_RATE = 6.0 * BALLS_PER_OVER
MAX_SCORE = 6 * MAX_BALLS

MODEL_FORMAT = "streamml.cricket-score"
MODEL_FORMAT_VERSION = 1
DEFAULT_MODEL_KEY = "cricket-score"
# skops trusts scikit-learn's estimators by default; tree node arrays must be trusted
# explicitly, which is why every tree is also checked by verify_tree_ensemble after loading.
TRUSTED_MODEL_TYPES: tuple[str, ...] = ("sklearn.tree._tree.Tree",)

HEADER_MODEL_VERSION = "streamml.model.version"
HEADER_MODEL_FORMAT = "streamml.model.format"
HEADER_MODEL_SHA256 = "streamml.model.sha256"


class MatchState(Message):
    """The workshop's features: the state of an innings after a ball."""

    current_over: float = Field(ge=0, le=MAX_OVERS)
    current_score: int = Field(ge=0, le=MAX_SCORE)
    wickets: int = Field(ge=0, le=MAX_WICKETS)
    run_rate: float = Field(ge=0, le=MAX_RUN_RATE)
    batting_strength: float = Field(ge=0, le=1)
    pitch_condition: float = Field(ge=0, le=1)


class TrainingSample(MatchState):
    sample_id: str = Field(min_length=1, max_length=200)
    match_id: str = Field(min_length=1, max_length=200)
    final_score: int = Field(ge=0, le=MAX_SCORE)


class MatchEvent(MatchState):
    """One ball of a live match, keyed by ``match_id``; ``event_time_ms`` is when it happened."""

    event_id: str = Field(min_length=1, max_length=200)
    match_id: str = Field(min_length=1, max_length=200)
    event_time_ms: int = Field(ge=0)
    # The last ball of the innings (20 overs bowled or all out).
    innings_complete: bool = False


class MatchResult(Message):
    match_id: str = Field(min_length=1, max_length=200)
    final_score: int = Field(ge=0, le=MAX_SCORE)
    wickets: int = Field(ge=0, le=MAX_WICKETS)
    balls: int = Field(ge=1, le=MAX_BALLS)
    event_time_ms: int = Field(ge=0)


class Prediction(Message):
    event_id: str
    match_id: str
    model_key: str
    model_version: int = Field(ge=1)
    predicted_final_score: float
    # The state the prediction was made from, so that a reader needs no join to show it.
    current_over: float
    current_score: int
    wickets: int
    latency_ms: float = Field(ge=0)
    predicted_at_ms: int


def encode_predictions(events: Sequence[MatchEvent], predicted: Sequence[float],
                       latencies_ms: Sequence[float], model_key: str, model_version: int,
                       predicted_at_ms: int) -> list[bytes]:
    """``Prediction(...).to_bytes()`` of each event's prediction, byte for byte, without building
    and validating a ``Prediction`` per event: the fields copied from a ``MatchEvent`` were
    validated when it was decoded, the others are checked here once per batch."""
    if not (len(events) == len(predicted) == len(latencies_ms)):
        raise ValueError("events, predictions and latencies differ in number")
    if not _is_int64(model_version) or model_version < 1:
        raise ValueError(f"model_version must be an integer >= 1, not {model_version!r}")
    if not _is_int64(predicted_at_ms):
        raise ValueError(f"predicted_at_ms must be an integer, not {predicted_at_ms!r}")
    if not all(math.isfinite(value) for value in predicted):
        raise ValueError("a prediction is not a finite number")
    if any(not (latency >= 0) or math.isinf(latency) for latency in latencies_ms):
        raise ValueError("a latency is negative or not finite")
    return [to_json({
        "schema_version": 1, "event_id": event.event_id, "match_id": event.match_id,
        "model_key": model_key, "model_version": model_version,
        "predicted_final_score": float(value), "current_over": event.current_over,
        "current_score": event.current_score, "wickets": event.wickets,
        "latency_ms": float(latency), "predicted_at_ms": predicted_at_ms,
    }) for event, value, latency in zip(events, predicted, latencies_ms)]


StatusKind = Literal["model_published", "model_kept", "training_failed"]


class ModelStatus(Message):
    """Trainer reports, keyed by model key. ``model_kept``: the candidate was worse than the
    model in use on the same held-out data, so it was not published."""

    model_key: str
    kind: StatusKind
    version: int | None = None
    train_samples: int = 0
    holdout_samples: int = 0
    r2: float | None = None
    mae: float | None = None
    incumbent_mae: float | None = None
    duration_s: float | None = None
    model_bytes: int | None = None
    detail: str = ""
    time_ms: int = 0


def feature_matrix(states: Sequence[MatchState]) -> np.ndarray:
    """The model input for ``states``, columns in FEATURES order."""
    return np.array([[getattr(state, name) for name in FEATURES] for state in states],
                    dtype=np.float64).reshape(len(states), len(FEATURES))


def clamp_predictions(raw: np.ndarray, current_scores: np.ndarray) -> np.ndarray:
    """A final score is never below the current score; predictions are rounded to 0.1 run."""
    return np.round(np.maximum(raw, current_scores), 1)


@dataclass(frozen=True)
class CricketModel:
    model_key: str
    version: int
    estimator: Any
    metrics: Mapping[str, float]
    trained_at_ms: int
    size_bytes: int
    # The estimator's predict on a feature matrix, or an exact equivalent with less overhead
    # per call that a service installed (the predictor's ``forest.serving``).
    predict_matrix: Callable[[np.ndarray], np.ndarray] | None = field(
        default=None, repr=False, compare=False)

    def predict(self, states: Sequence[MatchState]) -> np.ndarray:
        """Vectorised: one call to the estimator for the whole batch."""
        if not states:
            return np.empty(0)
        matrix = feature_matrix(states)
        predict = self.predict_matrix or self.estimator.predict
        return clamp_predictions(predict(matrix), matrix[:, SCORE_COLUMN])


def encode_model(model_key: str, version: int, estimator: Any, metrics: Mapping[str, float],
                 trained_at_ms: int) -> bytes:
    # Imported here: skops (and scikit-learn) are in the trainer's and predictor's images
    # only; the orchestrator uses this module's messages without them.
    from streamml.runtime.artifacts import dump_artifact

    envelope = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "model_key": model_key,
        "version": int(version),
        "features": list(FEATURES),
        "target": TARGET,
        "metrics": {name: float(value) for name, value in metrics.items()},
        "trained_at_ms": int(trained_at_ms),
        "estimator": estimator,
    }
    return dump_artifact(envelope)


def decode_model(payload: bytes | None, max_bytes: int) -> CricketModel:
    """Verify and load a model artifact; raise ArtifactError with a bounded reason otherwise.

    Never unpickles: a payload that is not a skops archive is rejected before parsing.
    """
    from streamml.runtime.artifacts import (
        WRONG_SCHEMA,
        ArtifactError,
        load_artifact,
        verify_tree_ensemble,
    )

    envelope = load_artifact(payload, TRUSTED_MODEL_TYPES, max_bytes=max_bytes)
    if not isinstance(envelope, dict):
        raise ArtifactError(WRONG_SCHEMA, f"expected a model envelope, got {type(envelope).__name__}")
    if envelope.get("format") != MODEL_FORMAT or envelope.get("format_version") != MODEL_FORMAT_VERSION:
        raise ArtifactError(WRONG_SCHEMA, f"unknown model format {envelope.get('format')!r} "
                                          f"version {envelope.get('format_version')!r}")
    if list(envelope.get("features", ())) != list(FEATURES) or envelope.get("target") != TARGET:
        raise ArtifactError(WRONG_SCHEMA, f"features {envelope.get('features')!r} do not match "
                                          f"{list(FEATURES)!r}")
    version = envelope.get("version")
    if not _is_int64(version) or version < 1:
        raise ArtifactError(WRONG_SCHEMA, f"model version must be an integer in [1, 2^63), "
                                          f"got a {type(version).__name__}")
    estimator = envelope.get("estimator")
    if not callable(getattr(estimator, "predict", None)):
        raise ArtifactError(WRONG_SCHEMA, "the envelope holds no estimator with predict()")
    if getattr(estimator, "n_features_in_", None) != len(FEATURES):
        raise ArtifactError(WRONG_SCHEMA, f"estimator expects {getattr(estimator, 'n_features_in_', None)} "
                                          f"features, not {len(FEATURES)}")
    verify_tree_ensemble(estimator, len(FEATURES))
    model_key = envelope.get("model_key", "")
    if not isinstance(model_key, str):
        raise ArtifactError(WRONG_SCHEMA, f"model_key must be a string, not {type(model_key).__name__}")
    metrics = envelope.get("metrics") or {}
    if not isinstance(metrics, dict) or not all(
            isinstance(name, str) and _is_number(value) and math.isfinite(value)
            for name, value in metrics.items()):
        raise ArtifactError(WRONG_SCHEMA, "metrics must map names to finite numbers")
    trained_at_ms = envelope.get("trained_at_ms", 0)
    if not _is_int64(trained_at_ms) or trained_at_ms < 0:
        raise ArtifactError(WRONG_SCHEMA, "trained_at_ms must be an integer in [0, 2^63)")
    return CricketModel(
        model_key=model_key,
        version=version,
        estimator=estimator,
        metrics={name: float(value) for name, value in metrics.items()},
        trained_at_ms=trained_at_ms,
        size_bytes=len(payload or b""),
    )


def _is_int64(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def model_headers(version: int, sha256: str) -> tuple[tuple[str, bytes], ...]:
    return (
        (HEADER_MODEL_VERSION, str(version).encode()),
        (HEADER_MODEL_FORMAT, f"{MODEL_FORMAT}/{MODEL_FORMAT_VERSION}".encode()),
        (HEADER_MODEL_SHA256, sha256.encode()),
        ("content-type", b"application/x-skops"),
    )


def header_version(headers: Sequence[tuple[str, bytes]] | None) -> int | None:
    """The version a model record announces in its headers, if any (unverified)."""
    for name, value in headers or ():
        if name == HEADER_MODEL_VERSION:
            try:
                return int(value.decode())
            except (AttributeError, UnicodeDecodeError, ValueError):  # a null or garbled header
                return None
    return None
