"""access.yaml, the one declaration of who may do what, against the code that uses it."""

from __future__ import annotations

import importlib

import pytest

from streamml.runtime.access import AccessError, load_access, parse_access
from streamml.runtime.access_check import service_topics
from streamml.runtime.clients import connection_settings
from streamml.runtime.config import ConfigError, load_config
from streamml.runtime.settings import RuntimeConfig
from streamml.runtime.topics import load_catalog

CONFIGS = {
    "orchestrator": "streamml.orchestrator.config:OrchestratorConfig",
    "trainer": "streamml.trainer.config:TrainerConfig",
    "predictor": "streamml.predictor.config:PredictorConfig",
    "sensors": "streamml.sensors.config:SensorsConfig",
    "detector": "streamml.detector.config:DetectorConfig",
}


def config_class(name: str) -> type:
    module, _, cls = CONFIGS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def test_every_service_may_use_exactly_the_topics_it_is_configured_with() -> None:
    policy = load_access()
    assert set(policy.services) == set(CONFIGS)
    for name, access in policy.services.items():
        config = config_class(name)()
        allowed = {*access.consumes, *access.reads, *access.produces}
        assert set(service_topics(config)) == allowed, name
        if access.group:
            assert config.effective_group_id.startswith(access.group), name
        if access.transactional_id and hasattr(config, "effective_transactional_id"):
            # The default id (no STREAMML_TRANSACTIONAL_ID) is one the secure broker allows.
            assert config.effective_transactional_id.startswith(access.transactional_id), name


def test_a_topic_missing_from_the_catalog_is_refused() -> None:
    raw = {"admin": "admin", "services": {"x": {"produces": ["no.such-topic"]}}}
    with pytest.raises(AccessError, match="not in topics.yaml"):
        parse_access(raw, load_catalog())


def test_a_consumer_without_a_group_is_refused() -> None:
    raw = {"admin": "admin", "services": {"x": {"consumes": ["weather.readings"]}}}
    with pytest.raises(AccessError, match="no group"):
        parse_access(raw, load_catalog())


def test_the_watch_viewer_reads_what_watch_shows_and_writes_nothing() -> None:
    from streamml.watch.state import FOLLOWED_TOPICS

    policy = load_access()
    watch = policy.viewers["watch"]
    assert "watch" in policy.users and "watch" in policy.grants_by_user()
    assert set(watch.reads) == set(FOLLOWED_TOPICS)
    # Offsets (records, rates) of every topic the pipeline panel lists.
    assert {*watch.reads, *watch.describes} == set(load_catalog().names())
    assert set(watch.describes_groups) == {a.group for a in policy.services.values() if a.group}
    operations = {op for grant in watch.grants() for op in grant.operations}
    assert operations == {"Read", "Describe"}
    assert not [g for g in watch.grants() if g.resource_type == "group" and "Read" in g.operations]


@pytest.mark.parametrize("entry", [{"produces": ["weather.readings"]}, {"group": "streamml-x"},
                                   {"transactional_id": "x"}, {"consumes": ["weather.readings"]}])
def test_a_viewer_that_would_write_or_join_a_group_is_refused(entry: dict) -> None:
    raw = {"admin": "admin", "services": {}, "viewers": {"v": entry}}
    with pytest.raises(AccessError, match="only read and describe"):
        parse_access(raw, load_catalog())


def test_a_viewer_describes_only_declared_topics_and_service_groups() -> None:
    raw = {"admin": "admin", "services": {}, "viewers": {"v": {"describes": ["no.such"]}}}
    with pytest.raises(AccessError, match="not in topics.yaml"):
        parse_access(raw, load_catalog())
    raw = {"admin": "admin", "services": {}, "viewers": {"v": {"describes_groups": ["other"]}}}
    with pytest.raises(AccessError, match="no service's group prefix"):
        parse_access(raw, load_catalog())


def test_sasl_settings_are_required_together_and_the_password_stays_out_of_repr() -> None:
    with pytest.raises(ConfigError, match="STREAMML_SASL_PASSWORD"):
        load_config(RuntimeConfig, {"STREAMML_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                                    "STREAMML_SASL_USERNAME": "sensors"})
    config = load_config(RuntimeConfig, {"STREAMML_SECURITY_PROTOCOL": "SASL_SSL",
                                         "STREAMML_SASL_USERNAME": "sensors",
                                         "STREAMML_SASL_PASSWORD": "s3cret",
                                         "STREAMML_SSL_CAFILE": "/ca.crt"})
    assert "s3cret" not in repr(config)
    assert connection_settings(config) == {
        "bootstrap_servers": "127.0.0.1:9092", "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "sensors",
        "sasl_plain_password": "s3cret", "ssl_cafile": "/ca.crt"}
    assert connection_settings(RuntimeConfig()) == {
        "bootstrap_servers": "127.0.0.1:9092", "security_protocol": "PLAINTEXT"}


def test_a_tool_that_cannot_reach_kafka_says_which_credentials_to_check() -> None:
    from streamml.runtime.clients import unreachable_hint
    from streamml.runtime.settings import KafkaConnection

    assert "STREAMML_SASL_*" in unreachable_hint(KafkaConnection())
    hint = unreachable_hint(KafkaConnection(security_protocol="SASL_PLAINTEXT",
                                            sasl_username="admin", sasl_password="secret"))
    assert "'admin'" in hint and "STREAMML_SASL_PASSWORD" in hint and "secret" not in hint
