"""Writes docs/benchmarks.md and its plots from one run's results (``results.json``)."""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
import re
import subprocess
from dataclasses import dataclass

from pathlib import Path

from bench import plots
from bench.measure import Summary
from bench.procs import REPO
from bench.stages import STAGES
from bench.suite import (BUSY_LEAD_S, CLIENT_OPTIONS, FULL, CONDITIONS, EXACTLY_ONCE, GUARANTEES,
                         PHASE_CPU, SERVICES, Results, Scale, latency_prefix)
from streamml.broker import embedded

# Issue 10's targets. Shares are of the kafka-python pass-through on the service's own input.
RATE_TARGETS = {"predictor": ("passthrough.cricket.rate", 0.60),
                "detector": ("passthrough.weather.rate", 0.70)}
P99_TARGETS_MS = ((1000, 50), (5000, 100))  # (offered events/s, p99 limit)
TARGET_RSS_MB = 300
PACKAGES = ("kafka-python", "confluent-kafka", "crc32c", "scikit-learn", "numpy", "pydantic",
            "skops", "prometheus-client", "py-spy", "matplotlib")


@dataclass(frozen=True)
class Environment:
    cpu: str
    cores: str
    memory: str
    os: str
    python: str
    java: str
    kafka: str
    packages: str
    commit: str
    date: str
    load_before: str
    load_after: str
    elapsed_min: float
    quick: bool
    argv: str

    @classmethod
    def collect(cls, broker: embedded.BrokerConfig, load_before: str, load_after: str,
                elapsed_s: float, quick: bool, argv: list[str]) -> Environment:
        cpuinfo = open("/proc/cpuinfo").read()
        model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
        meminfo = open("/proc/meminfo").read()
        mem_kb = int(re.search(r"MemTotal:\s*(\d+)", meminfo).group(1))
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        versions = []
        for name in PACKAGES:
            try:
                versions.append(f"{name} {importlib.metadata.version(name)}")
            except importlib.metadata.PackageNotFoundError:
                versions.append(f"{name} (not installed)")
        return cls(
            cpu=model.group(1).strip() if model else platform.processor(),
            cores=str(cpuinfo.count("processor\t:")),
            memory=f"{mem_kb / 1024 / 1024:.0f} GiB",
            os=f"{platform.system()} {platform.release()}",
            python=platform.python_version(),
            java=java.splitlines()[0] if java else "unknown",
            kafka=f"Apache Kafka {embedded.running_version(broker) or embedded.KAFKA_VERSION} "
                  "(embedded, single KRaft node, from Maven Central jars)",
            packages=", ".join(versions),
            commit=commit or "unknown",
            date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            load_before=load_before, load_after=load_after,
            elapsed_min=elapsed_s / 60, quick=quick, argv=" ".join(argv))


def fmt(value: float, digits: int = 0) -> str:
    if value != value:
        return "n/a"
    return f"{value:,.{digits}f}"


def cell(summary: Summary, digits: int = 0) -> str:
    if summary.runs == 0:
        return "n/a"
    if summary.runs == 1:
        return fmt(summary.median, digits)
    return f"{fmt(summary.median, digits)} ({fmt(summary.low, digits)}–{fmt(summary.high, digits)})"


def times(value: float, digits: int = 1) -> str:
    return "n/a" if value != value else f"{fmt(value, digits)}×"


def ratio(a: float, b: float) -> float:
    return a / b if b and b == b and a == a else float("nan")


# ---------------------------------------------------------------- targets

@dataclass(frozen=True)
class Target:
    name: str
    service: str
    measured: str
    met: bool | None  # None: not measured
    why: str = ""

    @property
    def verdict(self) -> str:
        return "n/a" if self.met is None else ("**met**" if self.met else "**not met**")


OUTPUT_PATH = ("fetch", "handle", "acknowledge")  # the stages between an event and its output
STAGE_MEANING = {
    "fetch": "events in Kafka wait to be polled (the loop, or the CPU, is busy with earlier "
             "batches)",
    "handle": "the handler's own work per batch (validation, model, encoding)",
    "acknowledge": "the produce round trip until Kafka acknowledges (or the transaction commits)",
    "commit": "committing offsets after the acknowledgement",
}


def profile_why(results: Results, service: str) -> str:
    shares = sorted(((k.split(".", 2)[2], v[0]) for k, v in results.values.items()
                     if k.startswith(f"profile.{service}.") and v), key=lambda kv: -kv[1])
    if not shares:
        return "no profile in this run"
    return ("py-spy, busy time by component: "
            + ", ".join(f"{name} {100 * share:.0f}%" for name, share in shares[:4])
            + " (see Profiles)")


