"""Bench-only probe: the loop's turns, one line each, for ``python -m bench.turns``.

Put this folder on a service's PYTHONPATH (``python -m bench.ab --a site=bench/turn_trace``)
and the process writes ``turns-<pid>.txt`` into ``$BENCH_TURN_TRACE_DIR`` (default: the
temporary directory): per loop turn, when it began and how long it took, how long its poll
took and how many records it returned, how long decoding, handling and sending them took;
per fetch request, when it was sent and for how many partitions; per fetch response, its round
trip. Wraps the runtime's and kafka-python's methods; measures, changes nothing else.
"""

import atexit
import os
import tempfile
import time

import kafka.consumer.fetcher as _fetcher
import streamml.runtime.stream as _stream
from kafka.consumer.group import KafkaConsumer

_directory = os.environ.get("BENCH_TURN_TRACE_DIR", tempfile.gettempdir())
_out = open(os.path.join(_directory, f"turns-{os.getpid()}.txt"), "w", buffering=1 << 16)
atexit.register(_out.close)
_turn = {"poll_ms": 0.0, "records": 0, "start_ms": 0.0}

_run_turn = _stream.StreamProcessor._turn
_poll = KafkaConsumer.poll
_start = _stream.StreamProcessor._start
_create_fetch_requests = _fetcher.Fetcher._create_fetch_requests
_handle_fetch_response = _fetcher.Fetcher._handle_fetch_response


def _traced_turn(self):
    _turn.update(poll_ms=0.0, records=0, start_ms=0.0)
    began = time.monotonic()
    _run_turn(self)
    _out.write(f"T {began:.4f} {1000 * (time.monotonic() - began):.2f} {_turn['poll_ms']:.2f} "
               f"{_turn['records']} {_turn['start_ms']:.2f}\n")


def _traced_poll(self, *args, **kwargs):
    began = time.monotonic()
    polled = _poll(self, *args, **kwargs)
    _turn["poll_ms"] = 1000 * (time.monotonic() - began)
    _turn["records"] = sum(len(records) for records in polled.values())
    return polled


def _traced_start(self, *args, **kwargs):
    began = time.monotonic()
    try:
        return _start(self, *args, **kwargs)
    finally:
        _turn["start_ms"] = 1000 * (time.monotonic() - began)


def _traced_create_fetch_requests(self):
    requests = _create_fetch_requests(self)
    for _, offsets in requests.values():
        _out.write(f"F {time.monotonic():.4f} {len(offsets)}\n")
    return requests


def _traced_handle_fetch_response(self, node_id, fetch_offsets, send_time, response):
    _out.write(f"R {time.monotonic():.4f} {1000 * (time.monotonic() - send_time):.2f}\n")
    return _handle_fetch_response(self, node_id, fetch_offsets, send_time, response)


_stream.StreamProcessor._turn = _traced_turn
KafkaConsumer.poll = _traced_poll
_stream.StreamProcessor._start = _traced_start
_fetcher.Fetcher._create_fetch_requests = _traced_create_fetch_requests
_fetcher.Fetcher._handle_fetch_response = _traced_handle_fetch_response
