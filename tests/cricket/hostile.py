"""Hostile payloads for the artifact tests (importable, so pickle can find them)."""

from __future__ import annotations

import pathlib


class CreatesFileWhenUnpickled:
    """Unpickling this runs ``Path(marker).touch()``: a visible side effect."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


class CustomType:
    """A type skops does not trust."""

    value = 1
