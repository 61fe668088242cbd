"""`make watch-deployed` end to end, with a stand-in for kubectl: it answers as a cluster whose
chart runs with Kafka security on would (the port-forward listener with TLS, the `watch`
KafkaUser, its password and Strimzi's cluster CA in their Secrets), and its `port-forward` is
the secure test broker's own TLS listener (broker 0's local port is that listener's port). So
the recipe's own steps run: finding the user, reading the Secrets, SASL_SSL with the CA file,
and `streamml watch` showing the stream as the read-only user."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from kafka import KafkaProducer

from streamml.broker import security, tls
from streamml.contracts.weather import READINGS_TOPIC
from tests.helpers import REPO
from tests.security.conftest import SecureBroker
from tests.watch.messages import reading

pytestmark = pytest.mark.broker

FAKE_KUBECTL = '''#!{python}
"""kubectl as a secure streamml release answers it; every call is logged."""
import json, sys, time
answers = json.load(open({answers!r}))
args = sys.argv[1:]
with open({calls!r}, "a") as log:
    log.write(json.dumps(args) + "\\n")
if "port-forward" in args:
    time.sleep(3600)  # the recipe kills its forwards on exit
    sys.exit(0)
command = " ".join(args)
for needle, answer in answers:
    if needle in command:
        sys.stdout.write(answer)
        sys.exit(0)
sys.stderr.write("fake kubectl: no answer for " + command + "\\n")
sys.exit(1)
'''


def fake_kubectl(tmp_path: Path, broker: SecureBroker) -> tuple[Path, Path]:
    password = security.password_of(broker.config.root, "watch")
    ca = tls.tls_files(broker.config.root).ca_file.read_bytes()
    answers = [
        ('get kafka streamml -o jsonpath={.spec.kafka.listeners[?(@.name=="portfwd")].port}',
         "9094"),
        ('get kafka streamml -o jsonpath={.spec.kafka.listeners[?(@.name=="portfwd")].tls}',
         "true"),
        ("get kafkauser -l app.kubernetes.io/instance=streamml,app.kubernetes.io/component=watch",
         "watch"),
        ("get secret watch -o jsonpath={.data.password}", base64.b64encode(password.encode()).decode()),
        ("get secret streamml-cluster-ca-cert -o jsonpath={.data.ca\\.crt}",
         base64.b64encode(ca).decode()),
        ("get pods -o name -l strimzi.io/cluster=streamml", "pod/streamml-dual-role-0\n"),
        ("get svc -o name", ""),
    ]
    answers_file, calls = tmp_path / "answers.json", tmp_path / "calls.jsonl"
    answers_file.write_text(json.dumps(answers))
    script = tmp_path / "kubectl"
    script.write_text(FAKE_KUBECTL.format(python=sys.executable, answers=str(answers_file),
                                          calls=str(calls)))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, calls


def test_make_watch_deployed_runs_watch_as_the_read_only_user_over_tls(
        secure_broker: SecureBroker, tmp_path: Path, unique: str) -> None:
    sensor = f"deployed-{unique}"
    producer = KafkaProducer(**secure_broker.client(secure_broker.policy.admin), acks="all")
    for seq in range(5):
        producer.send(READINGS_TOPIC, key=sensor.encode(), value=reading(sensor, seq).to_bytes())
    producer.flush(30)
    producer.close()
    kubectl, calls = fake_kubectl(tmp_path, secure_broker)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("STREAMML_SASL", "STREAMML_SECURITY", "STREAMML_SSL",
                                  "STREAMML_BOOTSTRAP", "MAKEFLAGS", "MFLAGS"))}
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "watch-deployed",
         f"KUBECTL={kubectl}", "NAMESPACE=streamml", "RELEASE=streamml",
         f"WATCH_KAFKA_PORT={secure_broker.config.tls_port}",
         "WATCH_ARGS=--since 600 --duration 6 --refresh 1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Kafka: SCRAM-SHA-512 as 'watch' (SASL_SSL)" in output
    assert f"streamml watch · 127.0.0.1:{secure_broker.config.tls_port}" in output
    assert sensor in output  # the stream, read as the watch user through TLS
    assert "cricket.training-data" in result.stdout  # offsets and lag sampled, no Kafka error
    assert not [p for p in secure_broker.passwords() if p in output]
    made = [json.loads(line) for line in calls.read_text().splitlines()]
    assert ["-n", "streamml", "get", "secret", "watch", "-o",
            "jsonpath={.data.password}"] in made
    assert any("streamml-cluster-ca-cert" in call for call in made)
    assert ["-n", "streamml", "port-forward", "pod/streamml-dual-role-0",
            f"{secure_broker.config.tls_port}:9094"] in made
