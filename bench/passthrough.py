"""The kafka-python ceiling: consume a batch, produce it unchanged to another topic, wait for
the acknowledgements, commit. No decoding, no model, no metrics.

It builds its clients with the runtime's own factories (``streamml.runtime.clients``), so it
uses exactly the client settings the services use; flags change one setting at a time for the
client-options study. Stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading

from kafka import TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from streamml.runtime.clients import make_consumer, make_producer
from streamml.runtime.settings import RuntimeConfig


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

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    producer = make_producer(config)
    consumer = make_consumer(config, [args.source])
    try:
        while not stop.is_set():
            polled = consumer.poll(timeout_ms=config.poll_timeout_ms,
                                   max_records=config.max_poll_records)
            if not polled:
                continue
            futures = [producer.send(args.sink, key=r.key, value=r.value, headers=r.headers)
                       for batch in polled.values() for r in batch]
            producer.flush(timeout=config.shutdown_timeout_s)
            for future in futures:
                future.get(timeout=config.shutdown_timeout_s)
            try:
                consumer.commit({TopicPartition(tp.topic, tp.partition):
                                 OffsetAndMetadata(batch[-1].offset + 1, "", -1)
                                 for tp, batch in polled.items()})
            except KafkaError:
                pass  # as the runtime does: a rebalance moved the partition; its new owner re-reads
    finally:
        producer.close(timeout=10)
        consumer.close(autocommit=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
