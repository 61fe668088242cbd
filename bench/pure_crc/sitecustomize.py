"""Bench-only: make kafka-python use its pure-Python CRC32C even where the C `crc32c` package is
installed, to measure the runtime as it was before `crc32c` became a dependency.

Put this folder on PYTHONPATH of a process (bench/procs.py does) and Python imports it at start.
"""

import kafka.record.util as _util
from kafka.record._crc32c import crc as _pure_crc32c

_util.calc_crc32c.__defaults__ = (_pure_crc32c,)
