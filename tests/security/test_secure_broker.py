"""Least privilege on the real secure broker: each service works with its own user and only
within the ACLs of access.yaml; other users' credentials, wrong ones or none are refused with
a clear error; no password reaches a log line or /metrics."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, \
    ResourcePatternFilter, ResourceType
from kafka.errors import TopicAuthorizationFailedError, TransactionalIdAuthorizationFailedError

from streamml.runtime.access import kafka_acls
from streamml.runtime.admin import admin_client
from streamml.runtime.clients import topic_partitions
from tests.helpers import committed_total, wait_for
from tests.security.conftest import SecureBroker, start_service

pytestmark = pytest.mark.broker


def end_total(broker: SecureBroker, topic: str) -> int:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(**broker.client(broker.policy.admin))
    try:
        return sum(consumer.end_offsets(topic_partitions(consumer, topic)).values())
    finally:
        consumer.close()


def test_the_broker_holds_exactly_the_declared_acls(secure_broker: SecureBroker) -> None:
    admin = KafkaAdminClient(**secure_broker.client(secure_broker.policy.admin))
    try:
        found, _ = admin.describe_acls(ACLFilter(
            None, "*", ACLOperation.ANY, ACLPermissionType.ANY,
            ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)))
    finally:
        admin.close()

    def key(acl) -> tuple:
        return (acl.principal, acl.operation, acl.permission_type,
                acl.resource_pattern.resource_type, acl.resource_pattern.resource_name,
                acl.resource_pattern.pattern_type)

    declared = {key(acl) for user, grants in secure_broker.policy.grants_by_user().items()
                for acl in kafka_acls(user, grants)}
    assert {acl.principal for acl in found} >= {"User:watch"}
    assert {key(acl) for acl in found} == declared


@pytest.mark.parametrize(("user", "topic"), [
    ("sensors", "cricket.models"),
    ("predictor", "weather.anomalies"),
    ("orchestrator", "cricket.models"),
    ("predictor", "cricket.models"),
    ("detector", "cricket.models"),
])
def test_a_write_outside_the_acls_fails_and_nothing_is_written(
        secure_broker: SecureBroker, user: str, topic: str) -> None:
    before = end_total(secure_broker, topic)
    producer = KafkaProducer(**secure_broker.client(user), max_block_ms=15000)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(topic, key=b"k", value=b"not allowed").get(timeout=30)
    finally:
        producer.close()
    assert end_total(secure_broker, topic) == before


def test_a_transactional_id_outside_the_prefix_is_refused(secure_broker: SecureBroker) -> None:
    producer = KafkaProducer(**secure_broker.client("sensors"),
                             transactional_id=f"streamml-predictor-{uuid.uuid4().hex[:6]}",
                             max_block_ms=15000)
    try:
        with pytest.raises(TransactionalIdAuthorizationFailedError):
            producer.init_transactions()
    finally:
        producer.close(timeout=5)


def test_services_work_with_their_own_credentials_and_never_show_them(
        secure_broker: SecureBroker, tmp_path: Path, model_signing_keys: dict[str, str]) -> None:
    run = uuid.uuid4().hex[:8]
    settings = {
        "orchestrator": {"STREAMML_TRAINING_SAMPLES": "1500", "STREAMML_BALL_INTERVAL_S": "0.02",
                         "STREAMML_CONCURRENT_MATCHES": "2", "STREAMML_RUN_ID": run,
                         "STREAMML_MODEL_KEY": f"secure-{run}"},
        "trainer": {"STREAMML_MIN_SAMPLES": "500", "STREAMML_MAX_TRAIN_DELAY_S": "2",
                    "STREAMML_MODEL_KEY": f"secure-{run}",
                    "STREAMML_GROUP_ID": f"streamml-trainer-{run}"},
        "predictor": {"STREAMML_MODEL_KEY": f"secure-{run}",
                      "STREAMML_GROUP_ID": f"streamml-predictor-{run}"},
        "sensors": {"STREAMML_SENSORS": "4", "STREAMML_RATE_HZ": "20"},
        "detector": {"STREAMML_GROUP_ID": f"streamml-detector-{run}"},
    }
    services = {name: start_service(name, {**secure_broker.env(name), **extra}, tmp_path)
                for name, extra in settings.items()}
    try:
        predictor, detector = services["predictor"], services["detector"]

        def working() -> bool:
            assert all(s.process.poll() is None for s in services.values()), \
                {name: s.log()[-2000:] for name, s in services.items() if s.process.poll() is not None}
            if predictor.get("/metrics")[0] != 200 or detector.get("/metrics")[0] != 200:
                return False  # not listening yet
            return (predictor.metric("streamml_predictor_predictions_total") > 0
                    and detector.metric("streamml_messages_consumed_total") > 0)

        assert wait_for(working, 240, every_s=1), {n: s.log()[-1500:] for n, s in services.items()}
        assert wait_for(lambda: committed_total(
            secure_broker.bootstrap, f"streamml-detector-{run}", "weather.readings",
            security=secure_broker.client("detector")) > 0, 60)
        metrics = {name: service.get("/metrics")[1].decode() for name, service in services.items()}
    finally:
        for service in services.values():
            service.terminate()
    assert all(service.process.returncode == 0 for service in services.values())
    for name, service in services.items():
        text = service.log() + metrics[name]
        for password in secure_broker.passwords():
            assert password not in text, f"a password appears in {name}'s logs or /metrics"
        assert f"sasl_username={name}" in text or f'"sasl_username": "{name}"' in text


def test_other_wrong_or_no_credentials_are_refused_with_a_clear_error(
        secure_broker: SecureBroker, tmp_path: Path) -> None:
    wrong = {**secure_broker.env("sensors"), "STREAMML_SASL_PASSWORD": "not-the-password"}
    attempts = {
        "another service's user": ("predictor", secure_broker.env("sensors"),
                                   "denies user 'sensors' access to cricket.match-events"),
        "a wrong password": ("sensors", wrong,
                             "closed the connection while authenticating user 'sensors'"),
        "no credentials": ("detector", {"STREAMML_BOOTSTRAP_SERVERS": secure_broker.bootstrap},
                           "probably requires authentication"),
    }
    started = {what: (start_service(command, env, tmp_path), expected)
               for what, (command, env, expected) in attempts.items()}
    for what, (service, expected) in started.items():
        assert service.process.wait(120) == 3, (what, service.log()[-2000:])
        refusals = [json.loads(line) for line in service.log().splitlines()
                    if line.startswith("{") and "kafka refuses this service" in line]
        assert refusals and expected in refusals[0]["error"], (what, service.log()[-2000:])
        assert "not-the-password" not in service.log()


def test_a_user_declared_after_the_broker_was_formatted_is_added_at_start(
        secure_broker: SecureBroker, unique: str) -> None:
    """A secure data directory made before a newer access.yaml (e.g. before the `watch`
    viewer) gains the new users when the broker starts: what start runs, run again here."""
    import dataclasses

    from streamml.broker import security
    from streamml.runtime.access import ViewerAccess

    name = f"viewer-{unique}"
    policy = dataclasses.replace(secure_broker.policy, viewers={
        **secure_broker.policy.viewers, name: ViewerAccess(name, reads=("weather.readings",))})
    admin = KafkaAdminClient(**secure_broker.client(policy.admin))
    try:
        assert security.add_missing_users(admin, secure_broker.config.root, policy) == [name]
        assert security.add_missing_users(admin, secure_broker.config.root, policy) == []
    finally:
        admin.close()
    assert name in security.read_credentials(secure_broker.config.root)
    assert oct(security.credentials_path(secure_broker.config.root).stat().st_mode & 0o777) == "0o600"
    # The new user authenticates (it has no ACLs here: it sees no topic).
    check = KafkaAdminClient(**secure_broker.client(name))
    try:
        assert check.describe_cluster()["cluster_id"]
    finally:
        check.close()
