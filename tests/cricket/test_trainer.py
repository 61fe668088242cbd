"""Trainer logic without a broker: the window, learning from finished matches, the gate."""

from __future__ import annotations

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from streamml.contracts.cricket import MatchEvent, MatchResult, ModelStatus, decode_model
from streamml.orchestrator.matches import play_round
from streamml.orchestrator.training import generate_training_samples
from streamml.runtime.messages import decode
from streamml.runtime.dead_letter import Outgoing
from streamml.runtime.stream import HandlerResult, Incoming
from streamml.trainer.config import TrainerConfig
from streamml.trainer.dataset import MatchOutcomes, TrainingWindow, is_holdout
from streamml.trainer.handler import TrainerHandler
from streamml.trainer.metrics import TrainerMetrics
from streamml.trainer.model import not_worse
from tests.cricket.models import signer, trusted


def incoming(messages: list) -> list[Incoming]:
    return [Incoming(None, message) for message in messages]  # type: ignore[arg-type]


def make_handler(**settings: object) -> TrainerHandler:
    config = TrainerConfig(**{"min_samples": 1000, "retrain_min_new_samples": 200,
                              "n_estimators": 10, "max_depth": 8, **settings})
    return TrainerHandler(config, TrainerMetrics.create(CollectorRegistry()), None, 0, signer())


def test_holdout_split_is_by_match_and_stable() -> None:
    ids = [f"m{i}" for i in range(2000)]
    share = sum(is_holdout(match_id, 0.2) for match_id in ids) / len(ids)
    assert 0.15 < share < 0.25
    assert [is_holdout(i, 0.2) for i in ids] == [is_holdout(i, 0.2) for i in ids]


def test_window_keeps_the_newest_samples() -> None:
    window = TrainingWindow(max_samples=3, holdout_fraction=0.5)
    samples = generate_training_samples(5, 1, seed=1, id_prefix="w")
    for sample in samples:
        window.add(sample.match_id, sample, sample.final_score)
    split = window.split()
    assert len(split.y_train) + len(split.y_holdout) == 3
    assert sorted(np.concatenate([split.y_train, split.y_holdout])) == sorted(
        float(s.final_score) for s in samples[2:])
    assert window.new_since_training == 0


def test_finished_matches_label_every_ball_with_the_actual_final_score() -> None:
    outcomes = MatchOutcomes(max_open_matches=10)
    ticks = list(play_round(["a", "b"], np.random.default_rng(2), lambda: 0))
    events = [event for tick in ticks for event in tick.events]
    results = [result for tick in ticks for result in tick.results]
    assert all(outcomes.add_event(event) == [] for event in events[:-10])
    labelled = [pair for result in results for pair in outcomes.finish(result)]
    late = [pair for event in events[-10:] for pair in outcomes.add_event(event)]
    finals = {result.match_id: result.final_score for result in results}
    assert len(labelled) + len(late) == len(events)
    assert all(score == finals[event.match_id] for event, score in labelled + late)
    assert outcomes.open_matches == 0


@pytest.mark.parametrize(("candidate", "incumbent", "tolerance", "publish"), [
    (9.0, None, 0.0, True), (9.0, 9.0, 0.0, True), (9.1, 9.0, 0.0, False),
    (9.1, 9.0, 0.05, True), (12.0, 9.0, 0.05, False)])
def test_a_candidate_is_published_only_if_not_worse(candidate, incumbent, tolerance,
                                                    publish) -> None:
    assert not_worse(candidate, incumbent, tolerance) is publish


def delivered(result: HandlerResult) -> list[Outgoing]:
    """What the runtime does once a result's outputs are acknowledged."""
    if result.on_delivered is not None:
        result.on_delivered()
    return result.outputs


def test_the_version_advances_only_when_the_model_is_delivered() -> None:
    handler = make_handler()
    delivered(handler.handle(incoming(generate_training_samples(1200, 4, seed=4, id_prefix="h"))))
    handler.on_idle()
    undelivered = handler.on_idle()  # the runtime failed to send this one
    assert [out.topic for out in undelivered.outputs][0] == "cricket.models"
    assert handler.incumbent is None and handler.last_version == 0
    undelivered.on_delivered()  # the runtime's retry of the same outputs succeeded
    assert handler.incumbent is not None and handler.incumbent.version == 1
    assert handler.last_version == 1


def test_a_batch_handled_twice_adds_its_samples_once() -> None:
    handler = make_handler()
    samples = incoming(generate_training_samples(50, 4, seed=4, id_prefix="h"))
    handler.handle(samples)  # not delivered: handled again
    delivered(handler.handle(samples))
    assert len(handler.window) == 50


def test_trains_once_enough_samples_are_in_and_the_input_is_drained() -> None:
    handler = make_handler()
    samples = generate_training_samples(1200, 4, seed=4, id_prefix="h")
    assert delivered(handler.on_idle()) == []
    delivered(handler.handle(incoming(samples)))
    assert delivered(handler.on_idle()) == []  # the turn that delivered the samples
    outputs = delivered(handler.on_idle())  # an empty poll later: drained
    assert [out.topic for out in outputs] == ["cricket.models", "cricket.model-status"]
    assert trusted().verify(outputs[0].value, outputs[0].headers) == signer().key_id
    model = decode_model(outputs[0].value, 8 * 1024 * 1024)
    status = decode(ModelStatus, outputs[1].value)
    assert model.version == status.version == 1
    assert status.kind == "model_published" and status.r2 is not None and status.r2 > 0.3
    assert status.train_samples + status.holdout_samples == 1200
    assert delivered(handler.on_idle()) == [] and delivered(handler.on_idle()) == []  # nothing new: no retraining


def test_retrains_on_new_data_and_keeps_the_incumbent_when_the_candidate_is_worse() -> None:
    handler = make_handler()
    delivered(handler.handle(incoming(generate_training_samples(1200, 4, seed=4, id_prefix="h"))))
    delivered(handler.on_idle()), delivered(handler.on_idle())
    assert handler.incumbent is not None and handler.incumbent.version == 1
    # Finished matches whose every ball says "final score 0": a model fitted on them is worse.
    ticks = list(play_round([f"x{i}" for i in range(3)], np.random.default_rng(8), lambda: 0))
    events = [event for tick in ticks for event in tick.events]
    delivered(handler.handle(incoming(events)))
    results = [MatchResult(match_id=f"x{i}", final_score=0, wickets=0, balls=120, event_time_ms=0)
               for i in range(3)]
    delivered(handler.handle(incoming(results)))
    delivered(handler.on_idle())
    outputs = delivered(handler.on_idle())
    status = decode(ModelStatus, outputs[-1].value)
    assert status.kind == "model_kept" and status.version == 1
    assert status.mae is not None and status.incumbent_mae is not None
    assert status.mae > status.incumbent_mae
    assert [out.topic for out in outputs] == ["cricket.model-status"]


def test_events_are_learned_only_when_enabled() -> None:
    assert MatchEvent in make_handler().inputs.values()
    assert MatchEvent not in make_handler(learn_from_matches=False).inputs.values()
