"""The detector's scoring compiled as its image compiles it (``setup.py``, ``STREAMML_COMPILE=1``),
so the bench measures what the image runs and a test can compare it with the sources.

The build goes into a folder of its own, ``.cache/compiled/tree-<hash of the sources>``: a
complete install of streamml (``pip install --target``) whose detector modules are extension
modules. An edited source gets a new folder, so a stale build is never run, and no extension
module is ever put next to the sources, where it would shadow an edited ``.py``. Put the folder
first on ``PYTHONPATH`` to run the compiled detector.

``python -m bench.compiled`` builds it and prints the folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "compiled"
# The build tools (mypy with mypyc, setuptools), pinned as the images' build stage pins them.
TOOL_REQUIREMENTS = REPO / "Dockerfiles" / "build-requirements.txt"
# What the build reads: the project's metadata, the build script and every source file.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md")
SOURCES = REPO / "services" / "streamml"
# Builds of earlier sources kept (each about 4 MB): one per edit would pile up.
KEPT_TREES = 8


class BuildError(RuntimeError):
    pass


def unavailable() -> str | None:
    """None when this machine can compile the detector, else why not."""
    if shutil.which(os.environ.get("CC", "cc")) is None:
        return "no C compiler (cc) on PATH to compile the detector's scoring"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.exists():
        return f"no Python headers ({headers}) to compile the detector's scoring"
    return None


def _source_files() -> list[Path]:
    files = [REPO / name for name in BUILD_INPUTS]
    files += sorted(path for path in SOURCES.rglob("*")
                    if path.is_file() and "__pycache__" not in path.parts)
    return files + [TOOL_REQUIREMENTS]


def sources_digest() -> str:
    digest = hashlib.sha256()
    for path in _source_files():
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _run(args: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0:
        raise BuildError(f"{' '.join(args[:6])} ... failed ({result.returncode}):\n"
                         f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}")


def _publish(built: Path, target: Path) -> None:
    """Move a finished build into place; a build finished meanwhile by another process wins."""
    try:
        built.rename(target)
    except OSError:
        if not target.is_dir():
            raise


def tools() -> Path:
    """The pinned build tools (mypy with mypyc, setuptools), installed once into the cache."""
    digest = hashlib.sha256(TOOL_REQUIREMENTS.read_bytes()).hexdigest()[:16]
    target = CACHE / f"tools-{digest}"
    if target.is_dir():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        built = Path(scratch) / "tools"
        _run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--only-binary=:all:", "--target", str(built), "-r", str(TOOL_REQUIREMENTS)])
        _publish(built, target)
    return target


def compiled_tree() -> Path:
    """The folder holding streamml with the detector's scoring compiled, built if missing."""
    reason = unavailable()
    if reason:
        raise BuildError(reason)
    target = CACHE / f"tree-{sources_digest()}"
    if target.is_dir():
        return target
    build_tools = tools()
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        # Built from a copy: the compiler's build/ folder stays out of the working tree.
        source = Path(scratch) / "src"
        for name in BUILD_INPUTS:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
        shutil.copytree(SOURCES, source / "services" / "streamml",
                        ignore=shutil.ignore_patterns("__pycache__"))
        built = Path(scratch) / "tree"
        env = {**os.environ, "STREAMML_COMPILE": "1", "PYTHONPATH": str(build_tools)}
        _run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--no-deps", "--no-build-isolation", "--target", str(built), str(source)], env)
        _publish(built, target)
    _prune_trees()
    return target


def _prune_trees() -> None:
    trees = sorted(CACHE.glob("tree-*"), key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in trees[KEPT_TREES:]:
        shutil.rmtree(stale, ignore_errors=True)


def main() -> None:
    try:
        print(compiled_tree())
    except BuildError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
