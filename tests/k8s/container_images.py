"""Test harness: build every service image with podman and check each container answers /healthz.

Nothing here belongs in the Dockerfiles: this machine's quirks stay in the harness.
- No registry can be pulled from, so the bases are debootstrap'ed Debian bookworms with
  python3 (the same Python minor as the pinned python:3.11-slim-bookworm), imported into
  podman: one to run (``--build-arg BASE_IMAGE``), one with gcc and the Python headers to
  build in (``--build-arg BUILD_IMAGE``, as the pinned python:3.11-bookworm has them). Their
  tarballs are cached in .cache/images/.
- podman needs runc, cgroupfs, chroot isolation, host networking and explicit ulimits here.
- PyPI is reached through a TLS proxy whose CA is the host's bundle: it is mounted into the
  build with a pip.conf pointing at it (pip reads /etc/pip.conf in every RUN).
- The model-signing key pair is mounted read-only as Kubernetes mounts its Secret; the files
  are made world-readable because podman has no fsGroup to give uid 10001 access.

Run it alone with ``make images-check`` (or ``python -m tests.k8s.container_images``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from streamml.demo.support import model_signing_settings

REPO = Path(__file__).resolve().parents[2]
ROLES = ("orchestrator", "sensors", "trainer", "predictor", "detector")
CACHE = REPO / ".cache" / "images"


@dataclass(frozen=True)
class Base:
    image: str
    tarball: Path
    packages: str  # debootstrap --include


RUN_BASE = Base("localhost/streamml-base:bookworm-python3", CACHE / "bookworm-python3.tar",
                "python3,python3-venv")
BUILD_BASE = Base("localhost/streamml-build-base:bookworm-python3",
                  CACHE / "bookworm-python3-build.tar",
                  "python3,python3-venv,python3-dev,gcc,libc6-dev")
IMAGE_TAG = "check"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"]
LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000", "--network", "host"]
DEBIAN_MIRROR = "http://deb.debian.org/debian"


class HarnessError(RuntimeError):
    pass


def available() -> str | None:
    """None when podman can be used here, else the reason it cannot."""
    for tool in ("podman", "runc", "debootstrap"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    probe = subprocess.run([*PODMAN, "info", "--format", "{{.Host.OCIRuntime.Name}}"],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return f"podman does not work here: {probe.stderr.strip()[-300:]}"
    return None


def _run(args: list[str], timeout: float = 1800, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        raise HarnessError(f"{' '.join(args[:6])} ... failed ({result.returncode}):\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


def _image_exists(name: str) -> bool:
    return subprocess.run([*PODMAN, "image", "exists", name]).returncode == 0


def ensure_base(base: Base) -> str:
    """Import a cached debootstrap base, making (and caching) it on first use."""
    if _image_exists(base.image):
        return base.image
    if not base.tarball.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as root:
            _run(["debootstrap", "--variant=minbase", f"--include={base.packages}",
                  "bookworm", root, DEBIAN_MIRROR])
            for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for path in Path(root, leftover).glob("*"):
                    if path.is_file():
                        path.unlink()
            partial = base.tarball.with_suffix(".partial")
            _run(["tar", "-C", root, "-cf", str(partial), "."])
            partial.rename(base.tarball)
    with base.tarball.open("rb") as tarball:
        _run([*PODMAN, "import", "-", base.image], stdin=tarball)
    return base.image


@dataclass(frozen=True)
class BaseImages:
    run: str
    build: str


def ensure_base_images() -> BaseImages:
    return BaseImages(run=ensure_base(RUN_BASE), build=ensure_base(BUILD_BASE))


def build(role: str, bases: BaseImages) -> str:
    image = f"localhost/streamml-{role}:{IMAGE_TAG}"
    with tempfile.TemporaryDirectory() as scratch:
        pip_conf = Path(scratch, "pip.conf")
        pip_conf.write_text("[global]\ncert = /host-ca.crt\n")
        _run([*PODMAN, "build", "--isolation", "chroot", *LIMITS,
              "-v", f"{HOST_CA}:/host-ca.crt:ro", "-v", f"{pip_conf}:/etc/pip.conf:ro",
              "--build-arg", f"BASE_IMAGE={bases.run}", "--build-arg", f"BUILD_IMAGE={bases.build}",
              "--build-arg", f"ROLE={role}",
              "-f", str(REPO / "Dockerfiles" / "Dockerfile"), "-t", image, str(REPO)])
    return image


@dataclass(frozen=True)
class ImageReport:
    role: str
    image: str
    size_bytes: int
    user: str
    entrypoint: list[str]
    service: str
    missing_modules: list[str]
    compiled_modules: list[str]  # the service's own modules loaded from extension modules
    exposed_ports: list[str]
    compilers: list[str]
    healthz_seconds: float
    readyz_status: int


# Imports the role's CLI and service modules, then prints every optional module that is absent.
PROBE_IMPORTS = """
import importlib, importlib.util, sys
role = sys.argv[1]
import streamml.cli
streamml.cli.build_parser(role)
for name in ("cli", "service", "handler", "publisher"):
    if importlib.util.find_spec(f"streamml.{role}.{name}"):
        importlib.import_module(f"streamml.{role}.{name}")
