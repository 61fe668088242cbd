"""pytest fixtures of the local control plane (registered in tests/conftest.py).

One control plane per test session, with the nodes of k8s/kind-cluster.yaml and the operators'
CRDs; tests that need a different cluster shape start their own with :func:`start_controlplane`.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.prerequisites import missing
from tests.k8s.controlplane.harness import BIN, ControlPlane, missing_binaries
from tests.k8s.controlplane.nodes import NodeShape, kind_nodes

KIND_CONFIG = REPO / "k8s" / "kind-cluster.yaml"
SCHEMAS = Path(os.environ.get("STREAMML_K8S_SCHEMAS", REPO / ".." / "shared" / "k8s-schemas"))
CRD_DIRECTORIES = ("strimzi/crds", "prometheus-operator/crds", "keda/crds")


@contextlib.contextmanager
def start_controlplane(work_dir: Path, nodes: tuple[NodeShape, ...]) -> Iterator[ControlPlane]:
    not_built = missing_binaries()
    if not_built:
        missing(f"local control plane not built ({', '.join(not_built)}): make controlplane")
    crds = [SCHEMAS / directory for directory in CRD_DIRECTORIES]
    absent = [str(path) for path in crds if not path.is_dir()]
    if absent:
        missing(f"operator CRDs not found ({', '.join(absent)}; ../shared/k8s-schemas)")
    plane = ControlPlane(work_dir)
    plane.start()
    try:
        plane.add_nodes(nodes)
        plane.apply_crds(crds)
        yield plane
    finally:
        plane.stop()


@pytest.fixture(scope="session")
def controlplane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """A running control plane shaped like the kind cluster of `make deploy`."""
    with start_controlplane(tmp_path_factory.mktemp("controlplane"),
                            kind_nodes(KIND_CONFIG)) as plane:
        yield plane


RESTRICTED = {f"pod-security.kubernetes.io/{mode}": "restricted"
              for mode in ("enforce", "audit", "warn")}


@dataclass(frozen=True)
class Deployed:
    """A release installed by `make deploy RELEASE_ONLY=1`, and what make printed."""

    plane: ControlPlane
    namespace: str
    release: str
    output: str


def restricted_namespace(plane: ControlPlane, name: str) -> None:
    """A namespace enforcing (and warning and auditing) Pod Security `restricted`."""
    plane.namespace(name, RESTRICTED)


def make(plane: ControlPlane, *args: str, repo: Path = REPO,
         timeout: float = 900.0) -> subprocess.CompletedProcess:
    """`make <args>` in ``repo`` against the control plane (kubeconfig context kind-streamml)."""
    # The repository's own venv (make status, the model-signing keys) also serves a copy.
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(repo), f"HELM={BIN / 'helm'}",
         f"VENV={REPO / '.venv'}", *args],
        capture_output=True, text=True, env=plane.env(), timeout=timeout)


def make_deploy(plane: ControlPlane, namespace: str, release: str = "streamml",
                repo: Path = REPO, helm_args: str = "") -> Deployed:
    result = make(plane, "deploy", "RELEASE_ONLY=1", f"NAMESPACE={namespace}",
                  f"RELEASE={release}", f"HELM_ARGS={helm_args}", repo=repo)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return Deployed(plane, namespace, release, output)


@pytest.fixture(scope="session")
def deployed(controlplane: ControlPlane) -> Deployed:
    """The chart as `make deploy` installs it, in a namespace enforcing Pod Security restricted."""
    restricted_namespace(controlplane, "streamml")
    return make_deploy(controlplane, "streamml")
