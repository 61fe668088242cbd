"""`streamml demo [cricket|weather|all]`: the workshop's two demos, made real, on a running broker.

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
    parser.add_argument("--report-dir", type=Path, default=Path("reports"),
                        help="where the run's HTML report and run file go (default: reports/)")
    parser.add_argument("--no-report", action="store_true", help="write no report")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(RuntimeConfig, os.environ, {"bootstrap_servers": args.bootstrap_servers})
    chosen = list(WORKFLOWS) if args.workflow == "all" else [args.workflow]

    report_dir = None if args.no_report else args.report_dir

    def workflows() -> int:
        return run_workflows(config.bootstrap_servers, chosen, report_dir)

    if args.plain or not sys.stdout.isatty():
        return workflows()
    try:
        from streamml.demo.live import run_with_live_view
    except ImportError:  # rich is an optional extra
        return workflows()
    return run_with_live_view(config.bootstrap_servers, workflows)


def run_workflows(bootstrap_servers: str, chosen: list[str], report_dir: Path | None) -> int:
    started = time.monotonic()
    recorder = _report_recorder(bootstrap_servers, report_dir)
    settings = {}
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(WORKFLOWS[name])
        settings[name] = workflow_settings(module)
        code = module.run(bootstrap_servers)
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


def _report_recorder(bootstrap_servers: str, report_dir: Path | None):
    """Marks where the run starts; the returned function writes the run file and the report."""
    if report_dir is None:
        return None
    try:
        from streamml.report.build import write_report
    except ImportError:  # matplotlib is an optional extra
        return None
    from streamml.report.collect import RunInfo, current_commit, end_offsets

    start = end_offsets(bootstrap_servers)
    stamp = time.strftime("%Y%m%d-%H%M%S")

    def record(settings: dict[str, dict[str, object]]) -> Path:
        run = RunInfo(start, end_offsets(bootstrap_servers), current_commit(),
                      time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), bootstrap_servers,
                      settings)
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / f"demo-{stamp}.json").write_text(run.to_json())
        path, _ = write_report(bootstrap_servers, run, report_dir / f"demo-{stamp}.html")
        return path

    return record
