"""Bench-only: the runtime's producers with kafka-python's default 16 KiB batches, i.e. the
runtime before PRODUCER_BATCH_BYTES (64 KiB), measured in the same run as the "after".

Put this folder on PYTHONPATH of a process (bench/procs.py does) and Python imports it at start.
"""

import streamml.runtime.clients as _clients

_clients.PRODUCER_BATCH_BYTES = 16 * 1024
