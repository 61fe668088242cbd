"""How the demo's services connect: each as its own user on a secure broker, never with the
demo's (admin) settings it runs with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streamml.broker.security import CredentialsError
from streamml.demo.support import DemoKafka
from streamml.runtime.settings import KafkaConnection

ADMIN = KafkaConnection(bootstrap_servers="127.0.0.1:19999", security_protocol="SASL_PLAINTEXT",
                        sasl_username="admin", sasl_password="admin-secret")


def test_on_a_plain_broker_a_service_gets_the_address_and_no_credentials() -> None:
    kafka = DemoKafka(KafkaConnection(bootstrap_servers="127.0.0.1:19999"))
    assert kafka.service_environment("predictor") == {
        "STREAMML_BOOTSTRAP_SERVERS": "127.0.0.1:19999", "STREAMML_SECURITY_PROTOCOL": "PLAINTEXT"}


def test_on_a_secure_broker_each_service_gets_its_own_user(tmp_path: Path) -> None:
    (tmp_path / "credentials.json").write_text(json.dumps(
        {"admin": "admin-secret", "predictor": "p-secret", "sensors": "s-secret"}))
    kafka = DemoKafka(ADMIN, tmp_path)
    environment = kafka.service_environment("predictor")
    assert environment["STREAMML_SASL_USERNAME"] == "predictor"
    assert environment["STREAMML_SASL_PASSWORD"] == "p-secret"
    assert environment["STREAMML_BOOTSTRAP_SERVERS"] == "127.0.0.1:19999"
    assert "admin-secret" not in environment.values()
    with pytest.raises(CredentialsError, match="no user 'detector'"):
        kafka.check(["predictor", "sensors", "detector"])


def test_on_a_secure_broker_without_credentials_the_demo_says_where_to_find_them(
        tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="STREAMML_BROKER_DATA_DIR"):
        DemoKafka(ADMIN).check(["predictor"])
    with pytest.raises(CredentialsError, match="not started with --secure"):
        DemoKafka(ADMIN, tmp_path).check(["predictor"])
