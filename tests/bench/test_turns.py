"""bench.turns: phases and wall-time shares from a loop's turn trace."""

from __future__ import annotations

from bench import turns


def _trace(tmp_path, lines: list[str]):
    path = tmp_path / "turns-1.txt"
    path.write_text("\n".join(lines) + "\n")
    return turns.read(path)


def test_turns_with_records_form_phases_split_at_a_quiet_second(tmp_path) -> None:
    lines = [f"T {t / 100:.4f} 10.00 4.00 50 5.00" for t in range(100)]  # 1 s, 5,000/s
    lines += ["T 1.5000 200.00 200.00 0 0.00"]  # an empty poll: no phase of its own
    lines += [f"T {3 + t / 100:.4f} 10.00 9.00 10 1.00" for t in range(50)]
    trace = _trace(tmp_path, lines + ["F 0.0010 6", "R 0.0030 2.00"])

    spans = turns.phases(trace.turns)

    assert [(round(a, 2), round(b, 2)) for a, b in spans] == [(0.0, 1.0), (3.0, 3.5)]
    first = turns.describe(trace, *spans[0])
    assert first.startswith("  5000/s for  1.0 s")
    assert "poll 40% (80 us/record)" in first
    assert "decode+handle+send 50% (100 us/record)" in first
    assert "fetch round trip ms mean 2.0" in first
