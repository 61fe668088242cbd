"""`streamml orchestrator`: publish the training set, then play live matches."""

from __future__ import annotations

import argparse

from streamml.orchestrator.config import OrchestratorConfig
from streamml.orchestrator.service import Orchestrator
from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.service import ServiceContext, run_service


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "orchestrator", help="cricket: publish training data, then simulate live matches")
    add_config_flags(parser, OrchestratorConfig)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(OrchestratorConfig, args)

    def main(context: ServiceContext) -> None:
        context.summary.add_output("streamml_orchestrator_training_samples_total")
        context.summary.add_output("streamml_orchestrator_match_events_total")
        context.summary.add_gauge("matches_in_progress", "streamml_orchestrator_matches_in_progress")
        Orchestrator(config, context).run()

    return run_service(config, main)