def stage_why(results: Results, prefix: str, load: int, condition: str) -> str:
    p99 = {stage: results.summary(f"{prefix}.stage.{load}.{condition}.{stage}.p99").median
           for stage in STAGES}
    mean = {stage: results.summary(f"{prefix}.stage.{load}.{condition}.{stage}.mean").median
            for stage in STAGES}
    known = {stage: value for stage, value in p99.items() if value == value}
    if not known:
        return ("no stage breakdown (this build exports no `streamml_stage_duration_seconds`); "
                "see the wall-clock profile at 1,000 events/s")
    # An output is readable once acknowledged: the commit that follows does not delay it.
    on_path = {stage: value for stage, value in known.items() if stage in OUTPUT_PATH}
    worst = max(on_path or known, key=(on_path or known).get)
    parts = ", ".join(f"{stage} {fmt(known[stage], 1)} ms (mean {fmt(mean[stage], 1)})"
                      for stage in STAGES if stage in known)
    return (f"stage p99: {parts}; on the output's path most in **{worst}**: "
            f"{STAGE_MEANING.get(worst, worst)}{busy_why(results, prefix, load, condition)}"
            f"{gc_why(results, prefix, load, condition)}"
            f"{cpu_why(results, prefix, load, condition)}")


def busy_why(results: Results, prefix: str, load: int, condition: str) -> str:
    """How much of the phase the loop spent handling batches (runs' median), if measured:
    close to all of it, and every record queues behind the turns before it."""
    share = results.summary(f"{prefix}.stage.{load}.{condition}.handle.share").median
    if not share == share:
        return ""
    return f"; the loop handled batches {100 * share:.0f}% of the phase's time"


def cpu_why(results: Results, prefix: str, load: int, condition: str) -> str:
    """Where the node's cores went during the phase (runs' median), if it was measured."""
    cores = {name: results.summary(f"{prefix}.cpu.{load}.{condition}.{name}").median
             for name in PHASE_CPU}
    if not cores["node"] == cores["node"]:
        return ""
    return "; cores busy: " + ", ".join(f"{name} {fmt(value, 2)}" for name, value in cores.items())


def gc_why(results: Results, prefix: str, load: int, condition: str) -> str:
    """The phase's full garbage collections (runs' median), if it had any."""
    base = f"{prefix}.gc.{load}.{condition}"
    full = results.summary(f"{base}.full").median
    if not full == full or full == 0:
        return ""
    return (f"; {fmt(full, 1)} full garbage collection(s) in the phase, the longest up to "
            f"{fmt(results.summary(f'{base}.full_longest_ms').median)} ms")


def peak_rss(results: Results, service: str) -> tuple[float, str]:
    runs = {f"{service}.max.rss": "at-least-once backlog runs",
            f"{service}.exactly_once.rss": "exactly-once backlog runs",
            f"{service}.latency.rss": "at-least-once latency runs",
            f"{service}.exactly_once.latency.rss": "exactly-once latency runs"}
    best, where = float("nan"), ""
    for key, label in runs.items():
        for value in results.values.get(key, []):
            if value == value and not (value <= best):
                best, where = value, label
    return best, where


def service_p99(results: Results, key: str) -> tuple[float, float]:
    """(service p99, end-to-end p99), medians over runs, of latency phase ``key``
    (``predictor.latency.1000.quiet``). The service's part is NaN in a run from before the
    bench split its latency samples (bench.latency)."""
    return (results.summary(f"{key}.service.p99").median,
            results.summary(f"{key}.p99").median)


def judged_p99(results: Results, key: str) -> tuple[float, str]:
    """The p99 a latency target judges, the service's (input appended -> output readable),
    and how to print it: with the end-to-end p99 beside it. A run without the split is judged
    end to end, and says so."""
    service, total = service_p99(results, key)
    if service == service:
        return service, f"{fmt(service)} ms (end to end {fmt(total)} ms)"
    return total, f"{fmt(total)} ms end to end (no generator/service split in this run)"


def judged_summary(results: Results, key: str) -> Summary:
    """The service's p99 over runs, or the end-to-end one in a run without the split."""
    service = results.summary(f"{key}.service.p99")
    return service if service.runs else results.summary(f"{key}.p99")


def measured_load(results: Results, prefix: str, load: int) -> int | None:
    """The load a target's phase ran at: ``load`` itself, or the capped load standing in for
    it when one process could not sustain it."""
    loads = [int(x) for x in results.notes.get(f"{prefix}.loads", "").split(",") if x]
    if load in loads:
        return load
    if f"{prefix}.load.{load}" in results.notes and loads:
        return max(loads)
    return None


