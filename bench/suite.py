"""The benchmark phases. Each appends its measurements to ``Results``; ``bench.report`` writes
them up. Every process under test is a separate OS process, started fresh for each run with
its own consumer group, so runs are independent and side by side on the same broker."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from bench import compiled, kafka_io, loadgen, procs, stages
from bench import latency as latency_calc
from bench.java_tools import JavaTools
from bench.measure import (NODE_CPU, CommitWatcher, CpuSample, Summary, percentile,
                           steady_rate_of_times)
from bench.payloads import SENSORS, Payload, make, stamp, write_file
from bench.profiles import component_shares, profile_process
from streamml.broker import embedded
from streamml.contracts.cricket import decode_model
from streamml.contracts.weather import DETECTOR_WARMUP
from streamml.sensors.network import FAULT_FREE_START
from streamml.orchestrator.training import generate_training_samples
from streamml.runtime.metrics import HANDLE as HANDLE_STAGE
from streamml.runtime.topics import apply_catalog, load_catalog

EVENTS = "cricket.match-events"
RESULTS = "cricket.match-results"
PREDICTIONS = "cricket.predictions"
MODELS = "cricket.models"
MODEL_STATUS = "cricket.model-status"
READINGS = "weather.readings"
ANOMALIES = "weather.anomalies"
INPUTS = {"cricket": EVENTS, "weather": READINGS}
PASSTHROUGH_SINK = {"cricket": "bench.passthrough-cricket", "weather": "bench.passthrough-weather"}
WORKSHOP_SINK = "bench.workshop-predictions"
# Kafka's Java perf tools write and read their own topics, copies of the input topics.
JAVA_TOPICS = {"cricket": "bench.java-cricket", "weather": "bench.java-weather"}


@dataclass(frozen=True)
class Scale:
    runs: int
    backlog: int            # events per backlog: what a pass-through run takes
    service_backlog: int    # the first this many of it: what a service run takes
    option_backlog: int     # events per client-options run
    load_seconds: float     # length of one fixed-load phase
    discard_s: float        # start of each load phase left out (group join, detector warm-up)
    loads: tuple[int, ...]  # offered loads, events/s
    workshop_seconds: float
    trainer_sizes: tuple[int, ...]
    profile_seconds: float
    java_records: int       # records per run of Kafka's Java perf tools


FULL = Scale(runs=3, backlog=120_000, service_backlog=60_000, option_backlog=15_000, load_seconds=10, discard_s=2,
             loads=(1000, 2000, 5000), workshop_seconds=10, trainer_sizes=(1000, 10000, 100000),
             profile_seconds=8, java_records=1_000_000)
# The full run's phases at smaller sizes, still medians of 3 runs (about 20 min on 2 cores):
# for when the full run does not fit the time there is; the report says so.
SHORT = Scale(runs=3, backlog=60_000, service_backlog=30_000, option_backlog=8000,
              load_seconds=6, discard_s=1.5, loads=(1000, 2000, 5000), workshop_seconds=5,
              trainer_sizes=(1000, 10000), profile_seconds=5, java_records=1_000_000)
QUICK = Scale(runs=1, backlog=6000, service_backlog=6000, option_backlog=4000, load_seconds=5, discard_s=1.5,
              loads=(1000, 2000), workshop_seconds=5, trainer_sizes=(1000, 5000),
              profile_seconds=4, java_records=50_000)
# Each latency phase runs on a quiet node and again next to the standard background load
# (bench/busy.py: one core kept busy), side by side on the same service process.
CONDITIONS = ("quiet", "busy")
BUSY_LEAD_S = 0.5
# Where the cores went in a latency phase: the processes watched, then the node's totals.
SERVICE_CPU = "service"
PHASE_CPU = (SERVICE_CPU, "broker", *NODE_CPU)


@dataclass
class Results:
    """Raw per-run values by key; ``commands`` records what was run, for the report;
    ``distributions`` holds latency samples (order statistics, pooled over runs) for the
    plots; ``lines`` the Java tools' own summary lines."""

    values: dict[str, list[float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)
    distributions: dict[str, list[float]] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.values.setdefault(key, []).append(value)
        print(f"  {key} = {value:.4g}", flush=True)

    def summary(self, key: str) -> Summary:
        return Summary.of(self.values.get(key, []))

    @classmethod
    def from_json(cls, data: dict) -> Results:
        return cls(**{name: data.get(name, {}) for name in cls.__dataclass_fields__})


@dataclass
class Bench:
    bootstrap: str
    scale: Scale
    work_dir: Path
    tools: JavaTools
    results: Results = field(default_factory=Results)
    broker_pid: int | None = None  # for the CPU it uses in each latency phase
    model_key: str = ""
    stages: list[str] = field(default_factory=list)
    started: float = 0.0
    # Where the detector's compiled scoring is (bench/compiled.py), as its image runs it;
    # None: this machine cannot compile it, and the detector runs interpreted.
    detector_site: Path | None = None

    @property
    def log_dir(self) -> Path:
        return self.work_dir / "logs"

    @classmethod
    def on_broker(cls, broker: embedded.BrokerConfig, scale: Scale, work_dir: Path) -> Bench:
        """The topics of the catalog created on a started bench broker, and a Bench on it."""
        apply_catalog(broker.bootstrap, load_catalog(), max_replicas=1)
        bench = cls(broker.bootstrap, scale, work_dir,
                    JavaTools(embedded.ensure_jars(broker), work_dir),
                    broker_pid=embedded.read_pid(broker))
        try:
            bench.detector_site = compiled.compiled_tree()
            bench.results.notes["detector.scoring"] = "compiled with mypyc, as in its image"
        except compiled.BuildError as error:
            bench.results.notes["detector.scoring"] = f"interpreted: {str(error)[:300]}"
        print(f"bench: the detector's scoring runs {bench.results.notes['detector.scoring']}",
              flush=True)
        return bench

    def group(self, what: str) -> str:
        return f"bench-{what}-{uuid.uuid4().hex[:8]}"

    def stage(self, title: str) -> None:
        self.stages.append(title)
        if not self.started:
            self.started = time.monotonic()
        print(f"== [{(time.monotonic() - self.started) / 60:4.1f} min] {title}", flush=True)


# ---------------------------------------------------------------- set-up

def prepare_topics(bench: Bench) -> None:
    b = bench.bootstrap
    for kind, sink in PASSTHROUGH_SINK.items():
        kafka_io.create_like(b, sink, PREDICTIONS if kind == "cricket" else ANOMALIES)
    kafka_io.create_like(b, WORKSHOP_SINK, PREDICTIONS)
    for kind, topic in JAVA_TOPICS.items():
        kafka_io.create_like(b, topic, INPUTS[kind])
    # The inputs too: a latency sample then splits at the moment its input event is in Kafka,
    # into the generator's part and the service's (bench.latency).
    kafka_io.stamp_on_append(b, [*INPUTS.values(), PREDICTIONS, ANOMALIES, MODEL_STATUS,
                                 WORKSHOP_SINK, *PASSTHROUGH_SINK.values()])


def fill_backlogs(bench: Bench) -> dict[str, list[Payload]]:
    backlogs = {}
    for kind, topic in INPUTS.items():
        payloads = make(kind, bench.scale.backlog)
        rate = kafka_io.fill(bench.bootstrap, topic, payloads)
        print(f"  backlog {topic}: {len(payloads)} events at {rate:.0f}/s", flush=True)
        backlogs[kind] = payloads
    return backlogs


# ---------------------------------------------------------------- helpers

STALL_S = 60.0


class Stalled(RuntimeError):
    """The process committed nothing for STALL_S seconds while alive."""


def run_to_commit(bench: Bench, proc: procs.Proc, group: str, topic: str, total: int,
                  timeout_s: float = 600) -> tuple[float, float]:
    """Start ``proc`` on a backlog of ``total`` events; (steady rate, peak RSS MB)."""
    with CommitWatcher(bench.bootstrap, group, topic, every_s=0.1) as watcher:
        proc.start()
        deadline = time.monotonic() + timeout_s
        progress, progress_at = 0, time.monotonic()
        while watcher.latest < total and time.monotonic() < deadline:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited; see {proc.log_path}")
            if watcher.latest != progress:
                progress, progress_at = watcher.latest, time.monotonic()
            elif time.monotonic() - progress_at > STALL_S:
                proc.stop()
                raise Stalled(f"{proc.name} committed nothing for {STALL_S:.0f} s at "
                              f"{progress} of {total}")
            time.sleep(0.2)
        rss = proc.peak_rss_mb()
    proc.stop()
    if watcher.latest < total:
        raise TimeoutError(f"{proc.name} committed {watcher.latest} of {total} in {timeout_s} s")
    return watcher.steady_rate(total), rss


def backlog_run(bench: Bench, make_proc: Callable[[str], procs.Proc], what: str, topic: str,
                total: int) -> tuple[float, float]:
    """``run_to_commit`` with a fresh group; one retry, noted in the report, if it stalls.

    kafka-python 3.0.12 can leave a fresh group member with no partitions for good when its
    first assignment was made before the topic's metadata arrived and the rejoin that
    follows outlasts one ``poll()``: the harness then retries instead of waiting forever."""
    for attempt in (1, 2):
        group = bench.group(what)
        proc = make_proc(group)
        try:
            return run_to_commit(bench, proc, group, topic, total)
        except Stalled as exc:
            bench.results.notes[f"stall.{proc.name}.{attempt}"] = str(exc)
            print(f"  {exc}; {'retrying' if attempt == 1 else 'giving up'}", flush=True)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _record_command(bench: Bench, key: str, proc: procs.Proc) -> None:
    shown_env = " ".join(f"{k}={v}" for k, v in sorted(proc.env.items())
                         if k not in {"STREAMML_HTTP_PORT", "STREAMML_HTTP_HOST"})
    command = " ".join(Path(part).name if i == 0 else part for i, part in enumerate(proc.command))
    bench.results.commands.setdefault(key, f"{shown_env} {command}".strip())


# ---------------------------------------------------------------- 1. ceilings

def java_ceilings(bench: Bench, backlogs: dict[str, list[Payload]]) -> None:
    """Kafka's own perf tools, each on ``java_records`` records of the services' payloads:
    ProducerPerformance writes them to a copy of the input topic, ConsumerPerformance reads
    them back with a fresh group. Their own summary lines are kept for the report."""
    bench.stage(f"ceiling: Kafka's Java perf tools ({bench.scale.java_records:,} records)")
    now = int(time.time() * 1000)
    payload_files = {}
    for kind in INPUTS:
        payload_files[kind] = bench.work_dir / f"java-payloads-{kind}.txt"
        payload_files[kind].write_bytes(b"\n".join(stamp(p, now) for p in backlogs[kind][:5000]))
    records = bench.scale.java_records
    for run in range(bench.scale.runs):
        for kind, topic in JAVA_TOPICS.items():
            command = bench.tools.producer_command(bench.bootstrap, topic, records,
                                                   payload_files[kind])
            bench.results.commands.setdefault(f"java.producer.{kind}", " ".join(command))
            rate, line = bench.tools.producer_run(command)
            bench.results.add(f"java.producer.{kind}.rate", rate)
            bench.results.lines.setdefault(f"java.producer.{kind}", []).append(line)
            command = bench.tools.consumer_command(bench.bootstrap, topic, records,
                                                   bench.group("java"))
            bench.results.commands.setdefault(f"java.consumer.{kind}", " ".join(command))
            rate, line = bench.tools.consumer_run(command)
            bench.results.add(f"java.consumer.{kind}.rate", rate)
            bench.results.lines.setdefault(f"java.consumer.{kind}", []).append(line)


def passthrough_args(bench: Bench, kind: str, group: str, extra: Sequence[str] = ()) -> list[str]:
    return ["--bootstrap", bench.bootstrap, "--source", INPUTS[kind], "--sink",
            PASSTHROUGH_SINK[kind], "--group", group, *extra]


# The pass-throughs: the most a client does here (consume, produce, acks, commit).
# confluent-kafka is a reference row only (the `bench` extra; never a service dependency).
PASSTHROUGHS = (("passthrough", "bench.passthrough"), ("confluent", "bench.passthrough_confluent"))


def confluent_available() -> bool:
    try:
        import confluent_kafka  # noqa: F401
    except ImportError:
        return False
    return True


def throughput(bench: Bench) -> None:
    """Every process on the same backlogs, interleaved run by run (pass-throughs, then each
    service under both guarantees), so each ratio compares neighbours in time. A service
    takes the first ``service_backlog`` events, a pass-through (several times faster) all of
    them, so each run's steady part lasts a few seconds either way."""
    bench.stage("throughput: pass-throughs and services on the backlogs, side by side")
    clients = [c for c in PASSTHROUGHS if c[0] != "confluent" or confluent_available()]
    if len(clients) < len(PASSTHROUGHS):
        bench.results.notes["confluent.missing"] = (
            "confluent-kafka is not installed (pip install -e '.[bench]'); its row is empty")
    for variant in GUARANTEES:
        bench.results.notes[f"variant.{variant.label}"] = variant.title
    for run in range(bench.scale.runs):
        for label, module_name in clients:
            for kind, topic in INPUTS.items():
                def new_proc(group: str, kind: str = kind, run: int = run, label: str = label,
                         module_name: str = module_name) -> procs.Proc:
                    proc = procs.module(f"{label}-{kind}-{run}", module_name,
                                        passthrough_args(bench, kind, group), bench.log_dir)
                    _record_command(bench, f"{label}.{kind}", proc)
                    return proc
                rate, rss = backlog_run(bench, new_proc, f"{label}-{kind}", topic,
                                        bench.scale.backlog)
                bench.results.add(f"{label}.{kind}.rate", rate)
                bench.results.add(f"{label}.{kind}.rss", rss)
        for service, kind in SERVICES.items():
            for variant in GUARANTEES:
                def new_proc(group: str, service: str = service, variant: Variant = variant,
                         run: int = run) -> procs.Proc:
                    proc = service_proc(bench, service, group, f"{service}-{variant.label}-{run}",
                                        variant.site, variant.settings)
                    _record_command(bench, f"{service}.{variant.label}", proc)
                    return proc
                rate, rss = backlog_run(bench, new_proc, service, INPUTS[kind],
                                        bench.scale.service_backlog)
                bench.results.add(f"{service}.{variant.label}.rate", rate)
                bench.results.add(f"{service}.{variant.label}.rss", rss)


CLIENT_OPTIONS: tuple[tuple[str, str, Sequence[str], Path | None], ...] = (
    ("defaults", "runtime defaults (C CRC32C, 64 KiB producer batches)", (), None),
    ("pure_crc", "pure-Python CRC32C (before: no `crc32c` package)", (), procs.PURE_CRC_DIR),
    ("batch_16k", "producer batch_size=16384 (before: kafka-python's default)", (),
     procs.BATCH_16K_DIR),
    ("poll_2000", "max_poll_records=2000", ("--max-poll-records", "2000"), None),
    ("linger_20", "linger_ms=20", ("--linger-ms", "20"), None),
    ("gzip", "compression_type=gzip", ("--compression-type", "gzip"), None),
)


def client_options(bench: Bench, backlog: list[Payload]) -> None:
    """One setting changed at a time on the pass-through, all on the same fresh backlog."""
    bench.stage("client options on the kafka-python pass-through")
    topic = "bench.options-source"
    kafka_io.create_like(bench.bootstrap, topic, EVENTS)
    total = bench.scale.option_backlog
    kafka_io.fill(bench.bootstrap, topic, backlog[:total])
    for run in range(bench.scale.runs):
        for key, label, extra, site in CLIENT_OPTIONS:
            def make(group: str, key: str = key, extra: Sequence[str] = extra,
                     site: Path | None = site, run: int = run) -> procs.Proc:
                args = ["--bootstrap", bench.bootstrap, "--source", topic, "--sink",
                        PASSTHROUGH_SINK["cricket"], "--group", group, *extra]
                return procs.module(f"options-{key}-{run}", "bench.passthrough", args,
                                    bench.log_dir, site=site)
            bench.results.notes[f"options.{key}"] = label
            rate, _ = backlog_run(bench, make, f"options-{key}", topic, total)
            bench.results.add(f"options.{key}.rate", rate)


# ---------------------------------------------------------------- 2-4. services

SERVICES = {"predictor": "cricket", "detector": "weather"}


def service_proc(bench: Bench, service: str, group: str, name: str, site: Path | None = None,
                 settings: dict[str, str] | None = None, compiled_scoring: bool = True,
                 ) -> procs.Proc:
    """A service as its image runs it (the detector's scoring compiled where it can be), or
    with ``site`` first on its path instead (a probe or a bench-only change, bench.ab)."""
    base = {"model_key": bench.model_key} if service == "predictor" else {}
    if site is None and service == "detector" and compiled_scoring:
        site = bench.detector_site
    return procs.service(name, service, bench.bootstrap, group, bench.log_dir,
                         {**base, **(settings or {})}, site)


@dataclass(frozen=True)
class Variant:
    """A service run with something changed from its defaults."""

    label: str
    title: str
    settings: dict[str, str] = field(default_factory=dict)
    site: Path | None = None
    conditions: tuple[str, ...] = CONDITIONS  # of its latency phases
    generator: str = ""  # the load generator's client (bench.loadgen --client); "": its default
    replicas: int = 1  # service processes sharing the input in one group (latency runs)


DEFAULTS = Variant("max", "at-least-once (the default)")
# Its latency on a quiet node only: the background load's effect is measured at-least-once,
# which keeps the full run within its time.
EXACTLY_ONCE = Variant("exactly_once", "exactly-once (STREAMML_PROCESSING_GUARANTEE=exactly-once)",
                       {"processing_guarantee": "exactly-once"}, conditions=("quiet",))
GUARANTEES = (DEFAULTS, EXACTLY_ONCE)


def latency_prefix(service: str, variant: Variant = DEFAULTS) -> str:
    """Result keys of a latency phase: `predictor.latency.1000.quiet.p99` for the defaults,
    `predictor.exactly_once.latency.1000.quiet.p99` under exactly-once."""
    return service if variant is DEFAULTS else f"{service}.{variant.label}"


def exactly_once_interval() -> str:
    """How often an exactly-once service commits its transaction: the runtime's default, which
    the measured processes run with."""
    from streamml.runtime.settings import RuntimeConfig

    interval = getattr(RuntimeConfig(), "commit_interval_ms", None)
    if interval is None:  # the runtime before the pipelined loop
        return "one transaction per polled batch"
    return (f"`STREAMML_COMMIT_INTERVAL_MS` = {interval} ms (a transaction spans polls until "
            "the polled input is exhausted or this long after it began)")


def workshop_loop(bench: Bench) -> None:
    bench.stage("the workshop's loop (one message at a time)")
    for run in range(bench.scale.runs):
        group = bench.group("workshop")
        start = kafka_io.window(bench.bootstrap, WORKSHOP_SINK)
        proc = procs.module(f"workshop-{run}", "bench.workshop_loop",
                            ["--bootstrap", bench.bootstrap, "--sink", WORKSHOP_SINK,
                             "--group", group, "--model-key", bench.model_key], bench.log_dir)
        _record_command(bench, "workshop", proc)
        proc.start()
        # Measured from its first output on (start-up: imports, model load, group join).
        deadline = time.monotonic() + 180
        while (sum(kafka_io.end_offsets(bench.bootstrap, WORKSHOP_SINK).values())
               <= sum(start.offsets.values())) and time.monotonic() < deadline:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited; see {proc.log_path}")
            time.sleep(0.5)
        time.sleep(bench.scale.workshop_seconds)
        rss = proc.peak_rss_mb()
        proc.stop()
        end = kafka_io.window(bench.bootstrap, WORKSHOP_SINK)
        records = kafka_io.read_between(bench.bootstrap, start, end)
        bench.results.add("workshop.rate", steady_rate_of_times([r.timestamp for r in records]))
        bench.results.add("workshop.rss", rss)


@dataclass(frozen=True)
class LatencySpec:
    kind: str
    output_topic: str
    input_key: Callable[[dict], latency_calc.EventKey]
    event_time: Callable[[dict], float]
    answers: Callable[[dict], latency_calc.EventKey]


LATENCY_SPECS = {
    "predictor": LatencySpec("cricket", PREDICTIONS, latency_calc.match_event_key,
                             latency_calc.event_time_of_match_event,
                             latency_calc.prediction_answers),
    "detector": LatencySpec("weather", ANOMALIES, latency_calc.reading_key,
                            latency_calc.event_time_of_reading, latency_calc.anomaly_answers),
}
TARGET_LOAD = 1000


def offered_loads(bench: Bench, service: str, variant: Variant = DEFAULTS) -> list[int]:
    """The scale's loads, the higher ones capped at 80 % of what the service sustained."""
    sustained = bench.results.summary(f"{service}.{variant.label}.rate").median
    prefix = latency_prefix(service, variant)
    loads = []
    for load in bench.scale.loads:
        if sustained == sustained and load > 0.9 * sustained:
            capped = int(0.8 * sustained // 250 * 250)
            bench.results.notes[f"{prefix}.load.{load}"] = (
                f"{prefix}: {load}/s is above what one process sustains ({sustained:.0f}/s); "
                f"measured at {capped}/s instead")
            load = capped
        if load > 0 and load not in loads:
            loads.append(load)
    return loads


def latency(bench: Bench) -> None:
    """Both services under both guarantees; per run one fresh process each, which goes
    through every load, each on a quiet node and next to the background load."""
    bench.results.notes["exactly_once.interval"] = exactly_once_interval()
    for service in SERVICES:
        for variant in GUARANTEES:
            prefix = latency_prefix(service, variant)
            bench.results.notes[f"{prefix}.loads"] = ",".join(
                map(str, offered_loads(bench, service, variant)))
    for run in range(bench.scale.runs):
        for service in SERVICES:
            for variant in GUARANTEES:
                _latency_run(bench, service, variant, run)


def _latency_run(bench: Bench, service: str, variant: Variant, run: int) -> None:
    spec = LATENCY_SPECS[service]
    prefix = latency_prefix(service, variant)
    loads = [int(load) for load in bench.results.notes[f"{prefix}.loads"].split(",") if load]
    bench.stage(f"{service}, {variant.title}: latency at {', '.join(map(str, loads))} events/s, "
                f"{' and '.join(variant.conditions)} (run {run + 1})")
    group, replicas = _start_assigned(bench, service, spec.kind, run, variant)
    tail = feed = None
    try:
        if variant is EXACTLY_ONCE:
            tail = Tail.start(bench, spec.output_topic, f"tail-{prefix}-{run}")
        if spec.kind == "weather":
            feed = Feed.warm_sensors(bench, replicas[0], group, loads, variant.conditions,
                                     f"{prefix}-{run}")
        for load in loads:
            for condition in variant.conditions:
                _phase(bench, spec, replicas, group, prefix, load, condition, run, tail, feed,
                       variant.generator)
        bench.results.add(f"{prefix}.latency.rss", max(p.peak_rss_mb() for p in replicas))
    finally:
        if tail is not None:
            tail.proc.stop()
        for proc in replicas:
            proc.stop()


# Readings per sensor before a detector's latency phases: past its warm-up (DETECTOR_WARMUP)
# and the simulator's fault-free start (FAULT_FREE_START), so every phase sees served sensors
# with faults injected, as a long-running detector does.
WARM_READINGS = max(DETECTOR_WARMUP, FAULT_FREE_START) + 30
WARM_RATE = 2500


@dataclass
class Feed:
    """One sequence of sensor readings for all phases of one detector run: each sensor's
    readings continue from phase to phase instead of starting (and warming up) again."""

    path: Path
    offset: int = 0

    @classmethod
    def warm_sensors(cls, bench: Bench, proc: procs.Proc, group: str, loads: Sequence[int],
                     conditions: Sequence[str], name: str) -> Feed:
        warm = WARM_READINGS * SENSORS
        total = warm + sum(int(load * bench.scale.load_seconds) for load in loads) * len(conditions)
        feed = cls(bench.work_dir / f"feed-{name}.jsonl")
        write_file(feed.path, make("weather", total, prefix=f"feed{name.replace('.', '')}"))
        gen = _loadgen(bench, f"warm-{name}", "weather", WARM_RATE, warm / WARM_RATE,
                       "unused", feed.take(warm)).start()
        gen.process.wait(warm / WARM_RATE * 4 + 60)
        target = sum(kafka_io.end_offsets(bench.bootstrap, READINGS).values())
        if not kafka_io.wait_committed(bench.bootstrap, group, READINGS, target, 120):
            print(f"  warning: {proc.name} did not catch up with the warm-up", flush=True)
        return feed

    def take(self, count: int) -> list[str]:
        """The generator's arguments for the next ``count`` readings."""
        args = ["--payload-file", str(self.path), "--offset", str(self.offset)]
        self.offset += count
        return args


@dataclass
class Tail:
    """A `bench.tail` process: when each output became readable to a read_committed reader."""

    proc: procs.Proc
    path: Path

    @classmethod
    def start(cls, bench: Bench, topic: str, name: str) -> Tail:
        path = bench.log_dir / f"{name}.txt"
        proc = procs.module(name, "bench.tail", ["--bootstrap", bench.bootstrap, "--topic", topic,
                                                 "--out", str(path)], bench.log_dir).start()
        deadline = time.monotonic() + 60
        while not (path.exists() and path.read_text().startswith("ready")):
            if not proc.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start; see {proc.log_path}")
            time.sleep(0.1)
        return cls(proc, path)

    def readable_at(self, wanted: set[tuple[int, int]], timeout_s: float = 20.0) -> dict[tuple[int, int], float]:
        """(partition, offset) -> ms it was read, for those of ``wanted`` seen in time."""
        deadline = time.monotonic() + timeout_s
        while True:
            seen: dict[tuple[int, int], float] = {}
            for line in self.path.read_text().splitlines()[1:]:
                parts = line.split()
                if len(parts) == 3:
                    seen[(int(parts[0]), int(parts[1]))] = float(parts[2])
            if wanted <= seen.keys() or time.monotonic() > deadline:
                return {key: ms for key, ms in seen.items() if key in wanted}
            time.sleep(0.2)


def _phase(bench: Bench, spec: LatencySpec, replicas: list[procs.Proc], group: str,
           prefix: str, load: int, condition: str, run: int, tail: Tail | None,
           feed: Feed | None, generator: str = "") -> None:
    input_topic = INPUTS[spec.kind]
    key = f"{prefix}.latency.{load}.{condition}"
    busy = None
    if condition == "busy":
        busy = procs.module(f"busy-{prefix}-{load}-{run}", "bench.busy", [], bench.log_dir).start()
        bench.results.commands.setdefault("busy", "python -m bench.busy")
        time.sleep(BUSY_LEAD_S)  # it is at full speed before the first event
    try:
        out_start = kafka_io.window(bench.bootstrap, spec.output_topic)
        in_start = kafka_io.window(bench.bootstrap, input_topic)
        ports = [proc.http_port for proc in replicas if proc.http_port is not None]
        stages_before = stages.scrape_all(ports)
        gen = _loadgen(bench, f"loadgen-{prefix}-{load}-{condition}-{run}", spec.kind, load,
                       bench.scale.load_seconds, f"r{run}{condition[0]}{load}{prefix[:3]}",
                       [*(feed.take(int(load * bench.scale.load_seconds)) if feed else ()),
                        "--client", generator or loadgen.DEFAULT_CLIENT])
        bench.results.commands.setdefault(f"loadgen.{spec.kind}", " ".join(
            Path(part).name if i == 0 else part for i, part in enumerate(gen.command)))
        watched = {"broker": bench.broker_pid,
                   **{f"{SERVICE_CPU}.{index}": proc.pid for index, proc in enumerate(replicas)}}
        cpu_before = CpuSample.take(watched)
        gen.start()
        gen.process.wait(bench.scale.load_seconds * 4 + 60)
        report = _last_json_line(gen.log_path)
        target = sum(kafka_io.end_offsets(bench.bootstrap, input_topic).values())
        if not kafka_io.wait_committed(bench.bootstrap, group, input_topic, target, 120):
            bench.results.notes[f"behind.{key}.{run}"] = (
                f"{prefix} had not committed its input 120 s after the {load}/s {condition} "
                f"phase of run {run + 1}")
            print(f"  warning: {prefix} did not catch up at {load}/s ({condition})", flush=True)
        cpu_after = CpuSample.take(watched)
        stages_after = stages.scrape_all(ports)
    finally:
        if busy is not None:
            busy.stop()
            share = _last_json_line(busy.log_path).get("core_share")
            if share is not None:
                bench.results.add("busy.core_share", share)
    committed = "read_committed" if tail is not None else "read_uncommitted"
    outputs = kafka_io.read_between(bench.bootstrap, out_start,
                                    kafka_io.window(bench.bootstrap, spec.output_topic),
                                    isolation_level=committed)
    inputs = kafka_io.read_between(bench.bootstrap, in_start,
                                   kafka_io.window(bench.bootstrap, input_topic))
    if any(r.timestamp_type != latency_calc.LOG_APPEND_TIME for r in inputs):
        raise RuntimeError(f"{input_topic} does not use LogAppendTime (prepare_topics): the "
                           "latency cannot be split into the generator's and the service's")
    times = latency_calc.input_times(((r.timestamp, r.value) for r in inputs), spec.input_key,
                                     spec.event_time)
    if tail is None:  # LogAppendTime: the moment the output is in Kafka (and readable)
        observed = [(float(r.timestamp), r.value) for r in outputs]
    else:
        readable = tail.readable_at({(r.partition, r.offset) for r in outputs})
        observed = [(readable[(r.partition, r.offset)], r.value) for r in outputs
                    if (r.partition, r.offset) in readable]
    samples = latency_calc.split_latencies(observed, times, spec.answers)
    # The generator's first event, not its process start, begins the phase.
    cutoff = min((s.event_ms for s in samples), default=0.0) + bench.scale.discard_s * 1000
    kept = [s for s in samples if s.event_ms >= cutoff]
    bench.results.add(f"{key}.achieved", report.get("achieved_rate", float("nan")))
    bench.results.add(f"{key}.samples", len(kept))
    record_latencies(bench.results, key, kept)
    phase_stages = stages.phase_stages(stages_before.stages, stages_after.stages)
    for stage, hist in phase_stages.items():
        stage_key = f"{prefix}.stage.{load}.{condition}.{stage}"
        bench.results.add(f"{stage_key}.mean", hist.mean * 1000)
        bench.results.add(f"{stage_key}.p50", hist.quantile(0.50) * 1000)
        bench.results.add(f"{stage_key}.p99", hist.quantile(0.99) * 1000)
    wall_s = cpu_after.at - cpu_before.at
    handled = phase_stages.get(HANDLE_STAGE)
    if handled is not None and wall_s > 0:
        # The loop's share of the phase spent handling batches: near 1, records queue.
        bench.results.add(f"{prefix}.stage.{load}.{condition}.{HANDLE_STAGE}.share",
                          handled.sum / wall_s)
    for name, cores in replicas_added(cpu_before.cores_until(cpu_after)).items():
        bench.results.add(f"{prefix}.cpu.{load}.{condition}.{name}", cores)
    bench.results.add(f"{prefix}.cpu.{load}.{condition}.wall_s", wall_s)
    gc_pauses = stages.phase_stages(stages_before.gc_pauses, stages_after.gc_pauses)
    if gc_pauses:
        gc_key = f"{prefix}.gc.{load}.{condition}"
        full = gc_pauses.get(stages.FULL_COLLECTION)
        bench.results.add(f"{gc_key}.paused_ms", sum(h.sum for h in gc_pauses.values()) * 1000)
        bench.results.add(f"{gc_key}.full", full.count if full else 0.0)
        bench.results.add(f"{gc_key}.full_longest_ms", full.longest * 1000 if full else 0.0)


def replicas_added(cores: dict[str, float]) -> dict[str, float]:
    """``service.0``, ``service.1``, ... (one per replica) added up as ``service``."""
    added = {name: value for name, value in cores.items()
             if not name.startswith(f"{SERVICE_CPU}.")}
    replicas = [value for name, value in cores.items() if name.startswith(f"{SERVICE_CPU}.")]
    if replicas:
        added[SERVICE_CPU] = sum(replicas)
    return added


def record_latencies(results: Results, key: str, samples: Sequence[latency_calc.Split]) -> None:
    """End to end (``key.p99``, as before the split), the generator's part
    (``key.generator.p99``) and the service's (``key.service.p99``): p50, p95, p99 and max of
    each, and the distributions of the whole and of the service's part for the plots."""
    parts = {"": [s.total_ms for s in samples],
             ".generator": [s.generator_ms for s in samples],
             ".service": [s.service_ms for s in samples]}
    for part, values in parts.items():
        for q in (50, 95, 99):
            results.add(f"{key}{part}.p{q}", percentile(values, q))
        results.add(f"{key}{part}.max", max(values, default=float("nan")))
    results.distributions.setdefault(key, []).extend(latency_calc.sketch(parts[""]))
    results.distributions.setdefault(f"{key}.service", []).extend(
        latency_calc.sketch(parts[".service"]))


def _profile_at_load(bench: Bench, service: str, kind: str, out: Path) -> None:
    """The service loop's wall-clock at 1,000 events/s: what an event waits for (latency)."""
    name = f"{service} at {TARGET_LOAD:,} events/s (wall-clock)"
    group = bench.group(f"prof-{service}-load")
    topics = [INPUTS[kind]] + ([RESULTS] if service == "predictor" else [])
    kafka_io.position_group_at_end(bench.bootstrap, group, topics)
    proc = service_proc(bench, service, group, f"profile-{service}-load", compiled_scoring=False)
    seconds = bench.scale.profile_seconds
    gen = _loadgen(bench, f"profile-loadgen-{service}", kind, TARGET_LOAD, seconds + 12,
                   f"prof{service}")
    try:
        bench.results.profiles[name] = profile_process(
            proc, out / f"{service}-load.txt", warmup_s=6.0, seconds=seconds,
            ready_path="/readyz" if service == "predictor" else "/healthz", idle=True,
            while_ready=gen.start)
    except Exception as exc:  # noqa: BLE001 - a missing profile must not sink the run
        bench.results.profiles[name] = f"(profile failed: {exc!r})"
    finally:
        gen.stop()


def _loadgen(bench: Bench, name: str, kind: str, rate: float, seconds: float, prefix: str,
             extra: Sequence[str] = ()) -> procs.Proc:
    return procs.module(name, "bench.loadgen",
                        ["--bootstrap", bench.bootstrap, "--topic", INPUTS[kind], "--kind", kind,
                         "--rate", str(rate), "--seconds", str(seconds), "--prefix", prefix,
                         *extra], bench.log_dir)


def _start_assigned(bench: Bench, service: str, kind: str, run: int,
                    variant: Variant = DEFAULTS) -> tuple[str, list[procs.Proc]]:
    """Fresh service processes (``variant.replicas``, one group) at the end of their input
    that have provably got its partitions: a short probe load, sent once all of them are up,
    must be committed before the measured loads start. One retry (noted) if the probe stalls
    (the kafka-python join stall described in ``backlog_run``)."""
    input_topic = INPUTS[kind]
    for attempt in (1, 2):
        group = bench.group(f"{service}-latency")
        topics = [input_topic] + ([RESULTS] if service == "predictor" else [])
        kafka_io.position_group_at_end(bench.bootstrap, group, topics)
        replicas = []
        for index in range(variant.replicas):
            suffix = f"-{index + 1}" if variant.replicas > 1 else ""
            proc = service_proc(bench, service, group,
                                f"{service}-{variant.label}-latency-{run}{suffix}",
                                variant.site, variant.settings)
            _record_command(bench, f"{service}.{variant.label}.latency", proc)
            proc.start()
            proc.wait_http("/readyz" if service == "predictor" else "/healthz")
            replicas.append(proc)
        probe = _loadgen(bench, f"probe-{service}-{variant.label}-{run}-{attempt}", kind, 200, 2,
                         f"probe{run}a{attempt}{variant.label[:3]}").start()
        probe.process.wait(120)
        target = sum(kafka_io.end_offsets(bench.bootstrap, input_topic).values())
        if kafka_io.wait_committed(bench.bootstrap, group, input_topic, target, STALL_S):
            return group, replicas
        for proc in replicas:
            proc.stop()
        name = replicas[0].name
        bench.results.notes[f"stall.{name}.{attempt}"] = (
            f"{name}: probe load not committed in {STALL_S:.0f} s")
        print(f"  {name}: probe not committed; {'retrying' if attempt == 1 else 'giving up'}",
              flush=True)
    raise Stalled(f"{service} latency run {run} stalled twice")


def _last_json_line(path: Path) -> dict:
    for line in reversed(path.read_text(errors="replace").splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {}


# ---------------------------------------------------------------- 5. trainer

def trainer(bench: Bench) -> None:
    bench.stage("trainer: train and publish")
    for size in bench.scale.trainer_sizes:
        topic = kafka_io.create_like(bench.bootstrap, f"bench.training-{size}", "cricket.training-data")
        samples = generate_training_samples(size, 4, seed=size, id_prefix=f"bench{size}")
        kafka_io.fill(bench.bootstrap, topic, [
            Payload(s.match_id.encode(), s.to_bytes()) for s in samples])
        for run in range(bench.scale.runs):
            key = f"bench-{size}-r{run}"
            group = bench.group(f"trainer-{size}")
            status_start = kafka_io.window(bench.bootstrap, MODEL_STATUS)
            proc = procs.service(f"trainer-{size}-{run}", "trainer", bench.bootstrap, group,
                                 bench.log_dir, {
                                     "training_topic": topic, "model_key": key,
                                     "min_samples": str(size),
                                     "max_samples": str(max(size, 50000)),
                                     "learn_from_matches": "false"})
            _record_command(bench, f"trainer.{size}", proc)
            started_ms = time.time() * 1000
            proc.start()
            status, appended_ms = _wait_status(bench.bootstrap, status_start, key, timeout_s=600)
            rss = proc.peak_rss_mb()
            proc.stop()
            bench.results.add(f"trainer.{size}.end_to_end_s", (appended_ms - started_ms) / 1000)
            bench.results.add(f"trainer.{size}.fit_s", status.get("duration_s") or float("nan"))
            bench.results.add(f"trainer.{size}.bytes", status.get("model_bytes") or float("nan"))
            bench.results.add(f"trainer.{size}.r2", status.get("r2") or float("nan"))
            bench.results.add(f"trainer.{size}.rss", rss)
            payload = _model_payload(bench.bootstrap, key)
            for _ in range(3):
                began = time.perf_counter()
                decode_model(payload, 16 * 1024 * 1024)
                bench.results.add(f"trainer.{size}.load_s", time.perf_counter() - began)
    # The predictor and the workshop loop both use the model trained on the middle size.
    middle = bench.scale.trainer_sizes[len(bench.scale.trainer_sizes) // 2]
    bench.model_key = f"bench-{middle}-r0"
    bench.results.notes["model"] = f"{bench.model_key} (trained on {middle} samples)"


def _wait_status(bootstrap: str, start: kafka_io.Window, key: str, timeout_s: float) -> tuple[dict, float]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(start.topic, p) for p in start.offsets]
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, start.offsets[tp.partition])
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                for record in batch:
                    status = json.loads(record.value)
                    if status.get("model_key") == key and status.get("kind") == "model_published":
                        return status, record.timestamp
                    if status.get("model_key") == key and status.get("kind") == "training_failed":
                        raise RuntimeError(f"training {key} failed: {status.get('detail')}")
    finally:
        consumer.close()
    raise TimeoutError(f"no model {key} published in {timeout_s} s")


def _model_payload(bootstrap: str, key: str) -> bytes:
    start = kafka_io.Window(MODELS, {p: 0 for p in kafka_io.end_offsets(bootstrap, MODELS)})
    records = kafka_io.read_between(bootstrap, start, kafka_io.window(bootstrap, MODELS))
    matching = [r.value for r in records if r.key == key.encode() and r.value]
    if not matching:
        raise LookupError(f"model {key} is not on {MODELS}")
    return matching[-1]


# ---------------------------------------------------------------- profiles

def profiles(bench: Bench) -> None:
    """One extra run each under py-spy (not part of the medians): where the time goes.
    Each starts on the backlog with a fresh group; sampling starts once it is ready."""
    bench.stage("profiles (py-spy)")
    out = bench.work_dir / "profiles"
    workshop_args = ["--bootstrap", bench.bootstrap, "--sink", WORKSHOP_SINK,
                     "--model-key", bench.model_key]
    targets = [
        ("predictor", service_proc(bench, "predictor", bench.group("prof-predictor"),
                                   "profile-predictor"), "/readyz"),
        # Interpreted: py-spy sees no Python frames inside compiled functions.
        ("detector", service_proc(bench, "detector", bench.group("prof-detector"),
                                  "profile-detector", compiled_scoring=False), "/healthz"),
        ("passthrough", procs.module("profile-passthrough", "bench.passthrough",
                                     passthrough_args(bench, "cricket", bench.group("prof-pt")),
                                     bench.log_dir), None),
        ("workshop", procs.module("profile-workshop", "bench.workshop_loop",
                                  workshop_args + ["--group", bench.group("prof-workshop")],
                                  bench.log_dir), None),
    ]
    for service, kind in (("predictor", "cricket"), ("detector", "weather")):
        _profile_at_load(bench, service, kind, out)
    for name, proc, ready_path in targets:
        try:
            bench.results.profiles[name] = profile_process(
                proc, out / f"{name}.txt", warmup_s=2.0 if ready_path else 5.0,
                seconds=bench.scale.profile_seconds, ready_path=ready_path)
            for component, share in component_shares((out / f"{name}.txt").read_text()).items():
                bench.results.values[f"profile.{name}.{component}"] = [share]
        except Exception as exc:  # noqa: BLE001 - a missing profile must not sink the run
            bench.results.profiles[name] = f"(profile failed: {exc!r})"
            print(f"  profile of {name} failed: {exc!r}", flush=True)
