"""A paced event generator: ``rate`` events/s for ``seconds``, event time stamped at send.

Runs as its own process (``python -m bench.loadgen ...``) so it shares no interpreter lock
with the harness or the service under test. It sends in small bursts every few milliseconds
and prints one JSON line with what it offered and what Kafka acknowledged.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from pathlib import Path

from bench.payloads import make, read_file, stamp
from streamml.runtime.clients import make_producer
from streamml.runtime.settings import RuntimeConfig

TICK_S = 0.002


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--kind", choices=["cricket", "weather"], required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--prefix", default="load", help="match/sensor id prefix of this run")
    parser.add_argument("--payload-file", type=Path,
                        help="send these payloads (bench.payloads.write_file) instead of new ones")
    parser.add_argument("--offset", type=int, default=0, help="first line of --payload-file")
    args = parser.parse_args(argv)

    count = int(args.rate * args.seconds)
    if args.payload_file is not None:
        payloads = read_file(args.payload_file, args.offset, count)
        if len(payloads) < count:
            raise SystemExit(f"{args.payload_file} has {len(payloads)} payloads from line "
                             f"{args.offset}, not {count}")
    else:
        payloads = make(args.kind, count, args.prefix)
    producer = make_producer(RuntimeConfig(bootstrap_servers=args.bootstrap,
                                           service_name="bench-loadgen"))
    acked = 0

    def on_ack(_metadata: object) -> None:
        nonlocal acked
        acked += 1

    started = time.monotonic()
    sent = 0
    behind_max = 0
    while sent < len(payloads):
        due = min(len(payloads), int((time.monotonic() - started) * args.rate) + 1)
        behind_max = max(behind_max, due - sent)
        now_ms = int(time.time() * 1000)
        while sent < due:
            payload = payloads[sent]
            producer.send(args.topic, key=payload.key, value=stamp(payload, now_ms),
                          headers=list(payload.headers)).add_callback(on_ack)
            sent += 1
        time.sleep(TICK_S)
    elapsed = time.monotonic() - started
    producer.flush(timeout=60)
    producer.close(timeout=30)
    json.dump({"offered_rate": args.rate, "sent": sent, "acked": acked,
               "achieved_rate": round(sent / elapsed, 1), "max_burst": behind_max}, sys.stdout)
    print()
    return 0 if acked == sent else 1


if __name__ == "__main__":
    sys.exit(main())
