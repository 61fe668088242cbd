"""`make demo SECURE=1`, reduced in size, on the session's secure broker: the demo reads, checks
offsets and writes its report as the admin, the live view follows as the admin, and every
service it starts connects as its own user (so the broker's ACLs apply to each), with no
password in the demo's output."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from streamml.demo import cli, cricket, support, weather
from streamml.demo.live import run_with_live_view
from streamml.demo.support import DemoKafka
from streamml.runtime.settings import KafkaConnection
from tests.security.conftest import SecureBroker

pytestmark = pytest.mark.broker


def admin_connection(broker: SecureBroker) -> KafkaConnection:
    settings = broker.env(broker.policy.admin)
    return KafkaConnection(bootstrap_servers=settings["STREAMML_BOOTSTRAP_SERVERS"],
                           security_protocol=settings["STREAMML_SECURITY_PROTOCOL"],
                           sasl_mechanism=settings["STREAMML_SASL_MECHANISM"],
                           sasl_username=settings["STREAMML_SASL_USERNAME"],
                           sasl_password=settings["STREAMML_SASL_PASSWORD"])


def test_the_demo_runs_on_the_secure_broker_with_one_user_per_service(
        secure_broker: SecureBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in {"MATCHES": 2, "TRAINING_SAMPLES": 1500, "BALL_INTERVAL_S": 0.01}.items():
        monkeypatch.setattr(cricket, name, value)
    for name, value in {"SENSORS": 3, "CONTROL_SENSORS": 1, "READINGS_PER_SENSOR": 180}.items():
        monkeypatch.setattr(weather, name, value)
    # The admin's settings in the demo's own environment, as `make demo SECURE=1` sets them:
    # the services must not inherit them.
    connection = admin_connection(secure_broker)
    for name, value in secure_broker.env(secure_broker.policy.admin).items():
        monkeypatch.setenv(name, value)
    spawned: dict[str, dict[str, str]] = {}
    real_popen = subprocess.Popen

    def recording_popen(command, *args, **kwargs) -> subprocess.Popen:
        if command[1:3] == ["-m", "streamml.cli"]:
            spawned[command[-1]] = kwargs["env"]
        return real_popen(command, *args, **kwargs)

    monkeypatch.setattr(support.subprocess, "Popen", recording_popen)
    kafka = DemoKafka(connection, secure_broker.config.root)
    terminal = io.StringIO()

    code = run_with_live_view(
        connection, lambda: cli.run_workflows(kafka, ["cricket", "weather"], tmp_path),
        Console(file=terminal, force_terminal=True, width=160, height=60))

    printed = capsys.readouterr().out
    log_file = Path(printed.split("the demo's whole output: ")[1].strip())
    output = log_file.read_text()
    assert code == 0, output
    assert set(spawned) == {"trainer", "predictor", "orchestrator", "detector", "sensors"}
    for service, env in spawned.items():
        assert env["STREAMML_SASL_USERNAME"] == service
        assert env["STREAMML_SASL_PASSWORD"] == secure_broker.env(service)["STREAMML_SASL_PASSWORD"]
    # The demo saw the run (as the admin) and the report read it back.
    assert "cricket summary" in output
    assert "detector stopped with SIGTERM, exit code 0" in output
    reports = list(tmp_path.glob("demo-*.html"))
    assert len(reports) == 1
    assert "predictions now from model" in output
    # The live view followed the same run as the admin.
    assert "demo output" in terminal.getvalue()
    for password in secure_broker.passwords():
        assert password not in printed and password not in output
        assert password not in terminal.getvalue()
        assert password not in reports[0].read_text()
