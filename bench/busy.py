"""The standard background load: one core kept busy, as another tenant would on a shared node.

    python -m bench.busy

One process, one thread, a pure-Python integer loop (a linear congruential step) at normal
priority (nice 0) that never sleeps and does no I/O: the kernel's scheduler shares the two
cores between it and the processes under test as it would with any CPU-bound neighbour. It
stops on SIGTERM/SIGINT and prints one JSON line: the CPU time it got, as a share of one core.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def main() -> int:
    stopped = False

    def stop(*_: object) -> None:
        nonlocal stopped
        stopped = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    started, cpu_started = time.monotonic(), time.process_time()
    x = 1
    while not stopped:
        for _ in range(10_000):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    wall, cpu = time.monotonic() - started, time.process_time() - cpu_started
    json.dump({"wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
               "core_share": round(cpu / wall, 3) if wall > 0 else None, "pid": os.getpid()},
              sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
