"""`streamml demo [cricket|weather|all]`: the workshop's two demos, made real, on a running broker.

In an interactive terminal the demo shows the live view of `streamml watch` while it runs, with
the last lines of its own output below it, and prints the summaries at the end (the whole
output goes to a file); otherwise (CI, pipes, or --plain) it prints its lines as they come.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
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
    parser.add_argument("--plain", action="store_true",
                        help="print lines as they come, even in an interactive terminal")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(RuntimeConfig, os.environ, {"bootstrap_servers": args.bootstrap_servers})
    chosen = list(WORKFLOWS) if args.workflow == "all" else [args.workflow]

    def workflows() -> int:
        return run_workflows(config.bootstrap_servers, chosen)

    if args.plain or not sys.stdout.isatty():
        return workflows()
    try:
        from streamml.demo.live import run_with_live_view
    except ImportError:  # rich is an optional extra
        return workflows()
    return run_with_live_view(config.bootstrap_servers, workflows)


def run_workflows(bootstrap_servers: str, chosen: list[str]) -> int:
    started = time.monotonic()
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        code = importlib.import_module(WORKFLOWS[name]).run(bootstrap_servers)
        if code != 0:
            print(f"demo {name} failed with exit code {code}", flush=True)
            return code
    print(f"\ndemo finished in {time.monotonic() - started:.0f} s", flush=True)
    return 0
