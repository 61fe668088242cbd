"""Draws what `streamml watch` knows as rich renderables; ``render_text`` gives the same frame
as plain text (for tests and for terminals that are not interactive).

Given the terminal's height, ``frame`` fits it: every section keeps its borders, its header and
its key lines (the model in use, dead letters), and shows fewer rows with a "… N more" line.
Rows go to the sections in turn (matches, sensors, the pipeline's topics and groups, the
services' /metrics), each at least two lines, so no section vanishes and none is cut mid-way.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from streamml.contracts.cricket import BALLS_PER_OVER
from streamml.watch.pipeline import GroupLag, PipelineSample, TopicFlow
from streamml.watch.state import MatchRow, SensorRow, WatchState

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 30
MAX_MATCHES = 8
MAX_SENSORS = 16
MIN_SECTION_LINES = 2  # a section that has rows keeps at least one and its "… N more" line


@dataclass(frozen=True)
class Rows:
    """Lines each section's rows may take, a "… N more" line included; None: all of them."""

    matches: int | None = None
    sensors: int | None = None
    flows: int | None = None  # the pipeline's topics and groups, side by side
    services: int | None = None


def shown(count: int, lines: int | None, cap: int | None = None) -> tuple[int, int]:
    """(rows drawn, rows left out) for ``count`` rows in ``lines`` lines, one of them the
    "… N more" line when not all fit."""
    limit = count if cap is None else min(count, cap)
    if lines is not None and count > lines:
        limit = min(limit, max(lines - 1, 0))
    return limit, count - limit


def _wanted(count: int, cap: int | None = None) -> int:
    """Lines ``count`` rows take when nothing limits them but ``cap``."""
    return count if cap is None or count <= cap else cap + 1


def _lines_needed(state: WatchState,
                  pipeline: PipelineSample | None) -> tuple[int, list[int]]:
    """(lines every frame takes, lines each section's rows want: matches, sensors, flows,
    services)."""
    # The header line; each panel's borders, then cricket: its table's header (or "no matches
    # seen yet") and the model in use; weather: its table's header (or "no sensors seen yet");
    # pipeline: dead letters.
    fixed = 1 + (2 + 2) + (2 + 1) + (2 + 1)
    flows = services = 0
    if pipeline is not None and not pipeline.error:
        flows = max(len(pipeline.topics), len(pipeline.groups), 1)
        fixed += 1  # the topics' and groups' headers
        if pipeline.services:
            services = len(pipeline.services)
            fixed += 1
        fixed += 1 if pipeline.unreachable else 0
    else:
        fixed += 1  # "waiting for ..." or the error
    return fixed, [_wanted(len(state.matches), MAX_MATCHES),
                   _wanted(len(state.sensors), MAX_SENSORS), flows, services]


def minimum_height(state: WatchState, pipeline: PipelineSample | None) -> int:
    """The fewest lines a fitted frame takes."""
    fixed, wanted = _lines_needed(state, pipeline)
    return fixed + sum(min(want, MIN_SECTION_LINES) for want in wanted)


def fit_rows(state: WatchState, pipeline: PipelineSample | None, height: int | None) -> Rows:
    """Share ``height`` terminal lines between the sections' rows (see the module's doc)."""
    if height is None:
        return Rows()
    fixed, wanted = _lines_needed(state, pipeline)
    given = [min(want, MIN_SECTION_LINES) for want in wanted]
    left = height - fixed - sum(given)
    while left > 0 and any(g < w for g, w in zip(given, wanted)):
        for i, want in enumerate(wanted):
            if left > 0 and given[i] < want:
                given[i] += 1
                left -= 1
    return Rows(*given)


def _more(hidden: int, what: str) -> Text:
    return Text(f"… {hidden} more {what}", style="dim")


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


def cricket_panel(state: WatchState, now_ms: int, lines: int | None = None) -> RenderableType:
    table = Table(expand=True, box=None, pad_edge=False)
    for name, justify in (("match", "left"), ("score", "right"), ("overs", "right"),
                          ("predicted", "right"), ("model", "right"),
                          ("prediction over the innings", "left"), ("final", "right"),
                          ("mean error", "right")):
        table.add_column(name, justify=justify, no_wrap=True,
                         overflow="ellipsis", max_width=28 if name == "match" else None)
    count, hidden = shown(len(state.matches), lines, MAX_MATCHES)
    # The most recently active matches.
    rows = sorted(state.matches.values(), key=lambda m: m.last_seen_ms)[-count:] if count else []
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
    if not state.matches:
        return Panel(Group(Text("no matches seen yet", style="dim"), model),
                     title="cricket", title_align="left")
    parts: list[RenderableType] = [table]
    if hidden:
        parts.append(_more(hidden, "matches (less recent)"))
    return Panel(Group(*parts, model), title="cricket", title_align="left")


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


def _sensor_priority(row: SensorRow) -> tuple[bool, int]:
    """Sensors with recent flags first, then the most recently heard from."""
    return bool(row.recent_flags()), row.last_seen_ms


