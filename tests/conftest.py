"""Shared fixtures. Tests marked ``broker`` run against one real Kafka broker per session.

The broker is started from the project's own embedded-broker code on its own port and data
directory (so a developer's `make demo` broker is left alone) and stopped at the end.
Set STREAMML_TEST_BOOTSTRAP to reuse a broker that already runs instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamml.broker import embedded
from streamml.demo.support import model_signing_settings
from streamml.runtime.topics import apply_catalog, load_catalog

from tests.helpers import REPO, SERVICE_LOG_DIR, ServiceProcess

# The local Kubernetes control plane (tests/k8s/controlplane): its session fixtures serve
# tests/k8s/controlplane and tests/e2e.
pytest_plugins = ["tests.k8s.controlplane.fixtures"]


@pytest.fixture(scope="session", autouse=True)
def model_signing_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One model-signing key pair per session, in the environment every service process
    started by a test inherits (trainers sign with it, predictors trust it)."""
    settings = model_signing_settings(tmp_path_factory.mktemp("keys"))
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    yield settings
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def broker_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[embedded.BrokerConfig | None]:
    """The test session's own broker, started once; None when STREAMML_TEST_BOOTSTRAP is set."""
    if os.environ.get("STREAMML_TEST_BOOTSTRAP"):
        yield None
        return
    port = int(os.environ.get("STREAMML_TEST_BROKER_PORT", "19092"))
    config = embedded.BrokerConfig(
        data_dir=str(tmp_path_factory.mktemp("broker")),
        cache_dir=os.environ.get("STREAMML_BROKER_CACHE_DIR", str(REPO / ".cache")),
        port=port,
        controller_port=port + 1,
    )
    embedded.start(config)
    try:
        yield config
    finally:
        embedded.stop(config)


@pytest.fixture(scope="session")
def broker(broker_config: embedded.BrokerConfig | None) -> str:
    """Bootstrap address of a running broker with every catalog topic applied."""
    bootstrap = broker_config.bootstrap if broker_config else os.environ["STREAMML_TEST_BOOTSTRAP"]
    apply_catalog(bootstrap, load_catalog(), max_replicas=1)
    return bootstrap


@pytest.fixture(scope="session", autouse=True)
def service_log_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Logs of the service processes tests start (tests.helpers.start_process) go under
    pytest's own temporary directory, which pytest prunes, not loose in /tmp."""
    directory = tmp_path_factory.mktemp("service-logs")
    saved = os.environ.get(SERVICE_LOG_DIR)
    os.environ[SERVICE_LOG_DIR] = str(directory)
    yield directory
    if saved is None:
        os.environ.pop(SERVICE_LOG_DIR, None)
    else:
        os.environ[SERVICE_LOG_DIR] = saved


@pytest.fixture
def unique() -> str:
    """A short id that keeps consumer groups and keys of one test apart from the others."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def stop_after_test() -> Iterator[list[ServiceProcess]]:
    """Service processes appended here are killed when the test ends, if still running."""
    started: list[ServiceProcess] = []
    yield started
    for service in started:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait()
