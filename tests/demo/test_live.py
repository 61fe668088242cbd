"""The demo in an interactive terminal: what is printed after the live view stops."""

from __future__ import annotations

from pathlib import Path

from streamml.demo.live import CapturedOutput, summaries


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
