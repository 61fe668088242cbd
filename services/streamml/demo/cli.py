"""`streamml demo [cricket|weather|all]`: the workshop's two demos, made real, on a running broker."""

from __future__ import annotations

import argparse
import importlib
import os
import time

from streamml.runtime.config import load_config
from streamml.runtime.settings import RuntimeConfig

WORKFLOWS = {
    "cricket": "streamml.demo.cricket",
    "weather": "streamml.demo.weather",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="run the demo workflows end to end")
    parser.add_argument("workflow", nargs="?", default="all", choices=[*WORKFLOWS, "all"])
    parser.add_argument("--bootstrap-servers", help="env STREAMML_BOOTSTRAP_SERVERS")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(RuntimeConfig, os.environ, {"bootstrap_servers": args.bootstrap_servers})
    chosen = list(WORKFLOWS) if args.workflow == "all" else [args.workflow]
    started = time.monotonic()
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        code = importlib.import_module(WORKFLOWS[name]).run(config.bootstrap_servers)
        if code != 0:
            print(f"demo {name} failed with exit code {code}", flush=True)
            return code
    print(f"\ndemo finished in {time.monotonic() - started:.0f} s", flush=True)
    return 0