def targets(results: Results) -> list[Target]:
    found: list[Target] = []
    for service, (base_key, share) in RATE_TARGETS.items():
        rate = results.summary(f"{service}.max.rate").median
        base = results.summary(base_key).median
        value = ratio(rate, base)
        met = None if value != value else value >= share
        found.append(Target(
            f"max rate ≥ {share:.0%} of the kafka-python pass-through on `{INPUT_NAMES[service]}`",
            service, f"{fmt(100 * value)}% ({fmt(rate)} of {fmt(base)} events/s)", met,
            "" if met is not False else profile_why(results, service)))
    for load, limit in P99_TARGETS_MS:
        for service in SERVICES:
            for condition in CONDITIONS:
                ran_at = measured_load(results, service, load)
                name = f"p99 ≤ {limit} ms at {load:,} events/s, {CONDITION_NAMES[condition]}"
                if ran_at is None:
                    found.append(Target(name, service, "n/a (not measured)", None))
                    continue
                p99, shown = judged_p99(results, f"{service}.latency.{ran_at}.{condition}")
                if ran_at != load:
                    found.append(Target(name, service, f"{load:,}/s not sustained; {shown} "
                                        f"at {ran_at:,}/s", False,
                                        profile_why(results, service)))
                    continue
                met = None if p99 != p99 else p99 <= limit
                found.append(Target(name, service, "n/a (no samples)" if met is None else
                                    shown, met,
                                    "" if met is not False else
                                    stage_why(results, service, load, condition)))
    for service in SERVICES:
        rss, where = peak_rss(results, service)
        met = None if rss != rss else rss <= TARGET_RSS_MB
        found.append(Target(f"peak RSS ≤ {TARGET_RSS_MB} MB", service,
                            f"{fmt(rss)} MB" + (f" ({where})" if where else ""), met,
                            "" if met is not False else
                            f"highest VmHWM in the {where}; py-spy profiles CPU, not memory"))
    return found


INPUT_NAMES = {"predictor": "cricket.match-events", "detector": "weather.readings"}
CONDITION_NAMES = {"quiet": "quiet node", "busy": "background load"}


# ---------------------------------------------------------------- writing

def write(run: dict, out: Path) -> Path:
    """The report at ``out`` and its plots in the folder of the same name beside it."""
    results = Results.from_json(run["results"])
    scale = Scale(**{k: tuple(v) if isinstance(v, list) else v for k, v in run["scale"].items()})
    env = Environment(**run["environment"])
    plot_dir = out.parent / out.stem
    written = plots.write_all(results, plot_dir, RATE_TARGETS)
    links = {name: path.relative_to(out.parent).as_posix() for name, path in written.items()}
    out.write_text(render(results, scale, env, links))
    return out


def render(results: Results, scale: Scale, env: Environment, plot_links: dict[str, str]) -> str:
    r = results
    out: list[str] = []
    add = out.append
    add("# Benchmarks\n")
    add("Generated by `make bench` (`bench/`, see `bench/README.md`); do not edit by hand: "
        "re-run it (or `python -m bench --render .cache/bench/results.json` to re-draw it from "
        "a run's results). Every figure is the **median of "
        f"{scale.runs} run(s)** with the min–max in brackets, all measured in one run on "
        "one private broker, side by side. Ratios are between medians of the same run.\n")
    if not env.quick and scale.backlog < FULL.backlog:
        add(f"> **Shorter sizes than `make bench`'s** (`{env.argv}`): backlogs of "
            f"{scale.backlog:,} events (services {scale.service_backlog:,}), "
            f"{scale.load_seconds:g} s latency phases, trainer sizes "
            f"{', '.join(f'{n:,}' for n in scale.trainer_sizes)}; still {scale.runs} runs per "
            "figure, side by side, and the Java tools on "
            f"{scale.java_records:,} records. The full sizes did not fit the time of the "
            "session that made this run.\n")
    if env.quick:
        add("> **Quick smoke run (`--quick`)**: tiny sizes, one run each. These numbers only "
            "show that the harness works; run `make bench` for real figures.\n")
    add("## Machine and versions\n")
    add("| | |\n|---|---|")
    for label, value in (
        ("CPU", f"{env.cpu}, {env.cores} cores"), ("Memory", env.memory), ("OS", env.os),
        ("Python", env.python), ("Java", env.java), ("Kafka", env.kafka),
        ("Python packages", env.packages), ("streamml commit", env.commit),
        ("Date", env.date),
        ("Load average (1, 5, 15 min)", f"{env.load_before} at start, {env.load_after} at end"),
        ("Duration", f"{env.elapsed_min:.1f} min"),
        ("Detector's scoring", r.notes.get("detector.scoring", "interpreted")),
    ):
        add(f"| {label} | {value} |")
    add("")

    _targets_section(r, add)
    _ceilings_section(r, scale, add, plot_links)
    _throughput_section(r, scale, add, plot_links)
    _guarantees_section(r, add)
    _latency_section(r, scale, add, plot_links)
    _stages_section(r, add, plot_links)
    _trainer_section(r, scale, add)
    _options_section(r, scale, add)
    _profiles_section(r, scale, add)
    _notes_section(r, add)

    add("## Exact commands\n")
    add("Broker: `streamml.broker.embedded` on its own port, data in the work directory "
        "(`.cache/bench/broker` by default), topics from `services/streamml/topics.yaml`. "
        "Processes (environment, then command; run from the repository root):\n")
    for key, command in sorted(r.commands.items()):
        add(f"- {key}: `{repo_relative(command, REPO)}`")
    add("\nWhole run: `make bench` (= `.venv/bin/python -m bench"
        f"{' ' + env.argv if env.argv else ''}`).\n")
    return "\n".join(out) + "\n"


