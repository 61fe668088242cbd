"""`python -m bench.turns FILE...`: where a loop's wall time went, per load phase, from the
turn traces ``bench/turn_trace`` writes.

A phase is a run of turns that returned records, ended by a second without any. Per phase:
the rate, records per turn, turn and poll times, the round trip of the fetches, and the share
of the wall-clock time the loop spent polling (fetching and parsing records, or waiting for
them) and decoding, handling and sending — with the cost of each per record.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass
from pathlib import Path

PHASE_GAP_S = 1.0


@dataclass(frozen=True)
class Turn:
    began: float
    turn_ms: float
    poll_ms: float
    records: int
    start_ms: float


@dataclass(frozen=True)
class Trace:
    turns: list[Turn]
    round_trips: list[tuple[float, float]]  # (when answered, ms)


def read(path: Path) -> Trace:
    turns, round_trips = [], []
    for line in path.read_text().splitlines():
        kind, *fields = line.split()
        if kind == "T":
            turns.append(Turn(float(fields[0]), float(fields[1]), float(fields[2]),
                              int(fields[3]), float(fields[4])))
        elif kind == "R":
            round_trips.append((float(fields[0]), float(fields[1])))
    return Trace(turns, round_trips)


def phases(turns: list[Turn]) -> list[tuple[float, float]]:
    """(start, end) of each run of turns with records, split at gaps of PHASE_GAP_S."""
    busy = [turn for turn in turns if turn.records]
    spans: list[tuple[float, float]] = []
    for turn in busy:
        end = turn.began + turn.turn_ms / 1000
        if spans and turn.began - spans[-1][1] < PHASE_GAP_S:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((turn.began, end))
    return spans


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))] if ordered else float("nan")


def describe(trace: Trace, start: float, end: float) -> str:
    turns = [t for t in trace.turns if start <= t.began <= end]
    records = sum(t.records for t in turns)
    wall_ms = (end - start) * 1000
    poll_ms = sum(t.poll_ms for t in turns)
    start_ms = sum(t.start_ms for t in turns)
    per_turn = [t.records for t in turns if t.records]
    trips = [ms for at, ms in trace.round_trips if start <= at <= end]
    return (f"{records / (end - start):6.0f}/s for {end - start:4.1f} s: "
            f"records per turn p50 {_quantile(per_turn, .5):.0f} p90 {_quantile(per_turn, .9):.0f} "
            f"max {max(per_turn)}; turn ms mean {statistics.mean(t.turn_ms for t in turns):.1f} "
            f"p90 {_quantile([t.turn_ms for t in turns], .9):.1f}; fetch round trip ms mean "
            f"{statistics.mean(trips) if trips else float('nan'):.1f}; wall: poll "
            f"{poll_ms / wall_ms:.0%} ({1000 * poll_ms / records:.0f} us/record), "
            f"decode+handle+send {start_ms / wall_ms:.0%} ({1000 * start_ms / records:.0f} "
            f"us/record), rest {(sum(t.turn_ms for t in turns) - poll_ms - start_ms) / wall_ms:.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--min-turns", type=int, default=20, help="shorter phases are left out")
    args = parser.parse_args()
    for path in args.files:
        trace = read(path)
        print(path)
        for start, end in phases(trace.turns):
            if sum(1 for t in trace.turns if start <= t.began <= end) >= args.min_turns:
                print("  " + describe(trace, start, end))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
