"""helm lint, renders of the default values and variants, hardened pods, Strimzi resources."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from streamml.runtime.access import load_access
from streamml.runtime.topics import load_catalog
from tests.k8s.conftest import (CHART, CLUSTER_APIS, KEDA_APIS, KUBE_VERSION, PRODUCTION_VALUES,
                                helm_set_args, of_kind, run_helm_template)

pytestmark = pytest.mark.kube

SERVICES = ("orchestrator", "trainer", "predictor", "sensors", "detector")
VARIANTS = {
    "default": {},
    "scaled": {"services.predictor.replicas": 6, "services.detector.replicas": 6,
               "services.trainer.replicas": 1, "kafka.replicas": 3},
    "monitoring-off": {"monitoring.enabled": False},
    "network-policies": {"networkPolicies.enabled": True},
    "external-kafka": {"kafka.enabled": False,
                       "kafka.externalBootstrapServers": "my-kafka.example:9092"},
    "production": {},
    "autoscaling": {"services.predictor.autoscaling.enabled": True,
                    "services.detector.autoscaling.enabled": True,
                    "autoscaling.sasl.enabled": True},
    "security-off": {"kafka.security.enabled": False, "networkPolicies.enabled": False},
    "security-without-tls": {"kafka.security.tls": False},
    "port-forward": {"kafka.portForwardListener.enabled": True, "kafka.replicas": 3},
    "port-forward-security-off": {"kafka.portForwardListener.enabled": True,
                                  "kafka.security.enabled": False,
                                  "networkPolicies.enabled": False},
    "key-rotation": {"modelSigning.extraTrustedKeys": {
        "previous.pub": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n"}},
}
# Values files a variant is rendered with, before its --set values.
VARIANT_FILES = {"production": (PRODUCTION_VALUES,)}
# APIs a variant's cluster serves beyond CLUSTER_APIS. `helm lint` cannot be told about them,
# so such variants are rendered and validated but not linted.
VARIANT_APIS = {"autoscaling": KEDA_APIS}


def render_variant(render, variant: str, **extra: object) -> list[dict]:
    return render(values_files=VARIANT_FILES.get(variant, ()),
                  apis=CLUSTER_APIS + VARIANT_APIS.get(variant, ()), **VARIANTS[variant], **extra)


def chart_values() -> dict:
    return yaml.safe_load((CHART / "values.yaml").read_text())


@pytest.mark.parametrize("variant", sorted(set(VARIANTS) - set(VARIANT_APIS)))
def test_lint_strict(helm, variant):
    files = [arg for path in VARIANT_FILES.get(variant, ()) for arg in ("-f", str(path))]
    result = subprocess.run(
        [helm, "lint", "--strict", str(CHART), "--kube-version", KUBE_VERSION, *files,
         *helm_set_args(VARIANTS[variant])], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


def test_every_service_is_deployed_with_its_own_image(render):
    objects = render()
    deployments = {d["metadata"]["name"]: d for d in of_kind(objects, "Deployment")}
    assert set(deployments) == set(SERVICES)
    for name, deployment in deployments.items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == f"streamml-{name}:0.1.0"
        assert (CHART.parents[1] / "Dockerfiles" / "requirements" / f"{name}.txt").exists()


def test_pods_are_hardened_and_probed(render):
    objects = render()
    accounts = {sa["metadata"]["name"] for sa in of_kind(objects, "ServiceAccount")}
    for deployment in of_kind(objects, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["terminationGracePeriodSeconds"] == 30
        assert pod["serviceAccountName"] in accounts
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        (container,) = pod["containers"]
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert container["startupProbe"]["httpGet"]["path"] == "/startupz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        assert container["ports"] == [
            {"name": "http-metrics", "containerPort": 8080, "protocol": "TCP"}]
        env = {item["name"]: item.get("value") for item in container["env"]}
        assert env["STREAMML_BOOTSTRAP_SERVERS"] == \
            "streamml-kafka-bootstrap.streamml.svc:9093"
        assert env["STREAMML_HTTP_PORT"] == "8080"
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


def test_service_env_overrides_common_env(render):
    objects = render(**{"services.predictor.env": {"STREAMML_LOG_LEVEL": "DEBUG",
                                                    "STREAMML_MAX_POLL_RECORDS": 50}})
    (predictor,) = [d for d in of_kind(objects, "Deployment")
                    if d["metadata"]["name"] == "predictor"]
    env = {e["name"]: e.get("value") for e in predictor["spec"]["template"]["spec"]
           ["containers"][0]["env"]}
    assert env["STREAMML_LOG_LEVEL"] == "DEBUG"
    assert env["STREAMML_MAX_POLL_RECORDS"] == "50"


def test_disabled_service_renders_nothing(render):
    objects = render(**{"services.sensors.enabled": False})
    names = {obj["metadata"]["name"] for obj in objects if obj["kind"] != "KafkaTopic"}
    assert "sensors" not in names


@pytest.mark.parametrize("variant", ["default", "scaled", "production"])
def test_pdbs_cover_exactly_the_scaled_services(render, variant):
    objects = render_variant(render, variant)
    scaled = {d["metadata"]["name"] for d in of_kind(objects, "Deployment")
              if d["spec"]["replicas"] > 1}
    budgets = {p["metadata"]["name"]: p for p in of_kind(objects, "PodDisruptionBudget")}
    assert scaled and set(budgets) == scaled
    for name, budget in budgets.items():
        assert budget["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == name


@pytest.mark.parametrize("variant", ["default", "scaled", "production"])
def test_partitions_cover_the_replicas_of_consuming_services(render, variant):
    catalog = load_catalog()
    values = chart_values()
    objects = render_variant(render, variant)
    for deployment in of_kind(objects, "Deployment"):
        name = deployment["metadata"]["name"]
        for topic in values["services"][name]["consumes"]:
            assert catalog.get(topic).partitions >= deployment["spec"]["replicas"], (name, topic)


def test_more_replicas_than_partitions_is_refused(helm):
    result = run_helm_template(helm, {"services.detector.replicas": 7})
    assert result.returncode != 0
    assert "services.detector.replicas=7 exceeds the 6 partitions of weather.readings" in \
        result.stderr


def test_kafka_is_strimzi_v1_kraft_with_metrics(render):
    objects = render()
    (pool,) = of_kind(objects, "KafkaNodePool")
    (kafka,) = of_kind(objects, "Kafka")
    assert pool["apiVersion"] == kafka["apiVersion"] == "kafka.strimzi.io/v1"
    assert sorted(pool["spec"]["roles"]) == ["broker", "controller"]
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    assert kafka["spec"]["kafka"]["version"] == "4.3.1"
    assert kafka["spec"]["kafka"]["metricsConfig"] == {"type": "strimziMetricsReporter"}
    assert "kafkaExporter" in kafka["spec"]
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False


def port_forward_listener(objects: list[dict]) -> dict:
    (kafka,) = of_kind(objects, "Kafka")
    (listener,) = [l for l in kafka["spec"]["kafka"]["listeners"] if l["name"] == "portfwd"]
    return listener


def test_the_port_forward_listener_is_opt_in_and_advertises_a_local_port_per_broker(render):
    (kafka,) = of_kind(render(), "Kafka")
    assert "portfwd" not in [l["name"] for l in kafka["spec"]["kafka"]["listeners"]]
    assert "watch" not in [u["metadata"]["name"] for u in of_kind(render(), "KafkaUser")]
    listener = port_forward_listener(render(**VARIANTS["port-forward"]))
    assert listener["port"] == 9094 and listener["type"] == "internal"
    # Strimzi adds a TLS listener's advertisedHost to its broker's certificate (an IP SAN
    # for an address), so a client checking the hostname 127.0.0.1 accepts the forward.
    assert listener["configuration"]["brokers"] == [
        {"broker": i, "advertisedHost": "127.0.0.1", "advertisedPort": 19094 + i}
        for i in range(3)]


@pytest.mark.parametrize(("variant", "tls", "authenticated"), [
    ("port-forward", True, True),
    ("port-forward-security-off", False, False),
])
def test_the_port_forward_listener_is_as_secure_as_the_services_listener(
        render, variant, tls, authenticated):
    listener = port_forward_listener(render(**VARIANTS[variant]))
    assert listener["tls"] is tls
    assert listener.get("authentication") == ({"type": "scram-sha-512"} if authenticated else None)
    watch_users = [u for u in of_kind(render(**VARIANTS[variant]), "KafkaUser")
                   if u["metadata"]["name"] == "watch"]
    assert len(watch_users) == (1 if authenticated else 0)


def test_without_tls_the_port_forward_listener_still_authenticates(render):
    listener = port_forward_listener(render(**{**VARIANTS["port-forward"],
                                               "kafka.security.tls": False}))
    assert listener["tls"] is False and listener["authentication"] == {"type": "scram-sha-512"}


@pytest.mark.parametrize("release", ["streamml", "demo"])
def test_the_watch_user_is_read_only_and_holds_exactly_what_access_yaml_declares(
        render, release):
    objects = render(release=release, **VARIANTS["port-forward"])
    name = "watch" if release == "streamml" else f"{release}-watch"
    (user,) = [u for u in of_kind(objects, "KafkaUser") if u["metadata"]["name"] == name]
    (kafka,) = of_kind(objects, "Kafka")
    assert user["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
    watch = load_access().viewers["watch"]
    grants = kafka_user_grants(user)
    assert grants == {(g.resource_type, g.name, g.pattern, g.operations) for g in watch.grants()}
    # Read-only: no write of any kind, no group of its own, no transactional id.
    operations = {op for *_, ops in grants for op in ops}
    assert operations <= {"Read", "Describe"}
    assert {(kind, ops) for kind, _, _, ops in grants if kind != "topic"} == {("group", ("Describe",))}
    # It reads what `streamml watch` shows and describes every other topic's offsets.
    from streamml.watch.state import FOLLOWED_TOPICS

    read = {n for kind, n, _, ops in grants if kind == "topic" and "Read" in ops}
    described = {n for kind, n, _, _ in grants if kind == "topic"}
    assert read == set(FOLLOWED_TOPICS)
    assert described == set(load_catalog().names())
    assert {n for kind, n, _, _ in grants if kind == "group"} == {
        a.group for a in load_access().services.values() if a.group}


def test_replication_follows_the_broker_count(render):
    (kafka,) = of_kind(render(**VARIANTS["scaled"]), "Kafka")
    config = kafka["spec"]["kafka"]["config"]
    assert config["offsets.topic.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2


def test_chart_topics_are_the_topic_catalog(render):
    """One source of truth: the chart reads services/streamml/topics.yaml through a link."""
    link = CHART / "topics.yaml"
    assert link.is_symlink()
    assert link.resolve() == (CHART.parents[1] / "services" / "streamml" / "topics.yaml")
    catalog = load_catalog()
    topics = {t["spec"]["topicName"]: t for t in of_kind(render(), "KafkaTopic")}
    assert list(topics) == list(catalog.names())
    for spec in catalog.topics:
        rendered = topics[spec.name]
        assert rendered["apiVersion"] == "kafka.strimzi.io/v1"
        assert rendered["metadata"]["labels"]["strimzi.io/cluster"] == "streamml"
        assert rendered["spec"]["partitions"] == spec.partitions
        assert rendered["spec"]["replicas"] == min(spec.replicas, 1)
        assert rendered["spec"].get("config", {}) == spec.config


def test_monitoring_is_labelled_for_kube_prometheus_stack(render):
    objects = render(**{"monitoring.release": "my-prometheus"})
    monitors = of_kind(objects, "PodMonitor")
    rules = of_kind(objects, "PrometheusRule")
    assert len(monitors) == 2 and len(rules) == 1
    for obj in monitors + rules:
        assert obj["metadata"]["labels"]["release"] == "my-prometheus"
    selectors = {m["metadata"]["name"]: m["spec"]["selector"] for m in monitors}
    assert selectors["kafka"]["matchLabels"]["strimzi.io/kind"] == "Kafka"
    assert set(selectors["services"]["matchExpressions"][0]["values"]) == set(SERVICES)
    dashboards = [c for c in of_kind(objects, "ConfigMap")
                  if c["metadata"]["labels"].get("grafana_dashboard") == "1"]
    assert [sorted(d["data"]) for d in dashboards] == [["pipeline-overview.json"]]


def test_monitoring_off_renders_no_monitoring_objects(render):
    objects = render(**VARIANTS["monitoring-off"])
    kinds = {obj["kind"] for obj in objects}
    assert not kinds & {"PodMonitor", "ServiceMonitor", "PrometheusRule"}
    assert not [c for c in of_kind(objects, "ConfigMap")
                if "grafana_dashboard" in c["metadata"]["labels"]]


def test_network_policies_are_on_by_default(render):
    assert not of_kind(render(**VARIANTS["security-off"]), "NetworkPolicy")
    for variant, port in (("default", 9093), ("security-without-tls", 9092)):
        objects = render(**VARIANTS[variant])
        policies = {p["metadata"]["name"]: p for p in of_kind(objects, "NetworkPolicy")}
        assert set(policies) == {"services-ingress", "services-egress"}
        ingress = policies["services-ingress"]["spec"]["ingress"]
        assert ingress == [{"from": [{"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": [{"port": "http-metrics", "protocol": "TCP"}]}]
        egress = policies["services-egress"]["spec"]["egress"]
        assert egress[1]["ports"] == [{"port": port, "protocol": "TCP"}]
        assert {p["port"] for p in egress[0]["ports"]} == {53}
        (kafka,) = of_kind(objects, "Kafka")
        (listener,) = kafka["spec"]["kafka"]["listeners"]
        assert listener["port"] == port
        peers = listener["networkPolicyPeers"]
        assert set(peers[0]["podSelector"]["matchExpressions"][0]["values"]) == set(SERVICES)


def kafka_user_grants(user: dict) -> set[tuple]:
    return {(acl["resource"]["type"], acl["resource"]["name"], acl["resource"]["patternType"],
             tuple(acl["operations"])) for acl in user["spec"]["authorization"]["acls"]}


@pytest.mark.parametrize("release", ["streamml", "demo"])
def test_each_service_gets_its_own_kafka_user_with_the_acls_of_access_yaml(render, release):
    objects = render(release=release)
    prefix = "" if release == "streamml" else f"{release}-"
    (kafka,) = of_kind(objects, "Kafka")
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True and listener["authentication"] == {"type": "scram-sha-512"}
    assert kafka["spec"]["kafka"]["authorization"] == {"type": "simple"}
    assert kafka["spec"]["entityOperator"]["userOperator"] == {}
    users = {u["metadata"]["name"]: u for u in of_kind(objects, "KafkaUser")}
    policy = load_access()
    assert set(users) == {prefix + name for name in policy.services}
    for name, access in policy.services.items():
        user = users[prefix + name]
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert kafka_user_grants(user) == {
            (g.resource_type, g.name, g.pattern, g.operations) for g in access.grants()}
    for deployment in of_kind(objects, "Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        own_user = deployment["metadata"]["name"]
        assert env["STREAMML_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
        assert env["STREAMML_SASL_USERNAME"]["value"] == own_user
        assert env["STREAMML_SASL_PASSWORD"]["valueFrom"] == {
            "secretKeyRef": {"name": own_user, "key": "password"}}
        assert env["STREAMML_SSL_CAFILE"]["value"] == "/etc/streamml/kafka-ca/ca.crt"
        assert {"name": "kafka-ca", "mountPath": "/etc/streamml/kafka-ca", "readOnly": True} \
            in container["volumeMounts"]


def acl_prefixes(user: dict, resource_type: str) -> list[str]:
    return [acl["resource"]["name"] for acl in user["spec"]["authorization"]["acls"]
            if (acl["resource"]["type"], acl["resource"]["patternType"]) == (resource_type, "prefix")]


@pytest.mark.parametrize("release", ["streamml", "shop-ml"])
def test_transactional_ids_and_groups_are_covered_by_the_kafka_user_whatever_the_release(
        render, release):
    objects = render(release=release)
    users = {u["metadata"]["name"]: u for u in of_kind(objects, "KafkaUser")}
    consuming = 0
    for deployment in of_kind(objects, "Deployment"):
        name = deployment["metadata"]["name"]
        pod_name = f"{name}-5d8f9c7b6-x2x9z"
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        if "STREAMML_TRANSACTIONAL_ID" not in env:
            continue
        consuming += 1
        service = container["name"]
        user = users[name]
        assert env["POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
        # Kubernetes expands $(POD_NAME) from the variable declared before it.
        names = [e["name"] for e in container["env"]]
        assert names.index("POD_NAME") < names.index("STREAMML_TRANSACTIONAL_ID")
        transactional_id = env["STREAMML_TRANSACTIONAL_ID"]["value"].replace(
            "$(POD_NAME)", pod_name)
        assert pod_name in transactional_id
        assert any(transactional_id.startswith(prefix)
                   for prefix in acl_prefixes(user, "transactionalId")), (name, transactional_id)
        group = env.get("STREAMML_GROUP_ID", {}).get("value") or f"streamml-{service}"
        assert any(group.startswith(prefix) for prefix in acl_prefixes(user, "group")), (name, group)
    assert consuming == 3


def test_security_off_renders_a_plain_listener_and_no_users(render):
    objects = render(**VARIANTS["security-off"])
    (kafka,) = of_kind(objects, "Kafka")
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert (listener["port"], listener["tls"]) == (9092, False) and "authentication" not in listener
    assert "authorization" not in kafka["spec"]["kafka"]
    assert not of_kind(objects, "KafkaUser")
    for deployment in of_kind(objects, "Deployment"):
        env = {e["name"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert not {"STREAMML_SASL_USERNAME", "STREAMML_SASL_PASSWORD"} & env


def test_external_kafka_renders_no_strimzi_resources(render):
    objects = render(**VARIANTS["external-kafka"])
    assert not {obj["kind"] for obj in objects} & {"Kafka", "KafkaNodePool", "KafkaTopic"}
    for deployment in of_kind(objects, "Deployment"):
        env = {e["name"]: e.get("value") for e in
               deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["STREAMML_BOOTSTRAP_SERVERS"] == "my-kafka.example:9092"


def test_release_name_prefixes_resources(render):
    names = {d["metadata"]["name"] for d in of_kind(render(release="demo"), "Deployment")}
    assert names == {f"demo-{service}" for service in SERVICES}


def test_only_the_trainer_mounts_the_private_signing_key(render):
    objects = render(**VARIANTS["key-rotation"])
    pods = {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in of_kind(objects, "Deployment")}

    def secret_items(pod: dict) -> set[str]:
        items = set()
        for volume in pod["volumes"]:
            if volume["name"] == "kafka-ca":
                continue  # Strimzi's public cluster CA
            sources = [volume] if "secret" in volume else [
                source for source in volume.get("projected", {}).get("sources", [])
                if "secret" in source]
            for source in sources:
                items |= {item["key"] for item in source["secret"]["items"]}
        return items

    assert secret_items(pods["trainer"]) == {"model-signing.key", "model-signing.pub"}
    assert secret_items(pods["predictor"]) == {"model-signing.pub"}
    assert all(not secret_items(pods[name]) for name in ("orchestrator", "sensors", "detector"))
    env = {e["name"]: e.get("value") for e in pods["predictor"]["containers"][0]["env"]}
    assert env["STREAMML_MODEL_TRUSTED_KEYS"] == "/etc/streamml/trusted-keys"
    (trusted,) = [v for v in pods["predictor"]["volumes"] if v["name"] == "trusted-keys"]
    assert {"configMap": {"name": "trusted-model-keys"}} in trusted["projected"]["sources"]
    (config_map,) = [c for c in of_kind(objects, "ConfigMap")
                     if c["metadata"]["name"] == "trusted-model-keys"]
    assert set(config_map["data"]) == {"previous.pub"}
