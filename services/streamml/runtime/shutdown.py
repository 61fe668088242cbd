"""SIGTERM/SIGINT turn into a stop event that every loop checks."""

from __future__ import annotations

import logging
import signal
import threading

log = logging.getLogger(__name__)


def install_stop_handlers(stop: threading.Event) -> None:
    def request_stop(signum: int, _frame: object) -> None:
        if not stop.is_set():
            log.info("stop requested", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