def weather_panel(state: WatchState, lines: int | None = None) -> RenderableType:
    if not state.sensors:
        return Panel(Text("no sensors seen yet", style="dim"), title="weather",
                     title_align="left")
    table = Table(expand=True, box=None, pad_edge=False)
    for name, justify in (("sensor", "left"), ("#", "right"), ("°C", "right"), ("RH %", "right"),
                          ("hPa", "right"), ("state", "left"), ("recent flags", "left"),
                          ("flags", "right")):
        table.add_column(name, justify=justify, no_wrap=True, overflow="ellipsis",
                         max_width=28 if name == "sensor" else None)
    count, hidden = shown(len(state.sensors), lines, MAX_SENSORS)
    rows = sorted(state.sensors.values(), key=_sensor_priority)[-count:] if count else []
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
    if hidden:
        return Panel(Group(table, _more(hidden, "sensors (quieter)")), title="weather",
                     title_align="left")
    return Panel(table, title="weather", title_align="left")


def _busiest(flows: list[TopicFlow], count: int) -> list[TopicFlow]:
    """The ``count`` topics with the most traffic, in the catalog's order."""
    keep = set(sorted(flows, key=lambda f: (f.in_per_s or 0.0, f.records), reverse=True)[:count])
    return [flow for flow in flows if flow in keep]


def _most_behind(groups: list[GroupLag], count: int) -> list[GroupLag]:
    keep = set(sorted(groups, key=lambda g: g.lag or 0, reverse=True)[:count])
    return [group for group in groups if group in keep]


def pipeline_panel(state: WatchState, pipeline: PipelineSample | None,
                   rows: Rows = Rows()) -> RenderableType:
    parts: list[RenderableType] = []
    if pipeline is None:
        parts.append(Text("waiting for the first sample of offsets", style="dim"))
    elif pipeline.error:
        parts.append(Text(pipeline.error, style="red"))
    else:
        topics = Table(box=None, pad_edge=False, expand=False)
        for name in ("topic", "records", "in/s", "out/s"):
            topics.add_column(name, justify="left" if name == "topic" else "right", no_wrap=True)
        count, hidden = shown(len(pipeline.topics), rows.flows)
        for flow in _busiest(pipeline.topics, count):
            topics.add_row(flow.topic, f"{flow.records:,}", _rate(flow.in_per_s),
                           _rate(flow.out_per_s))
        if hidden:
            topics.add_row(_more(hidden, "topics (quieter)"), "", "", "")
        groups = Table(box=None, pad_edge=False, expand=False)
        for name in ("consumer group", "state", "lag"):
            groups.add_column(name, justify="right" if name == "lag" else "left", no_wrap=True,
                              overflow="ellipsis", max_width=40 if name == "consumer group" else None)
        count, hidden = shown(len(pipeline.groups), rows.flows)
        for group in _most_behind(pipeline.groups, count):
            groups.add_row(group.group, group.state,
                           "no commits" if group.lag is None else f"{group.lag:,}")
        if hidden:
            groups.add_row(_more(hidden, "groups (less lag)"), "", "")
        if not pipeline.groups:
            groups.add_row(Text("no active groups", style="dim"), "", "")
        parts.append(_side_by_side(topics, groups))
        if pipeline.services:
            services = Table(box=None, pad_edge=False)
            for name in ("service (/metrics)", "consumed/s", "produced/s", "lag", "dead letters"):
                services.add_column(name, justify="left" if name.startswith("service") else "right")
            count, hidden = shown(len(pipeline.services), rows.services)
            for status in pipeline.services[:count]:
                services.add_row(status.service, f"{status.consumed_per_s:,.1f}",
                                 f"{status.produced_per_s:,.1f}", f"{status.lag:,.0f}",
                                 f"{status.dead_letters:,.0f}")
            if hidden:
                services.add_row(_more(hidden, "services"), "", "", "", "")
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
          now_ms: int | None = None, height: int | None = None) -> RenderableType:
    """The whole view; with ``height``, fitted to that many terminal lines."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    rows = fit_rows(state, pipeline, height)
    header = Text(f"streamml watch · {source} · {time.strftime('%H:%M:%S', time.localtime(now_ms / 1000))}"
                  f" · {state.records:,} records read", style="bold")
    return Group(header, cricket_panel(state, now_ms, rows.matches),
                 weather_panel(state, rows.sensors), pipeline_panel(state, pipeline, rows))


def _plain_console(buffer: io.StringIO, width: int) -> Console:
    return Console(file=buffer, width=width, color_system=None, force_terminal=False,
                   legacy_windows=False)


def render_text(renderable: RenderableType, width: int = 140) -> str:
    """The frame as plain text, no colours or escape codes."""
    buffer = io.StringIO()
    _plain_console(buffer, width).print(renderable)
    return buffer.getvalue()


def rendered_height(renderable: RenderableType, width: int) -> int:
    """Terminal lines ``renderable`` takes at ``width`` columns."""
    console = _plain_console(io.StringIO(), width)
    return len(console.render_lines(renderable, console.options.update(width=width), pad=False))
