"""What both demos need: service subprocesses through the real CLI, and Kafka offsets.

The demo's own readers and admin calls connect with one ``KafkaConnection`` (on a secure
broker: the admin's); each service it starts connects as its own user (``DemoKafka``).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError, UnknownTopicOrPartitionError
from kafka.structs import OffsetAndMetadata

from streamml.broker import security
from streamml.runtime.clients import connection_settings, topic_partitions
from streamml.runtime.config import env_name
from streamml.runtime.settings import KafkaConnection
from streamml.runtime.signing import generate

Offsets = dict[TopicPartition, int]
# The connection settings a service would otherwise inherit from the demo's environment.
CONNECTION_VARIABLES = tuple(env_name(KafkaConnection, f.name) for f in fields(KafkaConnection))


@dataclass(frozen=True)
class DemoKafka:
    """How the demo and the services it starts reach Kafka.

    ``connection``: the demo's own readers and admin calls. ``users``: on a broker that
    authenticates clients, the folder of its ``credentials.json`` (the secure embedded
    broker's data directory), from which every service gets its own user, never the demo's.
    """

    connection: KafkaConnection
    users: Path | None = None

    def service_environment(self, service: str) -> dict[str, str]:
        """The STREAMML_* connection settings of ``service``, running as its own user."""
        environment = {"STREAMML_BOOTSTRAP_SERVERS": self.connection.bootstrap_servers,
                       "STREAMML_SECURITY_PROTOCOL": self.connection.security_protocol}
        if self.connection.ssl_cafile:
            environment["STREAMML_SSL_CAFILE"] = self.connection.ssl_cafile
        if not self.connection.authenticates:
            return environment
        if self.users is None:
            raise security.CredentialsError(
                "the broker authenticates clients, but the demo has no service credentials: "
                "name the secure broker's data directory (STREAMML_BROKER_DATA_DIR)")
        return {**environment, **security.service_environment(self.users, service),
                "STREAMML_SECURITY_PROTOCOL": self.connection.security_protocol}

    def check(self, services: Iterable[str]) -> None:
        """Raise CredentialsError now, not when a service starts, if one has no user."""
        for service in services:
            self.service_environment(service)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def model_signing_settings(directory: Path) -> dict[str, str]:
    """A fresh model-signing key pair in ``directory``, as the trainer's and predictors'
    settings (the trainer signs with the private key, predictors trust the public one)."""
    private_key, public_key, _ = generate(directory, "model-signing")
    return {"STREAMML_MODEL_SIGNING_KEY": str(private_key),
            "STREAMML_MODEL_TRUSTED_KEYS": str(public_key)}


def spawn_service(command: str, logs: Path, kafka: DemoKafka,
                  env: dict[str, str]) -> subprocess.Popen:
    """Start `streamml <command>` (the container's entrypoint) with its output in ``logs``,
    connected to Kafka as its own user: ``env``'s connection settings are replaced."""
    settings = {name: value for name, value in env.items() if name not in CONNECTION_VARIABLES}
    settings.update(kafka.service_environment(command))
    log_file = (logs / f"{command}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "streamml.cli", command], env=settings,
                            stdout=log_file, stderr=subprocess.STDOUT)


def stop_service(process: subprocess.Popen, timeout_s: float = 25.0) -> int:
    """SIGTERM, as Kubernetes does; SIGKILL only if it does not drain in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def end_offsets(connection: KafkaConnection, topic: str) -> Offsets:
    consumer = KafkaConsumer(**connection_settings(connection), enable_auto_commit=False)
    try:
        try:
            partitions = topic_partitions(consumer, topic)
        except UnknownTopicOrPartitionError:
            raise RuntimeError(f"topic {topic} does not exist: run `streamml topics apply`") from None
        return dict(consumer.end_offsets(partitions))
    finally:
        consumer.close()


def start_group_at(connection: KafkaConnection, group: str, offsets: Offsets,
                   timeout_s: float = 60.0) -> None:
    """Commit ``offsets`` for a new consumer group, so that its first member starts exactly there.

    On a broker that just started, the group coordinator may not be up yet: retry.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        consumer = KafkaConsumer(**connection_settings(connection), group_id=group,
                                 enable_auto_commit=False)
        try:
            consumer.assign(list(offsets))
            consumer.commit({tp: OffsetAndMetadata(offset, "", -1)
                             for tp, offset in offsets.items()})
            return
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)
        finally:
            consumer.close(autocommit=False)
