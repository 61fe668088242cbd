"""Builds streamml (the metadata is in pyproject.toml).

With ``STREAMML_COMPILE=1`` the detector's scoring modules are compiled with mypyc into C
extension modules, as the detector's image does (docs/runtime.md, "Compiled scoring"). The
build then needs mypy importable, a C compiler and the Python headers; the compiled modules
give the same verdicts as the sources (tests/detector/test_compiled.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

# The modules every reading passes through, compiled together: a compiled class cannot be
# subclassed by an interpreted one, so a module's base classes are compiled with it.
COMPILED_MODULES = ("stats", "reading", "thresholds", "drift", "drift_end", "inconsistent",
                    "sensor", "scoring")
DETECTOR = Path("services/streamml/detector")


def compiled_extensions() -> list:
    # An image of another service holds no detector sources: nothing to compile.
    if os.environ.get("STREAMML_COMPILE") != "1" or not DETECTOR.is_dir():
        return []
    from mypyc.build import mypycify

    extensions = mypycify(["--ignore-missing-imports",
                           *(str(DETECTOR / f"{name}.py") for name in COMPILED_MODULES)],
                          opt_level="3")
    for extension in extensions:
        # No fused multiply-add: it rounds differently (CPUs with FMA, e.g. arm64), and the
        # verdicts must be the interpreter's to the last bit.
        extension.extra_compile_args.append("-ffp-contract=off")
    return extensions


setup(ext_modules=compiled_extensions())
