"""`streamml report`: an HTML file with plots and tables of a run, read back from Kafka.

Per match, the predicted final score ball by ball against the actual final score and the naive
run-rate projection; the prediction error against overs; per sensor, the three channels with
the injected faults shaded and the flagged readings marked by kind; precision and recall per
kind. A run is either a run file written by `streamml demo` (its offsets, commit, settings and
seeds) or the last --since seconds of the topics.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from streamml.runtime.cli_support import add_config_flags, config_from_args
from streamml.runtime.settings import KafkaConnection


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write an HTML report with plots of a run (from Kafka)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_config_flags(parser, KafkaConnection)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--run-file", type=Path, help="a run file written by `streamml demo`")
    source.add_argument("--since", type=float, default=900.0,
                        help="without a run file: the last this many seconds (default 900)")
    parser.add_argument("--warmup", type=int, default=None,
                        help="readings per sensor not scored (default: the run's, else 30)")
    parser.add_argument("--out", type=Path, default=None,
                        help="the HTML file (default: reports/report-<time>.html)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("streamml report needs matplotlib: pip install 'streamml[report]'", file=sys.stderr)
        return 2
    from kafka.errors import KafkaError

    from streamml.report.collect import RunInfo, current_commit, end_offsets, offsets_at
    from streamml.report.build import write_report
    from streamml.runtime.clients import unreachable_hint

    connection = config_from_args(KafkaConnection, args)
    try:
        if args.run_file is not None:
            info = RunInfo.from_json(args.run_file.read_text())
        else:
            info = RunInfo(offsets_at(connection, int((time.time() - args.since) * 1000)),
                           end_offsets(connection), current_commit(),
                           time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                           connection.bootstrap_servers,
                           {"report": {"since_s": args.since}})
        out = args.out or Path("reports") / f"report-{time.strftime('%Y%m%d-%H%M%S')}.html"
        path, _ = write_report(connection, info, out, args.warmup)
    except (KafkaError, TimeoutError) as error:
        print(f"streamml report: cannot read the run from {connection.bootstrap_servers}: {error}"
              f"{unreachable_hint(connection)}",
              file=sys.stderr)
        return 2
    print(f"report written to {path}")
    return 0
