"""Predictor logic without a broker: model swaps, batch prediction, scoring at match end."""

from __future__ import annotations

import dataclasses
import pickle
import threading
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client import CollectorRegistry

from streamml.contracts.cricket import MatchResult, Prediction
from streamml.orchestrator.matches import play_round
from streamml.predictor.config import PredictorConfig
from streamml.predictor.handler import PredictorHandler
from streamml.predictor.metrics import PredictorMetrics
from streamml.predictor.model_store import ModelStore
from streamml.predictor.scoring import MatchScorer
from streamml.runtime.messages import decode
from streamml.runtime.metrics import RuntimeMetrics
from streamml.runtime.signing import Signer, TrustedKeys, generate
from streamml.runtime.stream import Incoming

from tests.cricket.hostile import CreatesFileWhenUnpickled
from tests.cricket.models import model_record, signed, trusted
from tests.helpers import wait_for
from tests.runtime.fakes import PartitionReader

KEY = "score-unit"


def record(value: bytes | None, headers: list[tuple[str, bytes]], offset: int = 0) -> ConsumerRecord:
    return ConsumerRecord("cricket.models", 0, -1, offset, 0, 0, KEY.encode(), value, headers,
                          None, 0, len(value or b""), 0)


@pytest.fixture
def store() -> ModelStore:
    registry = CollectorRegistry()
    return ModelStore(PredictorConfig(model_key=KEY), PredictorMetrics.create(registry),
                      RuntimeMetrics.create(registry), trusted())


def test_newer_versions_replace_the_model_and_older_ones_are_ignored(store: ModelStore) -> None:
    _, v2, h2 = model_record(KEY, 2)
    _, v1, h1 = model_record(KEY, 1)
    assert store.offer(record(v2, h2))
    assert not store.offer(record(v1, h1))
    assert store.current is not None and store.current.version == 2
    assert not store.offer(record(None, []))  # a tombstone keeps the model in use


def test_a_signed_pickle_is_rejected_and_the_current_model_stays(store: ModelStore,
                                                          tmp_path: Path) -> None:
    _, v1, h1 = model_record(KEY, 1)
    store.offer(record(v1, h1))
    marker = tmp_path / "pwned"
    hostile = pickle.dumps(CreatesFileWhenUnpickled(str(marker)))
    # Signed by the trusted key (a compromised trainer): the archive checks still refuse it.
    assert not store.offer(record(hostile, signed(hostile, 99), offset=5))
    assert not marker.exists()
    assert store.current is not None and store.current.version == 1
    [letter] = store.take_dead_letters()
    headers = dict(letter.headers)
    assert letter.value == hostile
    assert headers["streamml.dlq.reason"] == b"model_not_skops"
    assert headers["streamml.dlq.source.offset"] == b"5"


def test_the_newest_valid_version_wins_at_start(store: ModelStore) -> None:
    _, v1, h1 = model_record(KEY, 1)
    _, v2, h2 = model_record(KEY, 2)
    store._install_newest([record(v1, h1, 0), record(v2, h2, 1),
                           record(b"garbage", signed(b"garbage", 3), 2)])
    assert store.current is not None and store.current.version == 2
    assert len(store.take_dead_letters()) == 1


def test_a_batch_is_predicted_in_one_call_and_scored_when_the_match_ends(store) -> None:
    _, v1, h1 = model_record(KEY, 1)
    store.offer(record(v1, h1))
    registry = CollectorRegistry()
    handler = PredictorHandler(PredictorConfig(model_key=KEY), PredictorMetrics.create(registry),
                               store, clock_ms=lambda: 5_000)
    ticks = list(play_round(["m"], np.random.default_rng(1), lambda: 4_000))
    events = [event for tick in ticks for event in tick.events]
    [result] = [result for tick in ticks for result in tick.results]
    calls = []
    original = store.current.predict_matrix
    assert original is not None  # the forest is scored directly (predictor/forest.py)
    store.current = dataclasses.replace(
        store.current, predict_matrix=lambda x: calls.append(len(x)) or original(x))
    outputs = []
    for batch in ([Incoming(None, event) for event in events], [Incoming(None, result)]):
        handled = handler.handle(batch)
        assert registry.get_sample_value("streamml_predictor_matches_scored_total") == 0
        handled.on_delivered()  # scored once the runtime delivered the predictions
        outputs += handled.outputs
    assert calls == [len(events)]
    predictions = [decode(Prediction, out.value) for out in outputs]
    assert [p.event_id for p in predictions] == [e.event_id for e in events]
    assert all(p.model_version == 1 and p.latency_ms == 1000 for p in predictions)
    assert all(p.predicted_final_score >= p.current_score for p in predictions)
    assert registry.get_sample_value("streamml_predictor_matches_scored_total") == 1
    assert registry.get_sample_value("streamml_predictor_predictions_total") == len(events)


