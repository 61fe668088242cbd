"""CLI flags derived from a config dataclass: every field gets ``--field-name``.

Flags override the environment; both feed the same typed, frozen config object.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from typing import Any, TypeVar

from streamml.runtime.config import env_name, load_config

ConfigT = TypeVar("ConfigT")


def add_config_flags(parser: argparse.ArgumentParser, config_cls: type) -> None:
    for field in dataclasses.fields(config_cls):
        if not field.init:
            continue
        parser.add_argument(
            "--" + field.name.replace("_", "-"),
            dest=f"config__{field.name}",
            default=None,
            metavar="VALUE",
            help=f"env {env_name(config_cls, field.name)} (default: {field.default!r})",
        )


def config_from_args(config_cls: type[ConfigT], args: argparse.Namespace) -> ConfigT:
    overrides: dict[str, Any] = {
        key.removeprefix("config__"): value
        for key, value in vars(args).items()
        if key.startswith("config__")
    }
    return load_config(config_cls, os.environ, overrides)
