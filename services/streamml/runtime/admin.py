"""A short-lived Kafka admin client for provisioning and status commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kafka import KafkaAdminClient


@contextmanager
def admin_client(bootstrap_servers: str, timeout_ms: int = 15000) -> Iterator[KafkaAdminClient]:
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        client_id="streamml-admin",
        request_timeout_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
    )
    try:
        yield admin
    finally:
        admin.close()
