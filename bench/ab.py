"""`python -m bench.ab`: one runtime setting A/B, by alternation, on the latency phases only.

One private broker, one trained model (10,000 samples), then `--pairs` alternating pairs of
fresh service processes, variant A and variant B (runtime settings passed as STREAMML_*
environment variables), the order swapped every pair; each run is the bench's own latency
run (bench.suite: probe, detector warm-up, a phase per condition: quiet, and next to
bench.busy). Writes every run's values and the `uptime` before each run to --out, and prints
per variant the runs' service / generator / end-to-end p50 and p99 and stage means with their
medians. Several minutes, not 25: for one setting at a time, not for docs/benchmarks.md.

    .venv/bin/python -m bench.ab --a linger_ms=5 --b linger_ms=0 --pairs 3 \
        --conditions quiet --port 21600 --out /tmp/ab-linger.json

``generator=kafka-python`` (or ``confluent``) among a variant's settings picks the load
generator's client instead of a service setting.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from bench import suite
from bench import procs
from bench.procs import REPO
from streamml.broker import embedded


def settings(text: str) -> dict[str, str]:
    """``linger_ms=0,max_poll_records=100`` -> {"linger_ms": "0", ...} (RuntimeConfig fields)."""
    return dict(item.split("=", 1) for item in text.split(",") if item)


def make_variant(label: str, title: str, text: str, conditions: tuple[str, ...]) -> suite.Variant:
    """A variant from ``--a``/``--b``: service settings, ``generator=`` for the load
    generator's client, ``site=`` for a folder whose ``sitecustomize`` the service imports at
    start (a probe, or a bench-only change such as ``bench/batch16k``), and ``replicas=`` for
    that many service processes sharing the input in one group."""
    service_settings = settings(text)
    generator = service_settings.pop("generator", "")
    site = service_settings.pop("site", "")
    replicas = int(service_settings.pop("replicas", "1"))
    return suite.Variant(label, title, service_settings,
                         site=Path(site).resolve() if site else None,
                         conditions=conditions, generator=generator, replicas=replicas)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", default="", help="A's settings: field=value[,field=value]")
    parser.add_argument("--b", default="", help="B's settings, e.g. linger_ms=0")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--services", default="predictor,detector")
    parser.add_argument("--conditions", default="quiet,busy")
    parser.add_argument("--load", default="1000",
                        help="events/s; several (1000,2000,5000) run in turn in one process, "
                        "as make bench does")
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--port", type=int, default=19592, help="the bench broker's port")
    parser.add_argument("--work-dir", default=str(REPO / ".cache" / "bench-ab"),
                        help="broker data and logs (wiped at start)")
    parser.add_argument("--out", required=True, help="every run's values (JSON)")
    args = parser.parse_args()
    loads = tuple(int(load) for load in args.load.split(","))

    scale = suite.Scale(runs=1, backlog=0, service_backlog=0, option_backlog=0,
                        load_seconds=args.seconds, discard_s=1.5, loads=loads,
                        workshop_seconds=0, trainer_sizes=(10000,), profile_seconds=0,
                        java_records=0)
    work_dir = Path(args.work_dir)
    broker = procs.start_fresh_broker(work_dir, args.port)
    conditions = tuple(args.conditions.split(","))
    variants = {"A": make_variant("ab_a", f"A {args.a}", args.a, conditions),
                "B": make_variant("ab_b", f"B {args.b}", args.b, conditions)}
    services = args.services.split(",")
    loads_uptime: list[str] = []
    try:
        bench = suite.Bench.on_broker(broker, scale, work_dir)
        suite.prepare_topics(bench)
        if "predictor" in services:
            suite.trainer(bench)
        for service in services:
            for variant in variants.values():
                bench.results.notes[f"{suite.latency_prefix(service, variant)}.loads"] = args.load
        for pair in range(args.pairs):
            order = ["A", "B"] if pair % 2 == 0 else ["B", "A"]
            for name in order:
                for service in services:
                    up = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
                    loads_uptime.append(f"pair {pair} {name} {service}: {up}")
                    print(loads_uptime[-1], flush=True)
                    suite._latency_run(bench, service, variants[name], pair)
    finally:
        embedded.stop(broker)
        Path(args.out).write_text(json.dumps({"a": args.a, "b": args.b, "uptime": loads_uptime,
                                              "results": asdict(bench.results)}, indent=1))
    for load in loads:
        summarize(bench.results.values, services, load, variants, args.a, args.b)
    return 0


def summarize(values: dict, services: list[str], load: int, variants: dict, a: str, b: str) -> None:
    for service in services:
        for condition in ("quiet", "busy"):
            print(f"\n{service} {load}/s {condition}")
            for name, variant in variants.items():
                key = f"{service}.{variant.label}.latency.{load}.{condition}"
                stage = f"{service}.{variant.label}.stage.{load}.{condition}"
                collector = f"{service}.{variant.label}.gc.{load}.{condition}"
                cpu = f"{service}.{variant.label}.cpu.{load}.{condition}"
                row = []
                for label, k in (("svc p50", f"{key}.service.p50"), ("svc p99", f"{key}.service.p99"),
                                 ("gen p50", f"{key}.generator.p50"), ("gen p99", f"{key}.generator.p99"),
                                 ("e2e p99", f"{key}.p99"), ("fetch mean", f"{stage}.fetch.mean"),
                                 ("fetch p99", f"{stage}.fetch.p99"), ("handle mean", f"{stage}.handle.mean"),
                                 ("ack mean", f"{stage}.acknowledge.mean"),
                                 ("full gc", f"{collector}.full"),
                                 ("longest full gc", f"{collector}.full_longest_ms"),
                                 ("gc paused", f"{collector}.paused_ms"),
                                 ("service cores", f"{cpu}.service"),
                                 ("broker cores", f"{cpu}.broker"), ("node cores", f"{cpu}.node"),
                                 ("stolen cores", f"{cpu}.stolen")):
                    runs = values.get(k, [])
                    med = statistics.median(runs) if runs else float("nan")
                    median_digits, run_digits = (2, 2) if label.endswith("cores") else (1, 0)
                    row.append(f"{label} {med:.{median_digits}f} "
                               f"[{', '.join(f'{v:.{run_digits}f}' for v in runs)}]")
                print(f"  {name} ({a if name == 'A' else b}): " + "; ".join(row))


if __name__ == "__main__":
    sys.exit(main())
