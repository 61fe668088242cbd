"""The model's predict for one batch, without scikit-learn's fixed cost per call.

``RandomForestRegressor.predict`` dispatches every tree through joblib, with a configuration
context, warning filters and input checks per tree: about 4 ms per call for 40 trees whatever
the batch size, more than the trees' own work on a batch of 500 events. Our inputs are
already validated (finite, in range: ``contracts.cricket.MatchEvent``), so a batch is scored
here by the pipeline's transforms (their public ``transform``) and then each tree's node
arrays (``tree_.predict``, scikit-learn's compiled traversal), summed in the forest's order:
the same float operations, so the same predictions, bit for bit.

Every model is checked when it is installed: its predictions on a probe batch must equal
``estimator.predict``'s exactly, or the model is served through ``estimator.predict``.
Estimators other than a tree or a forest of regression trees (after optional transforms) are
always served through ``estimator.predict``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sklearn
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeRegressor

from streamml.contracts.cricket import FEATURES, MAX_OVERS, MAX_SCORE, MAX_WICKETS, CricketModel

log = logging.getLogger(__name__)

MatrixPredict = Callable[[np.ndarray], np.ndarray]


class TreeEnsemble:
    """A fitted single-output regression tree or forest, after optional transform steps."""

    def __init__(self, transforms: Sequence[Any], trees: Sequence[Any], average: bool) -> None:
        self._transforms = tuple(transforms)
        self._trees = tuple(tree.tree_ for tree in trees)
        self._average = average

    @classmethod
    def of(cls, estimator: Any) -> TreeEnsemble | None:
        """The ensemble inside ``estimator``, or None if it is not one we can score directly."""
        transforms: list[Any] = []
        final = estimator
        if isinstance(estimator, Pipeline):
            *steps, final = [step for _, step in estimator.steps]
            if not all(callable(getattr(step, "transform", None)) for step in steps):
                return None
            transforms = steps
        if getattr(final, "n_outputs_", None) != 1:
            return None
        if isinstance(final, DecisionTreeRegressor):  # ExtraTreeRegressor included
            return cls(transforms, [final], average=False)
        if isinstance(final, (RandomForestRegressor, ExtraTreesRegressor)) and final.estimators_:
            return cls(transforms, final.estimators_, average=True)
        return None

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        x = matrix
        # Validated inputs: the transforms' finiteness scan is work done twice.
        with sklearn.config_context(assume_finite=True):
            for step in self._transforms:
                x = step.transform(x)
        x32 = np.ascontiguousarray(x, dtype=np.float32)  # the trees' own input type
        total = np.zeros(len(x32), dtype=np.float64)
        for tree in self._trees:
            total += tree.predict(x32)[:, 0]
        if self._average:
            total /= len(self._trees)
        return total


def probe_matrix(rows: int = 64, seed: int = 0) -> np.ndarray:
    """Feature rows spread over the inputs' whole valid range, for the install-time check."""
    rng = np.random.default_rng(seed)
    over = rng.uniform(0, MAX_OVERS, rows)
    columns = {
        "current_over": over,
        "current_score": rng.integers(0, MAX_SCORE // 3, rows).astype(np.float64),
        "wickets": rng.integers(0, MAX_WICKETS + 1, rows).astype(np.float64),
        "run_rate": rng.uniform(0, 15, rows),
        "batting_strength": rng.uniform(0, 1, rows),
        "pitch_condition": rng.uniform(0, 1, rows),
    }
    return np.column_stack([columns[name] for name in FEATURES])


def serving(model: CricketModel, probe: np.ndarray | None = None) -> CricketModel:
    """``model`` with the direct tree scoring installed, if it applies and agrees exactly."""
    ensemble = TreeEnsemble.of(model.estimator)
    if ensemble is None:
        log.info("model served through estimator.predict",
                 extra={"estimator": type(model.estimator).__name__})
        return model
    probe = probe_matrix() if probe is None else probe
    expected = model.estimator.predict(probe)
    if not np.array_equal(ensemble(probe), expected):
        log.warning("direct tree scoring disagrees with estimator.predict; using the latter",
                    extra={"version": model.version})
        return model
    return dataclasses.replace(model, predict_matrix=ensemble)
