"""Every rendered object validates against Kubernetes 1.35 and the Strimzi and
prometheus-operator CRDs (kubectl-validate, offline, unknown fields rejected)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.k8s.test_chart import VARIANTS, render_variant

pytestmark = pytest.mark.kube


def validate(kubectl_validate: str, schemas: Path, manifest: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [kubectl_validate, str(manifest),
         "--local-schemas", str(schemas / "kubernetes" / "openapi-v3" / "v1.35"),
         "--local-crds", str(schemas / "strimzi" / "crds"),
         "--local-crds", str(schemas / "prometheus-operator" / "crds"),
         "--local-crds", str(schemas / "keda" / "crds")],
        capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_rendered_objects_validate(render, kubectl_validate, schemas, tmp_path, variant):
    objects = render_variant(render, variant)
    manifest = tmp_path / f"{variant}.yaml"
    manifest.write_text(yaml.safe_dump_all(objects))
    result = validate(kubectl_validate, schemas, manifest)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout


def test_validation_is_strict(render, kubectl_validate, schemas, tmp_path):
    """The validator would catch a typo: an unknown field in each kind of object fails."""
    objects = render_variant(render, "network-policies") + render_variant(render, "autoscaling")
    seen: set[str] = set()
    for obj in objects:
        if obj["kind"] in seen:
            continue
        seen.add(obj["kind"])
        broken = dict(obj, spec=dict(obj.get("spec") or {}, streammlTypo=1))
        manifest = tmp_path / f"broken-{obj['kind']}.yaml"
        manifest.write_text(yaml.safe_dump(broken))
        result = validate(kubectl_validate, schemas, manifest)
        assert result.returncode != 0, f"{obj['kind']}: unknown field accepted"
        assert "unknown field" in result.stdout + result.stderr, obj["kind"]
