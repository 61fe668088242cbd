"""The report's plots (PNG, matplotlib's Agg backend), from one run's results alone."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

from bench.stages import STAGES  # noqa: E402
from bench.suite import CONDITIONS, GUARANTEES, Results, latency_prefix  # noqa: E402

GUARANTEE_NAMES = {"max": "at-least-once", "exactly_once": "exactly-once"}
KINDS = {"cricket": "match events", "weather": "sensor readings"}
# (label, result key, group) of the throughput chart, top to bottom.
THROUGHPUT_ROWS = (
    *((f"Java ProducerPerformance, {name}", f"java.producer.{kind}.rate", "java")
      for kind, name in KINDS.items()),
    *((f"Java ConsumerPerformance, {name}", f"java.consumer.{kind}.rate", "java")
      for kind, name in KINDS.items()),
    *((f"confluent-kafka pass-through, {name}", f"confluent.{kind}.rate", "confluent")
      for kind, name in KINDS.items()),
    *((f"kafka-python pass-through, {name}", f"passthrough.{kind}.rate", "kafka-python")
      for kind, name in KINDS.items()),
    ("predictor, at-least-once", "predictor.max.rate", "service"),
    ("predictor, exactly-once", "predictor.exactly_once.rate", "service"),
    ("detector, at-least-once", "detector.max.rate", "service"),
    ("detector, exactly-once", "detector.exactly_once.rate", "service"),
    ("workshop loop", "workshop.rate", "workshop"),
)
PLAIN_NUMBERS = FuncFormatter(lambda value, _pos: f"{value:,.4g}")
COLOURS = {"java": "#7f7f7f", "confluent": "#9467bd", "kafka-python": "#1f77b4",
           "service": "#ff7f0e", "workshop": "#8c564b"}
TAIL_TICKS = (0.01, 0.1, 0.5, 0.9, 0.99, 0.999)
LOAD_COLOURS = ("#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
STAGE_COLOURS = {"fetch": "#1f77b4", "handle": "#ff7f0e", "acknowledge": "#2ca02c",
                 "commit": "#d62728"}


def write_all(results: Results, out_dir: Path,
              rate_targets: dict[str, tuple[str, float]]) -> dict[str, Path]:
    """Every plot; name -> file. ``rate_targets``: service -> (pass-through key, share)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {"throughput": throughput(results, out_dir / "throughput.png", rate_targets)}
    for service in ("predictor", "detector"):
        written[f"latency-{service}"] = latency_cdf(results, service,
                                                    out_dir / f"latency-{service}.png")
    written["stages"] = stage_breakdown(results, out_dir / "stages.png")
    return written


def _median_and_range(values: list[float]) -> tuple[float, float, float] | None:
    clean = sorted(v for v in values if v == v)
    if not clean:
        return None
    middle = len(clean) // 2
    median = clean[middle] if len(clean) % 2 else (clean[middle - 1] + clean[middle]) / 2
    return median, clean[0], clean[-1]