optional = ["sklearn", "skops", "scipy", "numpy", "streamml.broker", "streamml.demo",
            *(f"streamml.{other}" for other in ("orchestrator", "trainer", "predictor",
                                                "sensors", "detector") if other != role)]
print(*(name for name in optional if importlib.util.find_spec(name) is None))
from importlib.machinery import EXTENSION_SUFFIXES
import pkgutil
package = importlib.import_module(f"streamml.{role}")
print(*sorted(module.name for module in pkgutil.iter_modules(package.__path__)
              if str(importlib.util.find_spec(f"streamml.{role}.{module.name}").origin)
              .endswith(tuple(EXTENSION_SUFFIXES))))
"""


def _env(config: dict) -> dict[str, str]:
    return dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)


def _inspect(image: str) -> dict:
    return json.loads(_run([*PODMAN, "image", "inspect", image]).stdout)[0]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def check(role: str, image: str, bootstrap: str, http_port: int,
          timeout_s: float = 90) -> ImageReport:
    """Run the container as Kubernetes would (read-only root, /tmp writable) and probe it."""
    details = _inspect(image)
    config = details.get("Config", {})
    compilers = _run([*PODMAN, "run", "--rm", *LIMITS, "--entrypoint", "sh", image, "-c",
                      "for c in gcc cc g++ c++ clang make; do command -v $c || true; done"]
                     ).stdout.split()
    # The service's modules import (with the dependencies' test folders removed); report
    # which of the other services and the ML libraries the image does not carry.
    absent, compiled = (_run([*PODMAN, "run", "--rm", *LIMITS, "--read-only", "--entrypoint",
                              "python", image, "-c", PROBE_IMPORTS, role]).stdout + "\n"
                        ).split("\n")[:2]
    name = f"streamml-check-{role}"
    subprocess.run([*PODMAN, "rm", "--force", name], capture_output=True)
    keys = Path(tempfile.mkdtemp(prefix="streamml-check-keys-"))
    signing = {setting: f"/etc/streamml/keys/{Path(path).name}"
               for setting, path in model_signing_settings(keys).items()}
    for path in keys.iterdir():
        path.chmod(0o644)
    keys.chmod(0o755)
    _run([*PODMAN, "run", "--detach", "--name", name, *LIMITS, "--read-only",
          "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
          "-v", f"{keys}:/etc/streamml/keys:ro",
          *[arg for setting, path in signing.items() for arg in ("-e", f"{setting}={path}")],
          "-e", f"STREAMML_HTTP_PORT={http_port}", "-e", f"STREAMML_BOOTSTRAP_SERVERS={bootstrap}",
          image])
    started = time.monotonic()
    try:
        while _get(f"http://127.0.0.1:{http_port}/healthz") != 200:
            state = _run([*PODMAN, "inspect", "--format", "{{.State.Status}}", name]).stdout.strip()
            if state != "running" or time.monotonic() - started > timeout_s:
                logs = subprocess.run([*PODMAN, "logs", name], capture_output=True, text=True)
                raise HarnessError(f"{role}: /healthz never answered 200 (container {state}):\n"
                                   f"{logs.stdout[-2000:]}{logs.stderr[-2000:]}")
            time.sleep(0.5)
        healthz_seconds = time.monotonic() - started
        readyz = _get(f"http://127.0.0.1:{http_port}/readyz")
    finally:
        subprocess.run([*PODMAN, "rm", "--force", "--time", "10", name], capture_output=True)
        shutil.rmtree(keys, ignore_errors=True)
    return ImageReport(
        role=role, image=image, size_bytes=int(details["Size"]), user=config.get("User", ""),
        entrypoint=list(config.get("Entrypoint") or []),
        service=_env(config).get("STREAMML_SERVICE", ""), missing_modules=absent.split(),
        compiled_modules=compiled.split(),
        exposed_ports=sorted(config.get("ExposedPorts") or {}), compilers=compilers,
        healthz_seconds=round(healthz_seconds, 1), readyz_status=readyz)


def main() -> int:
    from tests.helpers import free_port

    reason = available()
    if reason:
        print(f"images-check skipped: {reason}")
        return 0
    bootstrap = sys.argv[1] if len(sys.argv) > 1 else f"127.0.0.1:{free_port()}"
    bases = ensure_base_images()
    for role in ROLES:
        started = time.monotonic()
        image = build(role, bases)
        report = check(role, image, bootstrap, free_port())
        print(f"{role:13s} {report.size_bytes / 1e6:7.1f} MB  user={report.user} "
              f"entrypoint={report.entrypoint} service={report.service} "
              f"without={','.join(report.missing_modules)} healthz after {report.healthz_seconds}s "
              f"readyz={report.readyz_status} (build+check {time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
