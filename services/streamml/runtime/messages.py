"""Versioned JSON message schemas and strict decoding with a reason for every failure.

Schemas are pydantic models: parsing and validation run in pydantic-core, so bad bytes,
wrong types, NaN/inf and out-of-range values are all caught in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError


class Message(BaseModel):
    """Base of every message on a streamml topic. Unknown fields are ignored (additive
    changes stay compatible); a breaking change bumps ``schema_version``."""

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False, strict=True)

    schema_version: Literal[1] = 1

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()


MessageT = TypeVar("MessageT", bound=Message)

# Bounded set of reasons: they label the dead-letter metric.
INVALID_UTF8 = "invalid_utf8"
MALFORMED_JSON = "malformed_json"
SCHEMA_VIOLATION = "schema_violation"
NOT_FINITE = "not_finite"
OUT_OF_RANGE = "out_of_range"
UNSUPPORTED_VERSION = "unsupported_version"

_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


@dataclass(frozen=True)
class DecodeError(Exception):
    reason: str
    detail: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


def _classify(raw: bytes, error: ValidationError) -> DecodeError:
    first = error.errors(include_url=False)[0]
    kind = first["type"]
    if kind == "json_invalid":
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return DecodeError(INVALID_UTF8, f"not UTF-8 at byte {exc.start}")
        return DecodeError(MALFORMED_JSON, first["msg"])
    details = "; ".join(
        f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}"
        for e in error.errors(include_url=False)
    )
    if kind == "literal_error" and first["loc"] == ("schema_version",):
        return DecodeError(UNSUPPORTED_VERSION, details)
    if kind == "finite_number":
        return DecodeError(NOT_FINITE, details)
    if kind in _RANGE_ERRORS:
        return DecodeError(OUT_OF_RANGE, details)
    return DecodeError(SCHEMA_VIOLATION, details)


def decode(schema: type[MessageT], raw: bytes | None) -> MessageT:
    """Parse and validate ``raw``; raise DecodeError with a metric-safe reason otherwise."""
    if raw is None:
        raise DecodeError(SCHEMA_VIOLATION, "empty message (null value)")
    try:
        # What model_validate_json() calls, without its keyword handling: once per record.
        return schema.__pydantic_validator__.validate_json(raw)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise _classify(raw, exc) from None
