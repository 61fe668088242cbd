"""Offline checks of the Kubernetes deliverables: the tools `make test` installs, and renders.

helm and kubectl-validate are built by the Makefile into .cache/bin (`make kube-tools`, with
Go); the schemas come from ../shared/k8s-schemas beside the repository (CI lays shared/ there).
Without them these checks are skipped with the reason, except in CI (tests/prerequisites.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.prerequisites import missing

CHART = REPO / "helm" / "streamml"
KUBE_VERSION = "1.35.0"
SCHEMAS = Path(os.environ.get("STREAMML_K8S_SCHEMAS", REPO / ".." / "shared" / "k8s-schemas"))


def _tool(name: str) -> str:
    cached = REPO / ".cache" / "bin" / name
    if cached.exists():
        return str(cached)
    found = shutil.which(name)
    if found is None:
        missing(f"{name} is not installed: `make kube-tools` builds it into .cache/bin with Go")
    return found


@pytest.fixture(scope="session")
def helm() -> str:
    return _tool("helm")


@pytest.fixture(scope="session")
def kubectl_validate() -> str:
    return _tool("kubectl-validate")


@pytest.fixture(scope="session")
def schemas() -> Path:
    kubernetes = SCHEMAS / "kubernetes" / "openapi-v3" / "v1.35"
    if not (kubernetes / "apis" / "apps" / "v1.json").exists():
        missing(f"no Kubernetes schemas at {SCHEMAS.resolve()} "
                "(../shared/k8s-schemas or STREAMML_K8S_SCHEMAS)")
    return SCHEMAS


Render = Callable[..., list[dict]]


def helm_set_args(values: dict[str, object]) -> list[str]:
    """``--set-json key=<json>`` per value: keys are dotted paths, values keep their types."""
    args: list[str] = []
    for key, value in values.items():
        args += ["--set-json", f"{key}={json.dumps(value)}"]
    return args


# The CRD-backed APIs of a cluster `make deploy` sets up (Strimzi, kube-prometheus-stack): a
# render for such a cluster passes them, as helm would discover them from the API server.
CLUSTER_APIS = (
    "kafka.strimzi.io/v1/Kafka", "kafka.strimzi.io/v1/KafkaNodePool",
    "kafka.strimzi.io/v1/KafkaTopic", "kafka.strimzi.io/v1/KafkaUser",
    "monitoring.coreos.com/v1/PodMonitor", "monitoring.coreos.com/v1/PrometheusRule",
)
# KEDA's APIs, for the opt-in autoscaling (not installed by `make deploy`).
KEDA_APIS = ("keda.sh/v1alpha1/ScaledObject", "keda.sh/v1alpha1/TriggerAuthentication")
PRODUCTION_VALUES = CHART / "values-production.yaml"


def run_helm_template(helm: str, values: dict[str, object], release: str = "streamml",
                      namespace: str = "streamml", apis: tuple[str, ...] = CLUSTER_APIS,
                      values_files: tuple[Path, ...] = ()) -> subprocess.CompletedProcess:
    api_args = [arg for api in apis for arg in ("--api-versions", api)]
    file_args = [arg for path in values_files for arg in ("-f", str(path))]
    return subprocess.run(
        [helm, "template", release, str(CHART), "--namespace", namespace,
         "--kube-version", KUBE_VERSION, *api_args, *file_args, *helm_set_args(values)],
        capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def render(helm: str) -> Render:
    """Render the chart with ``--set`` overrides for a cluster serving ``apis``; returns the
    rendered objects."""
    cache: dict[str, list[dict]] = {}

    def _render(release: str = "streamml", apis: tuple[str, ...] = CLUSTER_APIS,
                values_files: tuple[Path, ...] = (), **values: object) -> list[dict]:
        key = repr((release, apis, values_files, sorted(values.items())))
        if key not in cache:
            result = run_helm_template(helm, values, release, apis=apis,
                                       values_files=values_files)
            assert result.returncode == 0, result.stderr
            cache[key] = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
        return cache[key]

    return _render


def of_kind(objects: list[dict], kind: str) -> list[dict]:
    return [obj for obj in objects if obj["kind"] == kind]