def repo_relative(command: str, root: Path) -> str:
    """``command`` with this checkout's absolute path made relative to the repository root
    (where the commands run), so a newcomer can paste it: ``PYTHONPATH=/x/repo`` becomes
    ``PYTHONPATH=.``, ``/x/repo/bench/pure_crc`` becomes ``bench/pure_crc``."""
    root_text = str(root).rstrip("/")
    relative = command.replace(root_text + "/", "")
    # The root itself, as a whole path: before a path separator, a space or the end.
    return re.sub(re.escape(root_text) + r"(?=[:\s]|$)", ".", relative)


def _targets_section(r: Results, add) -> None:
    add("## Targets\n")
    add("Issue 10's targets, checked by this run. A miss names what the profile (rates) or "
        "the stage breakdown of that phase (latency) shows. A latency target judges the "
        "**service's** p99: its input event appended to Kafka → its output appended (both "
        "the broker's `LogAppendTime`); the end-to-end p99 from the generator's event stamp is "
        "printed beside it, because the generator is a bench process sharing the node's cores, "
        "not the service, and its own delay before an event reaches Kafka is not the "
        "service's (section 4).\n")
    add("| Target | Service | Measured | Verdict | What the profile / stage breakdown shows |\n"
        "|---|---|---|---|---|")
    for target in targets(r):
        add(f"| {target.name} | {target.service} | {target.measured} | {target.verdict} "
            f"| {target.why or '—'} |")
    interval = r.notes.get("exactly_once.interval", "n/a")
    add("\nNot a target, reported beside them: exactly-once p99 (event → readable by a "
        f"`read_committed` reader), commit interval: {interval}.\n")
    add("| Service | offered events/s | node | service p99 ms | end-to-end p99 ms |\n"
        "|---|---|---|---|---|")
    for service in SERVICES:
        prefix = latency_prefix(service, EXACTLY_ONCE)
        for load in _loads(r, prefix):
            for condition in EXACTLY_ONCE.conditions:
                key = f"{prefix}.latency.{load}.{condition}"
                add(f"| {service}, exactly-once | {load:,} | {CONDITION_NAMES[condition]} "
                    f"| {cell(r.summary(f'{key}.service.p99'))} "
                    f"| {cell(r.summary(f'{key}.p99'))} |")
    add("")


def _loads(r: Results, prefix: str) -> list[int]:
    return [int(x) for x in r.notes.get(f"{prefix}.loads", "").split(",") if x]


def _phases(r: Results):
    """(service, guarantee name, result prefix, load, condition) of every latency phase run."""
    for service in SERVICES:
        for variant in GUARANTEES:
            prefix = latency_prefix(service, variant)
            for load in _loads(r, prefix):
                for condition in variant.conditions:
                    yield service, plots.GUARANTEE_NAMES[variant.label], prefix, load, condition


