"""What both demos need: service subprocesses through the real CLI, and Kafka offsets."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError, UnknownTopicOrPartitionError
from kafka.structs import OffsetAndMetadata

from streamml.runtime.signing import generate

from streamml.runtime.clients import topic_partitions

Offsets = dict[TopicPartition, int]


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


def spawn_service(command: str, logs: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start `streamml <command>` (the container's entrypoint) with its output in ``logs``."""
    log_file = (logs / f"{command}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "streamml.cli", command], env=env,
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


def end_offsets(bootstrap_servers: str, topic: str) -> Offsets:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    try:
        try:
            partitions = topic_partitions(consumer, topic)
        except UnknownTopicOrPartitionError:
            raise RuntimeError(f"topic {topic} does not exist: run `streamml topics apply`") from None
        return dict(consumer.end_offsets(partitions))
    finally:
        consumer.close()


def start_group_at(bootstrap_servers: str, group: str, offsets: Offsets,
                   timeout_s: float = 60.0) -> None:
    """Commit ``offsets`` for a new consumer group, so that its first member starts exactly there.

    On a broker that just started, the group coordinator may not be up yet: retry.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=group,
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
