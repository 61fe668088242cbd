"""SIGTERM/SIGINT handlers: they must never block the main thread they interrupt."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.helpers import REPO

# Inside stop.wait() the main thread holds the event's condition lock for a few bytecodes; a
# handler that called stop.set() itself would wait for that lock forever. Run in a process
# of its own, so that a deadlock fails the test instead of hanging it.
SCENARIO = textwrap.dedent("""
    import os, signal, sys, threading
    from streamml.runtime.shutdown import install_stop_handlers

    stop = threading.Event()
    install_stop_handlers(stop)
    with stop._cond:  # the lock Event.wait() holds
        os.kill(os.getpid(), signal.{first})
        os.kill(os.getpid(), signal.SIGTERM)  # a second one, as `timeout` sends
        for _ in range(1000):
            pass  # the handlers run here, between bytecodes
    sys.exit(0 if stop.wait(10) else 3)
""")


def run_scenario(first_signal: str) -> int:
    result = subprocess.run([sys.executable, "-c", SCENARIO.format(first=first_signal)],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.returncode


def test_signals_while_the_main_thread_holds_the_events_lock_do_not_deadlock() -> None:
    assert run_scenario("SIGTERM") == 0


def test_sigint_stops_too() -> None:
    assert run_scenario("SIGINT") == 0