def _ceilings_section(r: Results, scale: Scale, add, links: dict[str, str]) -> None:
    s = r.summary
    add("## 1. Ceilings: the broker and the clients\n")
    add(f"Kafka's Java perf tools on {scale.java_records:,} records per run (the services' "
        "payloads, 6 partitions, `acks=all`, idempotent), each reporting its own throughput; "
        "then the services' loop with nothing to do — a pass-through that consumes a batch, "
        "produces it unchanged and commits each offset once every output before it is "
        "acknowledged, pipelined as the runtime's loop is (batches in flight, offsets committed "
        "every `commit_interval_ms`) — with kafka-python, the client the services "
        "use, and, as a "
        "reference row only, with confluent-kafka (librdkafka; the `bench` extra, never a "
        "service dependency; `partitioner=murmur2_random`, so keys land on the partitions the "
        "Java and kafka-python clients choose), on the services' input backlogs of "
        f"{scale.backlog:,} events.\n")
    add("| What | match events (cricket) events/s | sensor readings (weather) events/s |\n"
        "|---|---|---|")
    rows = (("Kafka `ProducerPerformance` (Java): the broker's produce ceiling", "java.producer"),
            ("Kafka `ConsumerPerformance` (Java): fetch rate, group join left out", "java.consumer"),
            ("confluent-kafka pass-through (C client, reference only)", "confluent"),
            ("kafka-python pass-through (the services' client)", "passthrough"))
    for label, key in rows:
        add(f"| {label} | {cell(s(f'{key}.cricket.rate'))} | {cell(s(f'{key}.weather.rate'))} |")
    gaps = {kind: ratio(s(f"confluent.{kind}.rate").median, s(f"passthrough.{kind}.rate").median)
            for kind in ("cricket", "weather")}
    add(f"| confluent-kafka ÷ kafka-python | {times(gaps['cricket'])} "
        f"| {times(gaps['weather'])} |")
    add("")
    for key, label in (("confluent", "confluent-kafka"), ("passthrough", "kafka-python")):
        for kind in ("cricket", "weather"):
            rate = s(f"{key}.{kind}.rate").median
            window_s = 0.8 * scale.backlog / rate if rate == rate and rate > 0 else float("nan")
            if window_s < 1.0:
                add(f"- The {label} pass-through's steady window on {kind} lasted only "
                    f"{fmt(window_s, 2)} s of a {scale.backlog:,}-event backlog (committed "
                    "offsets sampled every 0.1 s): read that rate as an order of magnitude, "
                    "not a precise figure.")
    add("")
    add("The tools' own summary lines (first run):\n")
    add("```")
    for key in ("java.producer.cricket", "java.consumer.cricket", "java.producer.weather",
                "java.consumer.weather"):
        lines = r.lines.get(key, [])
        if lines:
            add(f"# {key}")
            add(lines[0])
    add("```\n")
    add(client_gap_text(r))


def client_gap_text(r: Results) -> str:
    """How far kafka-python is from librdkafka here, and what that means for a service:
    per-event costs from the measured rates, on the assumption that swapping the client
    would save exactly the difference between the two pass-throughs."""
    s = r.summary
    pt, ck = s("passthrough.cricket.rate").median, s("confluent.cricket.rate").median
    pred = s("predictor.max.rate").median
    title = "**How far the pure-Python client is from the C client, and when it matters.** "
    if not all(v == v and v > 0 for v in (pt, ck, pred)):
        return title + "Not measured in this run (confluent-kafka missing or a run failed).\n"
    us = {name: 1e6 / rate for name, rate in (("pt", pt), ("ck", ck), ("pred", pred))}
    projected_us = max(us["pred"] - us["pt"] + us["ck"], 1e-9)
    projected = 1e6 / projected_us
    return (title +
            f"The same pass-through loop moves {fmt(ck / pt, 1)}× as many match events per "
            f"second with confluent-kafka as with kafka-python. Per event, the kafka-python "
            f"pass-through costs {fmt(us['pt'])} µs, the confluent-kafka one {fmt(us['ck'])} µs, "
            f"and the predictor {fmt(us['pred'])} µs all included. If a C client saved a service "
            f"exactly that difference, the predictor would take {fmt(projected_us)} µs per "
            f"event: about {fmt(projected)} events/s, {fmt(projected / pred, 1)}× today's rate "
            "(kafka-python decodes and encodes every record batch in Python, on the same "
            "interpreter and core as the service's own work; librdkafka does it in C on its "
            "own threads). The gap matters when one process must go faster than "
            f"{fmt(pred)} events/s — a hot partition cannot be split across replicas — or when "
            "CPU per event is what is paid for. "
            + ("It does not at the loads of the latency targets (1,000–5,000 events/s, "
               f"at most {fmt(100 * 5000 / pred)} % of one process's rate), where the stage "
               "breakdown shows what sets the tail, "
               if pred >= 2 * 5000 else
               "At the loads of the latency targets (up to 5,000 events/s) one process is "
               "already near its rate here, so the client's cost shows in the tail too; ")
            + "and for throughput beyond one process more replicas (up to the partition count, "
            "docs/scaling.md) help with either client.\n")


