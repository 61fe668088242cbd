"""Draws what `streamml watch` knows as rich renderables; ``render_text`` gives the same frame
as plain text (for tests and for terminals that are not interactive)."""

from __future__ import annotations

import io
import time
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from streamml.contracts.cricket import BALLS_PER_OVER
from streamml.watch.pipeline import PipelineSample
from streamml.watch.state import MatchRow, WatchState

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 30
MAX_MATCHES = 8
MAX_SENSORS = 16


def overs(current_over: float) -> str:
    """Decimal overs (balls / 6) in cricket notation: 14.5 -> '14.3'."""
    balls = round(current_over * BALLS_PER_OVER)
    return f"{balls // BALLS_PER_OVER}.{balls % BALLS_PER_OVER}"


def sparkline(values: Sequence[float], width: int = SPARK_WIDTH) -> str:
    """One block character per bucket of values (the bucket's last value), scaled to the
    series' own range."""
    if not values:
        return ""
    if len(values) > width:
        step = len(values) / width
        values = [values[min(int((i + 1) * step) - 1, len(values) - 1)] for i in range(width)]
    low, high = min(values), max(values)
    span = high - low
    top = len(SPARK_BLOCKS) - 1
    return "".join(SPARK_BLOCKS[round((v - low) / span * top) if span else top // 2]
                   for v in values)


def age(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _rate(value: float | None) -> str:
    return "…" if value is None else f"{value:,.1f}"


def cricket_panel(state: WatchState, now_ms: int) -> RenderableType:
    table = Table(expand=True, box=None, pad_edge=False)
    for name, justify in (("match", "left"), ("score", "right"), ("overs", "right"),
                          ("predicted", "right"), ("model", "right"),
                          ("prediction over the innings", "left"), ("final", "right"),
                          ("mean error", "right")):
        table.add_column(name, justify=justify, no_wrap=True,
                         overflow="ellipsis", max_width=28 if name == "match" else None)
    rows = sorted(state.matches.values(), key=lambda m: m.last_seen_ms)[-MAX_MATCHES:]
    for match in sorted(rows, key=lambda m: m.match_id):
        table.add_row(*_match_cells(match))
    in_use = state.model_in_use()
    if in_use is None:
        model = Text("model in use: none seen yet", style="dim")
    else:
        key, version, status = in_use
        model = Text(f"model in use: {key} v{version}")
        if status is not None:
            mae = f"{status.mae:.1f} runs" if status.mae is not None else "n/a"
            model.append(f" · held-out MAE {mae} · trained on {status.train_samples} samples"
                         f" · age {age((now_ms - status.time_ms) / 1000)}")
    if not rows:
        return Panel(Group(Text("no matches seen yet", style="dim"), model),
                     title="cricket", title_align="left")
    return Panel(Group(table, model), title="cricket", title_align="left")


def _match_cells(match: MatchRow) -> list[RenderableType]:
    predicted = match.latest_prediction
    error = match.mean_error
    ended = match.final_score is not None
    return [
        match.match_id,
        f"{match.score}/{match.wickets}",
        overs(match.over),
        "" if predicted is None else f"{predicted:.0f}",
        "" if match.model_version is None else f"v{match.model_version}",
        Text(sparkline([p for _, p in match.predictions]), style="cyan"),
        Text(str(match.final_score), style="bold") if ended else Text("live", style="green"),
        "" if error is None else f"{error:.1f}",
    ]


def weather_panel(state: WatchState) -> RenderableType:
    if not state.sensors:
        return Panel(Text("no sensors seen yet", style="dim"), title="weather",
                     title_align="left")
    table = Table(expand=True, box=None, pad_edge=False)
    for name, justify in (("sensor", "left"), ("#", "right"), ("°C", "right"), ("RH %", "right"),
                          ("hPa", "right"), ("state", "left"), ("recent flags", "left"),
                          ("flags", "right")):
        table.add_column(name, justify=justify, no_wrap=True, overflow="ellipsis",
                         max_width=28 if name == "sensor" else None)
    rows = sorted(state.sensors.values(), key=lambda s: s.last_seen_ms)[-MAX_SENSORS:]
    for row in sorted(rows, key=lambda s: s.sensor_id):
        reading = row.reading
        recent = row.recent_flags()
        flags = Text(" ".join(f"{kind} {count}" for kind, count in sorted(recent.items())),
                     style="red" if recent else "")
        sensor_state = state.sensor_state(row)
        table.add_row(
            row.sensor_id,
            "" if reading is None else str(reading.seq),
            "" if reading is None else f"{reading.temperature_c:.2f}",
            "" if reading is None else f"{reading.humidity_pct:.1f}",
            "" if reading is None else f"{reading.pressure_hpa:.2f}",
            Text(sensor_state, style="green" if sensor_state == "serving" else "yellow"),
            flags, str(row.total_flags))
    hidden = len(state.sensors) - len(rows)
    note = Text(f"(+{hidden} quieter sensors not shown)" if hidden > 0 else "", style="dim")
    return Panel(Group(table, note) if hidden > 0 else table, title="weather", title_align="left")


def pipeline_panel(state: WatchState, pipeline: PipelineSample | None) -> RenderableType:
    parts: list[RenderableType] = []
    if pipeline is None:
        parts.append(Text("waiting for the first sample of offsets", style="dim"))
    elif pipeline.error:
        parts.append(Text(pipeline.error, style="red"))
    else:
        topics = Table(box=None, pad_edge=False, expand=False)
        for name in ("topic", "records", "in/s", "out/s"):
            topics.add_column(name, justify="left" if name == "topic" else "right", no_wrap=True)
        for flow in pipeline.topics:
            topics.add_row(flow.topic, f"{flow.records:,}", _rate(flow.in_per_s),
                           _rate(flow.out_per_s))
        groups = Table(box=None, pad_edge=False, expand=False)
        for name in ("consumer group", "state", "lag"):
            groups.add_column(name, justify="right" if name == "lag" else "left", no_wrap=True,
                              overflow="ellipsis", max_width=40 if name == "consumer group" else None)
        for group in pipeline.groups:
            groups.add_row(group.group, group.state,
                           "no commits" if group.lag is None else f"{group.lag:,}")
        if not pipeline.groups:
            groups.add_row(Text("no active groups", style="dim"), "", "")
        parts.append(_side_by_side(topics, groups))
        if pipeline.services:
            services = Table(box=None, pad_edge=False)
            for name in ("service (/metrics)", "consumed/s", "produced/s", "lag", "dead letters"):
                services.add_column(name, justify="left" if name.startswith("service") else "right")
            for status in pipeline.services:
                services.add_row(status.service, f"{status.consumed_per_s:,.1f}",
                                 f"{status.produced_per_s:,.1f}", f"{status.lag:,.0f}",
                                 f"{status.dead_letters:,.0f}")
            parts.append(services)
        if pipeline.unreachable:
            parts.append(Text("metrics not reachable: " + ", ".join(pipeline.unreachable),
                              style="yellow"))
    total = sum(state.dead_letters.values())
    dead = Text(f"dead letters: {total}", style="red" if total else "")
    if total:
        dead.append(" (" + ", ".join(f"{reason} {count}" for reason, count
                                     in state.dead_letters.most_common(5)) + ")")
    parts.append(dead)
    return Panel(Group(*parts), title="pipeline", title_align="left")


def _side_by_side(left: RenderableType, right: RenderableType) -> RenderableType:
    grid = Table.grid(padding=(0, 4))
    grid.add_column()
    grid.add_column()
    grid.add_row(left, right)
    return grid


def frame(state: WatchState, pipeline: PipelineSample | None, source: str,
          now_ms: int | None = None) -> RenderableType:
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    header = Text(f"streamml watch · {source} · {time.strftime('%H:%M:%S', time.localtime(now_ms / 1000))}"
                  f" · {state.records:,} records read", style="bold")
    return Group(header, cricket_panel(state, now_ms), weather_panel(state),
                 pipeline_panel(state, pipeline))


def render_text(renderable: RenderableType, width: int = 140) -> str:
    """The frame as plain text, no colours or escape codes."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False,
            legacy_windows=False).print(renderable)
    return buffer.getvalue()
