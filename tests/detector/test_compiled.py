"""The detector's image runs its scoring compiled with mypyc (setup.py): the compiled modules
must give the verdicts the sources give, to the last bit, on streams of several climates."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.compiled import REPO, BuildError, compiled_tree, unavailable
from streamml.detector.service import scoring_build
from streamml.evaluate.sources import SimulatedRun, simulated
from tests.detector.verdict_digest import digests
from tests.prerequisites import missing

# Families of different climates and sensor classes, at a higher fault rate than the
# evaluation's so that every check's paths run.
FEEDS = (SimulatedRun(seed=7, params="tuning-wide", faulty=8, control=4, fault_rate=0.01),
         SimulatedRun(seed=302, params="final-2", faulty=8, control=4, fault_rate=0.01),
         SimulatedRun(seed=803, params="final-7", faulty=8, control=4, fault_rate=0.01),
         SimulatedRun(seed=1203, params="final-11", faulty=8, control=4, fault_rate=0.01))


def compiled_modules_declared() -> list[str]:
    """setup.py's COMPILED_MODULES, read without running the build script."""
    tree = ast.parse((REPO / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED_MODULES":
            return sorted(ast.literal_eval(node.value))
    raise AssertionError("setup.py declares no COMPILED_MODULES")


@pytest.fixture(scope="module")
def compiled() -> Path:
    reason = unavailable()
    if reason:
        missing(reason)
    try:
        return compiled_tree()
    except BuildError as error:
        pytest.fail(f"the detector's scoring does not compile:\n{error}", pytrace=False)


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("feed") / "readings.jsonl"
    with path.open("w") as out:
        for run in FEEDS:
            for labelled in simulated(run):
                reading = labelled.reading
                out.write(json.dumps([f"{run.params}/{run.seed}", reading.sensor_id, reading.seq,
                                      reading.ts_ms, list(reading.values())]) + "\n")
    return path


def test_the_compiled_scoring_gives_the_sources_verdicts(compiled: Path, feed: Path):
    result = subprocess.run([sys.executable, "-m", "tests.detector.verdict_digest", str(feed)],
                            capture_output=True, text=True, check=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                [str(compiled), str(REPO)])})
    report = json.loads(result.stdout)
    assert report["extension_modules"] == compiled_modules_declared()
    assert report["build"] == "compiled" and scoring_build() == "interpreted"
    assert report["digests"] == digests(feed.read_text().splitlines())