def _throughput_section(r: Results, scale: Scale, add, links: dict[str, str]) -> None:
    s = r.summary
    pt = {kind: s(f"passthrough.{kind}.rate") for kind in ("cricket", "weather")}
    shop = s("workshop.rate")
    add("## 2. Throughput per process\n")
    add("Maximum sustained rate: a real process, fresh consumer group, on the pre-filled "
        f"backlog: a service takes its first {scale.service_backlog:,} events, a pass-through "
        f"all {scale.backlog:,}; rate between the moments 10 % and 90 % of those were "
        "committed (outputs acknowledged, offsets committed). Run by run the "
        "pass-throughs and both services under both guarantees take turns, so each ratio "
        "compares neighbours in time.\n")
    if "throughput" in links:
        add(f"![Throughput per process against the ceilings]({links['throughput']})\n")
    add("| Process | events/s | % of kafka-python pass-through | × workshop loop | peak RSS MB |\n"
        "|---|---|---|---|---|")
    for service, kind in SERVICES.items():
        for variant in GUARANTEES:
            key = f"{service}.{variant.label}"
            rate = s(f"{key}.rate")
            add(f"| `streamml {service}`, {plots.GUARANTEE_NAMES[variant.label]} | {cell(rate)} "
                f"| {fmt(100 * ratio(rate.median, pt[kind].median))}% "
                f"| {times(ratio(rate.median, shop.median))} | {cell(s(f'{key}.rss'))} |")
    add(f"| workshop loop (`bench/workshop_loop.py`) | {cell(shop, 1)} "
        f"| {fmt(100 * ratio(shop.median, pt['cricket'].median), 1)}% | 1× "
        f"| {cell(s('workshop.rss'))} |")
    for label, key in (("kafka-python pass-through", "passthrough"),
                       ("confluent-kafka pass-through", "confluent")):
        for kind in ("cricket", "weather"):
            rate = s(f"{key}.{kind}.rate")
            add(f"| {label}, {kind} | {cell(rate)} "
                f"| {fmt(100 * ratio(rate.median, pt[kind].median))}% "
                f"| {times(ratio(rate.median, shop.median))} | {cell(s(f'{key}.{kind}.rss'))} |")
    add("")


def _guarantees_section(r: Results, add) -> None:
    s = r.summary
    add("## 3. Both guarantees side by side\n")
    add("At-least-once commits offsets after the outputs are acknowledged; exactly-once puts "
        "outputs and offsets in one transaction (commit interval: "
        f"{r.notes.get('exactly_once.interval', 'n/a')}). Latency under exactly-once is "
        "measured to the moment a `read_committed` reader (`bench/tail.py`) receives the "
        "output, as its transaction must commit first; at-least-once outputs are readable when "
        "appended.\n")
    loads = sorted({load for service in SERVICES for variant in GUARANTEES
                    for load in _loads(r, latency_prefix(service, variant))})
    add("Latency here is the service's p99 (input appended → output readable; section 4), "
        "end to end where a run has no split.\n")
    add("| Service | guarantee | max events/s | "
        + " | ".join(f"p99 ms at {load:,}/s, quiet node" for load in loads) + " |")
    add("|---|---|---|" + "---|" * len(loads))
    for service in SERVICES:
        for variant in GUARANTEES:
            prefix = latency_prefix(service, variant)
            cells = [cell(judged_summary(r, f"{prefix}.latency.{load}.quiet")) for load in loads]
            add(f"| {service} | {plots.GUARANTEE_NAMES[variant.label]} "
                f"| {cell(s(f'{service}.{variant.label}.rate'))} | " + " | ".join(cells) + " |")
    add("")
    for service in SERVICES:
        alo, eos = s(f"{service}.max.rate").median, s(f"{service}.exactly_once.rate").median
        add(f"- {service}: exactly-once runs at {times(ratio(eos, alo), 2)} the at-least-once "
            "rate.")
    add("")


