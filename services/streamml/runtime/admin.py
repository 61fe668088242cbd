"""A short-lived Kafka admin client for provisioning and status commands."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from kafka import KafkaAdminClient


@contextmanager
def admin_client(bootstrap_servers: str, timeout_ms: int = 15000,
                 security: Mapping[str, object] | None = None) -> Iterator[KafkaAdminClient]:
    """``security``: kafka-python's security settings (see clients.connection_settings)."""
    admin = KafkaAdminClient(
        client_id="streamml-admin",
        request_timeout_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
        **{"bootstrap_servers": bootstrap_servers, **(security or {})},
    )
    try:
        yield admin
    finally:
        admin.close()
