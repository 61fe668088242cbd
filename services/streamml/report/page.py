"""The report as one self-contained HTML file: tables, and the PNG plots inlined as data URIs."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

from streamml.report.analysis import CricketReport, WeatherReport
from streamml.report.collect import RunInfo
from streamml.report import plots

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.6em 0 1.4em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.4em 0; }
.note { color: #666; font-size: 0.9em; }
"""


def table(table_id: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(cell))}</td>" for cell in row)
                   + "</tr>" for row in rows)
    return f'<table id="{table_id}"><tr>{head}</tr>{body}</table>'


def _cell(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def image(name: str, data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode()
    return (f'<img data-plot="{html.escape(name)}" alt="{html.escape(alt)}" '
            f'src="data:image/png;base64,{encoded}">')


def run_section(run: RunInfo) -> str:
    rows = [("commit", run.commit or "unknown"), ("created", run.created),
            ("bootstrap servers", run.bootstrap_servers)]
    parts = ["<h2>Run</h2>", table("run", ("", ""), rows)]
    for workflow, settings in sorted(run.settings.items()):
        parts.append(f"<h3>{html.escape(workflow)}: settings and seeds</h3>")
        parts.append(table(f"settings-{workflow}", ("setting", "value"),
                           sorted(settings.items())))
    return "\n".join(parts)


def cricket_section(cricket: CricketReport) -> str:
    if not cricket.matches:
        return "<h2>Cricket</h2><p class=note>No finished match in this run.</p>"
    parts = ["<h2>Cricket: predicted final score</h2>"]
    if cricket.models:
        parts.append(table("models", ("model", "version", "held-out R²", "held-out MAE",
                                      "training samples", "held-out samples"),
                           [(m.model_key, m.version, m.r2, m.mae, m.train_samples,
                             m.holdout_samples) for m in cricket.models]))
    parts.append(table("matches", ("match", "final score", "balls", "predictions",
                                   "mean error (runs)", "from the 15th over"),
                       [(m.match_id, f"{m.final_score}/{m.wickets}", m.balls,
                         len(m.predictions), m.mean_error, m.late_error)
                        for m in cricket.matches]))
    parts.append(table("cricket-overall", ("", "value"), [
        ("predictions of finished matches", len(cricket.all_errors())),
        ("mean error (runs)", cricket.mean_error),
        ("mean error from the 15th over (runs)", cricket.late_error),
        ("matches without a result", cricket.unfinished)]))
    parts.append("<h3>Each match, ball by ball</h3><p class=note>Blue: the predicted final "
                 "score after each ball; red: the actual final score; dashed: the naive "
                 "projection (the current run rate for 20 overs).</p>")
    parts.append(image("cricket-matches", plots.match_predictions(cricket),
                       "predicted final score per ball, per match"))
    parts.append("<h3>Prediction error against overs, all matches</h3>")
    parts.append(image("cricket-error-by-over", plots.error_by_over(cricket),
                       "absolute prediction error against overs"))
    return "\n".join(parts)


def weather_section(weather: WeatherReport) -> str:
    if not weather.sensors:
        return "<h2>Weather</h2><p class=note>No readings in this run.</p>"
    f, c = weather.faulty, weather.control
    controls = sum(1 for s in weather.sensors.values() if s.control)
    parts = ["<h2>Weather: anomalies</h2>", table("weather-overall", ("", "value"), [
        ("sensors", len(weather.sensors)),
        ("control sensors (no faults injected)", controls),
        ("readings", weather.readings),
        (f"in warm-up (first {weather.warmup} per sensor, not scored)", weather.warmup_readings),
        ("readings flagged", weather.flagged),
        ("weather events (not counted as flags)", weather.weather_events),
        ("duplicate anomaly messages", weather.duplicate_anomalies),
        ("faulty sensors: precision", f.precision), ("faulty sensors: recall", f.recall),
        ("faulty sensors: TP", f.true_positives), ("faulty sensors: FP", f.false_positives),
        ("faulty sensors: FN", f.false_negatives), ("faulty sensors: TN", f.true_negatives),
        ("control sensors: false alarms", c.false_positives),
        ("control sensors: scored readings", c.total),
    ])]
    parts.append(table("recall-by-kind", ("injected kind", "flagged", "injected", "recall"),
                       [(kind, found, total, found / total if total else None)
                        for kind, (found, total) in weather.recall_by_kind.items()]))
    parts.append(table("precision-by-flag", ("flag kind", "on a faulty reading", "flags",
                                             "precision"),
                       [(kind, hits, total, hits / total if total else None)
                        for kind, (hits, total) in weather.precision_by_flag.items()]))
    parts.append(image("weather-precision-recall", plots.precision_recall(weather),
                       "recall per injected kind, precision per flag kind"))
    parts.append("<h3>Each sensor</h3><p class=note>Shaded orange: readings with an injected "
                 "fault (the truth header); markers: readings the detector flagged, by kind; "
                 "grey: warm-up.</p>")
    kinds = sorted({kind for s in weather.sensors.values() for flags in s.flags.values()
                    for kind in flags})
    for sensor_id, series in sorted(weather.sensors.items()):
        parts.append(image(f"sensor-{sensor_id}",
                           plots.sensor_channels(series, kinds, weather.warmup),
                           f"channels of {sensor_id}"))
    return "\n".join(parts)


def render(run: RunInfo, cricket: CricketReport, weather: WeatherReport) -> str:
    title = f"streamml run report {run.created}".strip()
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f"{run_section(run)}{cricket_section(cricket)}{weather_section(weather)}"
            "</body></html>")
