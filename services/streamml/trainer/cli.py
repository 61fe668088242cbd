"""`streamml trainer`: fit and publish the cricket score model."""

from __future__ import annotations

import argparse

from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.service import run_service
from streamml.runtime.signing import TrustedKeys, signer_from_setting, trusted_from_setting
from streamml.trainer.config import TrainerConfig
from streamml.trainer.service import serve


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "trainer", help="cricket: train the score model and publish it to the models topic")
    add_config_flags(parser, TrainerConfig)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(TrainerConfig, args)
    signer = signer_from_setting(config, "model_signing_key")
    trusted = (trusted_from_setting(config, "model_trusted_keys") if config.model_trusted_keys
               else TrustedKeys.of(signer.private_key.public_key()))
    return run_service(config, lambda context: serve(config, context, signer, trusted))
