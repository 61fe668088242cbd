"""Smoke test of a deployed release (`make deploy`), with the Kubernetes Python client.

Two targets:
- a real cluster, when STREAMML_E2E_CONTEXT names its kubeconfig context (e.g. kind-streamml
  after `make deploy`; STREAMML_E2E_NAMESPACE, STREAMML_E2E_RELEASE default to streamml): every
  test runs;
- otherwise the local control plane of the tests (tests/k8s/controlplane), with the release
  `make deploy RELEASE_ONLY=1` installs: only the tests that need nothing but the API run;
  those marked ``kind`` need Strimzi and running containers and are skipped there.
"""

from __future__ import annotations

import os

import pytest

from streamml.status.cluster import Cluster, PodInfo
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

CONTEXT = os.environ.get("STREAMML_E2E_CONTEXT")
NAMESPACE = os.environ.get("STREAMML_E2E_NAMESPACE", "streamml")
RELEASE = os.environ.get("STREAMML_E2E_RELEASE", "streamml")
SERVICES = {"orchestrator", "trainer", "predictor", "sensors", "detector"}
kind = pytest.mark.kind


@pytest.fixture(scope="module")
def on_kind() -> bool:
    return CONTEXT is not None


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest, on_kind: bool) -> Cluster:
    if not on_kind:
        deployed = request.getfixturevalue("deployed")
        return Cluster(deployed.plane.context, deployed.namespace, str(deployed.plane.kubeconfig))
    try:
        from kubernetes.client import CoreV1Api

        found = Cluster(CONTEXT, NAMESPACE)
        CoreV1Api().read_namespace(NAMESPACE, _request_timeout=5)
    except Exception as error:  # noqa: BLE001 - any failure means "no cluster here"
        pytest.skip(f"no reachable cluster with namespace {NAMESPACE} ({CONTEXT}): {error}")
    return found


@pytest.fixture(autouse=True)
def _kind_only(request: pytest.FixtureRequest, on_kind: bool) -> None:
    if request.node.get_closest_marker("kind") and not on_kind:
        pytest.skip("needs Strimzi and running containers: a real kind cluster "
                    "(make deploy, then STREAMML_E2E_CONTEXT=kind-streamml)")


def _service_pods(cluster: Cluster) -> list[PodInfo]:
    return cluster.pods(f"app.kubernetes.io/instance={RELEASE},app.kubernetes.io/part-of=streamml")


def test_all_pods_are_ready(cluster):
    def all_ready() -> bool:
        # Without Strimzi (the local control plane) there are no Kafka pods to wait for.
        pods = _service_pods(cluster) + cluster.pods(f"strimzi.io/cluster={RELEASE}")
        return bool(pods) and all(p.phase == "Running" and p.ready.split("/")[0] ==
                                  p.ready.split("/")[1] for p in pods)

    assert wait_for(all_ready, timeout_s=600, every_s=5.0), [(p.name, p.ready, p.phase)
                                             for p in _service_pods(cluster)]
    assert {pod.service for pod in _service_pods(cluster)} == SERVICES


@kind
def test_topics_are_ready(cluster):
    topics = cluster.topics()
    assert topics and all(topic.ready == "True" for topic in topics), topics


@kind
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
