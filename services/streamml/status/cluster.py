"""What `streamml status` reads from the cluster, through the Kubernetes Python client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STRIMZI_GROUP = "kafka.strimzi.io"
STRIMZI_VERSION = "v1"


@dataclass(frozen=True)
class PodInfo:
    name: str
    service: str
    ready: str
    phase: str
    restarts: int
    metrics_port: int | None


@dataclass(frozen=True)
class TopicInfo:
    name: str
    partitions: int
    replicas: int
    ready: str


class Cluster:
    def __init__(self, context: str | None, namespace: str) -> None:
        from kubernetes import client, config

        try:
            config.load_kube_config(context=context)
        except config.ConfigException as no_kubeconfig:
            try:
                config.load_incluster_config()
            except config.ConfigException:
                raise no_kubeconfig from None
        self._core = client.CoreV1Api()
        self._custom = client.CustomObjectsApi()
        self.namespace = namespace

    def pods(self, selector: str) -> list[PodInfo]:
        pods = self._core.list_namespaced_pod(self.namespace, label_selector=selector).items
        return [_pod_info(pod) for pod in sorted(pods, key=lambda p: p.metadata.name)]

    def topics(self) -> list[TopicInfo]:
        objects = self._custom.list_namespaced_custom_object(
            STRIMZI_GROUP, STRIMZI_VERSION, self.namespace, "kafkatopics")["items"]
        return sorted((_topic_info(obj) for obj in objects), key=lambda t: t.name)

    def scrape(self, pod: PodInfo) -> str:
        """The pod's /metrics through the API server's pod proxy (no port-forward needed)."""
        return self._core.connect_get_namespaced_pod_proxy_with_path(
            f"{pod.name}:{pod.metrics_port}", self.namespace, "metrics")


def _pod_info(pod: Any) -> PodInfo:
    statuses = pod.status.container_statuses or []
    ready = sum(1 for status in statuses if status.ready)
    port = None
    for container in pod.spec.containers:
        for container_port in container.ports or []:
            if container_port.name == "http-metrics":
                port = container_port.container_port
    labels = pod.metadata.labels or {}
    service = labels.get("app.kubernetes.io/name") or labels.get("strimzi.io/name", "")
    return PodInfo(pod.metadata.name, service, f"{ready}/{len(pod.spec.containers)}",
                   pod.status.phase or "", sum(s.restart_count for s in statuses), port)


def _topic_info(obj: dict) -> TopicInfo:
    spec = obj.get("spec", {})
    conditions = obj.get("status", {}).get("conditions", [])
    ready = next((c.get("status", "") for c in conditions if c.get("type") == "Ready"), "Unknown")
    name = spec.get("topicName") or obj.get("status", {}).get("topicName") or \
        obj["metadata"]["name"]
    return TopicInfo(name, int(spec.get("partitions", 0)), int(spec.get("replicas", 0)), ready)
