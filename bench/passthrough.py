"""The kafka-python ceiling: the services' loop with nothing to do. Consume a batch, produce it
unchanged to another topic, and commit each offset once every output before it is
acknowledged. No decoding, no model, no metrics.

It runs the loop the way the runtime does (``streamml.runtime.stream``): pipelined — the next
batch is polled and sent while earlier outputs are in flight, at most
``max_in_flight_batches`` batches and ``max_in_flight_records`` records — with offsets
committed in input order, at most every ``commit_interval_ms``. It builds its
clients with the runtime's own factories (``streamml.runtime.clients``), so it uses exactly
the client settings the services use; flags change one setting at a time for the
client-options study. Stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
import time
from collections import deque

from kafka import TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from streamml.runtime.clients import finish_rejoin_in_progress, make_consumer, make_producer
from streamml.runtime.service import set_switch_interval
from streamml.runtime.settings import RuntimeConfig

IN_FLIGHT_POLL_MS = 10  # as the runtime: poll briefly while outputs are in flight


@dataclasses.dataclass
class Batch:
    futures: list
    ends: dict[TopicPartition, int]  # partition -> offset after the batch's last record

    def done(self) -> bool:
        return all(future.is_done for future in self.futures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--sink", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--max-poll-records", type=int)
    parser.add_argument("--linger-ms", type=int)
    parser.add_argument("--compression-type")
    args = parser.parse_args(argv)

    overrides = {"max_poll_records": args.max_poll_records, "linger_ms": args.linger_ms,
                 "compression_type": args.compression_type}
    config = dataclasses.replace(
        RuntimeConfig(bootstrap_servers=args.bootstrap, group_id=args.group,
                      service_name="bench-passthrough"),
        **{k: v for k, v in overrides.items() if v is not None})
    config.validate()
    set_switch_interval(config)  # the interpreter setting the services run with

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    producer = make_producer(config)
    consumer = make_consumer(config, [args.source])
    in_flight: deque[Batch] = deque()
    acked: dict[TopicPartition, int] = {}
    committed: dict[TopicPartition, int] = {}
    last_commit = 0.0

    def reap(wait: bool = False, batches: int | None = None) -> None:
        """Take acknowledged batches off the head, in order; ``wait``: block for them."""
        while in_flight and (wait or in_flight[0].done()) and batches != 0:
            batch = in_flight.popleft()
            for future in batch.futures:
                future.get(timeout=config.delivery_timeout_s)  # raises if not acknowledged
            acked.update(batch.ends)
            batches = None if batches is None else batches - 1

    def commit() -> None:
        # Synchronous, so a commit that fails (no coordinator yet, a rebalance) is known and
        # tried again; at one round trip per commit interval it costs the rate little.
        nonlocal last_commit
        last_commit = time.monotonic()
        changed = {tp: offset for tp, offset in acked.items() if committed.get(tp) != offset}
        if not changed:
            return
        try:
            consumer.commit({tp: OffsetAndMetadata(offset, "", -1)
                             for tp, offset in changed.items()})
        except KafkaError:
            return
        committed.update(changed)

    try:
        while not stop.is_set():
            reap()
            records_in_flight = sum(len(b.futures) for b in in_flight)
            if (len(in_flight) >= config.max_in_flight_batches
                    or records_in_flight >= config.max_in_flight_records):
                reap(wait=True, batches=1)  # the oldest batch, then whatever else is done
                reap()
                records_in_flight = sum(len(b.futures) for b in in_flight)
            room = max(1, min(config.max_poll_records,
                              config.max_in_flight_records - records_in_flight))
            polled = consumer.poll(
                timeout_ms=IN_FLIGHT_POLL_MS if in_flight else config.poll_timeout_ms,
                max_records=room)
            finish_rejoin_in_progress(consumer)  # the runtime's kafka-python stall workaround
            if polled:
                futures = [producer.send(args.sink, key=r.key, value=r.value, headers=r.headers)
                           for batch in polled.values() for r in batch]
                in_flight.append(Batch(futures, {TopicPartition(tp.topic, tp.partition):
                                                 batch[-1].offset + 1
                                                 for tp, batch in polled.items()}))
            reap()
            if time.monotonic() - last_commit >= config.commit_interval_ms / 1000:
                commit()
        producer.flush(timeout=config.shutdown_timeout_s)
        reap(wait=True)
        commit()
    finally:
        producer.close(timeout=10)
        consumer.close(autocommit=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
