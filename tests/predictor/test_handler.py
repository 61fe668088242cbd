"""The predictor's handler on a batch: the published bytes are the Prediction schema's."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from streamml.contracts.cricket import MatchEvent, Prediction, decode_model, encode_model
from streamml.orchestrator.matches import play_round
from streamml.predictor.config import PredictorConfig
from streamml.predictor.forest import serving
from streamml.predictor.handler import PredictorHandler
from streamml.predictor.metrics import PredictorMetrics
from streamml.runtime.stream import Incoming
from tests.cricket.models import fitted


class _Store:
    def __init__(self, model) -> None:
        self.current = model


def _handler(model, clock_ms: int = 5_000) -> tuple[PredictorHandler, CollectorRegistry]:
    registry = CollectorRegistry()
    return PredictorHandler(PredictorConfig(model_key="unit"), PredictorMetrics.create(registry),
                            _Store(model), clock_ms=lambda: clock_ms), registry


def _model():
    return serving(decode_model(encode_model("unit", 4, fitted(), {"mae": 1.0}, 0), 1 << 24))


def _events() -> list[MatchEvent]:
    ticks = play_round(["m1", "m2"], np.random.default_rng(2), lambda: 4_000)
    return [event for tick in ticks for event in tick.events]


def test_each_output_is_the_prediction_schemas_bytes_keyed_by_match() -> None:
    model = _model()
    handler, registry = _handler(model)
    events = _events()
    result = handler.handle([Incoming(None, event) for event in events])
    expected = [Prediction(
        event_id=e.event_id, match_id=e.match_id, model_key="unit", model_version=4,
        predicted_final_score=float(value), current_over=e.current_over,
        current_score=e.current_score, wickets=e.wickets, latency_ms=1000.0,
        predicted_at_ms=5_000).to_bytes() for e, value in zip(events, model.predict(events))]
    assert [output.value for output in result.outputs] == expected
    assert [output.key for output in result.outputs] == [e.match_id.encode() for e in events]
    assert {output.topic for output in result.outputs} == {"cricket.predictions"}
    assert registry.get_sample_value("streamml_predictor_latency_seconds_count") == len(events)
    assert registry.get_sample_value("streamml_predictor_latency_seconds_sum") == \
        pytest.approx(len(events) * 1.0)


def test_a_non_finite_prediction_raises_instead_of_publishing_it() -> None:
    model = dataclasses.replace(_model(), predict_matrix=lambda m: np.full(len(m), np.nan))
    handler, _ = _handler(model)
    with pytest.raises(ValueError, match="finite"):
        handler.handle([Incoming(None, event) for event in _events()[:3]])


def test_every_ball_of_a_finished_match_is_scored_by_phase() -> None:
    handler, registry = _handler(_model())
    ticks = list(play_round(["m"], np.random.default_rng(1), lambda: 4_000))
    events = [event for tick in ticks for event in tick.events]
    [match_result] = [r for tick in ticks for r in tick.results]
    handler.handle([Incoming(None, e) for e in events] + [Incoming(None, match_result)]
                   ).on_delivered()
    early = registry.get_sample_value("streamml_predictor_prediction_error_runs_count",
                                      {"phase": "overs_01_14"})
    late = registry.get_sample_value("streamml_predictor_prediction_error_runs_count",
                                     {"phase": "overs_15_20"})
    assert early + late == len(events) and early > 0
    assert late == sum(1 for e in events if e.current_over > 14)
