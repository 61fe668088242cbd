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

from bench import kafka_io, procs
from bench.java_tools import JavaTools
from bench.measure import CommitWatcher, Summary, percentile, steady_rate_of_times
from bench.payloads import Payload, make, stamp
from bench.profiles import component_shares, profile_process
from streamml.contracts.cricket import decode_model
from streamml.orchestrator.training import generate_training_samples

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
JAVA_PRODUCER_TOPIC = "bench.java-producer"


@dataclass(frozen=True)
class Scale:
    runs: int
    backlog: int            # events per backlog (the max-rate runs)
    option_backlog: int     # events per client-options run
    load_seconds: float     # length of one fixed-load phase
    discard_s: float        # start of each load phase left out (group join, detector warm-up)
    loads: tuple[int, ...]  # offered loads, events/s
    workshop_seconds: float
    trainer_sizes: tuple[int, ...]
    profile_seconds: float


FULL = Scale(runs=3, backlog=40000, option_backlog=15000, load_seconds=15, discard_s=3,
             loads=(1000, 5000), workshop_seconds=15, trainer_sizes=(1000, 10000, 100000),
             profile_seconds=8)
QUICK = Scale(runs=1, backlog=6000, option_backlog=4000, load_seconds=6, discard_s=2,
              loads=(500, 1000), workshop_seconds=5, trainer_sizes=(1000, 5000),
              profile_seconds=4)


