"""Message contracts: what is valid, and the reason every kind of bad input is rejected with."""

from __future__ import annotations

import json

import numpy as np
import pytest

from streamml.contracts.cricket import (
    FEATURES,
    MatchEvent,
    clamp_predictions,
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
