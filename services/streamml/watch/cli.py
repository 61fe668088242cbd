"""`streamml watch`: follow a running system's topics and redraw a live view in place.

Cricket matches with the latest prediction and its course over the innings, the model in use,
weather sensors with their state and recent flags by kind, and the pipeline from Kafka itself
(events/s per topic, lag per active consumer group, dead letters) and, with --metrics, from
the services' /metrics. Works against the embedded broker or any bootstrap address; on a broker
that authenticates clients, with the same STREAMML_SECURITY_PROTOCOL / STREAMML_SASL_* settings
as the services (e.g. the admin's: `eval "$(streamml broker credentials admin)"`).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

from streamml.contracts.weather import DETECTOR_WARMUP
from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.settings import KafkaConnection


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "watch", help="a live terminal view of a running system (matches, sensors, pipeline)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_config_flags(parser, KafkaConnection)
    parser.add_argument("--since", type=float, default=300.0,
                        help="start with the records of the last this many seconds (default 300)")
    parser.add_argument("--metrics", action="append", default=[], metavar="URL",
                        help="a service's /metrics to scrape too, e.g. "
                             "http://127.0.0.1:8080/metrics (repeatable)")
    parser.add_argument("--warmup", type=int, default=DETECTOR_WARMUP,
                        help="readings a sensor needs before the detector serves it "
                             f"(default {DETECTOR_WARMUP}, the detector's)")
    parser.add_argument("--refresh", type=float, default=0.5, help="seconds between redraws")
    parser.add_argument("--duration", type=float, default=0.0,
                        help="stop after this many seconds (default: until Ctrl-C)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        from rich.console import Console
    except ImportError:
        print("streamml watch needs rich: pip install 'streamml[watch]'", file=sys.stderr)
        return 2
    from kafka.errors import KafkaError

    from streamml.runtime.clients import unreachable_hint
    from streamml.watch.follow import Watcher
    from streamml.watch.view import render_text

    connection = config_from_args(KafkaConnection, args)
    since_ms = int((time.time() - args.since) * 1000)
    try:
        watcher = Watcher(connection, since_ms, args.metrics, args.warmup)
    except KafkaError as error:
        print(f"streamml watch: cannot reach Kafka at {connection.bootstrap_servers}: {error}"
              f"{unreachable_hint(connection)}",
              file=sys.stderr)
        return 2
    stop = threading.Event()
    deadline = time.monotonic() + args.duration if args.duration > 0 else None
    console = Console()
    try:
        if console.is_terminal:
            watcher.live(console, stop, args.refresh,
                         until=lambda: deadline is not None and time.monotonic() > deadline)
        else:
            # Not a terminal (a pipe, a log): a plain frame every 10 s, no escape codes.
            next_print = time.monotonic() + 2.0
            while deadline is None or time.monotonic() < deadline:
                watcher.step()
                if time.monotonic() >= next_print:
                    print(render_text(watcher.frame()), flush=True)
                    next_print = time.monotonic() + 10.0
            print(render_text(watcher.frame()), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()
    return 0