def test_a_match_is_scored_only_when_result_and_every_ball_are_in() -> None:
    scorer = MatchScorer(max_matches=10)
    result = MatchResult(match_id="m", final_score=150, wickets=3, balls=2, event_time_ms=0)
    assert scorer.add_prediction("m", "m.1", 1 / 6, 140.0) is None
    assert scorer.add_result(result) is None
    score = scorer.add_prediction("m", "m.2", 2 / 6, 155.0)
    assert score is not None and score.mean_abs_error == pytest.approx(7.5)


def test_unsigned_unknown_key_and_tampered_models_are_rejected_unopened(
        store: ModelStore, tmp_path: Path) -> None:
    _, v1, h1 = model_record(KEY, 1)
    store.offer(record(v1, h1))
    _, v2, h2 = model_record(KEY, 2)
    stranger = Signer(Ed25519PrivateKey.generate())
    marker = tmp_path / "pwned"
    hostile = pickle.dumps(CreatesFileWhenUnpickled(str(marker)))
    unsigned = [(name, value) for name, value in h2 if not name.startswith("streamml.signature")]
    tampered = bytearray(v2)
    tampered[len(tampered) // 2] ^= 0x01
    offers = {
        "unsigned": record(v2, unsigned, 10),
        "unknown_key": record(hostile, [*unsigned, *stranger.headers(hostile)], 11),
        "bad_signature": record(bytes(tampered), h2, 12),
    }
    for reason, offered in offers.items():
        assert not store.offer(offered), reason
    assert not marker.exists()
    assert store.current is not None and store.current.version == 1
    letters = store.take_dead_letters()
    assert [dict(letter.headers)["streamml.dlq.reason"] for letter in letters] == [
        b"model_unsigned", b"model_unknown_key", b"model_bad_signature"]
    assert [dict(letter.headers)["streamml.dlq.source.offset"] for letter in letters] == [
        b"10", b"11", b"12"]


def test_several_trusted_keys_during_a_rotation(tmp_path: Path) -> None:
    old_private, old_public, old_id = generate(tmp_path, "old")
    _, new_public, new_id = generate(tmp_path / "keys", "new")
    trusted = TrustedKeys.from_files([old_public, tmp_path / "keys"])
    assert sorted(trusted.keys) == sorted([old_id, new_id])
    payload = b"model bytes"
    assert trusted.verify(payload, Signer.from_file(old_private).headers(payload)) == old_id


def test_a_model_signed_for_another_key_is_refused(store: ModelStore) -> None:
    _, other, headers = model_record("another-model", 1)
    assert not store.offer(record(other, headers))
    [letter] = store.take_dead_letters()
    assert dict(letter.headers)["streamml.dlq.reason"] == b"model_wrong_schema"


MODELS = TopicPartition(PredictorConfig().models_topic, 0)


def test_a_restarted_models_reader_rejects_each_record_once(tmp_path: Path) -> None:
    """The models reader restarts after four rejections and catches up again on the newest
    two records, both rejected already: neither is counted or dead-lettered twice."""
    registry = CollectorRegistry()
    store = ModelStore(PredictorConfig(model_key=KEY), PredictorMetrics.create(registry),
                       RuntimeMetrics.create(registry), trusted())
    _, v1, h1 = model_record(KEY, 1)
    log = [record(v1, h1, 0)]
    readers = iter([PartitionReader(MODELS, log, fail_at=5), PartitionReader(MODELS, log)])
    stop = threading.Event()
    store.start(stop, connect_consumer=lambda: next(readers))

    def restarts() -> float:
        return registry.get_sample_value("streamml_topic_follower_restarts_total",
                                         {"service": "predictor", "topic": MODELS.topic}) or 0

    try:
        assert wait_for(lambda: store.reader_following() and store.current is not None, 10)
        hostile = pickle.dumps(CreatesFileWhenUnpickled(str(tmp_path / "pwned")))
        _, v2, h2 = model_record(KEY, 2)
        tampered = bytearray(v2)
        tampered[len(tampered) // 2] ^= 0x01
        version = [("streamml.model.version", b"99")]
        stranger = Signer(Ed25519PrivateKey.generate())
        log.extend([record(hostile, version, 1),
                    record(hostile, [*version, *stranger.headers(hostile)], 2),
                    record(bytes(tampered), h2, 3),
                    record(hostile, signed(hostile, 99), 4)])
        assert wait_for(lambda: restarts() == 1 and store.reader_following(), 10)
    finally:
        stop.set()
        store.join(5)
    letters = store.take_dead_letters()
    assert [(dict(letter.headers)["streamml.dlq.reason"],
             dict(letter.headers)["streamml.dlq.source.offset"]) for letter in letters] == [
        (b"model_unsigned", b"1"), (b"model_unknown_key", b"2"),
        (b"model_bad_signature", b"3"), (b"model_not_skops", b"4")]
    for reason in ("unsigned", "unknown_key", "bad_signature", "not_skops"):
        assert registry.get_sample_value("streamml_predictor_model_rejections_total",
                                         {"reason": reason}) == 1, reason
    assert store.current is not None and store.current.version == 1
    assert not (tmp_path / "pwned").exists()
