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


def test_the_secure_broker_adds_a_sasl_ssl_listener_with_its_own_ca(tmp_path):
    import ssl

    from streamml.broker import tls

    config = embedded.BrokerConfig(data_dir=str(tmp_path), port=29092, controller_port=29093,
                                   secure=True, tls_port=29094)
    config.validate()
    passwords = {user: "pw" for user in ("admin", "controller")}
    properties = dict(line.split("=", 1)
                      for line in embedded.server_properties(config, passwords).splitlines())
    assert properties["listeners"].endswith(",TLS://127.0.0.1:29094")
    assert "TLS:SASL_SSL" in properties["listener.security.protocol.map"]
    assert properties["listener.name.tls.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    files = tls.ensure_certificates(tmp_path, "127.0.0.1")
    assert properties["listener.name.tls.ssl.keystore.location"] == str(files.key_store)
    assert files.key_store.stat().st_mode & 0o777 == 0o600
    # The broker's certificate (second in its key store) chains to the CA and names 127.0.0.1.
    ssl.create_default_context().load_cert_chain(str(files.key_store))  # key matches cert
    from cryptography import x509

    pem = files.key_store.read_bytes()
    certificate = x509.load_pem_x509_certificates(pem)[0]
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    certificate.verify_directly_issued_by(x509.load_pem_x509_certificate(files.ca_file.read_bytes()))
    assert tls.ensure_certificates(tmp_path, "127.0.0.1") == files  # made once
    with pytest.raises(Exception, match="needs secure"):
        embedded.BrokerConfig(data_dir=str(tmp_path), tls_port=29094).validate()


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
