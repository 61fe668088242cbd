"""`python -m bench`: start a private broker, run every benchmark, write docs/benchmarks.md
and its plots (docs/benchmarks/*.png).

    .venv/bin/python -m bench                 # the full run (make bench)
    .venv/bin/python -m bench --quick         # a smoke run with tiny sizes, one run each
    .venv/bin/python -m bench --render .cache/bench/results.json   # report again, no runs
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench import report, suite
from bench import procs
from bench.procs import REPO
from streamml.broker import embedded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run each")
    parser.add_argument("--short", action="store_true",
                        help="the full run's phases at smaller sizes, 3 runs each (~20 min)")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3; --quick: 1)")
    parser.add_argument("--port", type=int, default=19592, help="the bench broker's port")
    parser.add_argument("--work-dir", default=str(REPO / ".cache" / "bench"),
                        help="broker data, logs, profiles (wiped at start)")
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"),
                        help="the report; its plots go to a folder of the same name beside it")
    parser.add_argument("--render", metavar="RESULTS_JSON",
                        help="only write the report and plots from a run's results.json")
    args = parser.parse_args(argv)
    if args.render:
        written = report.write(json.loads(Path(args.render).read_text()), Path(args.out))
        print(f"bench: wrote {written}", flush=True)
        return 0

    scale = suite.QUICK if args.quick else suite.SHORT if args.short else suite.FULL
    if args.runs:
        scale = suite.Scale(**{**asdict(scale), "runs": args.runs})
    work_dir = Path(args.work_dir)
    started = time.monotonic()
    load_before = _loadavg()
    broker = procs.start_fresh_broker(work_dir, args.port)
    print(f"bench: started a broker on {broker.bootstrap} (data in {broker.data_dir})", flush=True)
    try:
        bench = suite.Bench.on_broker(broker, scale, work_dir)
        try:
            _run(bench)
        finally:  # what was measured is kept, even when a later phase fails
            (work_dir / "results.json").write_text(json.dumps(
                {"results": asdict(bench.results), "scale": asdict(scale)}, indent=1))
    finally:
        embedded.stop(broker)
    elapsed = time.monotonic() - started
    env = report.Environment.collect(broker, load_before, _loadavg(), elapsed, quick=args.quick,
                                     argv=sys.argv[1:])
    run = {"results": asdict(bench.results), "scale": asdict(scale), "environment": asdict(env)}
    (work_dir / "results.json").write_text(json.dumps(run, indent=1))
    written = report.write(run, Path(args.out))
    print(f"bench: wrote {written} in {elapsed / 60:.1f} min", flush=True)
    return 0


def _run(bench: suite.Bench) -> None:
    suite.prepare_topics(bench)
    bench.stage("backlogs")
    backlogs = suite.fill_backlogs(bench)
    suite.trainer(bench)
    suite.java_ceilings(bench, backlogs)
    suite.throughput(bench)
    suite.workshop_loop(bench)
    suite.latency(bench)
    suite.client_options(bench, backlogs["cricket"])
    suite.profiles(bench)


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    sys.exit(main())
