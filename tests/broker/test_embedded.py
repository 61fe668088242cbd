"""The embedded broker: real Kafka 4.3.x, idempotent start, clear errors."""

import dataclasses

import pytest

from streamml.broker import embedded
from streamml.runtime.admin import admin_client


def test_server_properties_bind_loopback_only():
    config = embedded.BrokerConfig(data_dir="/tmp/x", port=29092, controller_port=29093)
    properties = dict(line.split("=", 1) for line in embedded.server_properties(config).splitlines())
    assert properties["listeners"] == "PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093"
    assert properties["process.roles"] == "broker,controller"
    assert properties["auto.create.topics.enable"] == "false"


def test_missing_java_is_a_one_line_error(tmp_path):
    config = embedded.BrokerConfig(data_dir=str(tmp_path), java="/nonexistent/java")
    with pytest.raises(embedded.BrokerError, match="Java 17"):
        embedded.start(config)


@pytest.mark.broker
def test_runs_kafka_4_3_and_start_is_idempotent(broker, broker_config):
    if broker_config is None:
        pytest.skip("reusing an external broker")
    assert (embedded.running_version(broker_config) or "").startswith("4.3.")
    pid = embedded.read_pid(broker_config)
    assert embedded.start(broker_config) == broker
    assert embedded.read_pid(broker_config) == pid
    with admin_client(broker) as admin:
        assert admin.describe_cluster()["cluster_id"]


@pytest.mark.broker
def test_port_in_use_is_a_one_line_error(broker, broker_config, tmp_path):
    if broker_config is None:
        pytest.skip("reusing an external broker")
    other = dataclasses.replace(broker_config, data_dir=str(tmp_path),
                                controller_port=broker_config.controller_port + 100)
    with pytest.raises(embedded.BrokerError, match=f"port 127.0.0.1:{broker_config.port} is already in use"):
        embedded.start(other)
