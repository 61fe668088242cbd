"""A local multi-node KRaft cluster: ``nodes`` real Kafka processes, each broker and controller,
on this machine. Node ``i`` listens on ``port + 2i`` (clients) and ``port + 2i + 1`` (its
controller), keeps its data in ``data_dir/node-<i>``, and votes in a static quorum of all nodes.

Each node's configuration is the single-node one (``embedded.server_properties``) with the
cluster's quorum and replication on top: replication factor 3 and ``min.insync.replicas`` 2 for
internal and new topics, so one node may die without losing an acknowledged write.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path

from streamml.broker import embedded
from streamml.broker.embedded import BrokerConfig, BrokerError


@dataclass(frozen=True)
class ClusterConfig:
    base: BrokerConfig
    nodes: int = 3

    def node(self, index: int) -> BrokerConfig:
        return replace(self.base, data_dir=str(Path(self.base.data_dir) / f"node-{index}"),
                       port=self.base.port + 2 * index,
                       controller_port=self.base.port + 2 * index + 1)

    @property
    def bootstrap(self) -> str:
        return ",".join(self.node(i).bootstrap for i in range(self.nodes))

    @property
    def cluster_id_file(self) -> Path:
        return Path(self.base.data_dir) / "cluster.id"


def node_id(index: int) -> int:
    return index + 1


def replication(nodes: int) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) a cluster of ``nodes`` affords."""
    factor = min(nodes, 3)
    return factor, 2 if factor >= 3 else 1


def node_properties(cluster: ClusterConfig, index: int) -> str:
    node = cluster.node(index)
    settings: dict[str, str] = {}
    for line in embedded.server_properties(node).splitlines():
        key, _, value = line.partition("=")
        settings[key] = value
    factor, min_isr = replication(cluster.nodes)
    settings.pop("controller.quorum.bootstrap.servers", None)
    settings.update({
        "node.id": str(node_id(index)),
        "controller.quorum.voters": ",".join(
            f"{node_id(i)}@{cluster.node(i).host}:{cluster.node(i).controller_port}"
            for i in range(cluster.nodes)),
        "default.replication.factor": str(factor),
        "min.insync.replicas": str(min_isr),
        "offsets.topic.replication.factor": str(factor),
        "transaction.state.log.replication.factor": str(factor),
        "transaction.state.log.min.isr": str(min_isr),
        "share.coordinator.state.topic.replication.factor": str(factor),
        "share.coordinator.state.topic.min.isr": str(min_isr),
        # A restarted node that was in sync takes back the leadership it had.
        "auto.leader.rebalance.enable": "true",
        "leader.imbalance.check.interval.seconds": "10",
    })
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def _cluster_id(cluster: ClusterConfig, libs: Path) -> str:
    if cluster.cluster_id_file.exists():
        return cluster.cluster_id_file.read_text().strip()
    cluster_id = subprocess.run(
        embedded._java_command(cluster.node(0), libs, "kafka.tools.StorageTool", "random-uuid"),
        capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    cluster.cluster_id_file.parent.mkdir(parents=True, exist_ok=True)
    cluster.cluster_id_file.write_text(cluster_id)
    return cluster_id


def _prepare(cluster: ClusterConfig, index: int, libs: Path, cluster_id: str) -> Path:
    node = cluster.node(index)
    node.root.mkdir(parents=True, exist_ok=True)
    properties = node.root / "server.properties"
    properties.write_text(node_properties(cluster, index))
    (node.root / "log4j2.properties").write_text(embedded.LOG4J2_PROPERTIES)
    if not (node.root / "kraft-logs" / "meta.properties").exists():
        result = subprocess.run(
            embedded._java_command(node, libs, "kafka.tools.StorageTool", "format",
                                   "-t", cluster_id, "-c", str(properties)),
            capture_output=True, text=True)
        if result.returncode != 0:
            raise BrokerError(f"formatting node {index} failed: " + result.stderr.strip()[-300:])
    return properties


def start_node(cluster: ClusterConfig, index: int) -> None:
    """Start node ``index`` unless it runs (its storage formatted on first start)."""
    node = cluster.node(index)
    if embedded.read_pid(node) is not None:
        return
    for port in (node.port, node.controller_port):
        if embedded.port_answers(node.host, port):
            raise BrokerError(f"port {node.host}:{port} is already in use by another process")
    libs = embedded.ensure_jars(node)
    properties = _prepare(cluster, index, libs, _cluster_id(cluster, libs))
    with node.log_file.open("ab") as log:
        process = subprocess.Popen(
            embedded._java_command(node, libs, "kafka.Kafka", str(properties)),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    node.pid_file.write_text(str(process.pid))


def brokers_up(cluster: ClusterConfig) -> int:
    from streamml.runtime.admin import admin_client

    try:
        with admin_client(cluster.bootstrap, timeout_ms=5000) as admin:
            return len(admin.describe_cluster()["brokers"])
    except Exception:  # noqa: BLE001 - any failure means "not up yet"
        return 0


def start(cluster: ClusterConfig) -> str:
    """Start every node and wait until all of them serve as brokers; the bootstrap list."""
    major = embedded.java_major_version(cluster.base.java)
    if major < 17:
        raise BrokerError(f"Kafka {embedded.KAFKA_VERSION} needs Java 17+, not Java {major}")
    for index in range(cluster.nodes):
        start_node(cluster, index)
    wait_for_brokers(cluster, cluster.nodes)
    return cluster.bootstrap


def wait_for_brokers(cluster: ClusterConfig, count: int, timeout_s: float | None = None) -> None:
    deadline = time.monotonic() + (timeout_s or cluster.base.start_timeout_s * 2)
    while time.monotonic() < deadline:
        if brokers_up(cluster) >= count:
            return
        for index in range(cluster.nodes):
            node = cluster.node(index)
            if node.pid_file.exists() and embedded.read_pid(node) is None:
                raise BrokerError(f"Kafka node {index} exited while starting; last log lines:\n"
                                  + embedded.log_tail(node))
        time.sleep(0.5)
    raise BrokerError(f"fewer than {count} Kafka nodes answer on {cluster.bootstrap}")


def kill_node(cluster: ClusterConfig, index: int) -> None:
    """SIGKILL one node: no clean shutdown, as when a machine dies."""
    node = cluster.node(index)
    pid = embedded.read_pid(node)
    if pid is not None:
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while embedded.read_pid(node) is not None and time.monotonic() < deadline:
            embedded._reap(pid)
            time.sleep(0.1)
    node.pid_file.unlink(missing_ok=True)


def stop(cluster: ClusterConfig) -> bool:
    stopped = [embedded.stop(cluster.node(i)) for i in range(cluster.nodes)]
    return any(stopped)


def controller_leader(cluster: ClusterConfig) -> int | None:
    """Index of the node leading the controller quorum, as the running nodes record it."""
    for index in range(cluster.nodes):
        node = cluster.node(index)
        state = node.root / "kraft-logs" / "__cluster_metadata-0" / "quorum-state"
        if embedded.read_pid(node) is None or not state.exists():
            continue
        try:
            leader = json.loads(state.read_text()).get("leaderId", -1)
        except (OSError, ValueError):
            continue
        if leader and leader > 0:
            return leader - 1
    return None
