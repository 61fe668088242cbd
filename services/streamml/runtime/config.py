"""Typed, frozen service configuration read once at start-up.

Every field of a config dataclass maps to one environment variable (``STREAMML_`` plus the
upper-cased field name). CLI flags override the environment. A value that does not parse
stops the service with a message that names the variable.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

ENV_PREFIX = "STREAMML_"

ConfigT = TypeVar("ConfigT")


class ConfigError(ValueError):
    """A configuration value is missing or invalid; the message names the variable."""


def env_name(config_cls: type | object, field_name: str) -> str:
    """The variable for ``field_name``; a config class may set its own ``ENV_PREFIX``."""
    prefix = getattr(config_cls, "ENV_PREFIX", ENV_PREFIX)
    return prefix + field_name.upper()


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _parse(raw: Any, target: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    if typing.get_origin(target) in (typing.Union, types.UnionType):
        options = [t for t in typing.get_args(target) if t is not type(None)]
        if raw == "" and len(options) < len(typing.get_args(target)):
            return None
        target = options[0]
    if target is bool:
        return _parse_bool(raw)
    if target is int:
        return int(raw)
    if target is float:
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"expected a finite number, got {raw!r}")
        return value
    if target is str:
        return raw
    if typing.get_origin(target) is tuple:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    raise TypeError(f"unsupported config type {target!r}")


def load_config(
    cls: type[ConfigT],
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ConfigT:
    """Build ``cls`` from defaults, then the environment, then ``overrides`` (CLI flags).

    ``None`` values in ``overrides`` mean "flag not given". After construction the
    dataclass's ``validate()`` method, if any, checks cross-field rules.
    """
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not field.init:
            continue
        variable = env_name(cls, field.name)
        if overrides.get(field.name) is not None:
            raw, source = overrides[field.name], f"flag --{field.name.replace('_', '-')}"
        elif variable in environ:
            raw, source = environ[variable], variable
        else:
            continue
        try:
            values[field.name] = _parse(raw, hints[field.name])
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: {exc}") from None
    try:
        config = cls(**values)
    except TypeError as exc:
        raise ConfigError(str(exc)) from None
    validate = getattr(config, "validate", None)
    if callable(validate):
        validate()
    return config


def require(config: object, condition: bool, field_name: str, message: str) -> None:
    """Raise a ConfigError naming the field's environment variable when ``condition`` fails."""
    if not condition:
        raise ConfigError(f"{env_name(config, field_name)}: {message}")
