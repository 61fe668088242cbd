"""The demo in an interactive terminal: what is printed after the live view stops."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from streamml.demo.live import CapturedOutput, run_with_live_view, summaries
from streamml.runtime.settings import KafkaConnection
from streamml.watch.state import PREDICTIONS_TOPIC, RESULTS_TOPIC
from tests.helpers import produce
from tests.watch.messages import prediction, result


def test_captured_output_keeps_every_line_in_the_file_and_the_last_in_the_tail(
        tmp_path: Path) -> None:
    output = CapturedOutput(tmp_path / "demo.log")
    output.write("=== cricket ===\n  1.0 ov | A 4/0")
    output.write(" -> 150\n")
    for ball in range(20):
        output.write(f"ball {ball}\n")
    output.write("no newline at the end")
    output.close()
    assert output.lines[:2] == ["=== cricket ===", "  1.0 ov | A 4/0 -> 150"]
    assert output.lines[-1] == "no newline at the end"
    assert list(output.tail)[-1] == "ball 19"
    assert (tmp_path / "demo.log").read_text().count("\n") == 22


def test_summaries_are_the_summary_blocks_and_the_closing_line() -> None:
    lines = ["", "=== cricket ===", "  1.0 ov | A 4/0 -> 150", "", "cricket summary",
             "  model v1: MAE 9.0", "  live: 480 predictions", "  this run's model is now v3",
             "", "=== weather ===", "  ANOMALY s001 #40", "", "weather summary",
             "  precision 0.998", "", "report: reports/demo-1.html", "",
             "demo finished in 41 s"]
    assert summaries(lines) == ["", "cricket summary", "  model v1: MAE 9.0",
                                "  live: 480 predictions", "  this run's model is now v3",
                                "", "weather summary", "  precision 0.998",
                                "", "report: reports/demo-1.html", "", "demo finished in 41 s"]


@pytest.mark.broker
def test_the_live_view_follows_the_workflow_and_prints_its_summaries(
        broker: str, unique: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The interactive demo, headless: the view is drawn while the workflow runs in its
    thread, the workflow's lines are captured, and the summaries are printed at the end."""
    match = f"live-{unique}"
    terminal = io.StringIO()

    def workflow() -> int:
        print("=== cricket ===")
        produce(broker, PREDICTIONS_TOPIC,
                [(match.encode(), prediction(match, ball, 6 * ball, 150.0 + ball).to_bytes())
                 for ball in range(1, 13)])
        produce(broker, RESULTS_TOPIC, [(match.encode(), result(match, 160).to_bytes())])
        print("\ncricket summary\n  live: 12 predictions\n")
        print("demo finished in 2 s")
        return 0

    code = run_with_live_view(KafkaConnection(bootstrap_servers=broker), workflow,
                              Console(file=terminal, force_terminal=True, width=160, height=60))
    assert code == 0
    drawn = terminal.getvalue()
    assert match in drawn and "162" in drawn and "160" in drawn  # latest prediction, final
    assert "demo output" in drawn
    printed = capsys.readouterr().out
    assert "cricket summary\n  live: 12 predictions" in printed
    assert "demo finished in 2 s" in printed and "=== cricket ===" not in printed
    log_file = Path(printed.split("the demo's whole output: ")[1].strip())
    assert "=== cricket ===" in log_file.read_text()