def throughput(results: Results, path: Path, rate_targets: dict[str, tuple[str, float]]) -> Path:
    rows = [(label, _median_and_range(results.values.get(key, [])), group, key)
            for label, key, group in THROUGHPUT_ROWS]
    rows = [row for row in rows if row[1] is not None]
    fig, ax = plt.subplots(figsize=(9, 0.42 * max(len(rows), 4) + 1.4))
    for y, (label, (median, low, high), group, key) in enumerate(rows):
        ax.barh(y, median, color=COLOURS[group], xerr=[[median - low], [high - median]],
                capsize=3, error_kw={"elinewidth": 1})
        ax.text(median * 1.08, y, f"{median:,.0f}", va="center", fontsize=8)
        service = key.split(".", 1)[0]
        if service in rate_targets:
            base_key, share = rate_targets[service]
            base = _median_and_range(results.values.get(base_key, []))
            if base is not None:
                ax.plot([base[0] * share] * 2, [y - 0.4, y + 0.4], color="black", linewidth=2)
    ax.set_yticks(range(len(rows)), [row[0] for row in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(PLAIN_NUMBERS)
    ax.set_xlabel("events/s (log scale; median of the runs, bars span min–max)")
    ax.set_title("Throughput per process against the ceilings\n"
                 "black tick: the service's target share of the kafka-python pass-through",
                 fontsize=10)
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def latency_cdf(results: Results, service: str, path: Path) -> Path:
    fig, axes = plt.subplots(1, len(GUARANTEES), figsize=(11, 4.2), sharey=True)
    for ax, variant in zip(axes, GUARANTEES):
        prefix = latency_prefix(service, variant)
        loads = [int(load) for load in results.notes.get(f"{prefix}.loads", "").split(",") if load]
        drawn = False
        for colour, load in zip(LOAD_COLOURS, loads):
            for condition, style in zip(CONDITIONS, ("-", "--")):
                if condition not in variant.conditions:
                    continue
                samples = sorted(results.distributions.get(f"{prefix}.latency.{load}.{condition}", []))
                samples = [max(s, 0.1) for s in samples]
                if not samples:
                    continue
                # (i+1)/(n+1): the logit axis cannot show 0 or 1
                fractions = [(i + 1) / (len(samples) + 1) for i in range(len(samples))]
                ax.step(samples, fractions, where="post", color=colour, linestyle=style,
                        label=f"{load:,}/s, {condition}")
                drawn = True
        for limit in (50, 100):
            ax.axvline(limit, color="grey", linewidth=0.8, linestyle=":")
        ax.axhline(0.99, color="grey", linewidth=0.8, linestyle=":")
        ax.set_yscale("logit")
        ax.set_ylim(0.01, 0.999)
        ax.set_yticks(TAIL_TICKS, [f"{t:g}" for t in TAIL_TICKS])
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
        ax.xaxis.set_major_formatter(PLAIN_NUMBERS)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("event → output latency, ms (log scale)")
        ax.set_title(f"{service}, {GUARANTEE_NAMES[variant.label]}", fontsize=10)
        ax.grid(which="both", alpha=0.3)
        if drawn:
            ax.legend(fontsize=7, loc="lower right")
        else:
            ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center")
    axes[0].set_ylabel("fraction of outputs at or below (CDF, logit scale)\n"
                       "dotted: p99, 50 ms and 100 ms")
    fig.suptitle(f"{service}: latency distribution per offered load; solid quiet node, "
                 "dashed next to the background load", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def stage_breakdown(results: Results, path: Path) -> Path:
    fig, axes = plt.subplots(2, len(GUARANTEES), figsize=(12, 7), squeeze=False)
    for row, service in enumerate(("predictor", "detector")):
        for col, variant in enumerate(GUARANTEES):
            ax = axes[row][col]
            prefix = latency_prefix(service, variant)
            loads = [int(x) for x in results.notes.get(f"{prefix}.loads", "").split(",") if x]
            phases = [(load, condition) for load in loads for condition in variant.conditions]
            width = 0.8 / len(STAGES)
            drawn = False
            for index, stage in enumerate(STAGES):
                heights = []
                for load, condition in phases:
                    found = _median_and_range(results.values.get(
                        f"{prefix}.stage.{load}.{condition}.{stage}.p99", []))
                    heights.append(found[0] if found else 0.0)
                if any(heights):
                    drawn = True
                ax.bar([i + (index - 1.5) * width for i in range(len(phases))], heights, width,
                       color=STAGE_COLOURS[stage], label=stage)
            ax.set_xticks(range(len(phases)),
                          [f"{load:,}/s\n{condition}" for load, condition in phases], fontsize=7)
            ax.set_title(f"{service}, {GUARANTEE_NAMES[variant.label]}", fontsize=10)
            ax.set_ylabel("stage p99, ms")
            ax.grid(axis="y", alpha=0.3)
            if drawn:
                ax.set_yscale("log")
                ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
                ax.yaxis.set_major_formatter(PLAIN_NUMBERS)
                ax.yaxis.set_minor_formatter(NullFormatter())
                ax.legend(fontsize=7)
            else:
                ax.text(0.5, 0.5, "no stage histograms from this build\n"
                        "(streamml_stage_duration_seconds)", transform=ax.transAxes,
                        ha="center", va="center", fontsize=9)
    fig.suptitle("Where the latency goes: p99 of each loop stage per phase, from the service's "
                 "/metrics (fetch: event time → polled; acknowledge: send → acked or committed)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

