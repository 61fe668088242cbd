"""A paced event generator: ``rate`` events/s for ``seconds``, event time stamped at send.

Runs as its own process (``python -m bench.loadgen ...``) so it shares no interpreter lock
with the harness or the service under test. It sends in small bursts every few milliseconds
and prints one JSON line with what it offered and what Kafka acknowledged.

``--client confluent`` sends with librdkafka instead of kafka-python (the ``bench`` extra):
at 5,000 readings/s the generator took 0.20 of a core instead of 0.44, CPU it shares with the
broker and the service under test on a 2-core node, but in an A/B of 6 alternating pairs
(``bench.ab --a generator=kafka-python --b generator=confluent``, detector, 5,000/s, quiet)
the detector's p99 was no lower with it (median 90 vs 119 ms, both ranges 66-456 ms), so the
bench keeps kafka-python. Both clients use the same producer settings (acks=all, idempotent, the
runtime's linger and batch size) and put a key on the same partition (``murmur2_random`` is the
Java and kafka-python clients' hash).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.payloads import Payload, make, read_file, stamp
from streamml.runtime.clients import make_producer
from streamml.runtime.settings import RuntimeConfig

TICK_S = 0.002
CLIENTS = ("kafka-python", "confluent")
DEFAULT_CLIENT = "kafka-python"


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
    parser.add_argument("--client", choices=CLIENTS, default=DEFAULT_CLIENT,
                        help="the producer's client library (confluent needs the bench extra)")
    args = parser.parse_args(argv)

    count = int(args.rate * args.seconds)
    if args.payload_file is not None:
        payloads = read_file(args.payload_file, args.offset, count)
        if len(payloads) < count:
            raise SystemExit(f"{args.payload_file} has {len(payloads)} payloads from line "
                             f"{args.offset}, not {count}")
    else:
        payloads = make(args.kind, count, args.prefix)
    send = _confluent_sender if args.client == "confluent" else _kafka_python_sender
    sent, acked, elapsed, behind_max = send(args.bootstrap, args.topic, payloads, args.rate)
    json.dump({"offered_rate": args.rate, "sent": sent, "acked": acked,
               "achieved_rate": round(sent / elapsed, 1), "max_burst": behind_max,
               "client": args.client}, sys.stdout)
    print()
    return 0 if acked == sent else 1


def _paced(payloads: list[Payload], rate: float, send: Callable[[Payload, int], None],
           idle: Callable[[], object]) -> tuple[int, float, int]:
    """Calls ``send(payload, now_ms)`` for every payload on schedule and ``idle()`` between
    bursts; returns (sent, elapsed seconds, the largest burst)."""
    started = time.monotonic()
    sent = 0
    behind_max = 0
    while sent < len(payloads):
        due = min(len(payloads), int((time.monotonic() - started) * rate) + 1)
        behind_max = max(behind_max, due - sent)
        now_ms = int(time.time() * 1000)
        while sent < due:
            send(payloads[sent], now_ms)
            sent += 1
        idle()
    return sent, time.monotonic() - started, behind_max


def _kafka_python_sender(bootstrap: str, topic: str, payloads: list[Payload], rate: float
                         ) -> tuple[int, int, float, int]:
    producer = make_producer(RuntimeConfig(bootstrap_servers=bootstrap,
                                           service_name="bench-loadgen"))
    acked = 0

    def on_ack(_metadata: object) -> None:
        nonlocal acked
        acked += 1

    def send(payload: Payload, now_ms: int) -> None:
        producer.send(topic, key=payload.key, value=stamp(payload, now_ms),
                      headers=list(payload.headers)).add_callback(on_ack)

    sent, elapsed, behind_max = _paced(payloads, rate, send, lambda: time.sleep(TICK_S))
    producer.flush(timeout=60)
    producer.close(timeout=30)
    return sent, acked, elapsed, behind_max


def _confluent_sender(bootstrap: str, topic: str, payloads: list[Payload], rate: float
                      ) -> tuple[int, int, float, int]:
    from confluent_kafka import Producer

    from bench.passthrough_confluent import client_settings

    settings, _ = client_settings(bootstrap, "bench-loadgen", RuntimeConfig())
    producer = Producer({**settings, "client.id": "streamml-bench-loadgen"})
    acked = 0

    def on_delivery(error: object, _message: object) -> None:
        nonlocal acked
        if error is None:
            acked += 1

    def send(payload: Payload, now_ms: int) -> None:
        producer.produce(topic, key=payload.key, value=stamp(payload, now_ms),
                         headers=list(payload.headers), on_delivery=on_delivery)

    sent, elapsed, behind_max = _paced(payloads, rate, send,
                                       lambda: producer.poll(TICK_S))
    producer.flush(60)
    return sent, acked, elapsed, behind_max


if __name__ == "__main__":
    sys.exit(main())
