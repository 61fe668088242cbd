"""Scoring a batch directly on the trees: the same predictions as ``estimator.predict``, bit
for bit, or the estimator's own predict when that cannot be promised."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.tree import DecisionTreeRegressor

from streamml.contracts.cricket import FEATURES, CricketModel, MatchEvent, decode_model, encode_model
from streamml.predictor.forest import TreeEnsemble, probe_matrix, serving
from tests.cricket.models import fitted


def training_data(rows: int = 400, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    x = probe_matrix(rows, seed)
    y = x[:, FEATURES.index("current_score")] * 1.3 + 20 * x[:, FEATURES.index("run_rate")]
    return x, y


def model_of(estimator) -> CricketModel:
    return CricketModel("unit", 1, estimator, {}, 0, 0)


@pytest.mark.parametrize("estimator", [
    Pipeline([("scale", StandardScaler()),
              ("forest", RandomForestRegressor(n_estimators=12, max_depth=8, random_state=0))]),
    Pipeline([("a", MinMaxScaler()), ("b", StandardScaler()),
              ("forest", ExtraTreesRegressor(n_estimators=5, random_state=0))]),
    RandomForestRegressor(n_estimators=7, random_state=1),
    DecisionTreeRegressor(max_depth=6, random_state=0),
], ids=["scaled-forest", "two-transforms-extra-trees", "bare-forest", "one-tree"])
def test_direct_scoring_equals_the_estimator_bit_for_bit(estimator) -> None:
    x, y = training_data()
    estimator.fit(x, y)
    ensemble = TreeEnsemble.of(estimator)
    assert ensemble is not None
    for rows in (1, 2, 37, 500):
        batch = probe_matrix(rows, seed=rows)
        assert np.array_equal(ensemble(batch), estimator.predict(batch))


def test_the_trainers_model_after_a_skops_round_trip_is_served_directly() -> None:
    model = decode_model(encode_model("unit", 3, fitted(), {"mae": 1.0}, 0), 16 * 1024 * 1024)
    served = serving(model)
    assert served.predict_matrix is not None and served.version == 3
    batch = probe_matrix(300, seed=9)
    assert np.array_equal(served.predict_matrix(batch), model.estimator.predict(batch))
    events = [MatchEvent(event_id=f"e{i}", match_id="m", event_time_ms=0, **{
        name: (int(row[j]) if name in ("current_score", "wickets") else float(row[j]))
        for j, name in enumerate(FEATURES)}) for i, row in enumerate(batch[:50])]
    assert np.array_equal(served.predict(events), model.predict(events))


@pytest.mark.parametrize("estimator", [
    LinearRegression(),
    GradientBoostingRegressor(n_estimators=5),
    Pipeline([("scale", StandardScaler()), ("linear", LinearRegression())]),
], ids=["linear", "boosting", "scaled-linear"])
def test_other_estimators_are_served_by_their_own_predict(estimator) -> None:
    x, y = training_data()
    model = model_of(estimator.fit(x, y))
    assert TreeEnsemble.of(model.estimator) is None
    assert serving(model) is model


def test_a_multi_output_forest_is_served_by_its_own_predict() -> None:
    x, y = training_data()
    forest = RandomForestRegressor(n_estimators=3, random_state=0).fit(x, np.column_stack([y, y]))
    assert TreeEnsemble.of(forest) is None


class _Shifted(RandomForestRegressor):
    """A forest whose predict is not the mean of its trees."""

    def predict(self, X):
        return super().predict(X) + 1.0


def test_a_model_whose_predict_disagrees_keeps_its_own_predict() -> None:
    x, y = training_data()
    model = model_of(_Shifted(n_estimators=3, random_state=0).fit(x, y))
    assert TreeEnsemble.of(model.estimator) is not None
    assert serving(model).predict_matrix is None


def test_the_model_uses_the_installed_predict_once_per_batch() -> None:
    x, y = training_data()
    calls = []
    model = dataclasses.replace(
        model_of(RandomForestRegressor(n_estimators=3, random_state=0).fit(x, y)),
        predict_matrix=lambda matrix: calls.append(len(matrix)) or np.full(len(matrix), 99.0))
    events = [MatchEvent(event_id=f"e{i}", match_id="m", event_time_ms=0, current_over=1.0,
                         current_score=120, wickets=0, run_rate=6.0, batting_strength=0.5,
                         pitch_condition=0.5) for i in range(4)]
    assert model.predict(events).tolist() == [120.0] * 4  # clamped to the current score
    assert calls == [4]
