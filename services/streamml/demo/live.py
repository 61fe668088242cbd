"""The demo in an interactive terminal: the workflows run in a worker thread with their output
captured (to a file, and the last lines into the view), while the main thread draws the live
view of `streamml watch`; the summaries are printed once the view stops."""

from __future__ import annotations

import contextlib
import functools
import io
import re
import sys
import tempfile
import threading
import traceback
from collections import deque
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from streamml.runtime.settings import KafkaConnection
from streamml.watch.follow import Watcher

TAIL_LINES = 6
SUMMARY_HEADER = re.compile(r"^\S.* summary$")


class CapturedOutput(io.TextIOBase):
    """A stdout that keeps every line (and writes it to ``path``) and shows the last few."""

    def __init__(self, path: Path) -> None:
        self.lines: list[str] = []
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._partial = ""
        self._file = path.open("w")
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            self._file.write(text)
            self._partial += text
            *complete, self._partial = self._partial.split("\n")
            self.lines.extend(complete)
            self.tail.extend(line for line in complete if line.strip())
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._partial:
                self.lines.append(self._partial)
                self._partial = ""
            self._file.close()


def tail_panel(output: CapturedOutput, path: Path, max_lines: int | None) -> Panel | None:
    """The last lines of the demo's output, as many as fit below the view (``max_lines``
    with the panel's borders; None: TAIL_LINES)."""
    shown = TAIL_LINES if max_lines is None else min(TAIL_LINES, max_lines - 2)
    if shown < 1:
        return None
    return Panel(Text("\n".join(list(output.tail)[-shown:]), style="dim", no_wrap=True,
                      overflow="ellipsis"),
                 title=f"demo output (all of it: {path})", title_align="left")


def summaries(lines: list[str]) -> list[str]:
    """The summary blocks ("cricket summary" up to the next section) and the closing line."""
    kept: list[str] = []
    inside = False
    for line in lines:
        if SUMMARY_HEADER.match(line):
            inside = True
            kept.append("")
        elif line.startswith("===") or line.startswith("demo ") or not line.strip():
            inside = False
        if inside:
            kept.append(line)
    reports = [line for line in lines if line.startswith("report: ")]
    closing = [line for line in lines if line.startswith("demo ")]
    return kept + [""] * bool(reports) + reports + ([""] + closing[-1:] if closing else [])


def run_with_live_view(connection: KafkaConnection, workflows: Callable[[], int],
                       console: Console | None = None) -> int:
    console = console or Console(file=sys.stdout)
    path = Path(tempfile.mkstemp(prefix="streamml-demo-", suffix=".log")[1])
    output = CapturedOutput(path)
    watcher = Watcher(connection, since_ms=None)
    result: list[int] = []
    stop = threading.Event()

    def work() -> None:
        try:
            with contextlib.redirect_stdout(output):
                result.append(workflows())
        except BaseException:  # noqa: BLE001 - reported below, after the view stops
            output.write(traceback.format_exc())
            result.append(1)

    worker = threading.Thread(target=work, name="demo", daemon=True)
    worker.start()
    try:
        watcher.live(console, stop, extra=functools.partial(tail_panel, output, path), until=lambda: not worker.is_alive())
    except KeyboardInterrupt:
        # The terminal sent SIGINT to the services too: they drain and stop, and the
        # workflow notices; give it the time its own stop allows.
        worker.join(60)
        result.append(130)
    finally:
        watcher.close()
        output.close()
    for line in summaries(output.lines):
        print(line)
    print(f"\nthe demo's whole output: {path}", flush=True)
    return result[0] if result else 1
