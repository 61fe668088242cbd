"""Print the tag of one service's image: a hash of exactly what goes into it.

The inputs are read from the Dockerfile itself: the Dockerfile, and every file its COPY
instructions bring in from the build context for that ROLE (minus what .dockerignore drops).
A change to the predictor's code changes the predictor's tag only, so a redeploy rolls only
the predictor's pods; a change to the shared runtime, contracts, CLI, pyproject.toml or
README.md changes every tag. Standard library only: `make deploy` runs it before any venv.

    python3 Dockerfiles/image_tag.py predictor      ->  dev-3f1c9a0b2d4e
"""

from __future__ import annotations

import hashlib
import re
import shlex
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "Dockerfiles" / "Dockerfile"
IGNORED_DIRECTORIES = {"__pycache__"}
IGNORED_SUFFIXES = {".pyc"}


def copy_sources(dockerfile: str, role: str) -> list[str]:
    """Build-context paths of every COPY (not COPY --from), with ${ROLE} filled in."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    sources: list[str] = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if not words or words[0].upper() != "COPY":
            continue
        arguments = [word for word in words[1:] if not word.startswith("--")]
        if any(word.startswith("--from") for word in words[1:]):
            continue
        sources += [re.sub(r"\$\{?ROLE\}?", role, source) for source in arguments[:-1]]
    return sources


def context_files(sources: list[str], root: Path = REPO) -> list[Path]:
    files: set[Path] = set()
    for source in sources:
        path = root / source
        if not path.exists():
            raise SystemExit(f"COPY source {source} does not exist (unknown role?)")
        candidates = path.rglob("*") if path.is_dir() else [path]
        for candidate in candidates:
            relative = candidate.relative_to(root)
            if candidate.is_file() and not IGNORED_DIRECTORIES & set(relative.parts) \
                    and candidate.suffix not in IGNORED_SUFFIXES:
                files.add(candidate)
    return sorted(files)


def image_tag(role: str, root: Path = REPO, dockerfile: Path = DOCKERFILE) -> str:
    text = dockerfile.read_text()
    digest = hashlib.sha256(text.encode())
    for path in context_files(copy_sources(text, role), root):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return f"dev-{digest.hexdigest()[:12]}"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: image_tag.py <service>", file=sys.stderr)
        return 2
    print(image_tag(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
