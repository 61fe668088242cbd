"""The quality bar, measured on the real pipeline without a broker: a model trained on the
orchestrator's training set, predicting live matches from the same simulator."""

from __future__ import annotations

import numpy as np
import pytest

from streamml.contracts.cricket import feature_matrix
from streamml.orchestrator.matches import play_round
from streamml.orchestrator.training import generate_training_samples
from streamml.trainer.config import TrainerConfig
from streamml.trainer.dataset import TrainingWindow
from streamml.trainer.model import fit_candidate, predict

DEMO_SEED = 42  # the orchestrator's default seed, used by the demo


def live_errors(estimator, seed: int, matches: int) -> tuple[float, float]:
    ids = [f"m{i}" for i in range(matches)]
    events = [e for tick in play_round(ids, np.random.default_rng(seed), lambda: 0)
              for e in tick.events]
    finals = {r.match_id: r.final_score
              for tick in play_round(ids, np.random.default_rng(seed), lambda: 0)
              for r in tick.results}
    predicted = predict(estimator, feature_matrix(events))
    errors = np.abs(predicted - np.array([finals[e.match_id] for e in events]))
    late = np.array([e.current_over > 14 for e in events])
    return float(errors.mean()), float(errors[late].mean())


@pytest.fixture(scope="module")
def candidate():
    config = TrainerConfig()
    window = TrainingWindow(config.max_samples, config.holdout_fraction)
    for sample in generate_training_samples(6000, 4, seed=DEMO_SEED, id_prefix="acc"):
        window.add(sample.match_id, sample, sample.final_score)
    return fit_candidate(config, window.split())


def test_held_out_error_is_reported(candidate) -> None:
    assert 0.4 < candidate.evaluation.r2 < 1
    assert candidate.evaluation.mae < 12


def test_live_error_meets_the_bar_on_the_demo_matches(candidate) -> None:
    overall, late = live_errors(candidate.estimator, DEMO_SEED + 1, 4)
    assert overall <= 15 and late <= 8


def test_live_error_meets_the_bar_on_many_matches(candidate) -> None:
    overall, late = live_errors(candidate.estimator, 1234, 60)
    assert overall <= 15 and late <= 8