def _latency_section(r: Results, scale: Scale, add, links: dict[str, str]) -> None:
    s = r.summary
    add("## 4. Latency at fixed loads, on a quiet node and next to a busy neighbour\n")
    add("A fresh service process per run, positioned at the end of its input, goes through "
        f"every offered load for {scale.load_seconds:.0f} s each, first on a quiet node, then "
        "next to the **standard background load**: `python -m bench.busy`, one process with "
        "one thread running a pure-Python integer loop (a linear congruential step) at normal "
        f"priority (nice 0), no sleep, no I/O, started {BUSY_LEAD_S:g} s before the phase's "
        "first event and "
        "stopped (SIGTERM) after its outputs are counted — one of the two cores taken by a "
        "CPU-bound neighbour, as on a shared Kubernetes node. "
        f"It got {cell(s('busy.core_share'), 2)} of a core per phase.\n")
    add("A paced generator process (`bench/loadgen.py`) stamps each event's time into it as it "
        "sends it (kafka-python; `--client confluent` is there for A/B runs). "
        "Latency = when the output is readable − the time of the event it "
        "answers: at-least-once, the output's broker append time (`LogAppendTime`, set on the bench "
        "broker only); exactly-once, when the `read_committed` reader got it. The input topics "
        "take the broker's append time too, so each sample splits where its event entered "
        "Kafka: **generator** (event stamp → input appended: the generator process, which "
        "shares the node's two cores, and its producer's linger) and **service** (input "
        "appended → output readable: what the service under test adds; the latency targets "
        "judge this part). *End to end* is their sum, the figure of the runs before the "
        "split. The detector's "
        "answer to a flag is the reading that **decided** it (`decided_at_seq`: a spike is "
        "recognised when the next reading returns, a stuck run on a later repeat), not the "
        "flagged reading. The detector publishes only flagged readings, so its samples are "
        f"fewer. The first {scale.discard_s:g} s of each phase are left out (the first "
        "batches after an idle period; the detector's per-sensor warm-up).\n")
    for service in SERVICES:
        if f"latency-{service}" in links:
            add(f"![{service} latency distributions]({links[f'latency-{service}']})\n")
    add("| Service | guarantee | offered events/s | node | generator achieved | samples "
        "| end to end p50 ms | p95 ms | p99 ms | max ms | generator p50 / p99 ms "
        "| service p50 / p99 ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|")
    for service, guarantee, prefix, load, condition in _phases(r):
        key = f"{prefix}.latency.{load}.{condition}"
        parts = [f"{fmt(s(f'{key}.{part}.p50').median)} / {fmt(s(f'{key}.{part}.p99').median)}"
                 for part in ("generator", "service")]
        add(f"| {service} | {guarantee} | {load:,} | {CONDITION_NAMES[condition]} "
            f"| {cell(s(key + '.achieved'))} | {cell(s(key + '.samples'))} "
            f"| {cell(s(key + '.p50'))} | {cell(s(key + '.p95'))} | {cell(s(key + '.p99'))} "
            f"| {cell(s(key + '.max'))} | {parts[0]} | {parts[1]} |")
    for key, note in sorted(r.notes.items()):
        if ".load." in key or key.startswith("behind."):
            add(f"\n- {note}")
    add("")


def _stages_section(r: Results, add, links: dict[str, str]) -> None:
    s = r.summary
    add("## 5. Where the latency goes: the loop's stages\n")
    add("Each service observes its loop's stages in `streamml_stage_duration_seconds{service,"
        "stage}`: **fetch** (the input record's timestamp → polled; the bench's input topics "
        "use the broker's append time, so fetch starts when the event is in Kafka and leaves "
        "the generator out), **handle**, **acknowledge** "
        "(send → acknowledged, or the transaction committed) and **commit** (acknowledged → "
        "offsets committed; under exactly-once the offsets travel in the transaction, so "
        "acknowledge runs to its commit and there is no commit stage). The harness scrapes "
        "`/metrics` before and after each phase; the "
        "table shows the difference (mean and p99 estimated from the buckets as Prometheus' "
        "`histogram_quantile` does, so a p99 is only as fine as the bucket bounds).\n")
    if "stages" in links:
        add(f"![Stage breakdown]({links['stages']})\n")
    any_stage = any(".stage." in key for key in r.values)
    if not any_stage:
        add("*This build exports no stage histogram: no breakdown in this run.*\n")
        return
    add("The garbage-collection column is the collector's share of the phase, from "
        "`streamml_gc_pause_seconds{service,generation}`: full collections (generation 2; "
        "runs' median), the longest one's bucket bound, and the time paused by all "
        "collections. The last column is where the cores went from the generator's start "
        "until the service had committed its input (`/proc`, runs' median): the service "
        "process, the broker, the whole node (generator, background load and the harness "
        "included), and the time the hypervisor gave the node's virtual cores to others "
        "(*stolen*).\n")
    add("| Service | guarantee | offered events/s | node | "
        + " | ".join(f"{stage} mean / p99 ms" for stage in STAGES)
        + " | full collections / longest / paused ms | cores: "
        + " / ".join(PHASE_CPU) + " |")
    add("|---|---|---|---|" + "---|" * (len(STAGES) + 2))
    for service, guarantee, prefix, load, condition in _phases(r):
        base = f"{prefix}.stage.{load}.{condition}"
        cells = [f"{fmt(s(f'{base}.{stage}.mean').median, 1)} / "
                 f"{fmt(s(f'{base}.{stage}.p99').median, 1)}" for stage in STAGES]
        collector = f"{prefix}.gc.{load}.{condition}"
        cells.append(f"{fmt(s(f'{collector}.full').median, 1)} / "
                     f"{fmt(s(f'{collector}.full_longest_ms').median)} / "
                     f"{fmt(s(f'{collector}.paused_ms').median, 1)}")
        cells.append(" / ".join(fmt(s(f"{prefix}.cpu.{load}.{condition}.{name}").median, 2)
                                for name in PHASE_CPU))
        add(f"| {service} | {guarantee} | {load:,} | {CONDITION_NAMES[condition]} | "
            + " | ".join(cells) + " |")
    add("")


