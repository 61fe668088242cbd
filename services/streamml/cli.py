"""The `streamml` command: one sub-command per service and per tool. It only wires them up.

Only the module of the command that runs is imported: `streamml sensors` never loads the
predictor's code or scikit-learn, and each service image holds just its own service.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from streamml.runtime.config import ConfigError

# Command -> (module with add_parser(subparsers) whose parser sets `handler`, summary).
COMMANDS = {
    "broker": ("streamml.broker.cli", "run the embedded Apache Kafka broker"),
    "topics": ("streamml.runtime.topics_cli", "create the declared topics, report drift"),
    "keys": ("streamml.runtime.keys_cli",
             "create the model-signing key pair, or print a public key's id"),
    "demo": ("streamml.demo.cli", "run the demo workflows end to end"),
    "sensors": ("streamml.sensors.cli",
                "weather: simulate sensors publishing readings, with labelled faults"),
    "detector": ("streamml.detector.cli",
                 "weather: flag sensor faults (and report weather events) per sensor"),
    "orchestrator": ("streamml.orchestrator.cli",
                     "cricket: publish training data, then simulate live matches"),
    "trainer": ("streamml.trainer.cli",
                "cricket: train the score model and publish it to the models topic"),
    "predictor": ("streamml.predictor.cli",
                  "cricket: predict final scores of live matches, ball by ball"),
    "status": ("streamml.status.cli", "show a deployed release: pods, topics, lag and throughput"),
    "evaluate": ("streamml.evaluate.cli", "score a detector on a labelled stream"),
    "watch": ("streamml.watch.cli",
              "a live terminal view of a running system (matches, sensors, pipeline)"),
    "report": ("streamml.report.cli", "write an HTML report with plots of a run (from Kafka)"),
}
# A service image sets this: `streamml` with no command runs that service.
SERVICE_VARIABLE = "STREAMML_SERVICE"


class CommandUnavailable(Exception):
    """The command's code or a dependency of it is not installed here."""


def load_command(command: str):
    """Import the command's module; explain what is missing if it cannot be imported."""
    module_name = COMMANDS[command][0]
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("streamml"):
            raise CommandUnavailable(
                f"`streamml {command}` is not part of this installation ({exc.name} is "
                "missing: each service image holds only its own service)") from exc
        raise CommandUnavailable(
            f"`streamml {command}` needs {exc.name}, which is not installed: "
            f"pip install 'streamml[{command}]' (or 'streamml[ml]')") from exc


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser of ``command``; every other command is listed by its summary only."""
    parser = argparse.ArgumentParser(prog="streamml", description=__doc__.split("\n")[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, summary) in COMMANDS.items():
        if name == command:
            load_command(name).add_parser(subparsers)
        else:
            subparsers.add_parser(name, help=summary, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    service = os.environ.get(SERVICE_VARIABLE, "")
    if service and (not argv or argv[0].startswith("-")) and argv[:1] not in (["-h"], ["--help"]):
        argv.insert(0, service)
    command = argv[0] if argv and argv[0] in COMMANDS else None
    try:
        parser = build_parser(command)
        module = load_command(command) if command else None
    except CommandUnavailable as exc:
        print(f"streamml: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    user_errors = (ConfigError, *getattr(module, "USER_ERRORS", ()))
    try:
        return args.handler(args)
    except user_errors as exc:
        print(f"streamml {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
