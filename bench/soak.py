"""`python -m bench.soak`: one detector under a long steady load, its memory and collector watched.

A private broker, one fresh detector (runtime settings as in bench.ab, ``field=value,...``),
its sensors warmed as in the latency phases, then ``--rate`` readings/s for ``--seconds``;
every ``--every`` seconds a line: readings consumed, RSS, objects frozen
(``streamml_gc_frozen_objects``, counted at start-up and after each reclaim) and full
collections so far (``streamml_gc_pause_seconds``, generation 2). An RSS that climbs from
line to line, or a frozen count from one reclaim to the next, is a leak.

    .venv/bin/python -m bench.soak --rate 2000 --seconds 300 \\
        --settings gc_reclaim_interval_s=120 --port 21610
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bench import ab, procs, suite
from bench.measure import rss_mb
from bench.procs import REPO
from bench.stages import FROZEN_METRIC, FULL_COLLECTION, GC_METRIC, parse_gauge, parse_stages
from streamml.broker import embedded


def snapshot(proc: procs.Proc) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{proc.http_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    consumed = sum(sample.value for family in text_string_to_metric_families(text)
                   if family.name == "streamml_messages_consumed" for sample in family.samples
                   if sample.name.endswith("_total"))
    full = parse_stages(text, GC_METRIC, "generation").get(FULL_COLLECTION)
    return (f"consumed {consumed:9,.0f}  rss {rss_mb(proc.pid):6.1f} MB  "
            f"frozen {parse_gauge(text, FROZEN_METRIC):9,.0f}  "
            f"full collections {full.count if full else 0:3.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--every", type=float, default=10)
    parser.add_argument("--settings", default="", help="the detector's: field=value[,field=value]")
    parser.add_argument("--port", type=int, default=19592, help="the broker's port")
    parser.add_argument("--work-dir", default=str(REPO / ".cache" / "bench-soak"))
    args = parser.parse_args()

    work_dir = Path(args.work_dir)
    broker = procs.start_fresh_broker(work_dir, args.port)
    scale = suite.Scale(runs=1, backlog=0, service_backlog=0, option_backlog=0,
                        load_seconds=args.seconds, discard_s=0, loads=(args.rate,),
                        workshop_seconds=0, trainer_sizes=(), profile_seconds=0, java_records=0)
    variant = ab.make_variant("soak", f"soak {args.settings}", args.settings, ("quiet",))
    try:
        bench = suite.Bench.on_broker(broker, scale, work_dir)
        suite.prepare_topics(bench)
        group, (proc,) = suite._start_assigned(bench, "detector", "weather", 0, variant)
        try:
            feed = suite.Feed.warm_sensors(bench, proc, group, [args.rate], ["quiet"], "soak")
            load = suite._loadgen(bench, "soak-load", "weather", args.rate, args.seconds, "soak",
                                  feed.take(int(args.rate * args.seconds))).start()
            started = time.monotonic()
            while load.process.poll() is None:
                print(f"{time.monotonic() - started:6.0f} s  {snapshot(proc)}", flush=True)
                time.sleep(args.every)
        finally:
            proc.stop()
    finally:
        embedded.stop(broker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
