"""py-spy profiles of a process under load, summarised as text for the report.

py-spy attaches to the running process after its start-up, samples it 100 times a second
without pausing it (``--nonblocking``) and writes collapsed stacks; imports still running
then (lazy ones) are left out of the summary.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.procs import Proc

PY_SPY = Path(sys.executable).parent / "py-spy"
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
STARTUP_MARKERS = ("_find_and_load",)
# Leaf frames where a thread waits (sockets, locks, sleeps): counted apart, not as work.
WAITING_LEAVES = ("select (selectors.py)", "Condition.wait (threading.py)",
                  "_wait_for_tstate_lock (threading.py)", "Event.wait (threading.py)")


def profile_process(proc: Proc, out_path: Path, warmup_s: float, seconds: float,
                    ready_path: str | None = None, idle: bool = False,
                    while_ready: Callable[[], None] | None = None) -> str:
    """Start ``proc``, wait until it answers ``ready_path`` (if given) and ``warmup_s`` more,
    then sample it for ``seconds`` (py-spy attaches)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    proc.start()
    try:
        if ready_path is not None:
            proc.wait_http(ready_path)
        if while_ready is not None:
            while_ready()
        time.sleep(warmup_s)
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited; see {proc.log_path}")
        result = subprocess.run(
            [str(PY_SPY), "record", "--pid", str(proc.pid), "--rate", "100", "--duration",
             str(int(seconds)), "--format", "raw", "--nonblocking", "--threads",
             "-o", str(out_path), *(["--idle"] if idle else [])],
            capture_output=True, text=True, timeout=seconds + 60)
    finally:
        proc.stop()
    if not out_path.exists():
        raise RuntimeError(f"py-spy wrote no profile: {result.stderr.strip()[-500:]}")
    collapsed = out_path.read_text()
    return loop_wall_clock(collapsed) if idle else summarise(collapsed)


def _frame_name(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    file = match.group("file")
    for marker in ("site-packages/", "services/", "bench/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{match.group('function')} ({file})"


def component_shares(collapsed: str) -> dict[str, float]:
    """Share of the samples at work per component (own time), largest first."""
    text = summarise(collapsed)
    shares: dict[str, float] = {}
    section = text.split("own time by component:", 1)[-1].split("\n\n", 1)[0]
    for line in section.strip().splitlines():
        percent, _, name = line.strip().partition("%")
        try:
            shares[name.strip()] = float(percent) / 100
        except ValueError:
            continue
    return shares


def summarise(collapsed: str, top: int = 14) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = waiting = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        if any(marker in frame for frame in frames for marker in STARTUP_MARKERS):
            continue
        count = int(count_text)
        thread, frames = (frames[0], frames[1:]) if frames[0].startswith(("thread", "process")) \
            else ("", frames)
        if not frames:
            continue
        if any(_frame_name(frames[-1]).endswith(leaf) for leaf in WAITING_LEAVES):
            waiting += count
            continue
        total += count
        threads[_thread_name(thread)] += count
        own[_frame_name(frames[-1])] += count
        for name in {_frame_name(frame) for frame in frames}:
            inclusive[name] += count
    if not total:
        return "(no samples)"
    lines = [f"{total} samples at work, {waiting} more waiting in select/locks (100 Hz; "
             "imports left out); percentages are of the samples at work", "", "by thread:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in threads.most_common(6)]
    lines += ["", "own time (the function itself):"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    lines += ["", "own time by component:"]
    by_component: Counter[str] = Counter()
    for name, n in own.items():
        by_component[component(name)] += n
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in by_component.most_common()]
    lines += ["", "inclusive time (the function and what it calls):"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top + 8)]
    return "\n".join(lines)


COMPONENTS = (
    ("kafka/", "kafka-python"),
    ("sklearn/", "scikit-learn"),
    ("numpy/", "numpy"),
    ("pydantic", "pydantic"),
    ("prometheus_client/", "prometheus-client"),
    ("streamml/runtime/", "streamml runtime"),
    ("streamml/", "streamml service code"),
    ("skops/", "skops"),
    ("json/", "json (stdlib)"),
    ("threading.py", "threading (waits, locks)"),
    ("selectors.py", "selectors (socket waits)"),
    ("socket.py", "socket"),
)


def component(frame_name: str) -> str:
    for marker, name in COMPONENTS:
        if marker in frame_name:
            return name
    return "other Python / stdlib"


def _thread_name(frame: str) -> str:
    return re.sub(r"\s*\(?0x[0-9a-f]+\)?", "", frame).strip() or "main"


# The service loop's steps (streamml.runtime.stream, the pipelined loop), outermost first.
LOOP_STEPS = (
    ("KafkaConsumer.poll (kafka/consumer/group.py)", "poll: wait for and fetch records"),
    ("decode (streamml/runtime/messages.py)", "decode + validate inputs"),
    ("StreamProcessor._handle_isolating (streamml/runtime/stream.py)", "handler (model, outputs)"),
    ("KafkaProducer.send (kafka/producer/kafka.py)", "produce: send()"),
    ("StreamProcessor._wait_for_room (streamml/runtime/stream.py)",
     "wait for acks (in-flight bound reached)"),
    ("StreamProcessor._commit (streamml/runtime/stream.py)", "commit offsets (at-least-once)"),
    ("StreamProcessor._commit_transaction (streamml/runtime/stream.py)",
     "commit transaction (exactly-once)"),
    ("StreamProcessor._turn (streamml/runtime/stream.py)", "whole loop turn"),
)


def loop_wall_clock(collapsed: str) -> str:
    """Where the main thread's wall-clock goes, waits included (recorded with ``--idle``)."""
    totals: Counter[str] = Counter()
    main = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit() or "MainThread" not in stack.split(";")[0]:
            continue
        count = int(count_text)
        main += count
        names = {_frame_name(frame) for frame in stack.split(";")[1:]}
        for frame, _label in LOOP_STEPS:
            if frame in names:
                totals[frame] += count
    if not main:
        return "(no samples of the main thread)"
    lines = [f"{main} samples of the main thread, waits included (100 Hz):"]
    lines += [f"  {100 * totals[frame] / main:5.1f}%  {label}" for frame, label in LOOP_STEPS]
    return "\n".join(lines)
