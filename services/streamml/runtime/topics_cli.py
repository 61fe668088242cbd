"""`streamml topics apply | list`."""

from __future__ import annotations

import argparse
import os

from streamml.runtime.config import load_config
from streamml.runtime.clients import connection_settings
from streamml.runtime.settings import RuntimeConfig
from streamml.runtime.topics import apply_catalog, load_catalog


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("topics", help="create the declared topics, report drift")
    parser.add_argument("action", choices=["apply", "list"])
    parser.add_argument("--bootstrap-servers", help="env STREAMML_BOOTSTRAP_SERVERS")
    parser.add_argument("--max-replicas", type=int, default=None,
                        help="cap the replication factor further (the broker count always caps it)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    if args.action == "list":
        for spec in catalog.topics:
            configs = ",".join(f"{k}={v}" for k, v in spec.config.items())
            print(f"{spec.name}\tpartitions={spec.partitions}\treplicas={spec.replicas}\t{configs}")
        return 0
    config = load_config(RuntimeConfig, os.environ, {"bootstrap_servers": args.bootstrap_servers})
    report = apply_catalog(config.bootstrap_servers, catalog, max_replicas=args.max_replicas,
                           security=connection_settings(config))
    for line in report.lines():
        print(line)
    return 1 if report.drift else 0
