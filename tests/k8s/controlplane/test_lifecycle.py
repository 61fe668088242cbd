"""`make deploy` again after a change to one service's sources rolls that Deployment only;
`helm rollback` restores it; `helm uninstall` leaves nothing of the release behind.

Runs on a copy of the repository (the change is made there), with the copy's Makefile.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO, wait_for
from tests.k8s.controlplane.fixtures import BIN, make_deploy, restricted_namespace

pytestmark = pytest.mark.controlplane

NAMESPACE = "streamml-lifecycle"
RELEASE = "lifecycle"
CHANGED = "predictor"


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's files (tracked and new, not ignored) in a fresh git work tree."""
    copy = tmp_path_factory.mktemp("repo")
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        source = REPO / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, not yet committed
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    return copy


def _templates(plane) -> dict[str, dict]:
    """Each Deployment's pod template and generation, by service."""
    listed = plane.kubectl("get", "deployments", "-n", NAMESPACE, "-o", "json",
                           "-l", f"app.kubernetes.io/instance={RELEASE}")
    items = json.loads(listed.stdout)["items"]
    return {d["metadata"]["labels"]["app.kubernetes.io/name"]:
            {"name": d["metadata"]["name"], "generation": d["metadata"]["generation"],
             "image": d["spec"]["template"]["spec"]["containers"][0]["image"],
             "template": d["spec"]["template"]} for d in items}


def _helm(plane, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "helm"), "--kube-context", plane.context, *args],
                            capture_output=True, text=True, env=plane.env(), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_upgrade_rolls_the_changed_service_only_and_rollback_restores_it(controlplane, repo_copy):
    restricted_namespace(controlplane, NAMESPACE)
    make_deploy(controlplane, NAMESPACE, RELEASE, repo=repo_copy)
    first = _templates(controlplane)

    handler = repo_copy / "services" / "streamml" / CHANGED / "handler.py"
    handler.write_text(handler.read_text() + "\n# a change to the predictor's sources\n")
    make_deploy(controlplane, NAMESPACE, RELEASE, repo=repo_copy)
    second = _templates(controlplane)
    assert second[CHANGED]["image"] != first[CHANGED]["image"]
    assert second[CHANGED]["generation"] == first[CHANGED]["generation"] + 1
    for service in set(first) - {CHANGED}:
        assert second[service] == first[service], f"{service} rolled without a change"
    controlplane.kubectl("rollout", "status", f"deployment/{second[CHANGED]['name']}",
                         "-n", NAMESPACE, "--timeout=300s", timeout=320)

    _helm(controlplane, "rollback", RELEASE, "1", "-n", NAMESPACE, "--wait", "--timeout", "5m")
    third = _templates(controlplane)
    assert third[CHANGED]["image"] == first[CHANGED]["image"]
    assert third[CHANGED]["template"] == first[CHANGED]["template"]
    for service in set(first) - {CHANGED}:
        assert third[service]["generation"] == first[service]["generation"]


def test_uninstall_leaves_nothing_of_the_release(controlplane):
    _helm(controlplane, "uninstall", RELEASE, "-n", NAMESPACE, "--wait", "--timeout", "5m")
    kinds = controlplane.kubectl("api-resources", "--verbs=list", "--namespaced", "-o",
                                 "name").stdout.split()
    # Events describe what happened; they are not the release's and expire on their own.
    kinds = [k for k in kinds if k not in ("events", "events.events.k8s.io")]

    def leftovers() -> list[str]:
        selector = f"app.kubernetes.io/instance={RELEASE}"
        found = controlplane.kubectl("get", ",".join(kinds), "-n", NAMESPACE, "-l", selector,
                                     "-o", "name").stdout.split()
        # Helm's own record of the release (Secrets named sh.helm.release.v1.<release>.v<N>).
        found += [name for name in controlplane.kubectl(
            "get", "secrets", "-n", NAMESPACE, "-o", "name").stdout.split()
            if f"sh.helm.release.v1.{RELEASE}." in name]
        return found

    # Pods and ReplicaSets go after their Deployments, through the garbage collector.
    assert wait_for(lambda: not leftovers(), timeout_s=180, every_s=2), leftovers()
