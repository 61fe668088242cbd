"""The cricket workflow against the real broker, every service a process started through the
`streamml` CLI. Each test has its own topics (the dead-letter topic is shared), groups and
model key."""

from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from streamml.contracts.cricket import (
    MatchEvent,
    ModelStatus,
    Prediction,
    decode_model,
)
from streamml.orchestrator.matches import play_round
from streamml.runtime.admin import admin_client
from streamml.runtime.dead_letter import header_map
from streamml.runtime.messages import decode
from streamml.runtime.signing import Signer
from tests.cricket.conftest import CricketTopics, ServiceProcess
from tests.cricket.hostile import CreatesFileWhenUnpickled
from tests.cricket.models import model_record, signed
from tests.helpers import produce, read_all, wait_for

pytestmark = pytest.mark.broker

DEAD_LETTER_TOPIC = "streamml.dead-letter"


def match_events(prefix: str, matches: int, seed: int) -> list[MatchEvent]:
    ids = [f"{prefix}-m{i}" for i in range(matches)]
    return [event for tick in play_round(ids, np.random.default_rng(seed), lambda: 0)
            for event in tick.events]


def produce_events(broker: str, topic: str, events: list[MatchEvent]) -> None:
    produce(broker, topic, [(e.match_id.encode(), e.to_bytes()) for e in events])


def publish_model(broker: str, topics: CricketTopics, key: str, version: int) -> None:
    model_key, value, headers = model_record(key, version)
    produce(broker, topics.models, [(model_key, value)], headers=headers)


def predictions(broker: str, topic: str, wanted: set[str], timeout_s: float = 90) -> list[Prediction]:
    """Read ``topic`` until every event id in ``wanted`` has a prediction (or timeout)."""
    def covered(records: list) -> bool:
        return wanted <= {decode(Prediction, r.value).event_id for r in records}
    return [decode(Prediction, r.value)
            for r in read_all(broker, topic, until=covered, timeout_s=timeout_s)]


def dead_letters_from(broker: str, source_topic: str, count: int) -> list:
    def mine(records: list) -> list:
        return [r for r in records
                if header_map(r.headers).get("streamml.dlq.source.topic") == source_topic]
    return mine(read_all(broker, DEAD_LETTER_TOPIC, until=lambda rs: len(mine(rs)) >= count,
                         timeout_s=60))


def start_predictor(spawn, topics: CricketTopics, key: str, group: str) -> ServiceProcess:
    return spawn("predictor", STREAMML_MODEL_KEY=key, STREAMML_GROUP_ID=group, **topics.env())


def wait_ready(service: ServiceProcess, timeout_s: float = 90) -> None:
    assert wait_for(service.ready, timeout_s), \
        f"{service.command} not ready: {service.readiness()}\n{service.log_tail()}"


def test_a_trained_model_is_published_and_every_event_gets_a_prediction(
        broker: str, topics: CricketTopics, spawn, unique: str) -> None:
    key = f"score-{unique}"
    trainer = spawn("trainer", STREAMML_MODEL_KEY=key, STREAMML_GROUP_ID=f"trainer-{unique}",
                    STREAMML_N_ESTIMATORS=20, **topics.env())
    predictor = start_predictor(spawn, topics, key, f"predictor-{unique}")
    orchestrator = spawn(
        "orchestrator", STREAMML_MODEL_KEY=key, STREAMML_RUN_ID=f"run-{unique}",
        STREAMML_TRAINING_SAMPLES=2000, STREAMML_CONCURRENT_MATCHES=2, STREAMML_MAX_MATCHES=2,
        STREAMML_BALL_INTERVAL_S=0, STREAMML_WAIT_FOR_MODEL_S=90, **topics.env())
    assert orchestrator.wait(180) == 0, orchestrator.log_tail()

    # The trainer reported a model trained on the whole training set, and published it.
    statuses = [decode(ModelStatus, r.value) for r in read_all(
        broker, topics.status, until=lambda rs: len(rs) >= 1, timeout_s=30)]
    published = [s for s in statuses if s.kind == "model_published"]
    assert published and published[0].version == 1 and published[0].model_key == key
    assert published[-1].train_samples + published[-1].holdout_samples == 2000
    assert published[-1].r2 is not None and published[-1].r2 > 0.3
    [model_message, *_] = read_all(broker, topics.models, until=lambda rs: len(rs) >= 1)
    assert model_message.key == key.encode()
    assert decode_model(model_message.value, 8 * 1024 * 1024).version == 1

    # Every event of both matches has a prediction, counted by event_id.
    events = [decode(MatchEvent, r.value) for r in read_all(
        broker, topics.events, until=lambda rs: len(rs) >= 200, timeout_s=30)]
    wanted = {event.event_id for event in events}
    assert len({e.match_id for e in events}) == 2 and len(wanted) == len(events)
    found = predictions(broker, topics.predictions, wanted)
    assert {p.event_id for p in found} >= wanted, predictor.stacks()
    assert {p.model_version for p in found} <= {p.version for p in published}
    assert all(p.predicted_final_score >= p.current_score for p in found)

    # Both matches were scored against their final score, and the trainer learned from them.
    assert wait_for(lambda: predictor.metric("streamml_predictor_matches_scored_total") == 2, 60)
    assert predictor.metric("streamml_predictor_model_version") >= 1
    assert wait_for(lambda: trainer.metric("streamml_trainer_samples_total", source="match")
                    == len(events), 60), trainer.log_tail()
    assert predictor.stop() == 0 and trainer.stop() == 0


