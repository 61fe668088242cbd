"""The production profile (helm/streamml/values-production.yaml) with the NetworkPolicies on,
on a kind cluster of one control-plane node and three workers: it installs into a namespace
enforcing Pod Security `restricted`, and anti-affinity spreads every replicated service over
the workers. Hard anti-affinity with more replicas than nodes leaves one Pending, and says why.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator

import pytest

from tests.helpers import wait_for
from tests.k8s.controlplane.fixtures import (make, make_deploy, restricted_namespace,
                                             start_controlplane)
from tests.k8s.controlplane.harness import ControlPlane
from tests.k8s.controlplane.nodes import kind_config_nodes

pytestmark = pytest.mark.controlplane

# k8s/kind-cluster.yaml with three workers added, as a user running the production profile
# on kind would write it.
THREE_WORKERS = {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "name": "streamml",
                 "nodes": [{"role": "control-plane"}] + [{"role": "worker"}] * 3}
PRODUCTION = "-f helm/streamml/values-production.yaml --set networkPolicies.enabled=true"


@pytest.fixture(scope="module")
def three_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    with start_controlplane(tmp_path_factory.mktemp("controlplane-3"),
                            kind_config_nodes(THREE_WORKERS)) as plane:
        yield plane


def _pods_by_service(plane: ControlPlane, namespace: str) -> dict[str, list[dict]]:
    pods = json.loads(plane.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
    found = defaultdict(list)
    for pod in pods:
        found[pod["metadata"]["labels"].get("app.kubernetes.io/name", "")].append(pod)
    return found


def test_production_profile_spreads_replicas_over_the_workers(three_workers):
    restricted_namespace(three_workers, "streamml")
    deployed = make_deploy(three_workers, "streamml", helm_args=PRODUCTION)
    assert "would violate PodSecurity" not in deployed.output
    assert "Warning:" not in deployed.output, deployed.output

    workers = {f"streamml-worker{suffix}" for suffix in ("", "2", "3")}
    replicated = {service: pods for service, pods in
                  _pods_by_service(three_workers, "streamml").items() if len(pods) > 1}
    assert set(replicated) == {"predictor", "detector"}
    for service, pods in replicated.items():
        nodes = [pod["spec"]["nodeName"] for pod in pods]
        assert sorted(nodes) == sorted(workers), f"{service} not spread: {nodes}"

    budgets = json.loads(three_workers.kubectl(
        "get", "poddisruptionbudgets", "-n", "streamml", "-o", "json").stdout)["items"]
    covered = {b["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name") for b in budgets}
    assert {"predictor", "detector"} <= covered
    policies = three_workers.kubectl("get", "networkpolicies", "-n", "streamml",
                                     "-o", "name").stdout.split()
    assert policies, "the NetworkPolicies are installed"
    (pool,) = json.loads(three_workers.kubectl(
        "get", "kafkanodepools", "-n", "streamml", "-o", "json").stdout)["items"]
    assert pool["spec"]["replicas"] == 3
    affinity = pool["spec"]["template"]["pod"]["affinity"]["podAntiAffinity"]
    assert affinity["requiredDuringSchedulingIgnoredDuringExecution"][0]["topologyKey"] == \
        "kubernetes.io/hostname"


def test_more_replicas_than_workers_under_hard_anti_affinity_stays_pending(three_workers):
    namespace = "streamml-hard"
    restricted_namespace(three_workers, namespace)
    result = make(three_workers, "deploy-release", "RELEASE_ONLY=1", f"NAMESPACE={namespace}",
                  f"HELM_ARGS={PRODUCTION} --set common.podAntiAffinity=hard "
                  "--set services.predictor.replicas=4")
    assert result.returncode == 0, result.stdout + result.stderr

    def one_predictor_pending() -> bool:
        pods = _pods_by_service(three_workers, namespace)["predictor"]
        return len(pods) == 4 and [p["status"]["phase"] for p in pods].count("Pending") == 1

    assert wait_for(one_predictor_pending, timeout_s=180, every_s=1)
    status = make(three_workers, "status", f"NAMESPACE={namespace}", timeout=180)
    reasons = [line for line in status.stdout.splitlines()
               if line.strip().startswith("predictor-") and "Unschedulable" in line]
    assert len(reasons) == 1, status.stdout
    assert "anti-affinity" in reasons[0]
