"""One secure broker (SASL/SCRAM-SHA-512, ACLs from access.yaml) for the security tests,
started once per session on its own port: STREAMML_TEST_BROKER_PORT + 10 (controller + 11),
with a second, TLS listener (SASL_SSL) on + 12."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from streamml.broker import embedded, security, tls
from streamml.runtime.access import AccessPolicy, load_access
from streamml.runtime.topics import apply_catalog, load_catalog
from tests.helpers import REPO, ServiceProcess


@dataclass(frozen=True)
class SecureBroker:
    config: embedded.BrokerConfig
    policy: AccessPolicy

    @property
    def bootstrap(self) -> str:
        return self.config.bootstrap

    def client(self, user: str) -> dict[str, object]:
        """kafka-python settings authenticating as ``user``."""
        return {"bootstrap_servers": self.bootstrap,
                **security.client_settings(self.config.root, user)}

    def env(self, user: str) -> dict[str, str]:
        return {"STREAMML_BOOTSTRAP_SERVERS": self.bootstrap,
                **security.service_environment(self.config.root, user)}

    @property
    def tls_bootstrap(self) -> str:
        return f"{self.config.host}:{self.config.tls_port}"

    def tls_env(self, user: str) -> dict[str, str]:
        """The STREAMML_* settings of ``user`` on the TLS listener: SASL_SSL, the broker's CA."""
        return {**self.env(user), "STREAMML_BOOTSTRAP_SERVERS": self.tls_bootstrap,
                "STREAMML_SECURITY_PROTOCOL": security.TLS_PROTOCOL,
                "STREAMML_SSL_CAFILE": str(tls.tls_files(self.config.root).ca_file)}

    def passwords(self) -> list[str]:
        return list(security.read_credentials(self.config.root).values())


@pytest.fixture(scope="session")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    port = int(os.environ.get("STREAMML_TEST_BROKER_PORT", "19092")) + 10
    config = embedded.BrokerConfig(
        data_dir=str(tmp_path_factory.mktemp("secure-broker")),
        cache_dir=os.environ.get("STREAMML_BROKER_CACHE_DIR", str(REPO / ".cache")),
        port=port, controller_port=port + 1, tls_port=port + 2, secure=True)
    embedded.start(config)
    try:
        broker = SecureBroker(config, load_access())
        apply_catalog(broker.bootstrap, load_catalog(), max_replicas=1,
                      security=embedded.admin_settings(config))
        yield broker
    finally:
        embedded.stop(config)


@dataclass
class LoggedService(ServiceProcess):
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_service(command: str, env: dict[str, str], log_dir: Path) -> LoggedService:
    """`streamml <command>` with ``env`` over the session's, its output in a file."""
    log_path = log_dir / f"{command}-{uuid.uuid4().hex[:8]}.log"
    with log_path.open("wb") as output:
        # Port 0: the OS picks a free one; ServiceProcess reads it back from the log.
        process = subprocess.Popen(
            [sys.executable, "-m", "streamml.cli", command], cwd=REPO,
            env={**os.environ, "STREAMML_LOG_LEVEL": "INFO", **env,
                 "STREAMML_HTTP_PORT": "0"},
            stdout=output, stderr=subprocess.STDOUT)
    return LoggedService(process, log_path)
