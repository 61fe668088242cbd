"""`make demo`'s report, from a real run on the broker: every plot present and non-empty, and
the numbers in its tables equal those the demo printed."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import pytest

from tests.helpers import REPO
from tests.report.html_tables import parse_report, rows

pytestmark = pytest.mark.broker

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def printed(pattern: str, output: str) -> re.Match:
    found = re.search(pattern, output, re.MULTILINE)
    assert found, f"the demo no longer prints {pattern!r}:\n{output[-3000:]}"
    return found


def same(cell: str, shown: str) -> bool:
    """A table cell and a number the demo printed with fewer decimals."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return f"{float(cell):.{decimals}f}" == shown


def test_the_demo_report_matches_what_the_demo_printed(broker: str, tmp_path: Path) -> None:
    env = {**os.environ, "STREAMML_BOOTSTRAP_SERVERS": broker}
    run = subprocess.run([sys.executable, "-m", "streamml.cli", "demo", "all", "--plain",
                          "--report-dir", str(tmp_path)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600)
    output = run.stdout
    assert run.returncode == 0, output[-3000:] + run.stderr[-3000:]
    report_path = Path(printed(r"^report: (.+\.html)$", output).group(1))
    report = parse_report(report_path.read_text(encoding="utf-8"))
    assert (report_path.with_suffix(".json")).exists()

    # The run: commit, settings and seeds.
    run_rows = rows(report, "run")
    assert run_rows["commit"][0] not in ("", "unknown", "n/a")
    assert rows(report, "settings-cricket")["SEED"] == ["42"]
    assert "SEED" in rows(report, "settings-weather")

    # Cricket: every match, as the demo printed it when the match ended.
    matches = rows(report, "matches")
    ended = re.findall(r"== match (\w) finished: (\d+/\d+) in [\d.]+ overs; prediction error over "
                       r"its (\d+) balls: ([\d.]+) runs on average \(from the 15th over: ([\d.]+|n/a)\)",
                       output)
    assert len(ended) == len(matches) == 4
    for (label, final, balls, mean, late), (match_id, cells) in zip(
            sorted(ended), sorted(matches.items())):
        assert cells[0] == final and cells[2] == balls, (label, match_id, cells)
        assert same(cells[3], mean) and (late == "n/a" or same(cells[4], late)), (label, cells)
    overall = rows(report, "cricket-overall")
    summary = printed(r"error against the actual final score ([\d.]+) runs on average .*?, "
                      r"([\d.]+) from the 15th over on", output)
    assert same(overall["mean error (runs)"][0], summary.group(1))
    assert same(overall["mean error from the 15th over (runs)"][0], summary.group(2))
    model = printed(r"model v(\d+): held-out R² ([\d.]+), MAE ([\d.]+) runs \((\d+) training", output)
    models = [row for row in report.tables["models"][1:] if row[0].startswith("cricket-score-demo")]
    assert models and models[0][1] == model.group(1)
    assert same(models[0][2], model.group(2)) and same(models[0][3], model.group(3))
    assert models[0][4] == model.group(4)

    # Weather: the counts, precision and recall, recall by kind.
    weather = rows(report, "weather-overall")
    counts = printed(r"readings (\d+) \((\d+) in warm-up, not scored\); flagged (\d+) readings "
                     r"\((\d+) duplicate", output)
    assert weather["readings"][0] == counts.group(1)
    assert weather["readings flagged"][0] == counts.group(3)
    assert weather["duplicate anomaly messages"][0] == counts.group(4)
    quality = printed(r"precision ([\d.]+)\s+recall ([\d.]+)\s+\(TP (\d+), FP (\d+), FN (\d+), "
                      r"TN (\d+)\)", output)
    assert same(weather["faulty sensors: precision"][0], quality.group(1))
    assert same(weather["faulty sensors: recall"][0], quality.group(2))
    for name, value in zip(("TP", "FP", "FN", "TN"), quality.groups()[2:]):
        assert weather[f"faulty sensors: {name}"][0] == value
    by_kind = rows(report, "recall-by-kind")
    for kind, found, total in re.findall(r"(\w+) (\d+)/(\d+)",
                                         printed(r"recall by kind: (.*)$", output).group(1)):
        if int(total):
            assert by_kind[kind][:2] == [found, total], kind

    # Every plot: a PNG with something drawn on it.
    expected = {"cricket-matches", "cricket-error-by-over", "weather-precision-recall"}
    assert expected <= set(report.plots)
    sensor_plots = [name for name in report.plots if name.startswith("sensor-")]
    assert len(sensor_plots) == int(weather["sensors"][0]) > 0, sensor_plots
    for name, data in report.plots.items():
        assert data.startswith(PNG_SIGNATURE) and len(data) > 5000, name
        pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
        assert pixels.shape[0] > 200 and pixels.shape[1] > 400 and pixels.std() > 0.05, name
