"""What `streamml status` reads from the cluster, through the Kubernetes Python client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STRIMZI_GROUP = "kafka.strimzi.io"
STRIMZI_VERSION = "v1"
# A pod's /metrics answers at once or not at all: don't let one unreachable pod hold `status`.
SCRAPE_TIMEOUT_S = 3.0
NO_STATUS = "no status"


@dataclass(frozen=True)
class PodInfo:
    name: str
    service: str
    ready: str
    phase: str
    restarts: int
    metrics_port: int | None
    # Why a pod is not running (yet): unschedulable, image pull, crash loop ...; "" otherwise.
    reason: str = ""


@dataclass(frozen=True)
class TopicInfo:
    name: str
    partitions: int
    replicas: int
    ready: str


@dataclass(frozen=True)
class KafkaInfo:
    name: str
    ready: str


class Cluster:
    def __init__(self, context: str | None, namespace: str,
                 kubeconfig: str | None = None) -> None:
        """``kubeconfig``: a file; by default $KUBECONFIG or ~/.kube/config, then in-cluster."""
        from kubernetes import client, config

        try:
            api = config.new_client_from_config(config_file=kubeconfig, context=context)
        except config.ConfigException as no_kubeconfig:
            try:
                config.load_incluster_config()
            except config.ConfigException:
                raise no_kubeconfig from None
            api = client.ApiClient()
        self._core = client.CoreV1Api(api)
        self._custom = client.CustomObjectsApi(api)
        self.namespace = namespace

    def pods(self, selector: str) -> list[PodInfo]:
        pods = self._core.list_namespaced_pod(self.namespace, label_selector=selector).items
        return [_pod_info(pod) for pod in sorted(pods, key=lambda p: p.metadata.name)]

    def topics(self) -> list[TopicInfo]:
        objects = self._custom.list_namespaced_custom_object(
            STRIMZI_GROUP, STRIMZI_VERSION, self.namespace, "kafkatopics")["items"]
        return sorted((_topic_info(obj) for obj in objects), key=lambda t: t.name)

    def kafka(self, name: str) -> KafkaInfo | None:
        from kubernetes.client.exceptions import ApiException

        try:
            obj = self._custom.get_namespaced_custom_object(
                STRIMZI_GROUP, STRIMZI_VERSION, self.namespace, "kafkas", name)
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return KafkaInfo(name, _ready_condition(obj))

    def scrape(self, pod: PodInfo) -> str:
        """The pod's /metrics through the API server's pod proxy (no port-forward needed)."""
        return self._core.connect_get_namespaced_pod_proxy_with_path(
            f"{pod.name}:{pod.metrics_port}", self.namespace, "metrics",
            _request_timeout=SCRAPE_TIMEOUT_S)


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
                   pod.status.phase or "", sum(s.restart_count for s in statuses), port,
                   _not_running_reason(pod))


def _not_running_reason(pod: Any) -> str:
    for condition in pod.status.conditions or []:
        if condition.type == "PodScheduled" and condition.status != "True":
            return f"{condition.reason or 'not scheduled'}: {condition.message or ''}".strip()
    for status in pod.status.container_statuses or []:
        waiting = status.state.waiting if status.state else None
        if waiting and waiting.reason not in (None, "ContainerCreating"):
            return f"{waiting.reason}: {waiting.message or ''}".strip().rstrip(":")
        terminated = status.last_state.terminated if status.last_state else None
        if terminated and not status.ready:
            return f"last exit {terminated.exit_code} ({terminated.reason or 'terminated'})"
    return ""


def _ready_condition(obj: dict) -> str:
    """The Ready condition Strimzi writes, or NO_STATUS while no operator has reconciled it."""
    conditions = (obj.get("status") or {}).get("conditions") or []
    return next((c.get("status", "") for c in conditions if c.get("type") == "Ready"),
                NO_STATUS)


def _topic_info(obj: dict) -> TopicInfo:
    spec = obj.get("spec", {})
    ready = _ready_condition(obj)
    name = spec.get("topicName") or obj.get("status", {}).get("topicName") or \
        obj["metadata"]["name"]
    return TopicInfo(name, int(spec.get("partitions", 0)), int(spec.get("replicas", 0)), ready)
