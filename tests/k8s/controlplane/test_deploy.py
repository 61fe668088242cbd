"""`make deploy`'s Kubernetes half (RELEASE_ONLY=1) against the local control plane: the chart
installs into a namespace enforcing Pod Security `restricted`, and what it asks for fits."""

from __future__ import annotations

import json

import pytest

from tests.helpers import wait_for
from tests.k8s.controlplane.fixtures import make, restricted_namespace

pytestmark = pytest.mark.controlplane

SERVICES = {"orchestrator", "trainer", "predictor", "sensors", "detector"}


def _items(plane, kind: str, namespace: str, selector: str = "") -> list[dict]:
    args = ["get", kind, "-n", namespace, "-o", "json"] + (["-l", selector] if selector else [])
    return json.loads(plane.kubectl(*args).stdout)["items"]


def test_make_deploy_says_what_it_skips(deployed):
    assert "RELEASE_ONLY=1: not creating a kind cluster" in deployed.output
    assert "docker" not in deployed.output and "kind load" not in deployed.output
    assert "condition met" in deployed.output


def test_no_admission_warning(deployed):
    """Nothing the chart creates would violate `restricted` (warn mode reports it on apply)."""
    assert "would violate PodSecurity" not in deployed.output
    assert "Warning:" not in deployed.output, deployed.output


def test_every_deployment_is_available(deployed):
    deployments = _items(deployed.plane, "deployments", deployed.namespace,
                         f"app.kubernetes.io/instance={deployed.release}")
    assert {d["metadata"]["labels"]["app.kubernetes.io/name"] for d in deployments} == SERVICES
    for deployment in deployments:
        conditions = {c["type"]: c["status"] for c in deployment["status"]["conditions"]}
        assert conditions["Available"] == "True", deployment["metadata"]["name"]
        assert deployment["status"]["readyReplicas"] == deployment["spec"]["replicas"]


def test_pod_disruption_budgets_cover_the_replicated_services(deployed):
    plane, namespace = deployed.plane, deployed.namespace
    deployments = {d["metadata"]["labels"]["app.kubernetes.io/name"]: d for d in _items(
        plane, "deployments", namespace, f"app.kubernetes.io/instance={deployed.release}")}
    replicated = {name for name, d in deployments.items() if d["spec"]["replicas"] > 1}
    assert replicated, "the default values run some service with more than one replica"

    def budgets() -> dict[str, dict]:
        return {b["metadata"]["labels"]["app.kubernetes.io/name"]: b
                for b in _items(plane, "poddisruptionbudgets", namespace,
                                f"app.kubernetes.io/instance={deployed.release}")}

    # The disruption controller counts each budget's pods: the budget selects what it should.
    assert wait_for(lambda: all(b.get("status", {}).get("expectedPods")
                                for b in budgets().values()), timeout_s=120, every_s=1)
    found = budgets()
    assert set(found) == replicated
    for name, budget in found.items():
        assert budget["status"]["expectedPods"] == deployments[name]["spec"]["replicas"]
        assert budget["status"]["disruptionsAllowed"] >= 1


def test_pods_run_as_restricted_allows(deployed):
    pods = _items(deployed.plane, "pods", deployed.namespace,
                  f"app.kubernetes.io/instance={deployed.release}")
    assert pods and all(p["status"]["phase"] == "Running" for p in pods)
    for pod in pods:
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True


def test_a_request_that_does_not_fit_stays_pending_and_status_says_why(controlplane):
    """The default kind node (4 CPUs) cannot hold a trainer asking for 6: `make status` says so."""
    namespace = "streamml-too-big"
    restricted_namespace(controlplane, namespace)
    result = make(controlplane, "deploy-release", "RELEASE_ONLY=1", f"NAMESPACE={namespace}",
                  "HELM_ARGS=--set services.trainer.resources.requests.cpu=6 "
                  "--set services.trainer.resources.limits.cpu=6")
    assert result.returncode == 0, result.stderr

    def trainer_unschedulable() -> bool:
        pods = _items(controlplane, "pods", namespace, "app.kubernetes.io/name=trainer")
        return bool(pods) and any(c["type"] == "PodScheduled" and c.get("reason") ==
                                  "Unschedulable" for c in pods[0]["status"].get("conditions", []))

    assert wait_for(trainer_unschedulable, timeout_s=120, every_s=1)
    status = make(controlplane, "status", f"NAMESPACE={namespace}", timeout=180)
    assert status.returncode != 0, "a release with a Pending pod is not healthy"
    assert "Pending" in status.stdout
    (line,) = [line for line in status.stdout.splitlines()
               if line.strip().startswith("trainer-") and "Unschedulable" in line]
    assert "Insufficient cpu" in line, status.stdout
    controlplane.kubectl("delete", "namespace", namespace, "--wait=false")


def test_a_pod_restricted_forbids_is_warned_and_refused(controlplane):
    """The admission check above is not vacuous: the same make target reports a violation."""
    namespace = "streamml-privileged"
    restricted_namespace(controlplane, namespace)
    result = make(controlplane, "deploy-release", "RELEASE_ONLY=1", f"NAMESPACE={namespace}",
                  "HELM_ARGS=--set common.securityContext.allowPrivilegeEscalation=true")
    output = result.stdout + result.stderr
    assert "would violate PodSecurity" in output
    assert "allowPrivilegeEscalation != false" in output

    def refused() -> bool:
        events = json.loads(controlplane.kubectl("get", "events", "-n", namespace,
                                                 "-o", "json").stdout)["items"]
        return any(e["reason"] == "FailedCreate" and "violates PodSecurity" in e["message"]
                   for e in events)

    assert wait_for(refused, timeout_s=120, every_s=1)
    assert not _items(controlplane, "pods", namespace)
    controlplane.kubectl("delete", "namespace", namespace, "--wait=false")


def test_kafka_fits_beside_the_services_on_a_default_kind_node(deployed):
    """Strimzi is not here to start the broker, so its requests are checked against what the
    scheduler left on the node after every pod of kind, the operators and streamml."""
    plane = deployed.plane
    (node,) = json.loads(plane.kubectl("get", "nodes", "-o", "json").stdout)["items"]
    pods = json.loads(plane.kubectl("get", "pods", "-A", "-o", "json",
                                    "--field-selector", "status.phase=Running").stdout)["items"]
    used = {"cpu": 0.0, "memory": 0.0}
    for pod in pods:
        for container in pod["spec"]["containers"]:
            requests = container.get("resources", {}).get("requests", {})
            for resource in used:
                used[resource] += _quantity(requests.get(resource, "0"))
    pools = _items(plane, "kafkanodepools", deployed.namespace)
    assert pools, "the chart renders the Kafka node pool"
    wanted = {"cpu": 0.0, "memory": 0.0}
    for pool in pools:
        requests = pool["spec"]["resources"]["requests"]
        for resource in wanted:
            wanted[resource] += pool["spec"]["replicas"] * _quantity(requests[resource])
    for resource in used:
        free = _quantity(node["status"]["allocatable"][resource]) - used[resource]
        assert wanted[resource] <= free, (resource, wanted[resource], free)


def _quantity(text: str) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text[:-len(suffix)]) * factor
    return float(text)
