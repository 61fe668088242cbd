"""Fake nodes shaped like the kind cluster `make deploy` creates (k8s/kind-cluster.yaml).

A kind node is a Docker container: it sees the Docker host's CPUs and memory. We model a
laptop's Docker VM of 4 CPUs and 8 GiB, and place on it stand-ins for the pods that share the
node with streamml on kind (kube-system and the two operators), with their real requests, so
the scheduler counts them as it would there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

DOCKER_CPU = "4"
DOCKER_MEMORY = "8Gi"
# The kubelet's default hard eviction threshold (memory.available<100Mi); kind keeps it.
EVICTION_MEMORY_MI = 100
MAX_PODS = "110"
KWOK_ANNOTATION = {"kwok.x-k8s.io/node": "fake"}
CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


@dataclass(frozen=True)
class NodeShape:
    name: str
    labels: dict[str, str]
    taints: tuple[dict, ...] = ()
    cpu: str = DOCKER_CPU
    memory: str = DOCKER_MEMORY


@dataclass(frozen=True)
class SystemPod:
    """A pod kind (or `make deploy`) runs beside streamml, with its requests."""

    namespace: str
    name: str
    cpu: str
    memory: str
    on_control_plane: bool = True


# Requests as kind v0.32.0 (kubeadm manifests, CoreDNS, kindnet) and the operator values in
# k8s/ set them; pods without requests (kube-proxy, local-path-provisioner, Grafana,
# kube-state-metrics, the Prometheus operator) take no room in the scheduler's count.
KIND_SYSTEM_PODS = (
    SystemPod("kube-system", "etcd", "100m", "100Mi"),
    SystemPod("kube-system", "kube-apiserver", "250m", "0"),
    SystemPod("kube-system", "kube-controller-manager", "200m", "0"),
    SystemPod("kube-system", "kube-scheduler", "100m", "0"),
    SystemPod("kube-system", "coredns-1", "100m", "70Mi", on_control_plane=False),
    SystemPod("kube-system", "coredns-2", "100m", "70Mi", on_control_plane=False),
    SystemPod("kube-system", "kindnet", "100m", "50Mi"),
    SystemPod("strimzi", "strimzi-cluster-operator", "100m", "256Mi", on_control_plane=False),
    SystemPod("monitoring", "prometheus-kube-prometheus-stack-prometheus-0", "100m", "512Mi",
              on_control_plane=False),
)


def kind_nodes(config_path: Path) -> tuple[NodeShape, ...]:
    """The nodes kind creates from ``config_path``: names, labels and taints as kind sets them."""
    return kind_config_nodes(yaml.safe_load(config_path.read_text()))


def kind_config_nodes(config: dict) -> tuple[NodeShape, ...]:
    cluster = config.get("name", "kind")
    nodes = config.get("nodes") or [{"role": "control-plane"}]
    has_workers = any(node.get("role") == "worker" for node in nodes)
    shapes = []
    counts = {"control-plane": 0, "worker": 0}
    for node in nodes:
        role = node.get("role", "control-plane")
        counts[role] += 1
        suffix = "" if counts[role] == 1 else str(counts[role])
        name = f"{cluster}-{role}{suffix}"
        labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                  "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                  "beta.kubernetes.io/arch": "amd64", **(node.get("labels") or {})}
        taints: tuple[dict, ...] = ()
        if role == "control-plane":
            labels["node-role.kubernetes.io/control-plane"] = ""
            labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
            # kind leaves control-plane nodes schedulable only when there are no workers.
            if has_workers:
                taints = (CONTROL_PLANE_TAINT,)
        shapes.append(NodeShape(name, labels, taints))
    return tuple(shapes)


def node_manifest(shape: NodeShape, kubelet_version: str) -> dict:
    allocatable_memory = f"{_mebibytes(shape.memory) - EVICTION_MEMORY_MI}Mi"
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": shape.name, "labels": dict(shape.labels),
                     "annotations": {**KWOK_ANNOTATION, "node.alpha.kubernetes.io/ttl": "0"}},
        "spec": {"taints": [dict(t) for t in shape.taints]},
        "status": {
            "capacity": {"cpu": shape.cpu, "memory": shape.memory, "pods": MAX_PODS},
            "allocatable": {"cpu": shape.cpu, "memory": allocatable_memory, "pods": MAX_PODS},
            "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux",
                         "kubeletVersion": kubelet_version, "kubeProxyVersion": kubelet_version,
                         "osImage": "kwok fake node", "containerRuntimeVersion": "kwok"},
        },
    }


def system_pod_manifest(pod: SystemPod, node: str) -> dict:
    requests = {"cpu": pod.cpu}
    if pod.memory != "0":
        requests["memory"] = pod.memory
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": pod.name, "namespace": pod.namespace,
                     "labels": {"streamml.dev/stand-in": "kind-system"}},
        "spec": {"nodeName": node,
                 "tolerations": [{"operator": "Exists"}],
                 "containers": [{"name": "stand-in", "image": "registry.k8s.io/pause:3.10",
                                 "resources": {"requests": requests}}]},
    }


def _mebibytes(quantity: str) -> int:
    units = {"Mi": 1, "Gi": 1024}
    return int(quantity[:-2]) * units[quantity[-2:]]
