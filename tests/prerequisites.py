"""What a check needs beyond the repository: tools that need root or Go to install, and data
from ../shared. On a developer's fresh clone a missing one skips the check with a one-line
reason; in CI (`CI` or `STREAMML_REQUIRE_ALL` set) it fails, so CI never skips silently."""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL_VARIABLES = ("STREAMML_REQUIRE_ALL", "CI")


def everything_required() -> bool:
    return any(os.environ.get(name, "").lower() not in ("", "0", "false", "no")
               for name in REQUIRE_ALL_VARIABLES)


def missing(reason: str) -> None:
    """Skip (fresh clone) or fail (CI) the current test because ``reason``; never returns."""
    if everything_required():
        pytest.fail(f"{reason} (required: CI or STREAMML_REQUIRE_ALL is set)", pytrace=False)
    pytest.skip(reason)
