"""`streamml demo [cricket|weather|all]`: the workshop's two demos, made real, on a running broker.

The demo's own readers connect with the STREAMML_* connection settings (on a secure broker:
the admin's, `eval "$(streamml broker credentials admin)"`); every service it starts connects
as its own user, whose password it reads from the secure broker's data directory.

In an interactive terminal the demo shows the live view of `streamml watch` while it runs, with
the last lines of its own output below it, and prints the summaries at the end (the whole
output goes to a file); otherwise (CI, pipes, or --plain) it prints its lines as they come.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import importlib
import os
import sys
import time
from pathlib import Path
from types import ModuleType

from streamml.broker.embedded import BrokerConfig
from streamml.broker.security import CredentialsError
from streamml.demo.support import DemoKafka
from streamml.runtime.access import load_access
from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.config import load_config
from streamml.runtime.settings import KafkaConnection

WORKFLOWS = {
    "cricket": "streamml.demo.cricket",
    "weather": "streamml.demo.weather",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="run the demo workflows end to end")
    parser.add_argument("workflow", nargs="?", default="all", choices=[*WORKFLOWS, "all"])
    add_config_flags(parser, KafkaConnection)
    parser.add_argument("--service-credentials", type=Path, metavar="DIR",
                        help="on a broker that authenticates clients: the folder of its "
                             "credentials.json, one user per service (default: the embedded "
                             "broker's data directory, env STREAMML_BROKER_DATA_DIR)")
    parser.add_argument("--plain", action="store_true",
                        help="print lines as they come, even in an interactive terminal")
    parser.add_argument("--report-dir", type=Path, default=Path("reports"),
                        help="where the run's HTML report and run file go (default: reports/)")
    parser.add_argument("--no-report", action="store_true", help="write no report")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    connection = config_from_args(KafkaConnection, args)
    users = args.service_credentials or load_config(BrokerConfig, os.environ).root
    kafka = DemoKafka(connection, users if connection.authenticates else None)
    try:
        kafka.check(load_access().services)
    except CredentialsError as error:
        print(f"streamml demo: {error}", file=sys.stderr)
        return 2
    chosen = list(WORKFLOWS) if args.workflow == "all" else [args.workflow]

    report_dir = None if args.no_report else args.report_dir

    def workflows() -> int:
        return run_workflows(kafka, chosen, report_dir)

    if args.plain or not sys.stdout.isatty():
        return workflows()
    try:
        from streamml.demo.live import run_with_live_view
    except ImportError:  # rich is an optional extra
        return workflows()
    return run_with_live_view(connection, workflows)


def run_workflows(kafka: DemoKafka, chosen: list[str], report_dir: Path | None) -> int:
    started = time.monotonic()
    recorder = _report_recorder(kafka.connection, report_dir)
    settings = {}
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(WORKFLOWS[name])
        settings[name] = workflow_settings(module)
        code = module.run(kafka)
        if code != 0:
            print(f"demo {name} failed with exit code {code}", flush=True)
            return code
    if recorder is not None:
        print(f"\nreport: {recorder(settings)}", flush=True)
    print(f"\ndemo finished in {time.monotonic() - started:.0f} s", flush=True)
    return 0


def workflow_settings(module: ModuleType) -> dict[str, object]:
    """A workflow's settings and seeds: the upper-case constants its module assigns itself."""
    assigned = {name.id for node in ast.parse(inspect.getsource(module)).body
                if isinstance(node, ast.Assign) for target in node.targets
                for name in (target.elts if isinstance(target, ast.Tuple) else [target])
                if isinstance(name, ast.Name)}
    return {name: value for name, value in vars(module).items()
            if name in assigned and name.isupper() and isinstance(value, (int, float, str))
            and not name.endswith("_TOPIC")}


def _report_recorder(connection: KafkaConnection, report_dir: Path | None):
    """Marks where the run starts; the returned function writes the run file and the report."""
    if report_dir is None:
        return None
    try:
        from streamml.report.build import write_report
    except ImportError:  # matplotlib is an optional extra
        return None
    from streamml.report.collect import RunInfo, current_commit, end_offsets

    start = end_offsets(connection)
    stamp = time.strftime("%Y%m%d-%H%M%S")

    def record(settings: dict[str, dict[str, object]]) -> Path:
        run = RunInfo(start, end_offsets(connection), current_commit(),
                      time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                      connection.bootstrap_servers, settings)
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / f"demo-{stamp}.json").write_text(run.to_json())
        path, _ = write_report(connection, run, report_dir / f"demo-{stamp}.html")
        return path

    return record
