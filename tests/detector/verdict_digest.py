"""Score readings from a file and print a digest of every verdict, with which detector modules
are extension modules: run by test_compiled.py under the compiled build and the sources.

    python -m tests.detector.verdict_digest FEED.jsonl
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
import sys
from importlib.machinery import EXTENSION_SUFFIXES

import streamml.detector
from streamml.detector.scoring import SensorScorer
from streamml.detector.service import scoring_build
from streamml.detector.thresholds import Thresholds


def extension_modules() -> list[str]:
    """The detector's modules that this interpreter loads from extension modules."""
    names = [module.name for module in pkgutil.iter_modules(streamml.detector.__path__)]
    return sorted(name for name in names
                  if str(importlib.import_module(f"streamml.detector.{name}").__file__)
                  .endswith(tuple(EXTENSION_SUFFIXES)))


def digests(lines: list[str]) -> dict[str, str]:
    """One digest per feed: every verdict's fields, flags with their scores to the last bit."""
    by_feed: dict[str, hashlib._Hash] = {}
    scorers: dict[str, SensorScorer] = {}
    for line in lines:
        feed, sensor_id, seq, ts_ms, values = json.loads(line)
        scorer = scorers.setdefault(feed, SensorScorer(Thresholds(), lambda: 0))
        verdict = scorer.score(sensor_id, seq, ts_ms, tuple(values))
        by_feed.setdefault(feed, hashlib.sha256()).update(repr(tuple(verdict)).encode())
    return {feed: digest.hexdigest() for feed, digest in by_feed.items()}


if __name__ == "__main__":
    with open(sys.argv[1]) as feed_file:
        print(json.dumps({"extension_modules": extension_modules(), "build": scoring_build(),
                          "digests": digests(feed_file.read().splitlines())}))
