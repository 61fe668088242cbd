"""When outputs become readable: a ``read_committed`` reader that follows a topic from its
current end and writes, per record, ``partition offset received_ms`` (one line each).

Under exactly-once an output is appended to the log when it is sent but readable only once
its transaction commits, so its latency is measured here (event time -> readable), not from
its append time. Runs as its own process; stops on SIGTERM/SIGINT.

    python -m bench.tail --bootstrap 127.0.0.1:19592 --topic cricket.predictions --out t.txt
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from kafka import KafkaConsumer, TopicPartition


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # A short fetch wait: a fetch that finds nothing new returns soon, so a transaction's
    # commit is seen within a few milliseconds.
    consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, enable_auto_commit=False,
                             isolation_level="read_committed", fetch_max_wait_ms=10)
    partitions = [TopicPartition(args.topic, p)
                  for p in sorted(consumer.partitions_for_topic(args.topic) or ())]
    consumer.assign(partitions)
    consumer.seek_to_end(*partitions)
    for tp in partitions:
        consumer.position(tp)
    with open(args.out, "w") as out:
        print("ready", file=out, flush=True)
        while not stop.is_set():
            polled = consumer.poll(timeout_ms=100, max_records=5000)
            received_ms = time.time() * 1000
            for tp, records in polled.items():
                out.writelines(f"{tp.partition} {r.offset} {received_ms:.1f}\n" for r in records)
            out.flush()
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
