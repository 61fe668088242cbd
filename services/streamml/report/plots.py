"""The report's plots as PNG bytes (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io
import math
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first
from matplotlib.figure import Figure  # noqa: E402

from streamml.contracts.cricket import MAX_OVERS  # noqa: E402
from streamml.contracts.weather import NORMAL  # noqa: E402
from streamml.report.analysis import CricketReport, SensorSeries, WeatherReport  # noqa: E402

CHANNELS = (("temperature_c", "°C"), ("humidity_pct", "RH %"), ("pressure_hpa", "hPa"))
FLAG_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def match_predictions(cricket: CricketReport) -> bytes:
    """Per match: the predicted final score ball by ball, the actual final score and the naive
    run-rate projection."""
    count = len(cricket.matches)
    columns = 2 if count > 1 else 1
    rows = math.ceil(count / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 3.4 * rows), squeeze=False)
    for ax, match in zip(axes.flat, cricket.matches):
        overs = [over for over, _, _ in match.predictions]
        ax.plot(overs, [p for _, _, p in match.predictions], color="tab:blue", lw=1.6,
                label="predicted final score")
        projection = match.run_rate_projection()
        ax.plot([o for o, _ in projection], [p for _, p in projection], color="tab:gray",
                lw=1.0, ls="--", label="run rate × 20 overs")
        ax.axhline(match.final_score, color="tab:red", lw=1.2,
                   label=f"actual final score {match.final_score}")
        # The projection after the first balls is wild: keep the axis on the predictions.
        shown = [p for _, _, p in match.predictions] + [match.final_score]
        ax.set_ylim(min(shown) - 25, max(shown) + 25)
        ax.set_xlim(0, MAX_OVERS)
        ax.set_title(f"{match.match_id}: {match.final_score}/{match.wickets}, mean error "
                     f"{match.mean_error:.1f} runs", fontsize=10)
        ax.set_xlabel("overs")
        ax.set_ylabel("runs")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    figure.tight_layout()
    return png(figure)


def error_by_over(cricket: CricketReport) -> bytes:
    """Absolute error of every prediction against the over it was made in, all matches, with
    the mean per over."""
    figure, ax = plt.subplots(figsize=(10, 4))
    per_over: dict[int, list[float]] = defaultdict(list)
    for match in cricket.matches:
        errors = match.errors()
        ax.plot([o for o, _ in errors], [e for _, e in errors], lw=0.8, alpha=0.5,
                label=match.match_id)
        for over, error in errors:
            per_over[min(int(over - 1e-9), MAX_OVERS - 1)].append(error)
    overs = sorted(per_over)
    ax.plot([o + 0.5 for o in overs], [sum(per_over[o]) / len(per_over[o]) for o in overs],
            color="black", lw=2.2, marker="o", ms=3, label="mean per over")
    ax.set_xlim(0, MAX_OVERS)
    ax.set_xlabel("overs")
    ax.set_ylabel("|predicted − actual final score| (runs)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.tight_layout()
    return png(figure)


def _runs(seqs: list[int]) -> list[tuple[int, int]]:
    """Consecutive sequence numbers as (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for seq in seqs:
        if runs and seq == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return runs


def sensor_channels(series: SensorSeries, flag_kinds: list[str], warmup: int) -> bytes:
    """The three channels over the sensor's readings; injected faults shaded, flagged readings
    marked by kind, the warm-up greyed."""
    seqs = sorted(series.values)
    figure, axes = plt.subplots(3, 1, figsize=(11, 5.6), sharex=True)
    faulty = _runs([s for s in seqs if series.truth.get(s, NORMAL) != NORMAL])
    colors = plt.get_cmap("tab10")
    for index, (ax, (_, unit)) in enumerate(zip(axes, CHANNELS)):
        ax.plot(seqs, [series.values[s][index] for s in seqs], color="tab:blue", lw=0.8)
        for first, last in faulty:
            ax.axvspan(first - 0.5, last + 0.5, color="tab:orange", alpha=0.25, lw=0)
        if warmup and seqs and seqs[0] < warmup:
            ax.axvspan(seqs[0], warmup - 0.5, color="gray", alpha=0.12, lw=0)
        channel = CHANNELS[index][0]
        for k, kind in enumerate(flag_kinds):
            flagged = [s for s in seqs if kind in series.flags.get(s, ())
                       and channel in (series.flag_channels.get(s) or {channel})]
            if flagged:
                ax.scatter(flagged, [series.values[s][index] for s in flagged], s=16,
                           marker=FLAG_MARKERS[k % len(FLAG_MARKERS)], color=colors(k + 2),
                           zorder=3, label=f"flagged: {kind}")
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[1:]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    from matplotlib.patches import Patch
    handles.append(Patch(color="tab:orange", alpha=0.25))
    labels.append("injected fault (truth)")
    axes[0].legend(handles, labels, fontsize=8, ncol=4, loc="upper left",
                   bbox_to_anchor=(0, 1.35))
    role = "control sensor (no faults injected)" if series.control else "faulty sensor"
    axes[0].set_title(f"{series.sensor_id}: {role}", fontsize=10, pad=34)
    axes[-1].set_xlabel("reading (sequence number)")
    figure.tight_layout()
    return png(figure)


def _rate_bars(ax, counts: dict[str, tuple[int, int]], title: str, color: str) -> None:
    """One bar per kind: the share hits/total, labelled with the counts."""
    ax.barh(list(counts), [hits / total if total else 0 for hits, total in counts.values()],
            color=color)
    for y, (hits, total) in enumerate(counts.values()):
        ax.text(1.01, y, f"{hits}/{total}", va="center", fontsize=8)
    ax.set_xlim(0, 1.15)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, axis="x")


def precision_recall(weather: WeatherReport) -> bytes:
    """Recall per injected kind and precision per flag kind."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    _rate_bars(left, weather.recall_by_kind, "recall per injected fault kind", "tab:green")
    _rate_bars(right, weather.precision_by_flag, "precision per flag kind", "tab:purple")
    figure.tight_layout()
    return png(figure)
