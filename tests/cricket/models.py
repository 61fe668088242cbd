"""Small real models for tests: fitted on the orchestrator's own training generator."""

from __future__ import annotations

import functools
import hashlib

import os

from streamml.contracts.cricket import encode_model, model_headers
from streamml.runtime.signing import Signer, TrustedKeys
from streamml.orchestrator.training import generate_training_samples
from streamml.trainer.config import TrainerConfig
from streamml.trainer.dataset import TrainingWindow
from streamml.trainer.model import build_pipeline


@functools.lru_cache(maxsize=1)
def signer() -> Signer:
    """The session's model-signing key (tests/conftest.py), which every predictor trusts."""
    return Signer.from_file(os.environ["STREAMML_MODEL_SIGNING_KEY"])


def trusted() -> TrustedKeys:
    return TrustedKeys.of(signer().private_key.public_key())


def signed(payload: bytes, version: int = 1) -> list[tuple[str, bytes]]:
    """Headers of a model record carrying ``payload``, signed by the session's key."""
    return [*model_headers(version, hashlib.sha256(payload).hexdigest()), *signer().headers(payload)]


@functools.lru_cache(maxsize=4)
def fitted(samples: int = 1200, trees: int = 10, seed: int = 11):
    window = TrainingWindow(max_samples=samples, holdout_fraction=0.01)
    for sample in generate_training_samples(samples, 4, seed=seed, id_prefix="fit"):
        window.add(sample.match_id, sample, sample.final_score)
    split = window.split()
    config = TrainerConfig(n_estimators=trees, max_depth=10)
    return build_pipeline(config).fit(split.x_train, split.y_train)


def model_record(model_key: str, version: int) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """(key, value, headers) of a model message as the trainer publishes it."""
    payload = encode_model(model_key, version, fitted(), {"r2": 0.5, "mae": 9.0}, 0)
    return model_key.encode(), payload, signed(payload, version)
