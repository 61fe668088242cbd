"""Build every image with podman (this machine's container engine) and run each container
the way the chart does (read-only root, writable /tmp, no capabilities): it must answer
/healthz. Slow on first use (a debootstrap base, cached in .cache/images); skipped where
podman, runc or debootstrap are missing."""

from __future__ import annotations

import pytest

from tests.helpers import free_port
from tests.k8s import container_images as images
from tests.prerequisites import missing

pytestmark = [pytest.mark.containers, pytest.mark.broker]


@pytest.fixture(scope="module")
def base_images() -> images.BaseImages:
    reason = images.available()
    if reason:
        missing(f"no container engine: {reason} (make container-tools, as root)")
    return images.ensure_base_images()


@pytest.mark.parametrize("role", images.ROLES)
def test_image_builds_and_answers_healthz(base_images, broker, role):
    image = images.build(role, base_images)
    report = images.check(role, image, broker, free_port())
    print(f"\n{role}: {report.size_bytes / 1e6:.0f} MB, /healthz after {report.healthz_seconds}s, "
          f"/readyz {report.readyz_status}")
    print(f"  not in the image: {' '.join(report.missing_modules)}")
    assert report.user == "10001:10001"
    assert report.entrypoint == ["streamml"] and report.service == role
    others = {f"streamml.{other}" for other in images.ROLES if other != role}
    assert others | {"streamml.broker", "streamml.demo"} <= set(report.missing_modules), \
        "an image holds only its own service"
    if role in ("sensors", "orchestrator"):
        assert {"sklearn", "skops", "scipy"} <= set(report.missing_modules)
    if role == "sensors":
        assert "numpy" in report.missing_modules
    assert report.exposed_ports == ["8080/tcp"]
    assert report.compilers == [], "no compiler in the final image"
    # The detector runs its scoring compiled (setup.py); every other service is plain Python.
    if role == "detector":
        assert {"scoring", "sensor", "stats"} <= set(report.compiled_modules), report
    else:
        assert report.compiled_modules == []
    assert report.size_bytes < 600e6
