"""`streamml detector`: tells sensor faults from weather, per sensor, and publishes anomalies."""

from __future__ import annotations

import argparse

from streamml.detector.config import DetectorConfig
from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.service import run_service


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "detector", help="weather: flag sensor faults (and report weather events) per sensor")
    add_config_flags(parser, DetectorConfig)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from streamml.detector.service import serve  # the service's modules load only to run it

    config = config_from_args(DetectorConfig, args)
    return run_service(config, lambda context: serve(config, context))
