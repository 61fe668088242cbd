"""`streamml predictor`: predict final scores of live matches with the newest model."""

from __future__ import annotations

import argparse

from streamml.predictor.config import PredictorConfig
from streamml.predictor.service import serve
from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.service import run_service
from streamml.runtime.signing import trusted_from_setting


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "predictor", help="cricket: predict final scores of live matches, ball by ball")
    add_config_flags(parser, PredictorConfig)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(PredictorConfig, args)
    trusted = trusted_from_setting(config, "model_trusted_keys")
    return run_service(config, lambda context: serve(config, context, trusted))
