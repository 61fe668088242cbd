"""Opt-in lag-driven autoscaling: a KEDA ScaledObject per consuming service (validated against
KEDA's CRDs in test_schemas.py), never to zero, never beyond the partitions."""

from __future__ import annotations

import pytest

from streamml.runtime.topics import load_catalog
from tests.k8s.conftest import CLUSTER_APIS, KEDA_APIS, of_kind, run_helm_template
from tests.k8s.test_chart import render_variant

pytestmark = pytest.mark.kube


def by_name(objects: list[dict], kind: str) -> dict[str, dict]:
    return {obj["metadata"]["name"]: obj for obj in of_kind(objects, kind)}


def test_off_by_default(render):
    objects = render(apis=CLUSTER_APIS + KEDA_APIS)
    assert not of_kind(objects, "ScaledObject") and not of_kind(objects, "TriggerAuthentication")


def test_a_scaled_object_per_enabled_consuming_service(render):
    objects = render_variant(render, "autoscaling")
    scaled = by_name(objects, "ScaledObject")
    assert set(scaled) == {"predictor", "detector"}
    catalog = load_catalog()
    deployments = by_name(objects, "Deployment")
    consumes = {"predictor": ["cricket.match-events", "cricket.match-results"],
                "detector": ["weather.readings"]}
    for name, obj in scaled.items():
        spec = obj["spec"]
        assert spec["scaleTargetRef"] == {"name": name}
        assert spec["minReplicaCount"] >= 1
        assert spec["maxReplicaCount"] == min(catalog.get(t).partitions for t in consumes[name])
        assert [t["metadata"]["topic"] for t in spec["triggers"]] == consumes[name]
        for trigger in spec["triggers"]:
            meta = trigger["type"], trigger["metadata"]
            assert meta[0] == "kafka"
            assert meta[1]["consumerGroup"] == f"streamml-{name}"
            # The secure default: the TLS listener, the service's own SCRAM user.
            assert meta[1]["bootstrapServers"] == "streamml-kafka-bootstrap.streamml.svc:9093"
            assert meta[1]["tls"] == "enable"
            assert meta[1]["allowIdleConsumers"] == "false"
            major, minor, _ = map(int, meta[1]["version"].split("."))
            assert (major, minor) >= (2, 1), "Kafka 4 refuses clients older than 2.1"
            assert meta[1]["sasl"] == "scram_sha512"
            assert trigger["authenticationRef"] == {"name": name}
        scale_down = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]
        assert scale_down["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 60}]
        assert "replicas" not in deployments[name]["spec"], "the HPA owns the replica count"
    assert deployments["orchestrator"]["spec"]["replicas"] == 1
    auth = by_name(objects, "TriggerAuthentication")["predictor"]["spec"]["env"]
    assert {(a["parameter"], a["containerName"]) for a in auth} == \
        {("username", "predictor"), ("password", "predictor")}
    assert by_name(objects, "TriggerAuthentication")["predictor"]["spec"]["secretTargetRef"] == [
        {"parameter": "ca", "name": "streamml-cluster-ca-cert", "key": "ca.crt"}]
    assert {"predictor", "detector"} <= set(by_name(objects, "PodDisruptionBudget"))


def test_without_keda_the_install_fails_clearly(helm):
    result = run_helm_template(helm, {"services.detector.autoscaling.enabled": True})
    assert result.returncode != 0
    assert "services.detector.autoscaling.enabled=true needs the keda.sh/v1alpha1 ScaledObject " \
        "API" in result.stderr and "install KEDA" in result.stderr


@pytest.mark.parametrize("values, message", [
    ({"services.detector.autoscaling.maxReplicas": 7},
     "services.detector.autoscaling.maxReplicas=7 exceeds the 6 partitions"),
    ({"services.detector.autoscaling.minReplicas": 0}, "minReplicas"),
    ({"services.detector.autoscaling.minReplicas": 4, "services.detector.autoscaling.maxReplicas": 3},
     "minReplicas=4 is above maxReplicas=3"),
    ({"services.orchestrator.autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 0,
                                            "lagThreshold": 10}},
     "orchestrator consumes no topic in a group"),
])
def test_impossible_scaling_is_refused(helm, values, message):
    result = run_helm_template(helm, {"services.detector.autoscaling.enabled": True, **values},
                               apis=CLUSTER_APIS + KEDA_APIS)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_custom_group_and_bounds(render):
    # Without the chart's secure Kafka: no KafkaUser ACL bounds the group name, no SASL.
    objects = render(apis=CLUSTER_APIS + KEDA_APIS, **{
        "kafka.security.enabled": False,
        "services.detector.autoscaling.enabled": True,
        "services.detector.autoscaling.minReplicas": 2,
        "services.detector.autoscaling.maxReplicas": 4,
        "services.detector.env": {"STREAMML_GROUP_ID": "weather-detectors"}})
    (scaled,) = of_kind(objects, "ScaledObject")
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (2, 4)
    assert scaled["spec"]["triggers"][0]["metadata"]["consumerGroup"] == "weather-detectors"
    assert "sasl" not in scaled["spec"]["triggers"][0]["metadata"]
    assert not of_kind(objects, "TriggerAuthentication")
