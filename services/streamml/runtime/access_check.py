"""Start-up check that the broker accepts this service: its credentials and its topics.

Without it, a service with wrong credentials only sees connections dropped during the SASL
handshake (kafka-python reports "socket disconnected"), and one with another service's
credentials waits forever for topics it may not see. Here both stop the service with one
clear error instead; a broker that does not answer yet is waited for, as before.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading

from kafka.errors import KafkaError

from streamml.runtime.admin import admin_client
from streamml.runtime.clients import connection_settings
from streamml.runtime.settings import RuntimeConfig

log = logging.getLogger(__name__)
TOPIC_AUTHORIZATION_FAILED = 29


class AccessRefused(RuntimeError):
    """The broker refuses this service's credentials or topics; the message says which."""


def service_topics(config: RuntimeConfig) -> list[str]:
    """Every topic a service is configured with: its config fields named ``*_topic``."""
    names = {getattr(config, field.name) for field in dataclasses.fields(config)
             if field.name.endswith("_topic")}
    return sorted(name for name in names if name)


def _answers(bootstrap_servers: str) -> bool:
    """True when the first bootstrap server accepts a TCP connection."""
    host, _, port = bootstrap_servers.split(",")[0].strip().rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=2):
            return True
    except (OSError, ValueError):
        return False


def _credentials_hint(config: RuntimeConfig) -> str:
    if config.security_protocol.startswith("SASL_"):
        return (f"the broker closed the connection while authenticating user "
                f"{config.sasl_username!r} ({config.security_protocol}, {config.sasl_mechanism}): "
                "check STREAMML_SASL_USERNAME and STREAMML_SASL_PASSWORD")
    return (f"the broker closed every {config.security_protocol} connection: it probably "
            "requires authentication (STREAMML_SECURITY_PROTOCOL, STREAMML_SASL_USERNAME, "
            "STREAMML_SASL_PASSWORD)")


def check_access(config: RuntimeConfig, stop: threading.Event, refused_after: int = 4,
                 max_backoff_s: float = 10.0) -> bool:
    """Return True once the broker accepts the service's credentials and shows it every one of
    its topics; False if ``stop`` is set first. Raise AccessRefused when the broker answers but
    refuses the credentials ``refused_after`` times in a row, or denies a topic."""
    topics = service_topics(config)
    security = connection_settings(config)
    refusals, delay = 0, 0.5
    while not stop.is_set():
        try:
            with admin_client(config.bootstrap_servers, timeout_ms=5000, security=security) as admin:
                described = admin.describe_topics(topics)
        except KafkaError as exc:
            refusals = refusals + 1 if _answers(config.bootstrap_servers) else 0
            if refusals >= refused_after:
                raise AccessRefused(_credentials_hint(config)) from None
            log.warning("kafka not ready yet, retrying", extra={
                "client": "access-check", "error": repr(exc), "retry_in_s": delay})
            stop.wait(delay)
            delay = min(delay * 2, max_backoff_s)
            continue
        denied = sorted(entry["name"] for entry in described
                        if entry.get("error_code") == TOPIC_AUTHORIZATION_FAILED)
        if denied:
            who = f"user {config.sasl_username!r}" if config.sasl_username else "this client"
            raise AccessRefused(f"the broker denies {who} access to {', '.join(denied)}: "
                                "is this the service's own user (STREAMML_SASL_USERNAME)?")
        return True
    return False