def _trainer_section(r: Results, scale: Scale, add) -> None:
    s = r.summary
    add("## 6. Trainer\n")
    add("`streamml trainer` on a topic pre-filled with N samples from the orchestrator's "
        "generator, fresh group and model key per run. *End to end*: process start → the "
        "`model_published` status on `cricket.model-status` (start-up, consuming N samples, fit, "
        "evaluation, skops serialisation, publish). *Fit*: the trainer's own fit + held-out "
        "evaluation time. *Load*: `decode_model` on the published artifact — what the predictor "
        "runs on every new model (size checks, skops type audit, load, tree verification).\n")
    add("| Samples | end to end s | fit s | artifact bytes | load in predictor ms | held-out R² "
        "| peak RSS MB |\n|---|---|---|---|---|---|---|")
    for size in scale.trainer_sizes:
        k = f"trainer.{size}"
        load = s(f"{k}.load_s")
        load_ms = Summary(load.median * 1000, load.low * 1000, load.high * 1000, load.runs)
        add(f"| {size:,} | {cell(s(k + '.end_to_end_s'), 1)} | {cell(s(k + '.fit_s'), 2)} "
            f"| {cell(s(k + '.bytes'))} | {cell(load_ms, 1)} | {cell(s(k + '.r2'), 3)} "
            f"| {cell(s(k + '.rss'))} |")
    add(f"\nThe predictor and the workshop loop both use model {r.notes.get('model', 'n/a')}.\n")


def _options_section(r: Results, scale: Scale, add) -> None:
    s = r.summary
    add("## 7. Client options (kafka-python)\n")
    add("Same pass-through, one setting changed at a time, on a fresh "
        f"{scale.option_backlog:,}-event copy of the match events "
        "(`bench.options-source`, 6 partitions). An earlier default is put back with a "
        "bench-only `sitecustomize` (`bench/pure_crc/`: kafka-python's pure-Python CRC32C; "
        "`bench/batch16k/`: 16 KiB producer batches).\n")
    add("| Setting | events/s | vs runtime defaults |\n|---|---|---|")
    base = s("options.defaults.rate")
    for key, label, _extra, _site in CLIENT_OPTIONS:
        rate = s(f"options.{key}.rate")
        add(f"| {label} | {cell(rate)} | {fmt(100 * ratio(rate.median, base.median))}% |")
    add("")


def _profiles_section(r: Results, scale: Scale, add) -> None:
    add("## Profiles (py-spy)\n")
    add(f"One extra run of each process on the backlog, fresh group, sampled for "
        f"{scale.profile_seconds:.0f} s by `py-spy record --rate 100 --nonblocking "
        "--threads` attached once it is ready (predictor: `/readyz`, detector: `/healthz`, "
        "+2 s; scripts: 5 s after start); not part of the medians. Percentages are of the "
        "samples in which a thread was at work; samples waiting in `select` or on a lock are "
        "counted apart. The detector is profiled with its scoring interpreted, its image's "
        "compiled build being opaque to py-spy (docs/runtime.md, \"Compiled scoring\").\n")
    add("Where the busy time goes (own time by component, from the profiles below):\n")
    for name in r.profiles:
        shares = sorted(((k.split(".", 2)[2], v[0]) for k, v in r.values.items()
                         if k.startswith(f"profile.{name}.")), key=lambda kv: -kv[1])
        if shares:
            add(f"- **{name}**: " + ", ".join(f"{component} {100 * share:.0f}%"
                                              for component, share in shares[:5]))
    add("")
    for name, text in r.profiles.items():
        add(f"### {name}\n\n```\n{text}\n```\n")


def _notes_section(r: Results, add) -> None:
    add("## Notes\n")
    stalls = [note for key, note in r.notes.items() if key.startswith("stall.")]
    add("- **kafka-python group-join stall.** kafka-python 3.0.12 can leave a fresh consumer-group "
        "member with no partitions for good when a rejoin it started itself completes between "
        "two polls. The runtime calls `finish_rejoin_in_progress` after every poll "
        "(`streamml.runtime.clients`), and so do the bench's pass-throughs (without it most "
        "fresh pass-through processes stalled while this harness was built); the harness still "
        "detects a stall (no commit for 60 s, or a probe load not committed) and retries once "
        "with a new group: "
        f"{len(stalls)} retr{'y' if len(stalls) == 1 else 'ies'} in this run"
        + (": " + "; ".join(stalls) if stalls else "") + ".")
    if "confluent.missing" in r.notes:
        add(f"- {r.notes['confluent.missing']}.")
    add("- The services run with their defaults (log level INFO: the detector logs every "
        "anomaly); the environment shown under *Exact commands* is all that is set.\n")
