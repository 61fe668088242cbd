"""Smoke test of a deployed release (`make deploy`), with the Kubernetes Python client.

Selected only when a cluster is reachable: set STREAMML_E2E_CONTEXT (default kind-streamml)
and STREAMML_E2E_NAMESPACE (default streamml). Run with `pytest tests/e2e`.
"""

from __future__ import annotations

import os

import pytest

from streamml.status.cluster import Cluster, PodInfo
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

CONTEXT = os.environ.get("STREAMML_E2E_CONTEXT", "kind-streamml")
NAMESPACE = os.environ.get("STREAMML_E2E_NAMESPACE", "streamml")
RELEASE = os.environ.get("STREAMML_E2E_RELEASE", "streamml")
SERVICES = {"orchestrator", "trainer", "predictor", "sensors", "detector"}


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    try:
        from kubernetes.client import CoreV1Api

        found = Cluster(CONTEXT, NAMESPACE)
        CoreV1Api().read_namespace(NAMESPACE, _request_timeout=5)
    except Exception as error:  # noqa: BLE001 - any failure means "no cluster here"
        pytest.skip(f"no reachable cluster with namespace {NAMESPACE} ({CONTEXT}): {error}")
    return found


def _service_pods(cluster: Cluster) -> list[PodInfo]:
    return cluster.pods(f"app.kubernetes.io/instance={RELEASE},app.kubernetes.io/part-of=streamml")


def test_all_pods_are_ready(cluster):
    def all_ready() -> bool:
        pods = _service_pods(cluster) + cluster.pods(f"strimzi.io/cluster={RELEASE}")
        return bool(pods) and all(p.phase == "Running" and p.ready.split("/")[0] ==
                                  p.ready.split("/")[1] for p in pods)

    assert wait_for(all_ready, timeout_s=600, every_s=5.0), [(p.name, p.ready, p.phase)
                                             for p in _service_pods(cluster)]
    assert {pod.service for pod in _service_pods(cluster)} == SERVICES


def test_topics_are_ready(cluster):
    topics = cluster.topics()
    assert topics and all(topic.ready == "True" for topic in topics), topics


@pytest.mark.parametrize("service, output", [("predictor", "cricket.predictions"),
                                             ("detector", "weather.anomalies")])
def test_outputs_are_flowing(cluster, service, output):
    """Predictions and anomaly flags are published (and acknowledged by Kafka) right now."""
    pods = [p for p in _service_pods(cluster) if p.service == service]

    def published() -> float:
        total = 0.0
        for pod in pods:
            text = cluster.scrape(pod)
            for line in text.splitlines():
                if line.startswith("streamml_messages_produced_total{") and \
                        f'topic="{output}"' in line:
                    total += float(line.rsplit(" ", 1)[1])
        return total

    first = published()
    assert wait_for(lambda: published() > first, timeout_s=300, every_s=10), \
        f"{service} published nothing to {output} in 5 minutes"