@dataclass
class Results:
    """Raw per-run values by key; ``commands`` records what was run, for the report."""

    values: dict[str, list[float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    profiles: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.values.setdefault(key, []).append(value)
        print(f"  {key} = {value:.4g}", flush=True)

    def summary(self, key: str) -> Summary:
        return Summary.of(self.values.get(key, []))


@dataclass
class Bench:
    bootstrap: str
    scale: Scale
    work_dir: Path
    tools: JavaTools
    results: Results = field(default_factory=Results)
    model_key: str = ""
    stages: list[str] = field(default_factory=list)

    @property
    def log_dir(self) -> Path:
        return self.work_dir / "logs"

    def group(self, what: str) -> str:
        return f"bench-{what}-{uuid.uuid4().hex[:8]}"

    def stage(self, title: str) -> None:
        self.stages.append(title)
        print(f"== {title}", flush=True)


# ---------------------------------------------------------------- set-up

def prepare_topics(bench: Bench) -> None:
    b = bench.bootstrap
    for kind, sink in PASSTHROUGH_SINK.items():
        kafka_io.create_like(b, sink, PREDICTIONS if kind == "cricket" else ANOMALIES)
    kafka_io.create_like(b, WORKSHOP_SINK, PREDICTIONS)
    kafka_io.create_like(b, JAVA_PRODUCER_TOPIC, EVENTS)
    kafka_io.stamp_on_append(b, [PREDICTIONS, ANOMALIES, MODEL_STATUS, WORKSHOP_SINK,
                                 *PASSTHROUGH_SINK.values()])


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
    with CommitWatcher(bench.bootstrap, group, topic) as watcher:
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
    bench.stage("ceiling: Kafka's Java perf tools")
    payload_file = bench.work_dir / "java-payloads.txt"
    now = int(time.time() * 1000)
    payload_file.write_bytes(b"\n".join(stamp(p, now) for p in backlogs["cricket"][:5000]))
    records = bench.scale.backlog
    for run in range(bench.scale.runs):
        command = bench.tools.producer_command(bench.bootstrap, JAVA_PRODUCER_TOPIC, records,
                                               payload_file)
        bench.results.commands.setdefault("java.producer", " ".join(command))
        bench.results.add("java.producer.rate", bench.tools.producer_rate(command))
        for kind, topic in INPUTS.items():
            command = bench.tools.consumer_command(bench.bootstrap, topic, records,
                                                   bench.group("java"))
            bench.results.commands.setdefault(f"java.consumer.{kind}", " ".join(command))
            bench.results.add(f"java.consumer.{kind}.rate", bench.tools.consumer_rate(command))


def passthrough_args(bench: Bench, kind: str, group: str, extra: Sequence[str] = ()) -> list[str]:
    return ["--bootstrap", bench.bootstrap, "--source", INPUTS[kind], "--sink",
            PASSTHROUGH_SINK[kind], "--group", group, *extra]


def passthrough(bench: Bench) -> None:
    bench.stage("ceiling: kafka-python pass-through")
    for run in range(bench.scale.runs):
        for kind, topic in INPUTS.items():
            def make(group: str, kind: str = kind, run: int = run) -> procs.Proc:
                proc = procs.module(f"passthrough-{kind}-{run}", "bench.passthrough",
                                    passthrough_args(bench, kind, group), bench.log_dir)
                _record_command(bench, f"passthrough.{kind}", proc)
                return proc
            rate, rss = backlog_run(bench, make, f"passthrough-{kind}", topic, bench.scale.backlog)
            bench.results.add(f"passthrough.{kind}.rate", rate)
            bench.results.add(f"passthrough.{kind}.rss", rss)


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

def service_proc(bench: Bench, service: str, group: str, name: str, site: Path | None = None,
                 settings: dict[str, str] | None = None) -> procs.Proc:
    base = {"model_key": bench.model_key} if service == "predictor" else {}
    return procs.service(name, service, bench.bootstrap, group, bench.log_dir,
                         {**base, **(settings or {})}, site)


@dataclass(frozen=True)
class Variant:
    """A service run with something changed from its defaults, for before/after figures."""

    label: str
    title: str
    settings: dict[str, str] = field(default_factory=dict)
    site: Path | None = None
    services: tuple[str, ...] = ("predictor", "detector")


DEFAULTS = Variant("max", "runtime defaults")
VARIANTS = (
    Variant("before", "pure-Python CRC32C (before the `crc32c` dependency)",
            site=procs.PURE_CRC_DIR),
    Variant("batch16k", "16 KiB producer batches (before PRODUCER_BATCH_BYTES)",
            site=procs.BATCH_16K_DIR),
    Variant("poll2000", "STREAMML_MAX_POLL_RECORDS=2000 (default 500)",
            {"max_poll_records": "2000"}, services=("predictor",)),
    # The cost of the exactly-once option: one transaction per batch (docs/runtime.md).
    Variant("exactly_once", "STREAMML_PROCESSING_GUARANTEE=exactly-once (default at-least-once)",
            {"processing_guarantee": "exactly-once"}, services=("predictor",)),
)
# Latency is also measured in this mode, so both guarantees' tails sit side by side.
EXACTLY_ONCE = next(variant for variant in VARIANTS if variant.label == "exactly_once")


def latency_prefix(service: str, variant: Variant = DEFAULTS) -> str:
    """Result keys of a latency phase: `predictor.latency.1000.p99` for the defaults,
    `predictor.exactly_once.latency.1000.p99` for a variant."""
    return service if variant is DEFAULTS else f"{service}.{variant.label}"


def max_rate(bench: Bench, service: str, kind: str, variant: Variant = DEFAULTS) -> None:
    bench.stage(f"{service}: maximum sustained rate ({variant.title})")
    bench.results.notes[f"variant.{variant.label}"] = variant.title
    for run in range(bench.scale.runs):
        def make(group: str, run: int = run) -> procs.Proc:
            proc = service_proc(bench, service, group, f"{service}-{variant.label}-{run}",
                                variant.site, variant.settings)
            _record_command(bench, f"{service}.{variant.label}", proc)
            return proc
        rate, rss = backlog_run(bench, make, service, INPUTS[kind], bench.scale.backlog)
        bench.results.add(f"{service}.{variant.label}.rate", rate)
        bench.results.add(f"{service}.{variant.label}.rss", rss)


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


def prediction_event_time(value: bytes) -> float:
    prediction = json.loads(value)
    return prediction["predicted_at_ms"] - prediction["latency_ms"]


def anomaly_event_time(value: bytes) -> float:
    return json.loads(value)["reading"]["ts_ms"]


TARGET_LOAD = 1000
LATENCY_SPECS: dict[str, tuple[str, str, Callable[[bytes], float]]] = {
    "predictor": ("cricket", PREDICTIONS, prediction_event_time),
    "detector": ("weather", ANOMALIES, anomaly_event_time),
}


def offered_loads(bench: Bench, service: str) -> list[int]:
    """The scale's loads, the higher ones capped at 80 % of what the service sustained."""
    sustained = bench.results.summary(f"{service}.max.rate").median
    loads = []
    for load in bench.scale.loads:
        if sustained == sustained and load > 0.9 * sustained:
            capped = int(0.8 * sustained // 250 * 250)
            bench.results.notes[f"{service}.load.{load}"] = (
                f"{load}/s is above what one process sustains ({sustained:.0f}/s); "
                f"measured at {capped}/s instead")
            load = capped
        if load > 0 and load not in loads:
            loads.append(load)
    return loads


def latency(bench: Bench, service: str, variant: Variant = DEFAULTS) -> None:
    kind, output_topic, event_time = LATENCY_SPECS[service]
    prefix = latency_prefix(service, variant)
    loads = offered_loads(bench, service)
    bench.results.notes[f"{prefix}.loads"] = ",".join(map(str, loads))
    bench.stage(f"{service}: latency at {', '.join(map(str, loads))} events/s ({variant.title})")
    input_topic = INPUTS[kind]
    for run in range(bench.scale.runs):
        group, proc = _start_assigned(bench, service, kind, run, variant)
        for load in loads:
            start = kafka_io.window(bench.bootstrap, output_topic)
            started_ms = time.time() * 1000
            gen = _loadgen(bench, f"loadgen-{service}-{load}-{run}", kind, load,
                           bench.scale.load_seconds, f"r{run}l{load}")
            bench.results.commands.setdefault(f"loadgen.{service}", " ".join(
                Path(part).name if i == 0 else part for i, part in enumerate(gen.command)))
            gen.start()
            gen.process.wait(bench.scale.load_seconds * 4 + 60)
            report = _last_json_line(gen.log_path)
            target = sum(kafka_io.end_offsets(bench.bootstrap, input_topic).values())
            if not kafka_io.wait_committed(bench.bootstrap, group, input_topic, target, 120):
                print(f"  warning: {service} did not catch up at {load}/s", flush=True)
            end = kafka_io.window(bench.bootstrap, output_topic)
            records = kafka_io.read_between(bench.bootstrap, start, end)
            timed = [(r.timestamp, event_time(r.value)) for r in records]
            # The generator's first event, not its process start, begins the phase.
            cutoff = min((t for _, t in timed), default=started_ms) + bench.scale.discard_s * 1000
            latencies = [appended - t for appended, t in timed if t >= cutoff]
            key = f"{prefix}.latency.{load}"
            bench.results.add(f"{key}.achieved", report.get("achieved_rate", float("nan")))
            bench.results.add(f"{key}.samples", len(latencies))
            for q in (50, 95, 99):
                bench.results.add(f"{key}.p{q}", percentile(latencies, q))
        bench.results.add(f"{prefix}.latency.rss", proc.peak_rss_mb())
        proc.stop()


def _profile_at_load(bench: Bench, service: str, kind: str, out: Path) -> None:
    """The service loop's wall-clock at 1,000 events/s: what an event waits for (latency)."""
    name = f"{service} at {TARGET_LOAD:,} events/s (wall-clock)"
    group = bench.group(f"prof-{service}-load")
    topics = [INPUTS[kind]] + ([RESULTS] if service == "predictor" else [])
    kafka_io.position_group_at_end(bench.bootstrap, group, topics)
    proc = service_proc(bench, service, group, f"profile-{service}-load")
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


def _loadgen(bench: Bench, name: str, kind: str, rate: float, seconds: float, prefix: str) -> procs.Proc:
    return procs.module(name, "bench.loadgen",
                        ["--bootstrap", bench.bootstrap, "--topic", INPUTS[kind], "--kind", kind,
                         "--rate", str(rate), "--seconds", str(seconds), "--prefix", prefix],
                        bench.log_dir)


def _start_assigned(bench: Bench, service: str, kind: str, run: int,
                    variant: Variant = DEFAULTS) -> tuple[str, procs.Proc]:
    """A fresh service at the end of its input that has provably got its partitions: a short
    probe load must be committed before the measured loads start. One retry (noted) if the
    probe stalls (the kafka-python join stall described in ``backlog_run``)."""
    input_topic = INPUTS[kind]
    for attempt in (1, 2):
        group = bench.group(f"{service}-latency")
        topics = [input_topic] + ([RESULTS] if service == "predictor" else [])
        kafka_io.position_group_at_end(bench.bootstrap, group, topics)
        proc = service_proc(bench, service, group, f"{service}-{variant.label}-latency-{run}",
                            variant.site, variant.settings)
        proc.start()
        proc.wait_http("/readyz" if service == "predictor" else "/healthz")
        probe = _loadgen(bench, f"probe-{service}-{run}-{attempt}", kind, 200, 2,
                         f"probe{run}a{attempt}").start()
        probe.process.wait(120)
        target = sum(kafka_io.end_offsets(bench.bootstrap, input_topic).values())
        if kafka_io.wait_committed(bench.bootstrap, group, input_topic, target, STALL_S):
            return group, proc
        proc.stop()
        bench.results.notes[f"stall.{proc.name}.{attempt}"] = (
            f"{proc.name}: probe load not committed in {STALL_S:.0f} s")
        print(f"  {proc.name}: probe not committed; {'retrying' if attempt == 1 else 'giving up'}",
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
        ("detector", service_proc(bench, "detector", bench.group("prof-detector"),
                                  "profile-detector"), "/healthz"),
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
