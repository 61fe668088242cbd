"""A chart that is safe to install anywhere: release-scoped names, CRD-backed objects only where
the cluster serves their API, values checked by values.schema.json, the production profile."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from streamml.runtime.topics import load_catalog
from tests.k8s.conftest import CHART, CLUSTER_APIS, PRODUCTION_VALUES, of_kind, run_helm_template
from tests.k8s.test_chart import SERVICES, VARIANTS, render_variant

pytestmark = pytest.mark.kube

STRIMZI_KINDS = {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"}


def names(objects: list[dict]) -> set[tuple[str, str]]:
    return {(obj["kind"], obj["metadata"]["name"]) for obj in objects}


@pytest.mark.parametrize("variant", ["default", "network-policies", "production"])
def test_two_releases_in_one_namespace_do_not_collide(render, variant):
    first = render_variant(render, variant)
    second = render_variant(render, variant, release="demo")
    assert not names(first) & names(second)
    assert not names(second) & names(render_variant(render, variant, release="streamml-demo"))


def dashboards(objects: list[dict]) -> list[dict]:
    return [json.loads(body) for config_map in of_kind(objects, "ConfigMap")
            if config_map["metadata"]["name"].endswith("dashboard-pipeline-overview")
            for body in config_map["data"].values()]


def test_two_releases_load_distinct_dashboards_into_one_grafana(render):
    """Grafana refuses a second dashboard with the same uid, or the same title in a folder."""
    (default,) = dashboards(render())
    (other,) = dashboards(render(release="demo"))
    assert (default["uid"], default["title"]) == ("streamml-pipeline", "streamml / pipeline overview")
    assert (other["uid"], other["title"]) == ("demo-pipeline", "demo / pipeline overview")
    assert other["panels"] == default["panels"]


def test_every_strimzi_object_belongs_to_its_releases_kafka(render):
    objects = render(release="demo")
    (kafka,) = of_kind(objects, "Kafka")
    (pool,) = of_kind(objects, "KafkaNodePool")
    assert kafka["metadata"]["name"] == "demo"
    assert pool["metadata"]["name"] == "demo-dual-role"
    for obj in objects:
        if obj["kind"] in STRIMZI_KINDS - {"Kafka"}:
            assert obj["metadata"]["labels"]["strimzi.io/cluster"] == "demo", obj["metadata"]
    topics = of_kind(objects, "KafkaTopic")
    assert {t["metadata"]["name"] for t in topics} == \
        {"demo-" + name.replace(".", "-") for name in load_catalog().names()}
    for deployment in of_kind(objects, "Deployment"):
        env = {e["name"]: e.get("value") for e in
               deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["STREAMML_BOOTSTRAP_SERVERS"] == "demo-kafka-bootstrap.streamml.svc:9093"
    (monitor,) = [m for m in of_kind(objects, "PodMonitor") if m["metadata"]["name"] == "demo-kafka"]
    assert monitor["spec"]["selector"]["matchLabels"]["strimzi.io/cluster"] == "demo"
    every_label = [obj["metadata"]["labels"]["app.kubernetes.io/instance"] for obj in objects]
    assert set(every_label) == {"demo"}, "make deploy-wait finds the release's objects by it"


def test_kafka_name_can_be_set(render):
    objects = render(release="demo", **{"kafka.name": "events"})
    assert [k["metadata"]["name"] for k in of_kind(objects, "Kafka")] == ["events"]
    assert {t["metadata"]["labels"]["strimzi.io/cluster"] for t in of_kind(objects, "KafkaTopic")} \
        == {"events"}


def test_a_name_too_long_for_kafka_pods_is_refused(helm):
    result = run_helm_template(helm, {}, release="a-very-long-release-name-for-streaming-ml")
    assert result.returncode != 0
    assert "Kafka pod names" in result.stderr and "63 characters" in result.stderr


def test_monitoring_objects_render_only_where_the_cluster_serves_their_api(render):
    strimzi_only = tuple(api for api in CLUSTER_APIS if api.startswith("kafka.strimzi.io"))
    kinds = {obj["kind"] for obj in render(apis=strimzi_only)}
    assert not kinds & {"PodMonitor", "PrometheusRule"}
    assert "Deployment" in kinds, "the rest of the release still installs"
    kinds = {obj["kind"] for obj in render()}
    assert {"PodMonitor", "PrometheusRule"} <= kinds


def merged(base: dict, override: dict) -> dict:
    """Values as helm merges a values file over the defaults."""
    result = dict(base)
    for key, value in override.items():
        both_maps = isinstance(value, dict) and isinstance(base.get(key), dict)
        result[key] = merged(base[key], value) if both_maps else value
    return result


def test_values_files_match_the_schema():
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    jsonschema.validate(defaults, schema)
    jsonschema.validate(merged(defaults, yaml.safe_load(PRODUCTION_VALUES.read_text())), schema)


def test_the_schema_closes_every_object_it_describes():
    """A typo anywhere fails: each object with named properties admits no others."""
    schema = json.loads((CHART / "values.schema.json").read_text())
    open_objects = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if "properties" in node and node.get("additionalProperties") is not False:
                open_objects.append(path)
            for key, child in node.items():
                walk(child, f"{path}/{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{path}/{index}")

    walk(schema, "")
    assert not open_objects


@pytest.mark.parametrize("values, message", [
    ({"services.predicter.replicas": 2}, "additional properties 'predicter' not allowed"),
    ({"kafka.replica": 3}, "additional properties 'replica' not allowed"),
    ({"services.predictor.replicas": "two"}, "got string, want integer"),
    ({"kafka.storage.type": "persistent"}, "kafka/storage/type"),
    ({"common.podAntiAffinity": "always"}, "common/podAntiAffinity"),
    ({"monitoring.rules.anomalyRateThreshold": 5}, "anomalyRateThreshold"),
    ({"services.detector.env": {"STREAMML LOG": "x"}}, "invalid propertyName 'STREAMML LOG'"),
])
def test_a_typo_in_values_fails_the_install(helm, values, message):
    result = run_helm_template(helm, values)
    assert result.returncode != 0
    assert "values don't meet the specifications of the schema" in result.stderr
    assert message in result.stderr, result.stderr


def test_production_profile(render):
    objects = render_variant(render, "production")
    (kafka,) = of_kind(objects, "Kafka")
    (pool,) = of_kind(objects, "KafkaNodePool")
    config = kafka["spec"]["kafka"]["config"]
    assert pool["spec"]["replicas"] == 3
    assert config["default.replication.factor"] == config["offsets.topic.replication.factor"] \
        == config["transaction.state.log.replication.factor"] == 3
    assert config["min.insync.replicas"] == config["transaction.state.log.min.isr"] == 2
    assert kafka["spec"]["kafka"]["template"]["podDisruptionBudget"] == {"maxUnavailable": 1}
    (volume,) = pool["spec"]["storage"]["volumes"]
    assert volume["type"] == "persistent-claim" and volume["deleteClaim"] is False
    spread = pool["spec"]["template"]["pod"]["affinity"]["podAntiAffinity"]
    (term,) = spread["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    assert term["labelSelector"]["matchLabels"] == {
        "strimzi.io/cluster": "streamml", "strimzi.io/pool-name": "dual-role"}
    assert {t["spec"]["replicas"] for t in of_kind(objects, "KafkaTopic")} == {3}

    deployments = {d["metadata"]["name"]: d for d in of_kind(objects, "Deployment")}
    assert deployments["predictor"]["spec"]["replicas"] == 3
    assert deployments["detector"]["spec"]["replicas"] == 3
    for name, deployment in deployments.items():
        spread = deployment["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
        (preferred,) = spread["preferredDuringSchedulingIgnoredDuringExecution"]
        assert preferred["podAffinityTerm"]["labelSelector"]["matchLabels"] == {
            "app.kubernetes.io/name": name, "app.kubernetes.io/instance": "streamml"}
    budgets = {b["metadata"]["name"] for b in of_kind(objects, "PodDisruptionBudget")}
    assert budgets == {"predictor", "detector"}


def test_explicit_affinity_replaces_the_generated_one(render):
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "pool", "operator": "In", "values": ["ml"]}]}]}}}
    for deployment in of_kind(render(**{"common.affinity": affinity}), "Deployment"):
        assert deployment["spec"]["template"]["spec"]["affinity"] == affinity
    for deployment in of_kind(render(**{"common.podAntiAffinity": ""}), "Deployment"):
        assert "affinity" not in deployment["spec"]["template"]["spec"]


def test_the_startup_probe_needs_no_data(render):
    """/startupz passes once the main loop turns (tests/weather/test_probes.py): a replica
    without partitions or a model is never restarted for it; readiness may wait for data."""
    for deployment in of_kind(render(), "Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        startup = container["startupProbe"]
        assert startup["httpGet"]["path"] == "/startupz"
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 300
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_the_services_block_lists_every_service():
    assert set(yaml.safe_load((CHART / "values.yaml").read_text())["services"]) == set(SERVICES)
    assert set(VARIANTS) >= {"default", "production"}


def test_consumers_are_static_members_named_after_their_pod(render):
    for deployment in of_kind(render(), "Deployment"):
        name = deployment["metadata"]["name"]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        assert env["STREAMML_REBALANCE_PROTOCOL"]["value"] == "cooperative-sticky"
        instance = env.get("STREAMML_GROUP_INSTANCE_ID")
        if name in ("orchestrator", "sensors"):
            assert instance is None, "producers are in no consumer group"
        else:
            assert instance["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
