"""`streamml sensors`: a simulated network of weather sensors publishing readings."""

from __future__ import annotations

import argparse

from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.service import run_service
from streamml.sensors.config import SensorsConfig


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sensors", help="weather: simulate sensors publishing readings, with labelled faults")
    add_config_flags(parser, SensorsConfig)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from streamml.sensors.service import serve  # the service's modules load only to run it

    config = config_from_args(SensorsConfig, args)
    failures: list[int] = []
    code = run_service(config, lambda context: failures.append(serve(config, context)))
    # A reading Kafka never acknowledged is lost: say so in the exit code.
    return code or (1 if any(failures) else 0)