def test_the_predictor_waits_for_a_model_then_swaps_versions_without_a_restart(
        broker: str, topics: CricketTopics, spawn, unique: str) -> None:
    key = f"score-{unique}"
    predictor = start_predictor(spawn, topics, key, f"predictor-{unique}")
    assert wait_for(lambda: predictor.readiness().get("checks", {}).get("model") is False, 60)
    assert not predictor.ready()
    early = match_events(f"early-{unique}", 2, seed=1)[:40]
    produce_events(broker, topics.events, early)  # they wait in Kafka: no model yet

    publish_model(broker, topics, key, 1)
    wait_ready(predictor)
    found = predictions(broker, topics.predictions, {e.event_id for e in early})
    assert {p.event_id for p in found} >= {e.event_id for e in early}, predictor.stacks()
    assert {p.model_version for p in found} == {1}

    publish_model(broker, topics, key, 2)
    later = match_events(f"later-{unique}", 2, seed=2)
    sent: list[MatchEvent] = []
    # Keep events flowing while the new version arrives; stop once predictions show it.
    for start in range(0, len(later), 20):
        produce_events(broker, topics.events, later[start:start + 20])
        sent.extend(later[start:start + 20])
        if wait_for(lambda: predictor.metric("streamml_predictor_model_version") == 2, 2):
            break
    produce_events(broker, topics.events, later[len(sent):len(sent) + 20])
    sent.extend(later[len(sent):len(sent) + 20])
    wanted = {e.event_id for e in early + sent}
    found = predictions(broker, topics.predictions, wanted)
    by_event = {p.event_id: p for p in found}
    assert set(by_event) >= wanted  # nothing lost across the swap
    assert by_event[sent[-1].event_id].model_version == 2
    assert predictor.running  # the same process throughout
    assert predictor.metric("streamml_predictor_model_swaps_total") == 2
    assert predictor.stop() == 0


def test_malformed_events_are_dead_lettered_and_the_rest_keep_flowing(
        broker: str, topics: CricketTopics, spawn, unique: str) -> None:
    key = f"score-{unique}"
    publish_model(broker, topics, key, 1)
    predictor = start_predictor(spawn, topics, key, f"predictor-{unique}")
    wait_ready(predictor)
    valid = match_events(f"ok-{unique}", 1, seed=3)[:30]
    body = valid[0].model_dump(mode="json")
    bad = {
        b"{not json": "malformed_json",
        b"\xff\xfe\x00": "invalid_utf8",
        _json({k: v for k, v in body.items() if k != "wickets"}): "schema_violation",
        _json({**body, "current_score": "forty"}): "schema_violation",
        _json({**body, "wickets": 11}): "out_of_range",
        _json({**body, "current_over": 21.0}): "out_of_range",
        _json({**body, "current_score": -5}): "out_of_range",
        _json(body).replace(b'"run_rate":' + str(body["run_rate"]).encode(),
                            b'"run_rate":NaN'): "not_finite",
    }
    assert b"NaN" in list(bad)[-1]
    mixed = []
    for index, event in enumerate(valid):
        mixed.append((event.match_id.encode(), event.to_bytes()))
        if index < len(bad):
            mixed.append((event.match_id.encode(), list(bad)[index]))
    produce(broker, topics.events, mixed)

    found = predictions(broker, topics.predictions, {e.event_id for e in valid})
    assert {p.event_id for p in found} >= {e.event_id for e in valid}, predictor.stacks()
    letters = dead_letters_from(broker, topics.events, len(bad))
    assert len(letters) == len(bad)
    assert Counter(header_map(r.headers)["streamml.dlq.reason"] for r in letters) == \
        Counter(bad.values())
    assert {r.value for r in letters} == set(bad)  # the original bytes, for replay
    assert all(header_map(r.headers)["streamml.dlq.service"] == "predictor" for r in letters)
    assert predictor.metric("streamml_dead_letters_total", service="predictor",
                            reason="out_of_range") == 3
    assert predictor.running and predictor.stop() == 0


