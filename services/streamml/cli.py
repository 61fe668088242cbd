"""The `streamml` command: one sub-command per service and per tool. It only wires them up."""

from __future__ import annotations

import argparse
import importlib
import sys

from streamml.broker.embedded import BrokerError
from streamml.runtime.config import ConfigError

# Each module has add_parser(subparsers); its parser sets `handler` (args -> exit code).
COMMAND_MODULES = (
    "streamml.broker.cli",
    "streamml.runtime.topics_cli",
    "streamml.runtime.keys_cli",
    "streamml.demo.cli",
    "streamml.sensors.cli",
    "streamml.detector.cli",
    "streamml.orchestrator.cli",
    "streamml.trainer.cli",
    "streamml.predictor.cli",
    "streamml.status.cli",
    "streamml.evaluate.cli",
    "streamml.watch.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="streamml", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ConfigError, BrokerError) as exc:
        print(f"streamml {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
