"""`streamml status` (`make status`) against a real API server: the release of `make deploy`,
KafkaTopics that no Strimzi operator has reconciled, and pods nothing serves metrics from."""

from __future__ import annotations

import pytest

from streamml.runtime.topics import load_catalog
from tests.k8s.controlplane.fixtures import make

pytestmark = pytest.mark.controlplane


@pytest.fixture(scope="module")
def status(deployed) -> tuple[int, str]:
    result = make(deployed.plane, "status", f"NAMESPACE={deployed.namespace}",
                  f"RELEASE={deployed.release}", timeout=180)
    return result.returncode, result.stdout + result.stderr


def _section(output: str, title: str) -> list[str]:
    lines = output.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_every_pod_is_listed_running_and_ready(deployed, status):
    code, output = status
    rows = [line.split() for line in _section(output, f"Pods in namespace {deployed.namespace}")]
    header, pods = rows[0], rows[1:]
    assert header == ["NAME", "SERVICE", "READY", "STATUS", "RESTARTS"]
    replicas = {"orchestrator": 1, "trainer": 1, "predictor": 2, "sensors": 1, "detector": 2}
    assert sorted(row[1] for row in pods) == sorted(
        service for service, count in replicas.items() for _ in range(count))
    assert all(row[2:] == ["1/1", "Running", "0"] for row in pods), pods
    assert code == 0, output


def test_topics_come_from_the_kafka_topic_objects(status):
    _, output = status
    rows = [line.split() for line in _section(output, "Topics")][1:]
    catalog = {topic.name: topic for topic in load_catalog().topics}
    assert {row[0] for row in rows} == set(catalog)
    for name, partitions, replicas, *ready in rows:
        assert int(partitions) == catalog[name].partitions
        assert int(replicas) == 1  # capped at kafka.replicas
        assert " ".join(ready) == "no status"


def test_says_plainly_that_strimzi_has_not_reported(status):
    _, output = status
    assert "Kafka streamml: Ready=no status" in output
    assert "Strimzi has not reported status" in output
    assert "Is the Strimzi cluster operator running" in output


def test_says_metrics_are_unreachable_rather_than_showing_zeros(status):
    _, output = status
    assert "no pod's /metrics answered" in output
    assert "CONSUMED/S" not in output
