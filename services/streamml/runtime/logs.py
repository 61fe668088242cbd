"""One-line logs on stdout, fit for `kubectl logs`: JSON for log shippers (the default) or
text for people (``STREAMML_LOG_FORMAT=text``)."""

from __future__ import annotations

import json
import logging
import sys
import time

LOG_FORMATS = ("json", "text")
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _timestamp(record: logging.LogRecord) -> str:
    return (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z")


def _extra(record: logging.LogRecord) -> dict[str, object]:
    return {key: value for key, value in vars(record).items() if key not in _STANDARD_ATTRIBUTES}


class JsonLineFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(_extra(record))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class TextLineFormatter(logging.Formatter):
    """``2026-01-02T03:04:05.678Z INFO  predictor  summary  in_per_s=41.5 lag=0 ...``"""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{key}={_text_value(value)}" for key, value in _extra(record).items())
        line = (f"{_timestamp(record)} {record.levelname:<5} {self._service}  "
                f"{record.getMessage()}" + (f"  {pairs}" if pairs else ""))
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _text_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return json.dumps(text) if not text or any(c in text for c in ' "=') else text


def configure_logging(service: str, level: str, log_format: str = "json") -> None:
    handler = logging.StreamHandler(sys.stdout)
    formatter = TextLineFormatter if log_format == "text" else JsonLineFormatter
    handler.setFormatter(formatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # kafka-python logs every reconnect at INFO/WARNING; our own logs say what matters.
    logging.getLogger("kafka").setLevel(max(root.level, logging.ERROR))
