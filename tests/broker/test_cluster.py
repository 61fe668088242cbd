"""A real 3-node KRaft cluster on this machine (`streamml broker start --nodes 3`): topics get
3 replicas and min.insync.replicas 2, and a stream keeps every event while a broker, then the
controller quorum's leader, is SIGKILLed mid-stream and restarted (it catches up)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from kafka import KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType

from streamml.broker import cluster as local_cluster
from streamml.broker.embedded import BrokerConfig
from streamml.runtime.admin import admin_client
from streamml.runtime.topics import apply_catalog, load_catalog
from tests.helpers import REPO, read_all, start_process, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.cluster]

EVENTS = 1500
RATE = 60.0  # events/s: the stream spans both faults


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    # After the session broker's two ports.
    port = int(os.environ.get("STREAMML_TEST_BROKER_PORT", "19092")) + 2
    config = local_cluster.ClusterConfig(BrokerConfig(
        data_dir=str(tmp_path_factory.mktemp("cluster")),
        cache_dir=os.environ.get("STREAMML_BROKER_CACHE_DIR", str(REPO / ".cache")),
        port=port, heap="512m", start_timeout_s=120), nodes=3)
    local_cluster.start(config)
    try:
        yield config
    finally:
        local_cluster.stop(config)


def describe(bootstrap: str, topics: list[str]) -> dict[str, list[dict]]:
    with admin_client(bootstrap) as admin:
        return {t["name"]: t["partitions"] for t in admin.describe_topics(topics)}


def fully_replicated(bootstrap: str, topics: list[str]) -> bool:
    try:
        described = describe(bootstrap, topics)
    except Exception:  # noqa: BLE001 - a node still starting may fail the request
        return False
    return all(len(p["isr_nodes"]) == 3 for partitions in described.values() for p in partitions)


def test_topics_apply_uses_three_replicas_and_min_isr_two(cluster):
    catalog = load_catalog()
    apply_catalog(cluster.bootstrap, catalog)
    described = describe(cluster.bootstrap, list(catalog.names()))
    assert all(len(p["replica_nodes"]) == 3 for parts in described.values() for p in parts)
    with admin_client(cluster.bootstrap) as admin:
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in catalog.names()])
    by_topic = next(iter(configs.values()))
    assert {name: by_topic[name]["min.insync.replicas"]["value"] for name in catalog.names()} \
        == {name: "2" for name in catalog.names()}


def test_no_event_loses_its_output_when_a_broker_and_the_controller_leader_die(
        cluster, unique, stop_after_test):
    bootstrap = cluster.bootstrap
    source, sink = f"cl-in-{unique}", f"cl-out-{unique}"
    with admin_client(bootstrap) as admin:
        admin.create_topics({name: {"num_partitions": 6, "replication_factor": 3,
                                    "configs": {"min.insync.replicas": "2"}}
                             for name in (source, sink)})
        admin.wait_for_topics([source, sink], timeout_ms=60000)
    service = start_process(["tests.runtime.echo_service"], {
        "bootstrap_servers": bootstrap, "input_topic": source, "output_topic": sink,
        "group_id": f"g-{unique}"})
    stop_after_test.append(service)
    assert wait_for(lambda: service.get("/readyz")[0] == 200, timeout_s=120)

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    failures: list[BaseException] = []
    sent = threading.Event()

    def send_all() -> None:
        started = time.monotonic()
        for n in range(EVENTS):
            producer.send(source, key=f"k{n % 50}".encode(),
                          value=json.dumps({"id": f"e{n}", "n": n}).encode()
                          ).add_errback(failures.append)
            time.sleep(max(0.0, started + (n + 1) / RATE - time.monotonic()))
        producer.flush(120)
        sent.set()

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    time.sleep(EVENTS / RATE / 5)

    # A broker that is not the controller quorum's leader dies without a clean shutdown.
    leader = local_cluster.controller_leader(cluster)
    assert leader is not None
    victim = (leader + 1) % cluster.nodes
    local_cluster.kill_node(cluster, victim)
    time.sleep(EVENTS / RATE / 5)
    local_cluster.start_node(cluster, victim)
    assert wait_for(lambda: fully_replicated(bootstrap, [source, sink]), timeout_s=180), \
        f"node {victim} did not catch up"

    # Then the controller quorum's leader: the other two elect a new one.
    local_cluster.kill_node(cluster, leader)
    assert wait_for(lambda: local_cluster.controller_leader(cluster) not in (None, leader),
                    timeout_s=60), "no new controller leader"
    time.sleep(EVENTS / RATE / 5)
    local_cluster.start_node(cluster, leader)

    assert sent.wait(EVENTS / RATE * 4 + 120), "the producer did not finish"
    producer.close()
    assert failures == [], f"{len(failures)} sends not acknowledged: {failures[:3]}"
    outputs = read_all(bootstrap, sink, lambda r: len({json.loads(x.value)["n"] for x in r})
                       >= EVENTS, timeout_s=240)
    assert {json.loads(r.value)["n"] for r in outputs} == set(range(EVENTS))
    assert wait_for(lambda: fully_replicated(bootstrap, [source, sink]), timeout_s=180), \
        f"node {leader} did not catch up"
    local_cluster.wait_for_brokers(cluster, 3)
    assert service.process.poll() is None, "the service survived both failures"
    assert service.terminate() == 0
