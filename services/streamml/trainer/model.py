"""Fitting and judging a candidate model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from streamml.contracts.cricket import FEATURES, clamp_predictions
from streamml.trainer.config import TrainerConfig
from streamml.trainer.dataset import Split

SCORE_COLUMN = FEATURES.index("current_score")


def build_pipeline(config: TrainerConfig) -> Pipeline:
    return Pipeline([
        ("scale", StandardScaler()),
        ("forest", RandomForestRegressor(
            n_estimators=config.n_estimators,
            max_depth=config.max_depth,
            min_samples_leaf=config.min_samples_leaf,
            random_state=config.random_state,
            n_jobs=1,
        )),
    ])


def predict(estimator: Any, x: np.ndarray) -> np.ndarray:
    """What the predictor will publish for ``x`` (same clamping)."""
    return clamp_predictions(estimator.predict(x), x[:, SCORE_COLUMN])


@dataclass(frozen=True)
class Evaluation:
    r2: float
    mae: float


def evaluate(estimator: Any, x: np.ndarray, y: np.ndarray) -> Evaluation:
    predicted = predict(estimator, x)
    r2 = float(r2_score(y, predicted)) if len(y) > 1 else float("nan")
    return Evaluation(r2=r2, mae=float(mean_absolute_error(y, predicted)))


@dataclass(frozen=True)
class Candidate:
    estimator: Pipeline
    evaluation: Evaluation
    duration_s: float


def fit_candidate(config: TrainerConfig, split: Split) -> Candidate:
    started = time.perf_counter()
    estimator = build_pipeline(config).fit(split.x_train, split.y_train)
    duration = time.perf_counter() - started
    return Candidate(estimator, evaluate(estimator, split.x_holdout, split.y_holdout), duration)


def not_worse(candidate_mae: float, incumbent_mae: float | None, tolerance: float) -> bool:
    """Publish only if the candidate is not worse than the model in use on the same data."""
    return incumbent_mae is None or candidate_mae <= incumbent_mae * (1 + tolerance)
