"""SIGTERM/SIGINT turn into a stop event that every loop checks."""

from __future__ import annotations

import logging
import signal
import threading

log = logging.getLogger(__name__)


def install_stop_handlers(stop: threading.Event) -> None:
    def set_stop(signum: int) -> None:
        if not stop.is_set():
            log.info("stop requested", extra={"signal": signal.Signals(signum).name})
        stop.set()

    def request_stop(signum: int, _frame: object) -> None:
        # A handler runs in the main thread between two bytecodes, possibly while that thread
        # holds the event's own lock (inside stop.wait()) or is in an earlier handler's
        # stop.set(): setting it from here could deadlock (seen with two quick SIGTERMs).
        # Another thread sets it as soon as the lock is free.
        if not stop.is_set():
            threading.Thread(target=set_stop, args=(signum,), name="stop", daemon=True).start()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