def _json(body: dict) -> bytes:
    import json
    return json.dumps(body, separators=(",", ":")).encode()


def group_is_stable_with(broker: str, group: str, members: int) -> bool:
    with admin_client(broker) as admin:
        description = admin.describe_groups([group])[group]
    return description["group_state"] == "Stable" and len(description["members"]) == members


def test_two_predictors_in_one_group_split_the_partitions_and_cover_every_event(
        broker: str, topics: CricketTopics, spawn, unique: str) -> None:
    key, group = f"score-{unique}", f"predictors-{unique}"
    publish_model(broker, topics, key, 1)
    first = start_predictor(spawn, topics, key, group)
    second = start_predictor(spawn, topics, key, group)
    wait_ready(first), wait_ready(second)
    assert wait_for(lambda: group_is_stable_with(broker, group, 2), 60)
    events = match_events(f"pair-{unique}", 12, seed=4)
    produce_events(broker, topics.events, events)

    found = predictions(broker, topics.predictions, {e.event_id for e in events})
    counts = Counter(p.event_id for p in found)
    assert set(counts) >= {e.event_id for e in events}, first.stacks() + second.stacks()
    handled = [first.metric("streamml_predictor_predictions_total"),
               second.metric("streamml_predictor_predictions_total")]
    assert all(count > 0 for count in handled), handled
    # Each prediction on the topic was counted by the replica that made it (duplicates from a
    # rebalance included); a batch retried after a failed send is counted again.
    assert sum(handled) >= sum(counts.values())
    assert first.stop() == 0 and second.stop() == 0


def test_unsigned_foreign_tampered_and_pickled_models_are_each_rejected_unopened(
        broker: str, topics: CricketTopics, spawn, unique: str, tmp_path: Path) -> None:
    key = f"score-{unique}"
    publish_model(broker, topics, key, 1)
    predictor = start_predictor(spawn, topics, key, f"predictor-{unique}")
    wait_ready(predictor)
    marker = tmp_path / "pickle-was-executed"
    hostile = pickle.dumps(CreatesFileWhenUnpickled(str(marker)))
    _, genuine, headers = model_record(key, 2)
    tampered = bytearray(genuine)
    tampered[len(tampered) // 2] ^= 0x01
    stranger = Signer(Ed25519PrivateKey.generate())
    version = [("streamml.model.version", b"99")]
    offered = {  # reason -> (value, headers), in publishing order
        "unsigned": (hostile, version),
        "unknown_key": (hostile, version + list(stranger.headers(hostile))),
        "bad_signature": (bytes(tampered), headers),
        # Signed with the trusted key (a compromised trainer): the archive checks still hold.
        "not_skops": (hostile, signed(hostile, 99)),
    }
    for value, record_headers in offered.values():
        produce(broker, topics.models, [(key.encode(), value)], headers=record_headers)

    def rejected(reason: str) -> float:
        return predictor.metric("streamml_predictor_model_rejections_total", reason=reason)

    assert wait_for(lambda: all(rejected(reason) == 1 for reason in offered), 60), \
        predictor.log_tail()
    letters = [(header_map(letter.headers)["streamml.dlq.reason"], letter.value)
               for letter in dead_letters_from(broker, topics.models, len(offered))]
    expected = [(f"model_{reason}", value) for reason, (value, _) in offered.items()]
    if predictor.metric("streamml_send_failures_total", service="predictor") == 0:
        assert letters == expected
    else:  # a failed send is sent again whole (at-least-once, docs/runtime.md): repeats only
        assert list(dict.fromkeys(letters)) == expected
    assert not marker.exists()

    events = match_events(f"after-{unique}", 1, seed=5)[:20]
    produce_events(broker, topics.events, events)
    found = predictions(broker, topics.predictions, {e.event_id for e in events})
    assert {p.model_version for p in found} == {1}  # the current model stayed in use
    assert predictor.metric("streamml_predictor_model_version") == 1
    assert predictor.running and predictor.stop() == 0
