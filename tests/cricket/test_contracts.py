"""Message contracts: what is valid, and the reason every kind of bad input is rejected with."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamml.contracts.cricket import (
    FEATURES,
    MatchEvent,
    Prediction,
    clamp_predictions,
    encode_predictions,
    feature_matrix,
    header_version,
    model_headers,
)
from streamml.runtime.messages import DecodeError, decode


def event(**changes: object) -> dict:
    body = {"event_id": "m1.30", "match_id": "m1", "event_time_ms": 1_700_000_000_000,
            "current_over": 5.0, "current_score": 41, "wickets": 1, "run_rate": 8.2,
            "batting_strength": 0.8, "pitch_condition": 0.9}
    body.update(changes)
    return body


def raw(body: dict) -> bytes:
    return json.dumps(body).encode()


def test_a_valid_event_decodes() -> None:
    decoded = decode(MatchEvent, raw(event()))
    assert decoded.current_score == 41 and decoded.innings_complete is False


@pytest.mark.parametrize(("changes", "reason"), [
    ({"wickets": 11}, "out_of_range"),
    ({"current_over": 20.5}, "out_of_range"),
    ({"current_over": -0.1}, "out_of_range"),
    ({"current_score": -4}, "out_of_range"),
    ({"run_rate": 40.0}, "out_of_range"),
    ({"batting_strength": 1.5}, "out_of_range"),
    ({"current_score": "41"}, "schema_violation"),
    ({"wickets": 1.5}, "schema_violation"),
    ({"event_id": ""}, "schema_violation"),
])
def test_impossible_or_mistyped_values_are_rejected(changes: dict, reason: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode(MatchEvent, raw(event(**changes)))
    assert caught.value.reason == reason


def test_missing_field_is_a_schema_violation() -> None:
    body = event()
    del body["pitch_condition"]
    with pytest.raises(DecodeError) as caught:
        decode(MatchEvent, raw(body))
    assert caught.value.reason == "schema_violation"
    assert "pitch_condition" in caught.value.detail


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_rejected(literal: str) -> None:
    text = raw(event()).decode().replace('"run_rate": 8.2', f'"run_rate": {literal}')
    with pytest.raises(DecodeError) as caught:
        decode(MatchEvent, text.encode())
    assert caught.value.reason == "not_finite"


def test_feature_matrix_follows_the_shared_feature_order() -> None:
    decoded = decode(MatchEvent, raw(event()))
    matrix = feature_matrix([decoded, decoded])
    assert matrix.shape == (2, len(FEATURES))
    assert list(matrix[0]) == [getattr(decoded, name) for name in FEATURES]


def test_predictions_are_never_below_the_current_score() -> None:
    clamped = clamp_predictions(np.array([100.04, 150.0]), np.array([120.0, 90.0]))
    assert list(clamped) == [120.0, 150.0]


def test_model_headers_announce_the_version() -> None:
    assert header_version(list(model_headers(7, "ab"))) == 7
    assert header_version([("streamml.model.version", b"x")]) is None
    assert header_version(None) is None


events_strategy = st.builds(
    MatchEvent,
    event_id=st.text(min_size=1, max_size=40), match_id=st.text(min_size=1, max_size=40),
    event_time_ms=st.integers(0, 2**62),
    current_over=st.floats(0, 20), current_score=st.integers(0, 720), wickets=st.integers(0, 10),
    run_rate=st.floats(0, 36), batting_strength=st.floats(0, 1), pitch_condition=st.floats(0, 1))


@settings(max_examples=200, deadline=None)
@given(events=st.lists(events_strategy, min_size=1, max_size=5),
       scores=st.lists(st.floats(0, 2000) | st.floats(-1e300, 1e300), min_size=5, max_size=5),
       latencies=st.lists(st.floats(0, 1e15) | st.integers(0, 2**53), min_size=5, max_size=5),
       model_key=st.text(max_size=30), version=st.integers(1, 2**63 - 1),
       made_at=st.integers(-2**63, 2**63 - 1))
def test_encoded_predictions_are_byte_for_byte_the_prediction_schemas(
        events, scores, latencies, model_key, version, made_at) -> None:
    n = len(events)
    encoded = encode_predictions(events, scores[:n], latencies[:n], model_key, version, made_at)
    expected = [Prediction(
        event_id=e.event_id, match_id=e.match_id, model_key=model_key, model_version=version,
        predicted_final_score=float(score), current_over=e.current_over,
        current_score=e.current_score, wickets=e.wickets, latency_ms=float(latency),
        predicted_at_ms=made_at).to_bytes() for e, score, latency in zip(events, scores, latencies)]
    assert encoded == expected
    assert all(decode(Prediction, value) for value in encoded)


def _one(**changes: object) -> list[bytes]:
    arguments = {"events": [MatchEvent(**event())], "predicted": [150.0], "latencies_ms": [3],
                 "model_key": "k", "model_version": 1, "predicted_at_ms": 5}
    arguments.update(changes)
    return encode_predictions(**arguments)


@pytest.mark.parametrize("changes", [
    {"predicted": [float("nan")]}, {"predicted": [float("inf")]},
    {"latencies_ms": [-1]}, {"latencies_ms": [float("nan")]}, {"latencies_ms": [float("inf")]},
    {"model_version": 0}, {"model_version": True}, {"model_version": 2**63},
    {"predicted_at_ms": 1.5}, {"predicted": []},
])
def test_predictions_outside_the_schema_are_refused_not_published(changes: dict) -> None:
    with pytest.raises(ValueError):
        _one(**changes)


def test_identifiers_the_encoder_could_not_write_never_get_past_decoding() -> None:
    with pytest.raises(DecodeError):  # a lone surrogate is not a Unicode string
        decode(MatchEvent, raw(event(event_id="\ud800")))
